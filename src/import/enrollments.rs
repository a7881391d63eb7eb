//! Importing an enrollments file: each line a participant's enrollment in one
//! of the organization's programs, by the participant's external id.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use chrono::{NaiveDate, Utc};
use entity::enums::{AuditAction, Category, EnrollmentStatus};
use entity::{enrollment, enrollment_status_change, participant_link, program};
use indicatif::ProgressBar;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::{
    CHUNK, ImportSummary, Line, LineError, Sheet, date, external_id, header_failed, optional_date,
};
use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::Result;

/// The columns of an enrollments file.
pub const ENROLLMENT_COLUMNS: &[&str] = &[
    "external_id",
    "participant_external_id",
    "program",
    "status",
    "applied_on",
    "started_on",
    "exited_on",
    "exit_reason",
];

/// A checked enrollments line.
pub(super) struct EnrollmentLine {
    external_id: String,
    participant_id: Uuid,
    program_id: Uuid,
    status: EnrollmentStatus,
    applied_on: NaiveDate,
    started_on: Option<NaiveDate>,
    exited_on: Option<NaiveDate>,
    exit_reason: Option<String>,
}

/// Imports an enrollments file for the viewer's organization. A completed
/// enrollment in a program with required hours is refused: its hours come
/// first (import it ACTIVE, then its hours, then set it COMPLETED), as the
/// 2000 h OJT + 144 h RTI rule of `setEnrollmentStatus` asks.
pub(super) async fn import_enrollments(
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
            "participant_external_id",
            "program",
            "applied_on",
        ],
        ENROLLMENT_COLUMNS,
    ) {
        Ok(sheet) => sheet,
        Err(errors) => return Ok(header_failed(errors)),
    };
    let people: HashMap<String, Uuid> = participant_link::Entity::find()
        .filter(participant_link::Column::OrgId.eq(viewer.org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.external_id, l.participant_id))
        .collect();
    let programs = program::Entity::find()
        .filter(program::Column::OrgId.eq(viewer.org_id))
        .all(db)
        .await?;
    let known: HashSet<String> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::ExternalId)
        .filter(enrollment::Column::OwnerOrgId.eq(viewer.org_id))
        .filter(enrollment::Column::ExternalId.is_not_null())
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
        match check_enrollment(&line, &mut seen, &people, &programs, today) {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(e),
        }
    }
    errors.extend(bad);
    errors.sort_by_key(|e| e.line);
    let mut summary = ImportSummary {
        lines: sheet.len(),
        errors,
        ..Default::default()
    };
    if !summary.errors.is_empty() {
        return Ok(summary);
    }
    let (new, old): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|r| !known.contains(&r.external_id));
    summary.unchanged = old.len();
    summary.inserted = new.len();
    bar.set_length(new.len() as u64);
    if dry_run || new.is_empty() {
        return Ok(summary);
    }
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    for chunk in new.chunks(CHUNK) {
        let mut enrollments = Vec::with_capacity(chunk.len());
        let mut history = Vec::with_capacity(chunk.len());
        let mut entries = Vec::with_capacity(chunk.len());
        for row in chunk {
            let id = Uuid::new_v4();
            enrollments.push(enrollment::ActiveModel {
                id: Set(id),
                participant_id: Set(row.participant_id),
                program_id: Set(row.program_id),
                owner_org_id: Set(viewer.org_id),
                status: Set(row.status),
                applied_on: Set(row.applied_on),
                started_on: Set(row.started_on),
                exited_on: Set(row.exited_on),
                exit_reason: Set(row.exit_reason.clone()),
                external_id: Set(Some(row.external_id.clone())),
                source: Set("import".into()),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            });
            history.push(enrollment_status_change::ActiveModel {
                id: Set(Uuid::new_v4()),
                enrollment_id: Set(id),
                owner_org_id: Set(viewer.org_id),
                from_status: Set(None),
                to_status: Set(row.status),
                changed_on: Set(row.exited_on.or(row.started_on).unwrap_or(row.applied_on)),
                reason: Set(Some("imported".into())),
                changed_by: Set(viewer.subject.clone()),
                created_at: Set(now),
                updated_at: Set(now),
            });
            let mut entry =
                Entry::about(AuditAction::Create, "enrollment", id, Some(viewer.org_id));
            entry.participant_id = Some(row.participant_id);
            entry.categories = vec![Category::Enrollment];
            entry.detail = Some(format!("import status={}", row.status.as_str()));
            entries.push(entry);
        }
        enrollment::Entity::insert_many(enrollments)
            .exec_without_returning(&txn)
            .await?;
        enrollment_status_change::Entity::insert_many(history)
            .exec_without_returning(&txn)
            .await?;
        audit::record(&txn, actor, entries).await?;
        bar.inc(chunk.len() as u64);
    }
    txn.commit().await?;
    Ok(summary)
}

pub(super) fn check_enrollment(
    line: &Line<'_>,
    seen: &mut HashSet<String>,
    people: &HashMap<String, Uuid>,
    programs: &[program::Model],
    today: NaiveDate,
) -> std::result::Result<EnrollmentLine, LineError> {
    use EnrollmentStatus::*;
    let external_id = external_id(line, "external_id", seen)?;
    let participant_id = *people
        .get(line.get("participant_external_id"))
        .ok_or_else(|| {
            line.error(
            "participant_external_id",
            "no participant of your organization has this external id (import participants first)",
        )
        })?;
    let named = line.get("program");
    let program = programs
        .iter()
        .find(|p| p.id.to_string() == named || p.name.eq_ignore_ascii_case(named))
        .ok_or_else(|| {
            line.error(
                "program",
                "names no program of your organization (give its id or its exact name)",
            )
        })?;
    let status = match line.optional("status") {
        None => Applied,
        Some(s) => EnrollmentStatus::parse(&s.to_uppercase()).ok_or_else(|| {
            line.error(
                "status",
                "must be APPLIED, INTERVIEWED, ACCEPTED, ACTIVE, COMPLETED, WITHDRAWN or CANCELLED",
            )
        })?,
    };
    let applied_on = date(line, "applied_on")?;
    let started_on = optional_date(line, "started_on")?;
    let exited_on = optional_date(line, "exited_on")?;
    for (column, day) in [
        ("applied_on", Some(applied_on)),
        ("started_on", started_on),
        ("exited_on", exited_on),
    ] {
        if day.is_some_and(|d| d > today) {
            return Err(line.error(column, "must not be in the future"));
        }
    }
    let started = matches!(status, Active | Completed | Withdrawn);
    match (started, started_on) {
        (true, None) => {
            return Err(line.error("started_on", "is required for an enrollment that started"));
        }
        (false, Some(_)) => {
            return Err(line.error(
                "started_on",
                "must be empty for an enrollment that has not started",
            ));
        }
        (true, Some(s)) if s < applied_on => {
            return Err(line.error("started_on", "must not be before applied_on"));
        }
        _ => {}
    }
    let exited = matches!(status, Completed | Withdrawn | Cancelled);
    match (exited, exited_on) {
        (true, None) => {
            return Err(line.error("exited_on", "is required for an enrollment that ended"));
        }
        (false, Some(_)) => {
            return Err(line.error("exited_on", "must be empty for an enrollment still open"));
        }
        (true, Some(e)) if e < started_on.unwrap_or(applied_on) => {
            return Err(line.error("exited_on", "must not be before it started"));
        }
        _ => {}
    }
    let needs_hours = program.required_ojt_hours.unwrap_or(0.0) > 0.0
        || program.required_rti_hours.unwrap_or(0.0) > 0.0;
    if status == Completed && needs_hours {
        return Err(line.error(
            "status",
            "this program completes with approved hours: import it ACTIVE, then its hours, then set it COMPLETED",
        ));
    }
    let exit_reason = line.optional("exit_reason").map(str::to_owned);
    if exit_reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > 500)
    {
        return Err(line.error("exit_reason", "must be at most 500 characters"));
    }
    Ok(EnrollmentLine {
        external_id: external_id.to_owned(),
        participant_id,
        program_id: program.id,
        status,
        applied_on,
        started_on,
        exited_on,
        exit_reason,
    })
}
