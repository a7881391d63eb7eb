//! `audit_event`: One append-only audit record (FERPA 99.32 disclosure record). Never updated or deleted.

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// One append-only audit record (FERPA 99.32 disclosure record). Never updated or deleted.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub actor_subject: String,
    pub actor_org_id: Option<Uuid>,
    pub action: AuditAction,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    pub owner_org_id: Option<Uuid>,
    pub categories: String,
    pub request_id: String,
    pub detail: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
