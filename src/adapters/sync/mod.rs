//! `pathways-hub sync --partner NAME`: copies a partner's records into the
//! hub's own tables for reporting. Idempotent: rows are matched on the
//! owner organization + the partner's external id (the tables' unique
//! key), so a second run finds everything unchanged. Records that cannot
//! be kept are rejected with a reason (never with their content).

use std::collections::{BTreeMap, HashMap};

use entity::enums::AuditAction;
use entity::participant_link;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::records::{Mapped, Record};
use super::{Partner, RecordKind};
use crate::audit::{self, Actor, Entry};
use crate::ground::error::{Error, Result};

mod courses;
mod hours;
mod rosters;

use courses::keep_courses;
use hours::keep_hours;
use rosters::keep_memberships;

/// Participants asked about per call.
pub(super) const BATCH: usize = 100;

/// What a sync did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncSummary {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Reason → how many records.
    pub rejected: BTreeMap<String, u64>,
}

impl SyncSummary {
    /// Rejected records in all.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    fn reject(&mut self, reason: impl Into<String>) {
        *self.rejected.entry(reason.into()).or_default() += 1;
    }
}

impl std::fmt::Display for SyncSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "inserted {}, updated {}, unchanged {}, rejected {}",
            self.inserted,
            self.updated,
            self.unchanged,
            self.rejected_total()
        )?;
        for (reason, n) in &self.rejected {
            write!(f, "\n  rejected {n}: {reason}")?;
        }
        Ok(())
    }
}

/// Copies every record the partner keeps about the participants its
/// organization is linked to. `progress` shows a bar on the terminal.
pub async fn run(
    db: &DatabaseConnection,
    partner: &Partner,
    progress: bool,
) -> Result<SyncSummary> {
    let org = partner.org_id(db).await?;
    let links: Vec<(Uuid, String)> = participant_link::Entity::find()
        .filter(participant_link::Column::OrgId.eq(org))
        .order_by_asc(participant_link::Column::ExternalId)
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.participant_id, l.external_id))
        .collect();
    let kinds: Vec<RecordKind> = partner.kinds().collect();
    let bar = if progress {
        ProgressBar::new((links.len() * kinds.len()) as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("sync [{bar:40}] {pos}/{len} participants ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut summary = SyncSummary::default();
    for kind in kinds {
        for chunk in links.chunks(BATCH) {
            let ids: Vec<String> = chunk.iter().map(|(_, e)| e.clone()).collect();
            let items = partner
                .fetch_items(kind, &ids)
                .await
                .map_err(|_| partner.unavailable())?;
            let hub_ids: HashMap<&str, Uuid> =
                chunk.iter().map(|(p, e)| (e.as_str(), *p)).collect();
            let mut records = Vec::new();
            for item in items {
                match item {
                    Ok(Mapped {
                        participant_external_id,
                        record,
                    }) => match hub_ids.get(participant_external_id.as_str()) {
                        Some(p) => records.push((*p, record)),
                        None => summary.reject("the record is about an unknown participant"),
                    },
                    Err(why) => summary.reject(why),
                }
            }
            let txn = crate::ground::db::begin_write(db).await?;
            let mut entries = Vec::new();
            keep(&txn, partner, org, records, &mut summary, &mut entries).await?;
            audit::record(
                &txn,
                &Actor::system(&format!("sync:{}", partner.name())),
                entries,
            )
            .await?;
            txn.commit().await?;
            bar.inc(chunk.len() as u64);
        }
    }
    bar.finish_and_clear();
    Ok(summary)
}

pub(super) async fn keep<C: ConnectionTrait>(
    txn: &C,
    partner: &Partner,
    org: Uuid,
    records: Vec<(Uuid, Record)>,
    summary: &mut SyncSummary,
    entries: &mut Vec<Entry>,
) -> Result<()> {
    let mut hours = Vec::new();
    let mut courses = Vec::new();
    let mut memberships = Vec::new();
    for (p, record) in records {
        match record {
            Record::HourLog(h) => hours.push((p, h)),
            Record::DualEnrollment(d) => courses.push((p, d)),
            Record::UnionMembership(m) => memberships.push((p, m)),
        }
    }
    if !hours.is_empty() {
        keep_hours(txn, partner, org, hours, summary, entries).await?;
    }
    if !courses.is_empty() {
        keep_courses(txn, partner, org, courses, summary, entries).await?;
    }
    if !memberships.is_empty() {
        keep_memberships(txn, partner, org, memberships, summary, entries).await?;
    }
    Ok(())
}

pub(super) fn entry(
    action: AuditAction,
    entity: &'static str,
    id: Uuid,
    p: Uuid,
    org: Uuid,
    kind: RecordKind,
) -> Entry {
    Entry {
        action,
        entity,
        entity_id: Some(id),
        participant_id: Some(p),
        owner_org_id: Some(org),
        categories: vec![kind.category()],
        detail: Some("sync".to_owned()),
    }
}

/// The error when no partner has this name.
pub fn unknown_partner(name: &str) -> Error {
    Error::bad_input("partner", format!("no partner named {name} is configured"))
}
