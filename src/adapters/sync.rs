//! `pathways-hub sync --partner NAME`: copies a partner's records into the
//! hub's own tables for reporting. Idempotent: rows are matched on the
//! owner organization + the partner's external id (the tables' unique
//! key), so a second run finds everything unchanged. Records that cannot
//! be kept are rejected with a reason (never with their content).

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use entity::enums::{AuditAction, OutcomeKind, UnionMembershipStatus};
use entity::{dual_enrollment, enrollment, hour_log, organization, outcome, participant_link};
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::records::{DualEnrollmentRecord, HourLogRecord, Mapped, Record, UnionMembershipRecord};
use super::{Partner, RecordKind};
use crate::audit::{self, Actor, Entry};
use crate::ground::error::{Error, Result};

/// Participants asked about per call.
const BATCH: usize = 100;

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

async fn keep<C: ConnectionTrait>(
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

fn entry(
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

async fn keep_hours<C: ConnectionTrait>(
    txn: &C,
    partner: &Partner,
    org: Uuid,
    hours: Vec<(Uuid, HourLogRecord)>,
    summary: &mut SyncSummary,
    entries: &mut Vec<Entry>,
) -> Result<()> {
    use hour_log::Column as H;
    let existing: HashMap<String, hour_log::Model> = hour_log::Entity::find()
        .filter(H::OwnerOrgId.eq(org))
        .filter(H::ExternalId.is_in(hours.iter().map(|(_, h)| h.external_id.clone())))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|row| row.external_id.clone().map(|e| (e, row)))
        .collect();
    // The partner organization's enrollments of these participants.
    let enrollments = enrollment::Entity::find()
        .filter(enrollment::Column::OwnerOrgId.eq(org))
        .filter(enrollment::Column::ParticipantId.is_in(hours.iter().map(|(p, _)| *p)))
        .order_by_desc(enrollment::Column::AppliedOn)
        .all(txn)
        .await?;
    let now = Utc::now();
    for (p, h) in hours {
        if !(h.hours > 0.0 && h.hours <= 24.0) {
            summary.reject("hours must be more than 0 and at most 24");
            continue;
        }
        let enrollment = match &h.enrollment_external_id {
            Some(ext) => enrollments
                .iter()
                .find(|e| e.participant_id == p && e.external_id.as_deref() == Some(ext)),
            None => enrollments.iter().find(|e| e.participant_id == p),
        };
        let Some(enrollment) = enrollment else {
            summary.reject("no enrollment of the participant at the partner organization");
            continue;
        };
        let approved_by = h.approved.then(|| format!("sync:{}", partner.name()));
        match existing.get(&h.external_id) {
            Some(row)
                if row.enrollment_id == enrollment.id
                    && row.kind == h.kind
                    && row.worked_on == h.worked_on
                    && row.hours == h.hours
                    && row.approved == h.approved =>
            {
                summary.unchanged += 1;
            }
            Some(row) => {
                hour_log::Entity::update(hour_log::ActiveModel {
                    id: Set(row.id),
                    enrollment_id: Set(enrollment.id),
                    kind: Set(h.kind),
                    worked_on: Set(h.worked_on),
                    hours: Set(h.hours),
                    approved: Set(h.approved),
                    approved_by: Set(approved_by),
                    approved_at: Set(h.approved.then_some(now)),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Update,
                    "hour_log",
                    row.id,
                    p,
                    org,
                    RecordKind::HourLogs,
                ));
                summary.updated += 1;
            }
            None => {
                let id = Uuid::new_v4();
                hour_log::Entity::insert(hour_log::ActiveModel {
                    id: Set(id),
                    enrollment_id: Set(enrollment.id),
                    owner_org_id: Set(org),
                    kind: Set(h.kind),
                    worked_on: Set(h.worked_on),
                    hours: Set(h.hours),
                    logged_by: Set(format!("sync:{}", partner.name())),
                    approved: Set(h.approved),
                    approved_by: Set(approved_by),
                    approved_at: Set(h.approved.then_some(now)),
                    external_id: Set(Some(h.external_id.clone())),
                    source: Set(partner.name().to_owned()),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Create,
                    "hour_log",
                    id,
                    p,
                    org,
                    RecordKind::HourLogs,
                ));
                summary.inserted += 1;
            }
        }
    }
    Ok(())
}

async fn keep_courses<C: ConnectionTrait>(
    txn: &C,
    partner: &Partner,
    org: Uuid,
    courses: Vec<(Uuid, DualEnrollmentRecord)>,
    summary: &mut SyncSummary,
    entries: &mut Vec<Entry>,
) -> Result<()> {
    use dual_enrollment::Column as D;
    let existing: HashMap<String, dual_enrollment::Model> = dual_enrollment::Entity::find()
        .filter(D::OwnerOrgId.eq(org))
        .filter(D::ExternalId.is_in(courses.iter().map(|(_, d)| d.external_id.clone())))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|row| row.external_id.clone().map(|e| (e, row)))
        .collect();
    let schools: HashMap<String, Uuid> = organization::Entity::find()
        .filter(
            organization::Column::Slug.is_in(
                courses
                    .iter()
                    .filter_map(|(_, d)| d.high_school_org.clone()),
            ),
        )
        .all(txn)
        .await?
        .into_iter()
        .map(|o| (o.slug, o.id))
        .collect();
    let now = Utc::now();
    for (p, d) in courses {
        let Some(school) = d
            .high_school_org
            .as_ref()
            .and_then(|s| schools.get(s))
            .copied()
        else {
            summary.reject("high_school_org names no organization");
            continue;
        };
        if d.units_attempted < 0.0 || d.units_earned.is_some_and(|u| u < 0.0) {
            summary.reject("units must not be negative");
            continue;
        }
        match existing.get(&d.external_id) {
            Some(row)
                if row.participant_id == p
                    && row.high_school_org_id == school
                    && row.course_code == d.course_code
                    && row.course_title == d.course_title
                    && row.term == d.term
                    && row.units_attempted == d.units_attempted
                    && row.units_earned == d.units_earned
                    && row.grade == d.grade
                    && row.status == d.status =>
            {
                summary.unchanged += 1;
            }
            Some(row) if row.participant_id != p => {
                summary.reject("the record moved to another participant");
            }
            Some(row) => {
                dual_enrollment::Entity::update(dual_enrollment::ActiveModel {
                    id: Set(row.id),
                    high_school_org_id: Set(school),
                    course_code: Set(d.course_code),
                    course_title: Set(d.course_title),
                    term: Set(d.term),
                    units_attempted: Set(d.units_attempted),
                    units_earned: Set(d.units_earned),
                    grade: Set(d.grade),
                    status: Set(d.status),
                    version: Set(row.version + 1),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Update,
                    "dual_enrollment",
                    row.id,
                    p,
                    org,
                    RecordKind::DualEnrollments,
                ));
                summary.updated += 1;
            }
            None => {
                let id = Uuid::new_v4();
                dual_enrollment::Entity::insert(dual_enrollment::ActiveModel {
                    id: Set(id),
                    participant_id: Set(p),
                    owner_org_id: Set(org),
                    high_school_org_id: Set(school),
                    college_org_id: Set(org),
                    course_code: Set(d.course_code),
                    course_title: Set(d.course_title),
                    term: Set(d.term),
                    units_attempted: Set(d.units_attempted),
                    units_earned: Set(d.units_earned),
                    grade: Set(d.grade),
                    status: Set(d.status),
                    external_id: Set(Some(d.external_id)),
                    source: Set(partner.name().to_owned()),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Create,
                    "dual_enrollment",
                    id,
                    p,
                    org,
                    RecordKind::DualEnrollments,
                ));
                summary.inserted += 1;
            }
        }
    }
    Ok(())
}

/// A MEMBER on a union's roster is the participant's UNION_MEMBERSHIP
/// outcome (verified: the union's own record), kept as an `outcome` row of
/// the union; applicants and inactive people are not outcomes and are
/// reported as such. An outcome once copied is never removed by a sync.
async fn keep_memberships<C: ConnectionTrait>(
    txn: &C,
    partner: &Partner,
    org: Uuid,
    memberships: Vec<(Uuid, UnionMembershipRecord)>,
    summary: &mut SyncSummary,
    entries: &mut Vec<Entry>,
) -> Result<()> {
    use outcome::Column as O;
    let existing: HashMap<String, outcome::Model> = outcome::Entity::find()
        .filter(O::OwnerOrgId.eq(org))
        .filter(O::ExternalId.is_in(memberships.iter().map(|(_, m)| m.external_id.clone())))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|row| row.external_id.clone().map(|e| (e, row)))
        .collect();
    let now = Utc::now();
    for (p, m) in memberships {
        if m.status != UnionMembershipStatus::Member {
            summary
                .reject("not a MEMBER on the roster (only members are union-membership outcomes)");
            continue;
        }
        match existing.get(&m.external_id) {
            Some(row)
                if row.participant_id == p
                    && row.kind == OutcomeKind::UnionMembership
                    && row.union_local.as_deref() == Some(m.union_local.as_str())
                    && row.occupation == m.classification
                    && row.started_on == m.joined_on =>
            {
                summary.unchanged += 1;
            }
            Some(row) if row.participant_id != p => {
                summary.reject("the record moved to another participant");
            }
            Some(row) => {
                outcome::Entity::update(outcome::ActiveModel {
                    id: Set(row.id),
                    kind: Set(OutcomeKind::UnionMembership),
                    union_local: Set(Some(m.union_local)),
                    occupation: Set(m.classification),
                    started_on: Set(m.joined_on),
                    verified: Set(true),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Update,
                    "outcome",
                    row.id,
                    p,
                    org,
                    RecordKind::UnionMemberships,
                ));
                summary.updated += 1;
            }
            None => {
                let id = Uuid::new_v4();
                outcome::Entity::insert(outcome::ActiveModel {
                    id: Set(id),
                    participant_id: Set(p),
                    owner_org_id: Set(org),
                    kind: Set(OutcomeKind::UnionMembership),
                    employer_name: Set(None),
                    occupation: Set(m.classification),
                    hourly_wage_cents: Set(None),
                    union_local: Set(Some(m.union_local)),
                    started_on: Set(m.joined_on),
                    verified: Set(true),
                    external_id: Set(Some(m.external_id)),
                    source: Set(partner.name().to_owned()),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Create,
                    "outcome",
                    id,
                    p,
                    org,
                    RecordKind::UnionMemberships,
                ));
                summary.inserted += 1;
            }
        }
    }
    Ok(())
}

/// The error when no partner has this name.
pub fn unknown_partner(name: &str) -> Error {
    Error::bad_input("partner", format!("no partner named {name} is configured"))
}
