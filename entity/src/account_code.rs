//! `account_code`: A one-time code a youth redeems to link their own token (stored hashed).

use sea_orm::entity::prelude::*;

/// A one-time code a youth redeems to link their own token (stored hashed).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "account_code")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Hex SHA-256 of the code; the code itself is never stored.
    #[sea_orm(unique)]
    pub code_hash: String,
    pub participant_id: Uuid,
    pub issued_by_org_id: Uuid,
    pub issued_by: String,
    pub expires_at: DateTimeUtc,
    pub redeemed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
