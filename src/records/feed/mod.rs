//! The change feed (DESIGN.md section 10, as Ed-Fi's change queries): what
//! changed after a version that the viewer may read now.
//!
//! Entries come from `change_log`, which triggers fill in every write's own
//! transaction (migration `m20261128_000011_change_feed`), stamped with one
//! hub-wide `change_version` in commit order. A page is read under the same
//! policy as every read: the [`Scope`] of each entry's category becomes the
//! SQL condition over the entry's owner and participant. What a reader
//! loses (a consent revoked, an agreement ended) is written here as
//! tombstones addressed to that reader, computed by the policy before and
//! after the change ([`access_change`]), so nobody else learns of it.

use std::collections::BTreeSet;

use entity::change_log::{self, Column as L};
use entity::enums::{Category, ChangeOperation, RecordKind};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, TransactionSession, TransactionTrait,
};
use serde_json::Value;
use uuid::Uuid;

use crate::ground::error::{Error, Result};
use crate::policy::Scopes;

mod access;
pub mod lapses;
mod records;
pub mod split;

pub use access::{AccessChange, Readable};
use records::records;

/// Changes per page when the caller does not say.
pub const DEFAULT_PAGE: u64 = 100;
/// Changes per page at most.
pub const MAX_PAGE: u64 = 1000;

/// The category a kind of row belongs to (what the policy checks).
pub fn category_of(kind: RecordKind) -> Category {
    match kind {
        RecordKind::ParticipantProfile => Category::Identity,
        RecordKind::Enrollment => Category::Enrollment,
        RecordKind::HourLog | RecordKind::CompetencyAttainment => Category::Progress,
        RecordKind::Credential => Category::Credentials,
        RecordKind::Mentorship | RecordKind::MentorshipMeeting => Category::Mentorship,
        RecordKind::DualEnrollment => Category::EducationRecords,
        RecordKind::Service => Category::Services,
        RecordKind::Outcome => Category::Outcomes,
    }
}

/// One change, as the feed answers it.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: RecordKind,
    pub id: Uuid,
    pub participant_id: Option<Uuid>,
    pub owner_org_id: Uuid,
    pub category: Category,
    pub change_version: i64,
    pub operation: ChangeOperation,
    /// The row as it is now (upserts only).
    pub record: Option<Value>,
}

/// A page of the feed.
#[derive(Debug, Clone)]
pub struct Page {
    pub nodes: Vec<Change>,
    /// Where to resume (`since` of the next call): the last change of a
    /// full page, otherwise the newest version the hub had when the page
    /// was read, so changes the viewer may not read are not scanned again.
    pub max_change_version: i64,
    /// Whether changes after `max_change_version` were already waiting.
    pub has_more: bool,
}

/// The changes after `since` that `scopes`' viewer (of organization
/// `viewer_org`) may read now, oldest first, at most `first`, of `kinds`
/// (every kind when empty).
pub async fn page<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    scopes: &Scopes,
    viewer_org: Uuid,
    since: i64,
    first: u64,
    kinds: &[RecordKind],
) -> Result<Page> {
    let newest = self::newest(db).await?;
    page_upto(db, newest, scopes, viewer_org, since, first, kinds).await
}

/// [`page`] up to `newest` (from [`newest`] on the primary), read on `db`:
/// the primary, or a replica that has replayed what the primary had
/// written after `newest` was read — so every change up to it is there.
pub async fn page_upto<C: ConnectionTrait>(
    db: &C,
    newest: i64,
    scopes: &Scopes,
    viewer_org: Uuid,
    since: i64,
    first: u64,
    kinds: &[RecordKind],
) -> Result<Page> {
    if since < 0 {
        return Err(Error::bad_input("since", "must be 0 or more"));
    }
    if first == 0 || first > MAX_PAGE {
        return Err(Error::bad_input(
            "first",
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    // The newest version first: every version up to it is committed (they
    // are stamped in commit order), so the page below cannot miss one.
    let newest = std::cmp::max(newest, since);
    let kinds: Vec<RecordKind> = if kinds.is_empty() {
        RecordKind::all().to_vec()
    } else {
        kinds.to_vec()
    };
    let categories: BTreeSet<Category> = kinds.iter().map(|k| category_of(*k)).collect();
    let mut readable = Condition::any();
    for category in categories {
        readable = readable.add(Condition::all().add(L::Category.eq(category)).add(
            scopes.of(category).condition(
                (change_log::Entity, L::OwnerOrgId),
                (change_log::Entity, L::ParticipantId),
            ),
        ));
    }
    let addressed = L::AudienceOrgId.eq(viewer_org);
    let visible = Condition::any()
        .add(
            Condition::all()
                .add(L::Operation.eq(ChangeOperation::Upsert))
                .add(
                    Condition::any()
                        .add(L::AudienceOrgId.is_null())
                        .add(addressed.clone()),
                )
                .add(readable.clone()),
        )
        .add(
            Condition::all()
                .add(L::Operation.eq(ChangeOperation::Delete))
                .add(
                    Condition::any().add(addressed).add(
                        Condition::all()
                            .add(L::AudienceOrgId.is_null())
                            .add(readable),
                    ),
                ),
        );
    let mut rows = change_log::Entity::find()
        .filter(L::ChangeVersion.gt(since))
        .filter(L::ChangeVersion.lte(newest))
        .filter(L::Kind.is_in(kinds))
        .filter(visible)
        .order_by_asc(L::ChangeVersion)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > first;
    rows.truncate(first as usize);
    let max_change_version = match (has_more, rows.last()) {
        (true, Some(last)) => last.change_version.unwrap_or(newest),
        _ => newest,
    };
    let records = records(db, &rows).await?;
    let nodes = rows
        .into_iter()
        .filter_map(|row| {
            let found = records.get(&row.entity_id);
            // An upsert of a row deleted since (its tombstone follows), or
            // of a row about another person since a split (the split wrote
            // the row's entries for that person, checked under their
            // consents, and tombstones for the readers that lost it).
            if row.operation == ChangeOperation::Upsert
                && found.is_none_or(|r| Some(r.participant) != row.participant_id)
            {
                return None;
            }
            let record = found.map(|r| r.value.clone());
            Some(Change {
                kind: row.kind,
                id: row.entity_id,
                participant_id: row.participant_id,
                owner_org_id: row.owner_org_id,
                category: row.category,
                change_version: row.change_version.unwrap_or_default(),
                record: (row.operation == ChangeOperation::Upsert)
                    .then_some(record)
                    .flatten(),
                operation: row.operation,
            })
        })
        .collect();
    Ok(Page {
        nodes,
        max_change_version,
        has_more,
    })
}

/// The newest change version a reader may page up to: every version up to
/// it is committed (or rolled back) and nothing lower can still appear.
///
/// On SQLite versions commit in order (one writer), so that is the highest
/// committed one. On PostgreSQL versions are drawn as changes are written
/// and commit in any order: taking the draw lock exclusively for a moment
/// (writers hold it shared only while drawing and publishing a
/// transaction's first version), the horizon is one below the oldest first
/// version still in flight, or the last version drawn when none is.
pub async fn newest<C: ConnectionTrait + TransactionTrait>(db: &C) -> Result<i64> {
    if db.get_database_backend() != DbBackend::Postgres {
        let newest: Option<Option<i64>> = change_log::Entity::find()
            .select_only()
            .expr(Expr::col(L::ChangeVersion).max())
            .into_tuple()
            .one(db)
            .await?;
        return Ok(newest.flatten().unwrap_or(0));
    }
    use migration::change_feed::{DRAW_LOCK, IN_FLIGHT};
    let txn = db.begin().await?;
    txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({DRAW_LOCK})"))
        .await?;
    let row = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!(
                "SELECT \
                   (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM change_version_seq) AS drawn, \
                   (SELECT min((classid::bigint - {IN_FLIGHT}) * 2147483648 + objid::bigint) \
                      FROM pg_locks \
                     WHERE locktype = 'advisory' AND objsubid = 2 AND granted \
                       AND classid >= {IN_FLIGHT} AND classid < {IN_FLIGHT} + 1000 \
                       AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                   ) AS oldest"
            ),
        ))
        .await?;
    txn.commit().await?;
    let Some(row) = row else {
        return Ok(0);
    };
    let drawn: i64 = row.try_get("", "drawn")?;
    let oldest: Option<i64> = row.try_get("", "oldest")?;
    Ok(match oldest {
        Some(oldest) => std::cmp::min(drawn, oldest - 1),
        None => drawn,
    })
}
