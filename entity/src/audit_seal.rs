//! `audit_seal`: One link of the audit log's hash chain: an event's content hashed with the seal before it.

use sea_orm::entity::prelude::*;

/// One link of the audit log's hash chain: an event's content hashed with the seal before it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_seal")]
pub struct Model {
    /// 1, 2, 3… in sealing order, without gaps.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    #[sea_orm(unique)]
    pub event_id: Uuid,
    /// Hex SHA-256 of the previous seal's hash and this event's content.
    pub hash: String,
    pub sealed_at: DateTimeUtc,
    /// How the event's content was encoded for `hash`: 1 before issue 30,
    /// 2 since (the hub's `audit::chain::Format`).
    pub format: i16,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
