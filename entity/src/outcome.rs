//! `outcome`: An outcome a participant reached (employment, union membership…).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// An outcome a participant reached (employment, union membership…).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "outcome")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub owner_org_id: Uuid,
    pub kind: OutcomeKind,
    pub employer_name: Option<String>,
    pub occupation: Option<String>,
    pub hourly_wage_cents: Option<i64>,
    pub union_local: Option<String>,
    pub started_on: Option<Date>,
    pub verified: bool,
    pub external_id: Option<String>,
    pub source: String,
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

impl Related<super::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
