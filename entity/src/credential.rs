//! `credential`: A credential awarded to a participant (Open Badges 3.0-like).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A credential awarded to a participant (Open Badges 3.0-like).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[sea_orm(table_name = "credential")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    pub owner_org_id: Uuid,
    pub issuer_org_id: Option<Uuid>,
    pub issuer_name: Option<String>,
    pub name: String,
    pub kind: CredentialKind,
    pub awarded_on: Date,
    pub expires_on: Option<Date>,
    pub evidence_url: Option<String>,
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
