//! `sharing_agreement`: A written data-sharing agreement from a provider organization to a recipient (FERPA 99.31).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// A written data-sharing agreement from a provider organization to a recipient (FERPA 99.31).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sharing_agreement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub provider_org_id: Uuid,
    pub recipient_org_id: Uuid,
    pub categories: String,
    pub purpose: SharingPurpose,
    pub requires_consent: bool,
    pub status: AgreementStatus,
    pub effective_on: Date,
    pub expires_on: Option<Date>,
    pub proposed_by: String,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<DateTimeUtc>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTimeUtc>,
    /// The date by which the recipient must have destroyed what it
    /// received, once the agreement has ended.
    pub destroy_by: Option<Date>,
    /// When `retention run --apply` ordered that destruction.
    pub destroyed_at: Option<DateTimeUtc>,
    /// The day the change feed recorded what lapsed when `expires_on`
    /// passed (tombstones for the readers that lost access).
    pub lapse_settled_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
