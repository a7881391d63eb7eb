//! Mentorships: `proposeMentorship`, `setMentorshipStatus` (PROPOSED →
//! ACTIVE → PAUSED ↔ ACTIVE → ENDED) and `logMentorshipMeeting`.

use async_graphql::{ID, InputObject};
use chrono::{NaiveDate, Utc};
use entity::enums::{AuditAction, Category, MentorshipStatus};
use entity::{mentor, mentorship, mentorship_meeting};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::{Error, Result};
use crate::ground::versioned::{self, Stale};
use crate::people::participants::require_visible;
use crate::policy::{self, Scopes};
use crate::records::enrollments::uuid;

/// Whether a mentorship may move from `from` to `to`.
pub fn may_move(from: MentorshipStatus, to: MentorshipStatus) -> bool {
    use MentorshipStatus::*;
    matches!(
        (from, to),
        (Proposed, Active)
            | (Proposed, Ended)
            | (Active, Paused)
            | (Paused, Active)
            | (Active, Ended)
            | (Paused, Ended)
    )
}

/// A mentor proposed for a participant.
#[derive(Debug, Clone, InputObject)]
pub struct ProposeMentorshipInput {
    /// The participant's hub id (must be visible to your organization).
    pub participant_id: ID,
    /// A mentor who takes mentees now (`Mentor.active`), of any organization.
    pub mentor_id: ID,
}

/// A mentorship status change.
#[derive(Debug, Clone, InputObject)]
pub struct SetMentorshipStatusInput {
    /// The mentorship (kept by your organization).
    pub id: ID,
    /// The `version` you read; a stale one is `CONFLICT`.
    pub version: i32,
    /// The new status: PROPOSED → ACTIVE ↔ PAUSED → ENDED (PROPOSED may
    /// also end); any other move is `BAD_USER_INPUT`.
    pub status: MentorshipStatus,
}

/// One meeting.
#[derive(Debug, Clone, InputObject)]
pub struct LogMentorshipMeetingInput {
    /// An ACTIVE mentorship kept by your organization.
    pub mentorship_id: ID,
    /// The day they met (ISO date), between the mentorship's start and today.
    pub met_on: NaiveDate,
    /// How long, in minutes (1 to 600).
    pub minutes: i32,
}

fn entry(
    action: AuditAction,
    entity: &'static str,
    id: Uuid,
    row: &mentorship::Model,
    detail: Option<String>,
) -> Entry {
    let mut entry = Entry::about(action, entity, id, Some(row.owner_org_id));
    entry.participant_id = Some(row.participant_id);
    entry.categories = vec![Category::Mentorship];
    entry.detail = detail;
    entry
}

/// Proposes a mentor (any active mentor in the directory) for a participant
/// the viewer's organization knows; the organization arranges and keeps it.
pub async fn propose(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: ProposeMentorshipInput,
) -> Result<mentorship::Model> {
    policy::require_writer(viewer)?;
    let participant = require_visible(db, scopes, &input.participant_id, "participantId").await?;
    let mentor_id = uuid(&input.mentor_id, "mentorId")?;
    let mentor = mentor::Entity::find_by_id(mentor_id)
        .one(db)
        .await?
        .ok_or_else(|| Error::bad_input("mentorId", "no mentor has this id"))?;
    if !mentor.active {
        return Err(Error::bad_input(
            "mentorId",
            "this mentor takes no mentees now",
        ));
    }
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    let row = mentorship::Entity::insert(mentorship::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(participant),
        mentor_id: Set(mentor_id),
        owner_org_id: Set(viewer.org_id),
        status: Set(MentorshipStatus::Proposed),
        started_on: Set(None),
        ended_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(AuditAction::Create, "mentorship", row.id, &row, None)],
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

async fn writable(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    id: Uuid,
) -> Result<mentorship::Model> {
    let scope = scopes.of(Category::Mentorship);
    let row = mentorship::Entity::find_by_id(id)
        .filter(scope.condition(
            (mentorship::Entity, mentorship::Column::OwnerOrgId),
            (mentorship::Entity, mentorship::Column::ParticipantId),
        ))
        .one(db)
        .await?
        .ok_or(Error::NotFound("mentorship"))?;
    policy::require_owner(viewer, row.owner_org_id)?;
    Ok(row)
}

/// Moves a mentorship along its states, if `version` is current.
pub async fn set_status(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: SetMentorshipStatusInput,
) -> Result<mentorship::Model> {
    let id = uuid(&input.id, "id")?;
    let row = writable(db, viewer, scopes, id).await?;
    if !may_move(row.status, input.status) {
        return Err(Error::bad_input(
            "status",
            format!(
                "a mentorship cannot move from {} to {}",
                row.status.as_str(),
                input.status.as_str()
            ),
        ));
    }
    let today = Utc::now().date_naive();
    let mut update = mentorship::Entity::update_many().col_expr(
        mentorship::Column::Status,
        Expr::value(input.status.as_str()),
    );
    if input.status == MentorshipStatus::Active && row.started_on.is_none() {
        update = update.col_expr(mentorship::Column::StartedOn, Expr::value(today));
    }
    if input.status == MentorshipStatus::Ended {
        update = update.col_expr(mentorship::Column::EndedOn, Expr::value(today));
    }
    let txn = crate::ground::db::begin_write(db).await?;
    let updated = versioned::update(
        &txn,
        update,
        (mentorship::Column::Id, id),
        (mentorship::Column::Version, input.version),
        (mentorship::Column::UpdatedAt, Utc::now()),
        Stale::ReadAgain("mentorship"),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(
            AuditAction::Update,
            "mentorship",
            id,
            &row,
            Some(format!("status={}", input.status.as_str())),
        )],
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// Logs a meeting of an ACTIVE mentorship (1 to 600 minutes, not in the future).
pub async fn log_meeting(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: LogMentorshipMeetingInput,
) -> Result<mentorship::Model> {
    let id = uuid(&input.mentorship_id, "mentorshipId")?;
    let row = writable(db, viewer, scopes, id).await?;
    if row.status != MentorshipStatus::Active {
        return Err(Error::bad_input(
            "mentorshipId",
            "meetings are logged on an ACTIVE mentorship",
        ));
    }
    if !(1..=600).contains(&input.minutes) {
        return Err(Error::bad_input("minutes", "must be 1 to 600"));
    }
    if input.met_on > Utc::now().date_naive() || row.started_on.is_some_and(|s| input.met_on < s) {
        return Err(Error::bad_input(
            "metOn",
            "must lie between the mentorship's start and today",
        ));
    }
    let now = Utc::now();
    let meeting = Uuid::new_v4();
    let txn = crate::ground::db::begin_write(db).await?;
    mentorship_meeting::Entity::insert(mentorship_meeting::ActiveModel {
        id: Set(meeting),
        mentorship_id: Set(id),
        owner_org_id: Set(row.owner_org_id),
        met_on: Set(input.met_on),
        minutes: Set(input.minutes),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(
            AuditAction::Create,
            "mentorship_meeting",
            meeting,
            &row,
            None,
        )],
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MentorshipStatus::*;

    #[test]
    fn mentorship_states() {
        assert!(
            may_move(Proposed, Active)
                && may_move(Active, Paused)
                && may_move(Paused, Active)
                && may_move(Active, Ended)
        );
        assert!(
            !may_move(Ended, Active) && !may_move(Proposed, Paused) && !may_move(Active, Proposed)
        );
    }
}
