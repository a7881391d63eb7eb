//! Enrollments: `enroll`, and `setEnrollmentStatus` with its state machine
//! (APPLIED → INTERVIEWED → ACCEPTED → ACTIVE → COMPLETED or WITHDRAWN;
//! CANCELLED before ACTIVE) and the apprenticeship completion rule.

use async_graphql::{ID, InputObject};
use chrono::{NaiveDate, Utc};
use entity::enums::{AuditAction, Category, EnrollmentStatus};
use entity::{enrollment, enrollment_status_change, program};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::{DbResultExt, Error, Result};
use crate::ground::types::optional_text;
use crate::ground::versioned::{self, Stale};
use crate::policy::{self, Scopes};
use crate::records::rules;

/// Whether an enrollment may move from `from` to `to`.
pub fn may_move(from: EnrollmentStatus, to: EnrollmentStatus) -> bool {
    use EnrollmentStatus::*;
    matches!(
        (from, to),
        (Applied, Interviewed)
            | (Interviewed, Accepted)
            | (Accepted, Active)
            | (Active, Completed)
            | (Active, Withdrawn)
            | (Applied | Interviewed | Accepted, Cancelled)
    )
}

/// A participant applies to one of the viewer's organization's programs.
#[derive(Debug, Clone, InputObject)]
pub struct EnrollInput {
    /// The participant's hub id (must be visible to your organization).
    pub participant_id: ID,
    /// One of your organization's programs (another's is `FORBIDDEN`).
    pub program_id: ID,
    /// The day of the application (ISO date), not in the future; defaults
    /// to today.
    pub applied_on: Option<NaiveDate>,
    /// Your own id for the enrollment (at most 64 characters).
    pub external_id: Option<String>,
}

/// A status change; `version` is the one the caller read.
#[derive(Debug, Clone, InputObject)]
pub struct SetEnrollmentStatusInput {
    /// The enrollment (kept by your organization).
    pub id: ID,
    /// The `version` you read; a stale one is `CONFLICT`.
    pub version: i32,
    /// The next status; a move the state machine does not allow is
    /// `BAD_USER_INPUT`.
    pub status: EnrollmentStatus,
    /// Why (at most 500 characters); kept as `exitReason` when it ends.
    pub reason: Option<String>,
    /// The day of the change (ISO date), not before the previous change
    /// nor in the future; defaults to today.
    pub on: Option<NaiveDate>,
}

pub(crate) fn uuid(id: &ID, field: &str) -> Result<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| Error::bad_input(field, "must be a UUID"))
}

/// An enrollment the viewer may write: `NOT_FOUND` when it cannot even read
/// it (as for one that does not exist), `FORBIDDEN` when it can read it but
/// another organization keeps it.
pub(crate) async fn writable(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    id: Uuid,
) -> Result<enrollment::Model> {
    let scope = scopes.of(Category::Enrollment);
    let row = enrollment::Entity::find_by_id(id)
        .filter(scope.condition(
            (enrollment::Entity, enrollment::Column::OwnerOrgId),
            (enrollment::Entity, enrollment::Column::ParticipantId),
        ))
        .one(db)
        .await?
        .ok_or(Error::NotFound("enrollment"))?;
    policy::require_owner(viewer, row.owner_org_id)?;
    Ok(row)
}

/// Enrolls (status APPLIED), with the first step of the history; audited.
pub async fn enroll(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: EnrollInput,
) -> Result<enrollment::Model> {
    let participant_id = uuid(&input.participant_id, "participantId")?;
    let program_id = uuid(&input.program_id, "programId")?;
    let program = program::Entity::find_by_id(program_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::bad_input("programId", "no program has this id"))?;
    policy::require_owner(viewer, program.org_id)?;
    if crate::people::participants::by_id(db, scopes, participant_id)
        .await?
        .is_none()
    {
        return Err(Error::bad_input(
            "participantId",
            "no participant with this id is known to your organization",
        ));
    }
    let today = Utc::now().date_naive();
    let applied_on = input.applied_on.unwrap_or(today);
    if applied_on > today {
        return Err(Error::bad_input("appliedOn", "must not be in the future"));
    }
    let external_id = optional_text(input.external_id.as_deref(), "externalId", 64)?;
    let now = Utc::now();
    let id = Uuid::new_v4();
    let txn = crate::ground::db::begin_write(db).await?;
    let row = enrollment::Entity::insert(enrollment::ActiveModel {
        id: Set(id),
        participant_id: Set(participant_id),
        program_id: Set(program_id),
        owner_org_id: Set(program.org_id),
        status: Set(EnrollmentStatus::Applied),
        applied_on: Set(applied_on),
        started_on: Set(None),
        exited_on: Set(None),
        exit_reason: Set(None),
        external_id: Set(external_id),
        source: Set("hub".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await
    .on_constraint("externalId")?;
    history(
        &txn,
        &row,
        None,
        EnrollmentStatus::Applied,
        applied_on,
        None,
        &viewer.subject,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(AuditAction::Create, &row, "status=APPLIED")],
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

fn entry(action: AuditAction, row: &enrollment::Model, detail: &str) -> Entry {
    let mut entry = Entry::about(action, "enrollment", row.id, Some(row.owner_org_id));
    entry.participant_id = Some(row.participant_id);
    entry.categories = vec![Category::Enrollment];
    entry.detail = Some(detail.to_owned());
    entry
}

async fn history<C: sea_orm::ConnectionTrait>(
    conn: &C,
    row: &enrollment::Model,
    from: Option<EnrollmentStatus>,
    to: EnrollmentStatus,
    on: NaiveDate,
    reason: Option<String>,
    by: &str,
) -> Result<()> {
    let now = Utc::now();
    enrollment_status_change::Entity::insert(enrollment_status_change::ActiveModel {
        id: Set(Uuid::new_v4()),
        enrollment_id: Set(row.id),
        owner_org_id: Set(row.owner_org_id),
        from_status: Set(from),
        to_status: Set(to),
        changed_on: Set(on),
        reason: Set(reason),
        changed_by: Set(by.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Moves an enrollment along the state machine, if `version` is current.
pub async fn set_status(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: SetEnrollmentStatusInput,
) -> Result<enrollment::Model> {
    use EnrollmentStatus::*;
    let id = uuid(&input.id, "id")?;
    let row = writable(db, viewer, scopes, id).await?;
    let to = input.status;
    if !may_move(row.status, to) {
        return Err(Error::bad_input(
            "status",
            format!(
                "an enrollment cannot move from {} to {}",
                row.status.as_str(),
                to.as_str()
            ),
        ));
    }
    let today = Utc::now().date_naive();
    let on = input.on.unwrap_or(today);
    if on > today {
        return Err(Error::bad_input("on", "must not be in the future"));
    }
    let last = enrollment_status_change::Entity::find()
        .filter(enrollment_status_change::Column::EnrollmentId.eq(id))
        .order_by_desc(enrollment_status_change::Column::ChangedOn)
        .one(db)
        .await?
        .map(|c| c.changed_on)
        .unwrap_or(row.applied_on);
    if on < Ord::max(last, row.applied_on) {
        return Err(Error::bad_input(
            "on",
            "must not be before the enrollment's previous status change",
        ));
    }
    let reason = optional_text(input.reason.as_deref(), "reason", 500)?;
    if to == Completed {
        let program = program::Entity::find_by_id(row.program_id)
            .one(db)
            .await?
            .ok_or(Error::NotFound("program"))?;
        let totals = crate::records::reads::hour_totals(db, scopes, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        if !rules::hour_requirements_met(
            &totals,
            program.required_ojt_hours,
            program.required_rti_hours,
        ) {
            return Err(Error::bad_input(
                "status",
                format!(
                    "this program completes with {} h OJT and {} h RTI approved; the enrollment has {} h and {} h",
                    program.required_ojt_hours.unwrap_or(0.0),
                    program.required_rti_hours.unwrap_or(0.0),
                    totals.ojt_approved,
                    totals.rti_approved
                ),
            ));
        }
    }
    let mut update = enrollment::Entity::update_many()
        .col_expr(enrollment::Column::Status, Expr::value(to.as_str()));
    if to == Active {
        update = update.col_expr(enrollment::Column::StartedOn, Expr::value(on));
    }
    if matches!(to, Completed | Withdrawn | Cancelled) {
        update = update
            .col_expr(enrollment::Column::ExitedOn, Expr::value(on))
            .col_expr(enrollment::Column::ExitReason, Expr::value(reason.clone()));
    }
    let txn = crate::ground::db::begin_write(db).await?;
    let updated = versioned::update(
        &txn,
        update,
        (enrollment::Column::Id, id),
        (enrollment::Column::Version, input.version),
        (enrollment::Column::UpdatedAt, Utc::now()),
        Stale::ReadAgain("enrollment"),
    )
    .await?;
    history(
        &txn,
        &row,
        Some(row.status),
        to,
        on,
        reason,
        &viewer.subject,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(
            AuditAction::Update,
            &row,
            &format!("status={}", to.as_str()),
        )],
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnrollmentStatus::*;

    #[test]
    fn the_state_machine() {
        for (from, to) in [
            (Applied, Interviewed),
            (Interviewed, Accepted),
            (Accepted, Active),
            (Active, Completed),
            (Active, Withdrawn),
            (Applied, Cancelled),
            (Accepted, Cancelled),
        ] {
            assert!(may_move(from, to), "{from:?} -> {to:?}");
        }
        for (from, to) in [
            (Applied, Active),
            (Active, Cancelled),
            (Completed, Active),
            (Withdrawn, Active),
            (Cancelled, Applied),
            (Applied, Completed),
            (Active, Applied),
        ] {
            assert!(!may_move(from, to), "{from:?} -> {to:?}");
        }
    }
}
