//! The release ledger in the database (`report_release`): reading an
//! organization's releases, recording new ones, and serializing one
//! organization's report releases across hub instances.

use std::collections::{BTreeMap, BTreeSet};

use entity::report_release;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::rules::{Figure, Population, Programs};
use crate::ground::error::Result;
use crate::reports::grain::MonthRange;

/// A row of the ledger as the rules read it.
pub(super) struct Past {
    pub key: String,
    pub suppressed: bool,
    pub figure: Figure,
}

/// Holds the organization's ledger until the transaction ends: two hub
/// instances releasing to one organization take turns (a PostgreSQL
/// advisory lock; SQLite's write transactions are serialized already).
pub(super) async fn lock(txn: &DatabaseTransaction, org_id: Uuid) -> Result<()> {
    let key = format!("report-ledger:{org_id}");
    crate::ground::db::serialize_on(txn, key.as_bytes()).await?;
    Ok(())
}

/// The organization's ledger, populations read against today's programs.
pub(super) async fn load(
    txn: &DatabaseTransaction,
    org_id: Uuid,
    universe: &BTreeSet<Uuid>,
) -> Result<Vec<Past>> {
    let rows = report_release::Entity::find()
        .filter(report_release::Column::OrgId.eq(org_id))
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let counts: BTreeMap<String, i64> = row
                .figures
                .as_deref()
                .and_then(|f| serde_json::from_str(f).ok())
                .unwrap_or_default();
            Past {
                key: row.population,
                suppressed: row.suppressed,
                figure: Figure {
                    population: Population {
                        programs: Programs::from_text(&row.programs).normalize(universe),
                        months: MonthRange {
                            lo: row.month_from,
                            hi: row.month_to,
                        },
                    },
                    counts,
                },
            }
        })
        .collect())
}

/// Records a release (`reason: None`) or a population withheld for good.
pub(super) async fn record(
    txn: &DatabaseTransaction,
    org_id: Uuid,
    figure: &Figure,
    label: &str,
    reason: Option<&str>,
) -> Result<()> {
    let now = chrono::Utc::now();
    let population = &figure.population;
    report_release::Entity::insert(report_release::ActiveModel {
        id: Set(Uuid::new_v4()),
        org_id: Set(org_id),
        population: Set(population.key()),
        programs: Set(population.programs.to_text()),
        month_from: Set(population.months.lo),
        month_to: Set(population.months.hi),
        label: Set(label.chars().take(400).collect()),
        figures: Set(reason
            .is_none()
            .then(|| serde_json::to_string(&figure.counts).unwrap_or_default())),
        suppressed: Set(reason.is_some()),
        reason: Set(reason.map(str::to_owned)),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// The latest `limit` rows of the ledger, of one organization or all,
/// newest first (the hub admin's view).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    org_id: Option<Uuid>,
    limit: u64,
) -> Result<Vec<report_release::Model>> {
    let mut q = report_release::Entity::find()
        .order_by_desc(report_release::Column::CreatedAt)
        .limit(limit);
    if let Some(org) = org_id {
        q = q.filter(report_release::Column::OrgId.eq(org));
    }
    Ok(q.all(db).await?)
}
