//! `correction_request`: A youth's request to correct a field of a row about them (FERPA 99.20).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A youth's request to correct a field of a row about them (FERPA 99.20).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "correction_request")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub participant_id: Uuid,
    /// The organization that keeps the row and decides.
    pub owner_org_id: Uuid,
    pub entity: CorrectableEntity,
    pub entity_id: Uuid,
    pub field: String,
    pub proposed_value: String,
    pub reason: String,
    pub status: CorrectionStatus,
    /// The organization's answer (required when declining).
    pub answer: Option<String>,
    pub requested_by: String,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
