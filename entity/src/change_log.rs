//! `change_log`: the change feed (Ed-Fi change queries). One entry per
//! write of a participant-level row, written by database triggers in the
//! write's own transaction, and tombstones for readers who lost access.
//!
//! Not a data table: its key is a serial number, not a UUID, and its
//! `change_version` is stamped from one hub-wide sequence in commit order
//! (on PostgreSQL at commit under a lock, on SQLite by the one writer).

#[allow(unused_imports)]
use crate::enums::*;
use sea_orm::entity::prelude::*;

/// One change of one participant-level row.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Hub-wide, increasing in commit order; `None` only inside the
    /// writing transaction (PostgreSQL stamps it at commit).
    pub change_version: Option<i64>,
    pub kind: RecordKind,
    pub entity_id: Uuid,
    pub participant_id: Option<Uuid>,
    pub owner_org_id: Uuid,
    pub category: Category,
    pub operation: ChangeOperation,
    /// `None`: for every reader the policy allows now. Set: a tombstone
    /// (or a renewed upsert) for that one organization, written when its
    /// access to the row changed.
    pub audience_org_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
