//! Dual enrollment (FERPA education records): a high-school student's
//! college course, recorded by the high school or the college.

use async_graphql::{ID, InputObject};
use chrono::Utc;
use entity::dual_enrollment;
use entity::enums::{AuditAction, Category, DualEnrollmentStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::{Error, Result};
use crate::ground::types::{optional_text, text};
use crate::ground::versioned::{self, Stale};
use crate::people::participants::require_visible;
use crate::policy::{self, Scopes};
use crate::records::enrollments::uuid;

/// A college course taken for dual credit.
#[derive(Debug, Clone, InputObject)]
pub struct RecordDualEnrollmentInput {
    /// The participant's hub id (must be visible to your organization).
    pub participant_id: ID,
    /// The youth's high school; it or the college must be your
    /// organization (else `FORBIDDEN`).
    pub high_school_org_slug: String,
    /// The college that teaches the course.
    pub college_org_slug: String,
    /// e.g. "THTR 110".
    pub course_code: String,
    /// The course's title (at most 200 characters).
    pub course_title: String,
    /// e.g. "Fall 2026".
    pub term: String,
    /// College units attempted, 0 to 20.
    pub units_attempted: f64,
    /// College units earned, 0 to 20 and not more than attempted.
    pub units_earned: Option<f64>,
    /// The grade on the transcript (at most 5 characters), e.g. "A-".
    pub grade: Option<String>,
    /// Where the course stands; ENROLLED when omitted.
    pub status: Option<DualEnrollmentStatus>,
}

/// Changes to a dual-enrollment course; `version` is the one read.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateDualEnrollmentInput {
    /// The course record (kept by your organization).
    pub id: ID,
    /// The `version` you read; a stale one is `CONFLICT`.
    pub version: i32,
    /// College units earned, 0 to 20 and not more than attempted.
    pub units_earned: Option<f64>,
    /// The grade on the transcript (at most 5 characters).
    pub grade: Option<String>,
    /// Where the course stands now.
    pub status: Option<DualEnrollmentStatus>,
}

fn units(value: f64, field: &str) -> Result<f64> {
    if value.is_finite() && (0.0..=20.0).contains(&value) {
        Ok(value)
    } else {
        Err(Error::bad_input(field, "must be between 0 and 20 units"))
    }
}

fn entry(action: AuditAction, row_id: Uuid, owner: Uuid, participant: Uuid) -> Entry {
    let mut entry = Entry::about(action, "dual_enrollment", row_id, Some(owner));
    entry.participant_id = Some(participant);
    entry.categories = vec![Category::EducationRecords];
    entry
}

/// Records a course; the viewer's organization must be the high school or
/// the college of the pair, and keeps the record.
pub async fn record(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: RecordDualEnrollmentInput,
) -> Result<dual_enrollment::Model> {
    policy::require_writer(viewer)?;
    let participant = require_visible(db, scopes, &input.participant_id, "participantId").await?;
    let high_school = crate::directory::organizations::id_by_slug(
        db,
        &input.high_school_org_slug,
        "highSchoolOrgSlug",
    )
    .await?;
    let college =
        crate::directory::organizations::id_by_slug(db, &input.college_org_slug, "collegeOrgSlug")
            .await?;
    if viewer.org_id != high_school && viewer.org_id != college {
        return Err(Error::forbidden(
            "a dual-enrollment course is recorded by its high school or its college",
        ));
    }
    let attempted = units(input.units_attempted, "unitsAttempted")?;
    let earned = input
        .units_earned
        .map(|u| units(u, "unitsEarned"))
        .transpose()?;
    if earned.is_some_and(|e| e > attempted) {
        return Err(Error::bad_input(
            "unitsEarned",
            "must not exceed unitsAttempted",
        ));
    }
    let now = Utc::now();
    let id = Uuid::new_v4();
    let txn = crate::ground::db::begin_write(db).await?;
    let row = dual_enrollment::Entity::insert(dual_enrollment::ActiveModel {
        id: Set(id),
        participant_id: Set(participant),
        owner_org_id: Set(viewer.org_id),
        high_school_org_id: Set(high_school),
        college_org_id: Set(college),
        course_code: Set(text(&input.course_code, "courseCode", 20)?),
        course_title: Set(text(&input.course_title, "courseTitle", 200)?),
        term: Set(text(&input.term, "term", 40)?),
        units_attempted: Set(attempted),
        units_earned: Set(earned),
        grade: Set(optional_text(input.grade.as_deref(), "grade", 5)?),
        status: Set(input.status.unwrap_or(DualEnrollmentStatus::Enrolled)),
        external_id: Set(None),
        source: Set("hub".into()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(AuditAction::Create, id, viewer.org_id, participant)],
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Updates units earned, grade or status, if `version` is current.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: UpdateDualEnrollmentInput,
) -> Result<dual_enrollment::Model> {
    use dual_enrollment::Column as D;
    let id = uuid(&input.id, "id")?;
    let scope = scopes.of(Category::EducationRecords);
    let row = dual_enrollment::Entity::find_by_id(id)
        .filter(scope.condition(
            (dual_enrollment::Entity, D::OwnerOrgId),
            (dual_enrollment::Entity, D::ParticipantId),
        ))
        .one(db)
        .await?
        .ok_or(Error::NotFound("dual enrollment"))?;
    policy::require_owner(viewer, row.owner_org_id)?;
    let earned = input
        .units_earned
        .map(|u| units(u, "unitsEarned"))
        .transpose()?;
    if earned.is_some_and(|e| e > row.units_attempted) {
        return Err(Error::bad_input(
            "unitsEarned",
            "must not exceed unitsAttempted",
        ));
    }
    let mut update = dual_enrollment::Entity::update_many();
    if let Some(earned) = earned {
        update = update.col_expr(D::UnitsEarned, Expr::value(earned));
    }
    if let Some(grade) = optional_text(input.grade.as_deref(), "grade", 5)? {
        update = update.col_expr(D::Grade, Expr::value(grade));
    }
    if let Some(status) = input.status {
        update = update.col_expr(D::Status, Expr::value(status.as_str()));
    }
    let txn = crate::ground::db::begin_write(db).await?;
    let updated = versioned::update(
        &txn,
        update,
        (D::Id, id),
        (D::Version, input.version),
        (D::UpdatedAt, Utc::now()),
        Stale::ReadAgain("course"),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(
            AuditAction::Update,
            id,
            row.owner_org_id,
            row.participant_id,
        )],
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}
