//! `eraseParticipant`: on the youth's request, a hub_admin removes one
//! person from everywhere the hub holds them (DESIGN.md section 10), in one
//! transaction. What law requires keeping stays: the audit trail (ids,
//! actions and categories, no content). Every organization that could read
//! a row of theirs gets a tombstone in the change feed, so its own copy can
//! go too; the feed keeps only those tombstones about the person.

use entity::change_log::{self, Column as L};
use entity::enums::{AuditAction, Category, ChangeOperation};
use entity::{
    account_code, account_link_confirmation, account_link_ended, competency_attainment, consent,
    consent_majority, correction_request, credential, credential_confirmation, dual_enrollment,
    enrollment, enrollment_status_change, hour_log, mentorship, mentorship_meeting, organization,
    outcome, participant, participant_account, participant_link, participant_profile, service,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::feed::AccessChange;
use crate::audit::{self, Actor, Entry};
use crate::ground::error::{Error, Result};

/// What an erasure removed, by kind of row.
#[derive(Debug, Clone, Default)]
pub struct Erased {
    /// (table, rows) in the order they were deleted.
    pub rows: Vec<(&'static str, u64)>,
    /// Tombstones written for organizations other than the owners.
    pub tombstones: usize,
}

/// Erases `participant_id` everywhere; `reason` (at most 200 characters,
/// never personal data) goes to the audit entry.
pub async fn erase(
    db: &DatabaseConnection,
    actor: &Actor,
    participant_id: Uuid,
    reason: &str,
    today: chrono::NaiveDate,
) -> Result<Erased> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(Error::bad_input("reason", "must be 1 to 200 characters"));
    }
    let txn = crate::ground::db::begin_write(db).await?;
    if participant::Entity::find_by_id(participant_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(Error::NotFound("participant"));
    }
    // Who could read what before: every organization, every category.
    let orgs: Vec<Uuid> = organization::Entity::find()
        .select_only()
        .column(organization::Column::Id)
        .into_tuple()
        .all(&txn)
        .await?;
    let access = AccessChange {
        orgs,
        categories: Category::all().to_vec(),
        participant: Some(participant_id),
        owner: None,
        today,
    };
    let before = access.readable(&txn).await?;

    let enrollments: Vec<Uuid> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::Id)
        .filter(enrollment::Column::ParticipantId.eq(participant_id))
        .into_tuple()
        .all(&txn)
        .await?;
    let mentorships: Vec<Uuid> = mentorship::Entity::find()
        .select_only()
        .column(mentorship::Column::Id)
        .filter(mentorship::Column::ParticipantId.eq(participant_id))
        .into_tuple()
        .all(&txn)
        .await?;
    let mut erased = Erased::default();
    let mut note = |table: &'static str, rows: u64| erased.rows.push((table, rows));
    // Children first, then the rows that name the person, then the person.
    for chunk in enrollments.chunks(500) {
        let ids = chunk.iter().copied();
        note(
            "hour_log",
            hour_log::Entity::delete_many()
                .filter(hour_log::Column::EnrollmentId.is_in(ids.clone()))
                .exec(&txn)
                .await?
                .rows_affected,
        );
        note(
            "competency_attainment",
            competency_attainment::Entity::delete_many()
                .filter(competency_attainment::Column::EnrollmentId.is_in(ids.clone()))
                .exec(&txn)
                .await?
                .rows_affected,
        );
        note(
            "enrollment_status_change",
            enrollment_status_change::Entity::delete_many()
                .filter(enrollment_status_change::Column::EnrollmentId.is_in(ids))
                .exec(&txn)
                .await?
                .rows_affected,
        );
    }
    for chunk in mentorships.chunks(500) {
        note(
            "mentorship_meeting",
            mentorship_meeting::Entity::delete_many()
                .filter(mentorship_meeting::Column::MentorshipId.is_in(chunk.iter().copied()))
                .exec(&txn)
                .await?
                .rows_affected,
        );
    }
    macro_rules! by_participant {
        ($($table:ident),+) => {$(
            note(
                stringify!($table),
                $table::Entity::delete_many()
                    .filter($table::Column::ParticipantId.eq(participant_id))
                    .exec(&txn)
                    .await?
                    .rows_affected,
            );
        )+};
    }
    by_participant!(
        enrollment,
        mentorship,
        credential,
        dual_enrollment,
        service,
        outcome,
        consent,
        correction_request,
        account_code,
        account_link_confirmation,
        account_link_ended,
        credential_confirmation,
        consent_majority,
        participant_account,
        participant_link,
        participant_profile
    );
    // No profile left: no organization may list the person.
    crate::policy::listing::refresh(
        &txn,
        crate::policy::listing::Touched::Participants(vec![participant_id]),
    )
    .await?;
    note(
        "participant",
        participant::Entity::delete_by_id(participant_id)
            .exec(&txn)
            .await?
            .rows_affected,
    );
    // Tombstones for every organization that could read a row and now
    // cannot (the owners get theirs from the deletions themselves), then
    // nothing of the person in the feed but tombstones.
    erased.tombstones = AccessChange::record(&txn, &before, &Default::default()).await?;
    change_log::Entity::delete_many()
        .filter(L::ParticipantId.eq(participant_id))
        .filter(L::Operation.eq(ChangeOperation::Upsert))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        vec![Entry {
            action: AuditAction::Delete,
            entity: "participant",
            entity_id: Some(participant_id),
            participant_id: Some(participant_id),
            owner_org_id: None,
            categories: Category::all().to_vec(),
            detail: Some(format!("erased on request: {reason}")),
        }],
    )
    .await?;
    txn.commit().await?;
    Ok(erased)
}
