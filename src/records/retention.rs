//! `pathways-hub retention run [--apply]` (DESIGN.md section 10): what the
//! hub no longer keeps, and what recipients must destroy.
//!
//! Two reasons:
//! - `RETENTION`: a row of a category with a retention in configuration
//!   whose last change is older than that many days. A parent (an
//!   enrollment, a mentorship) goes only when none of its tracked children
//!   stays; its untracked history (status changes) goes with it. Deleting
//!   writes the change feed's tombstones (the triggers) and a DELETE audit
//!   entry per row, without the data.
//! - `AGREEMENT_ENDED`: an agreement that ended by date and whose
//!   `destroy_by` has passed. The hub holds no recipient copies: it orders
//!   their destruction through the change feed — a tombstone addressed to
//!   the recipient for every row it could read on the agreement's last day
//!   and cannot now — audits it, and marks the agreement `destroyed_at`.
//!   (An agreement revoked by hand had its tombstones at revocation.)
//!
//! The dry run and `--apply` compute the same plan ([`plan`]); `--apply`
//! deletes it in batches, one transaction each.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use entity::enums::{AgreementStatus, AuditAction, Category, RecordKind};
use entity::{
    competency_attainment, credential, dual_enrollment, enrollment, enrollment_status_change,
    hour_log, mentorship, mentorship_meeting, outcome, service, sharing_agreement,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::feed::{AccessChange, Readable};
use crate::audit::{self, Actor, Entry};
use crate::ground::config::retention::RetentionConfig;
use crate::ground::error::Result;

/// Why a row goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    Retention,
    AgreementEnded,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Retention => "RETENTION",
            Reason::AgreementEnded => "AGREEMENT_ENDED",
        }
    }
}

/// One row the plan removes (or whose destruction it orders).
#[derive(Debug, Clone)]
pub struct Doomed {
    pub kind: RecordKind,
    pub id: Uuid,
    pub owner: Uuid,
    pub category: Category,
    pub reason: Reason,
}

/// What a run does.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Rows the hub deletes (RETENTION), children before parents.
    pub deletions: Vec<Doomed>,
    /// Per ended agreement: its id, recipient and the rows to tombstone.
    pub destructions: Vec<(Uuid, Uuid, Readable)>,
}

impl Plan {
    /// Rows by (organization, category, reason): for a deletion the owner,
    /// for a destruction order the recipient that must destroy.
    pub fn summary(&self) -> BTreeMap<(Uuid, Category, Reason), usize> {
        let mut out = BTreeMap::new();
        for d in &self.deletions {
            *out.entry((d.owner, d.category, d.reason)).or_default() += 1;
        }
        for (_, recipient, rows) in &self.destructions {
            for (_, _, _, category) in rows.values() {
                *out.entry((*recipient, *category, Reason::AgreementEnded))
                    .or_default() += 1;
            }
        }
        out
    }
}

fn cutoff(
    retention: &RetentionConfig,
    category: Category,
    on: NaiveDate,
) -> Option<chrono::DateTime<Utc>> {
    let days = *retention.get(&category)?;
    let day = on.checked_sub_days(Days::new(u64::from(days)))?;
    Some(Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0)?))
}

/// "No row of `child` under this parent stays": none exists, or every one
/// is itself older than the child category's cutoff.
fn childless_after(
    child: impl sea_orm::sea_query::Iden + 'static + Clone,
    fk: impl sea_orm::sea_query::IntoColumnRef,
    updated_at: impl sea_orm::sea_query::IntoColumnRef + Clone,
    parent_id: impl sea_orm::sea_query::IntoColumnRef,
    child_cutoff: Option<chrono::DateTime<Utc>>,
) -> Condition {
    let mut staying = Query::select()
        .expr(Expr::val(1))
        .from(child)
        .and_where(Expr::col(fk).equals(parent_id))
        .to_owned();
    if let Some(cutoff) = child_cutoff {
        staying.and_where(Expr::col(updated_at).gte(cutoff));
    }
    Condition::all().not().add(Expr::exists(staying))
}

/// The plan of a run on `on` (today, or a date to see ahead).
pub async fn plan(
    db: &DatabaseConnection,
    retention: &RetentionConfig,
    on: NaiveDate,
) -> Result<Plan> {
    let mut plan = Plan::default();
    let mut doom = |kind, category, rows: Vec<(Uuid, Uuid)>| {
        for (id, owner) in rows {
            plan.deletions.push(Doomed {
                kind,
                id,
                owner,
                category,
                reason: Reason::Retention,
            });
        }
    };
    let progress = cutoff(retention, Category::Progress, on);
    let mentorship_cut = cutoff(retention, Category::Mentorship, on);
    macro_rules! older {
        ($table:ident, $cut:expr) => {
            $table::Entity::find()
                .select_only()
                .columns([$table::Column::Id, $table::Column::OwnerOrgId])
                .filter($table::Column::UpdatedAt.lt($cut))
        };
    }
    if let Some(cut) = progress {
        doom(
            RecordKind::HourLog,
            Category::Progress,
            older!(hour_log, cut).into_tuple().all(db).await?,
        );
        doom(
            RecordKind::CompetencyAttainment,
            Category::Progress,
            older!(competency_attainment, cut)
                .into_tuple()
                .all(db)
                .await?,
        );
    }
    if let Some(cut) = mentorship_cut {
        doom(
            RecordKind::MentorshipMeeting,
            Category::Mentorship,
            older!(mentorship_meeting, cut).into_tuple().all(db).await?,
        );
        let rows = older!(mentorship, cut)
            .filter(childless_after(
                mentorship_meeting::Entity,
                (
                    mentorship_meeting::Entity,
                    mentorship_meeting::Column::MentorshipId,
                ),
                (
                    mentorship_meeting::Entity,
                    mentorship_meeting::Column::UpdatedAt,
                ),
                (mentorship::Entity, mentorship::Column::Id),
                Some(cut),
            ))
            .into_tuple()
            .all(db)
            .await?;
        doom(RecordKind::Mentorship, Category::Mentorship, rows);
    }
    if let Some(cut) = cutoff(retention, Category::Enrollment, on) {
        let rows = older!(enrollment, cut)
            .filter(childless_after(
                hour_log::Entity,
                (hour_log::Entity, hour_log::Column::EnrollmentId),
                (hour_log::Entity, hour_log::Column::UpdatedAt),
                (enrollment::Entity, enrollment::Column::Id),
                progress,
            ))
            .filter(childless_after(
                competency_attainment::Entity,
                (
                    competency_attainment::Entity,
                    competency_attainment::Column::EnrollmentId,
                ),
                (
                    competency_attainment::Entity,
                    competency_attainment::Column::UpdatedAt,
                ),
                (enrollment::Entity, enrollment::Column::Id),
                progress,
            ))
            .into_tuple()
            .all(db)
            .await?;
        doom(RecordKind::Enrollment, Category::Enrollment, rows);
    }
    macro_rules! leaf {
        ($table:ident, $kind:expr, $category:expr) => {
            if let Some(cut) = cutoff(retention, $category, on) {
                doom(
                    $kind,
                    $category,
                    older!($table, cut).into_tuple().all(db).await?,
                );
            }
        };
    }
    leaf!(credential, RecordKind::Credential, Category::Credentials);
    leaf!(
        dual_enrollment,
        RecordKind::DualEnrollment,
        Category::EducationRecords
    );
    leaf!(service, RecordKind::Service, Category::Services);
    leaf!(outcome, RecordKind::Outcome, Category::Outcomes);

    // Agreements that ended by date, past their destroy_by, not yet done.
    let ended = sharing_agreement::Entity::find()
        .filter(sharing_agreement::Column::DestroyBy.lt(on))
        .filter(sharing_agreement::Column::DestroyedAt.is_null())
        .filter(sharing_agreement::Column::Status.eq(AgreementStatus::Active))
        .filter(sharing_agreement::Column::ExpiresOn.lt(on))
        .all(db)
        .await?;
    for agreement in ended {
        let Some(last_day) = agreement.expires_on else {
            continue;
        };
        let then = AccessChange::of_agreement(&agreement, last_day)
            .readable(db)
            .await?;
        let now = AccessChange::of_agreement(&agreement, on)
            .readable(db)
            .await?;
        let gone: Readable = then
            .into_iter()
            .filter(|(k, _)| !now.contains_key(k))
            .collect();
        plan.destructions
            .push((agreement.id, agreement.recipient_org_id, gone));
    }
    Ok(plan)
}

/// Carries `plan` out: deletions in batches of `batch` rows, one
/// transaction each, then each destruction order in its own transaction.
/// Answers the rows deleted and the tombstones ordered.
pub async fn apply(
    db: &DatabaseConnection,
    actor: &Actor,
    plan: &Plan,
    batch: usize,
) -> Result<(usize, usize)> {
    let mut deleted = 0;
    for chunk in plan.deletions.chunks(batch.max(1)) {
        let txn = crate::ground::db::begin_write(db).await?;
        let mut entries = Vec::with_capacity(chunk.len());
        for d in chunk {
            deleted += delete(&txn, d).await? as usize;
            entries.push(Entry {
                action: AuditAction::Delete,
                entity: table_of(d.kind),
                entity_id: Some(d.id),
                participant_id: None,
                owner_org_id: Some(d.owner),
                categories: vec![d.category],
                detail: Some(format!("retention: {}", d.reason.as_str())),
            });
        }
        audit::record(&txn, actor, entries).await?;
        txn.commit().await?;
    }
    let mut ordered = 0;
    for (agreement, _recipient, rows) in &plan.destructions {
        let txn = crate::ground::db::begin_write(db).await?;
        ordered += AccessChange::record(&txn, rows, &Readable::new()).await?;
        let entries = rows
            .iter()
            .map(|((_, id), (kind, participant, owner, category))| Entry {
                action: AuditAction::Delete,
                entity: table_of(*kind),
                entity_id: Some(*id),
                participant_id: *participant,
                owner_org_id: Some(*owner),
                categories: vec![*category],
                detail: Some(format!("destruction ordered: agreement {agreement} ended")),
            })
            .collect();
        audit::record(&txn, actor, entries).await?;
        sharing_agreement::Entity::update_many()
            .col_expr(
                sharing_agreement::Column::DestroyedAt,
                Expr::value(Utc::now()),
            )
            .filter(sharing_agreement::Column::Id.eq(*agreement))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    Ok((deleted, ordered))
}

fn table_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::ParticipantProfile => "participant_profile",
        RecordKind::Enrollment => "enrollment",
        RecordKind::HourLog => "hour_log",
        RecordKind::CompetencyAttainment => "competency_attainment",
        RecordKind::Credential => "credential",
        RecordKind::Mentorship => "mentorship",
        RecordKind::MentorshipMeeting => "mentorship_meeting",
        RecordKind::DualEnrollment => "dual_enrollment",
        RecordKind::Service => "service",
        RecordKind::Outcome => "outcome",
    }
}

async fn delete<C: sea_orm::ConnectionTrait>(txn: &C, d: &Doomed) -> Result<u64> {
    macro_rules! by_id {
        ($table:ident) => {
            $table::Entity::delete_by_id(d.id)
                .exec(txn)
                .await?
                .rows_affected
        };
    }
    Ok(match d.kind {
        RecordKind::Enrollment => {
            enrollment_status_change::Entity::delete_many()
                .filter(enrollment_status_change::Column::EnrollmentId.eq(d.id))
                .exec(txn)
                .await?;
            by_id!(enrollment)
        }
        RecordKind::HourLog => by_id!(hour_log),
        RecordKind::CompetencyAttainment => by_id!(competency_attainment),
        RecordKind::Credential => by_id!(credential),
        RecordKind::Mentorship => by_id!(mentorship),
        RecordKind::MentorshipMeeting => by_id!(mentorship_meeting),
        RecordKind::DualEnrollment => by_id!(dual_enrollment),
        RecordKind::Service => by_id!(service),
        RecordKind::Outcome => by_id!(outcome),
        // Not retainable by age (see `RETAINABLE`).
        RecordKind::ParticipantProfile => 0,
    })
}
