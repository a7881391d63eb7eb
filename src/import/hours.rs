//! Importing an hours file: each line hours of one kind on one day under an
//! enrollment of the organization, by the enrollment's external id.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::{NaiveDate, Utc};
use entity::enums::{AuditAction, Category, EnrollmentStatus, HourKind};
use entity::{enrollment, hour_log};
use indicatif::ProgressBar;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::{CHUNK, ImportSummary, Line, LineError, Sheet, date, external_id, header_failed};
use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::Result;
use crate::records::hours::MAX_HOURS_PER_DAY;

/// The columns of an hours file.
pub const HOUR_COLUMNS: &[&str] = &[
    "external_id",
    "enrollment_external_id",
    "kind",
    "worked_on",
    "hours",
    "approved_by",
];

/// What an hours file needs of an enrollment.
pub(super) struct Known {
    pub(super) id: Uuid,
    pub(super) participant_id: Uuid,
    pub(super) status: EnrollmentStatus,
    pub(super) started_on: Option<NaiveDate>,
    pub(super) exited_on: Option<NaiveDate>,
}

/// A checked hours line.
pub(super) struct HourLine {
    number: usize,
    external_id: String,
    enrollment: Uuid,
    participant_id: Uuid,
    kind: HourKind,
    worked_on: NaiveDate,
    hours: f64,
    approved_by: Option<String>,
}

/// Imports an hours file for the viewer's organization: each line names an
/// enrollment of the organization by its external id. The 24 h a day rule
/// counts the hours already in the hub and those earlier in the file.
pub(super) async fn import_hours(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    data: impl Read,
    dry_run: bool,
    bar: &ProgressBar,
) -> Result<ImportSummary> {
    let sheet = match Sheet::read(
        data,
        &[
            "external_id",
            "enrollment_external_id",
            "kind",
            "worked_on",
            "hours",
        ],
        HOUR_COLUMNS,
    ) {
        Ok(sheet) => sheet,
        Err(errors) => return Ok(header_failed(errors)),
    };
    let enrollments: HashMap<String, Known> = enrollment::Entity::find()
        .filter(enrollment::Column::OwnerOrgId.eq(viewer.org_id))
        .filter(enrollment::Column::ExternalId.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|e| {
            let known = Known {
                id: e.id,
                participant_id: e.participant_id,
                status: e.status,
                started_on: e.started_on,
                exited_on: e.exited_on,
            };
            e.external_id.map(|x| (x, known))
        })
        .collect();
    let known: HashSet<String> = hour_log::Entity::find()
        .select_only()
        .column(hour_log::Column::ExternalId)
        .filter(hour_log::Column::OwnerOrgId.eq(viewer.org_id))
        .filter(hour_log::Column::ExternalId.is_not_null())
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let today = Utc::now().date_naive();

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut bad = Vec::new();
    let mut seen = HashSet::new();
    for line in sheet.lines(&mut bad) {
        match check_hours(&line, &mut seen, &enrollments, today) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(e),
        }
    }
    let (new, old): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|r| !known.contains(&r.external_id));

    // The 24 h rule over the hub's hours and the file's new lines.
    let mut day_totals = logged_per_day(db, &new).await?;
    for row in &new {
        let total = day_totals
            .entry((row.enrollment, row.kind, row.worked_on))
            .or_insert(0.0);
        *total += row.hours;
        if *total > MAX_HOURS_PER_DAY {
            errors.push(LineError {
                line: row.number,
                column: "hours".into(),
                message: format!(
                    "brings {} on {} to {total} h; at most 24 a day",
                    row.kind.as_str(),
                    row.worked_on
                ),
            });
        }
    }
    errors.extend(bad);
    errors.sort_by_key(|e| e.line);
    let mut summary = ImportSummary {
        lines: sheet.len(),
        errors,
        unchanged: old.len(),
        inserted: new.len(),
    };
    if !summary.errors.is_empty() {
        summary.inserted = 0;
        summary.unchanged = 0;
        return Ok(summary);
    }
    bar.set_length(new.len() as u64);
    if dry_run || new.is_empty() {
        return Ok(summary);
    }
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    for chunk in new.chunks(CHUNK) {
        let mut logs = Vec::with_capacity(chunk.len());
        let mut entries = Vec::with_capacity(chunk.len());
        for row in chunk {
            let id = Uuid::new_v4();
            logs.push(hour_log::ActiveModel {
                id: Set(id),
                enrollment_id: Set(row.enrollment),
                owner_org_id: Set(viewer.org_id),
                kind: Set(row.kind),
                worked_on: Set(row.worked_on),
                hours: Set(row.hours),
                logged_by: Set(viewer.subject.clone()),
                approved: Set(row.approved_by.is_some()),
                approved_by: Set(row.approved_by.clone()),
                approved_at: Set(row.approved_by.as_ref().map(|_| now)),
                external_id: Set(Some(row.external_id.clone())),
                source: Set("import".into()),
                created_at: Set(now),
                updated_at: Set(now),
            });
            let mut entry = Entry::about(AuditAction::Create, "hour_log", id, Some(viewer.org_id));
            entry.participant_id = Some(row.participant_id);
            entry.categories = vec![Category::Progress];
            entry.detail = Some("import".into());
            entries.push(entry);
        }
        hour_log::Entity::insert_many(logs)
            .exec_without_returning(&txn)
            .await?;
        audit::record(&txn, actor, entries).await?;
        bar.inc(chunk.len() as u64);
    }
    txn.commit().await?;
    Ok(summary)
}

pub(super) fn check_hours(
    line: &Line<'_>,
    seen: &mut HashSet<String>,
    enrollments: &HashMap<String, Known>,
    today: NaiveDate,
) -> std::result::Result<HourLine, LineError> {
    use EnrollmentStatus::*;
    let external_id = external_id(line, "external_id", seen)?;
    let enrollment = enrollments
        .get(line.get("enrollment_external_id"))
        .ok_or_else(|| {
            line.error(
                "enrollment_external_id",
                "no enrollment of your organization has this external id (import enrollments first)",
            )
        })?;
    if !matches!(enrollment.status, Active | Completed | Withdrawn) {
        return Err(line.error(
            "enrollment_external_id",
            "hours are logged on an enrollment that started",
        ));
    }
    let kind = HourKind::parse(&line.get("kind").to_uppercase())
        .ok_or_else(|| line.error("kind", "must be OJT, RTI, ATTENDANCE or MENTORING"))?;
    let worked_on = date(line, "worked_on")?;
    if worked_on > today {
        return Err(line.error("worked_on", "must not be in the future"));
    }
    if enrollment.started_on.is_none_or(|s| worked_on < s) {
        return Err(line.error("worked_on", "must not be before the enrollment started"));
    }
    if enrollment.exited_on.is_some_and(|e| worked_on > e) {
        return Err(line.error("worked_on", "must not be after the enrollment ended"));
    }
    let hours: f64 = line
        .get("hours")
        .parse()
        .ok()
        .filter(|h: &f64| h.is_finite() && *h > 0.0 && *h <= MAX_HOURS_PER_DAY)
        .ok_or_else(|| line.error("hours", "must be a number more than 0 and at most 24"))?;
    let approved_by = line.optional("approved_by").map(str::to_owned);
    if approved_by
        .as_ref()
        .is_some_and(|a| a.chars().count() > 200)
    {
        return Err(line.error("approved_by", "must be at most 200 characters"));
    }
    Ok(HourLine {
        number: line.number,
        external_id: external_id.to_owned(),
        enrollment: enrollment.id,
        participant_id: enrollment.participant_id,
        kind,
        worked_on,
        hours,
        approved_by,
    })
}

/// Hours already in the hub per enrollment, kind and day, for the days the
/// file's lines touch.
async fn logged_per_day(
    db: &DatabaseConnection,
    rows: &[HourLine],
) -> Result<HashMap<(Uuid, HourKind, NaiveDate), f64>> {
    let ids: Vec<Uuid> = rows
        .iter()
        .map(|r| r.enrollment)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let days: HashSet<(Uuid, HourKind, NaiveDate)> = rows
        .iter()
        .map(|r| (r.enrollment, r.kind, r.worked_on))
        .collect();
    let mut totals = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let sums: Vec<(Uuid, HourKind, NaiveDate, Option<f64>)> = hour_log::Entity::find()
            .select_only()
            .column(hour_log::Column::EnrollmentId)
            .column(hour_log::Column::Kind)
            .column(hour_log::Column::WorkedOn)
            .expr(Func::sum(Expr::col(hour_log::Column::Hours)))
            .filter(hour_log::Column::EnrollmentId.is_in(chunk.to_vec()))
            .group_by(hour_log::Column::EnrollmentId)
            .group_by(hour_log::Column::Kind)
            .group_by(hour_log::Column::WorkedOn)
            .into_tuple()
            .all(db)
            .await?;
        for (id, kind, day, sum) in sums {
            if days.contains(&(id, kind, day)) {
                totals.insert((id, kind, day), sum.unwrap_or(0.0));
            }
        }
    }
    Ok(totals)
}
