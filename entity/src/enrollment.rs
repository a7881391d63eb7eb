//! `enrollment`: A participant's enrollment in a program; owned by the program's organization.

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A participant's enrollment in a program; owned by the program's organization.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "enrollment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub program_id: Uuid,
    pub owner_org_id: Uuid,
    pub status: EnrollmentStatus,
    pub applied_on: Date,
    pub started_on: Option<Date>,
    pub exited_on: Option<Date>,
    pub exit_reason: Option<String>,
    pub external_id: Option<String>,
    pub source: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::participant::Entity",
        from = "Column::ParticipantId",
        to = "super::participant::Column::Id"
    )]
    Participant,
    #[sea_orm(
        belongs_to = "super::program::Entity",
        from = "Column::ProgramId",
        to = "super::program::Column::Id"
    )]
    Program,
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::OwnerOrgId",
        to = "super::organization::Column::Id"
    )]
    Organization,
}

impl Related<super::participant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Participant.def()
    }
}

impl Related<super::program::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Program.def()
    }
}

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
