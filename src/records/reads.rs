//! Reading the records partners keep about participants — enrollments and
//! their status history, hours, competencies, credentials, mentorships,
//! dual enrollments, services, outcomes, consents — always through a scope.
//!
//! Each function loads the rows of many parents at once (for DataLoaders)
//! and returns only rows the viewer may read; nothing is filtered in Rust.

use std::collections::HashMap;

use entity::enums::{Category, HourKind};
use entity::{
    competency_attainment, consent, credential, dual_enrollment, enrollment,
    enrollment_status_change, hour_log, mentorship, mentorship_meeting, outcome, service,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
};
use uuid::Uuid;

use crate::ground::error::Result;
use crate::policy::Scopes;
use crate::records::rules::HourTotals;

/// Rows of entity `E` about these participants that the viewer may read in
/// `category` (the entity must have `owner_org_id` and `participant_id`).
async fn about<E, C>(
    db: &C,
    scopes: &Scopes,
    category: Category,
    owner: E::Column,
    participant: E::Column,
    order: E::Column,
    ids: &[Uuid],
) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let scope = scopes.of(category);
    // The primary key breaks ties, so that an order is the same every time
    // (and the same as `records::page`'s).
    let mut select = E::find()
        .filter(participant.is_in(ids.iter().copied()))
        .filter(scope.condition((E::default(), owner), (E::default(), participant)))
        .order_by_asc(order);
    for key in <E::PrimaryKey as sea_orm::Iterable>::iter() {
        select = select.order_by_asc(sea_orm::PrimaryKeyToColumn::into_column(key));
    }
    Ok(select.all(db).await?)
}

/// Enrollments (ENROLLMENT).
pub async fn enrollments<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<enrollment::Model>> {
    use enrollment::Column as X;
    about::<enrollment::Entity, C>(
        db,
        scopes,
        Category::Enrollment,
        X::OwnerOrgId,
        X::ParticipantId,
        X::AppliedOn,
        ids,
    )
    .await
}

/// Credentials (CREDENTIALS).
pub async fn credentials<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<credential::Model>> {
    use credential::Column as X;
    about::<credential::Entity, C>(
        db,
        scopes,
        Category::Credentials,
        X::OwnerOrgId,
        X::ParticipantId,
        X::AwardedOn,
        ids,
    )
    .await
}

/// Mentorships (MENTORSHIP).
pub async fn mentorships<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<mentorship::Model>> {
    use mentorship::Column as X;
    about::<mentorship::Entity, C>(
        db,
        scopes,
        Category::Mentorship,
        X::OwnerOrgId,
        X::ParticipantId,
        X::CreatedAt,
        ids,
    )
    .await
}

/// Dual-enrollment courses (EDUCATION_RECORDS, FERPA).
pub async fn dual_enrollments<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<dual_enrollment::Model>> {
    use dual_enrollment::Column as X;
    about::<dual_enrollment::Entity, C>(
        db,
        scopes,
        Category::EducationRecords,
        X::OwnerOrgId,
        X::ParticipantId,
        X::Term,
        ids,
    )
    .await
}

/// Services (SERVICES).
pub async fn services<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<service::Model>> {
    use service::Column as X;
    about::<service::Entity, C>(
        db,
        scopes,
        Category::Services,
        X::OwnerOrgId,
        X::ParticipantId,
        X::ProvidedOn,
        ids,
    )
    .await
}

/// Outcomes (OUTCOMES).
pub async fn outcomes<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<outcome::Model>> {
    use outcome::Column as X;
    about::<outcome::Entity, C>(
        db,
        scopes,
        Category::Outcomes,
        X::OwnerOrgId,
        X::ParticipantId,
        X::CreatedAt,
        ids,
    )
    .await
}

/// Consents the viewer may see (see [`Scopes::consent_condition`]).
pub async fn consents<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    ids: &[Uuid],
) -> Result<Vec<consent::Model>> {
    use consent::Column as X;
    let e = consent::Entity;
    Ok(consent::Entity::find()
        .filter(X::ParticipantId.is_in(ids.iter().copied()))
        .filter(scopes.consent_condition(
            (e, X::OwnerOrgId),
            (e, X::RecipientOrgId),
            (e, X::ParticipantId),
        ))
        .order_by_asc(X::SignedOn)
        .order_by_asc(X::Id)
        .all(db)
        .await?)
}

/// Status history of these enrollments (ENROLLMENT), oldest first.
pub async fn status_changes<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    enrollment_ids: &[Uuid],
) -> Result<Vec<enrollment_status_change::Model>> {
    use enrollment_status_change::Column as X;
    let scope = scopes.of(Category::Enrollment);
    Ok(enrollment_status_change::Entity::find()
        .join(
            JoinType::InnerJoin,
            enrollment_status_change::Relation::Enrollment.def(),
        )
        .filter(X::EnrollmentId.is_in(enrollment_ids.iter().copied()))
        // The same set on the joined side lets the planner probe the
        // enrollment primary key instead of hashing the whole table.
        .filter(enrollment::Column::Id.is_in(enrollment_ids.iter().copied()))
        .filter(scope.condition(
            (enrollment_status_change::Entity, X::OwnerOrgId),
            (enrollment::Entity, enrollment::Column::ParticipantId),
        ))
        .order_by_asc(X::ChangedOn)
        .order_by_asc(X::CreatedAt)
        .all(db)
        .await?)
}

/// Hour logs of these enrollments (PROGRESS), oldest first.
pub async fn hour_logs<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    enrollment_ids: &[Uuid],
) -> Result<Vec<hour_log::Model>> {
    use hour_log::Column as X;
    let scope = scopes.of(Category::Progress);
    Ok(hour_log::Entity::find()
        .join(JoinType::InnerJoin, hour_log::Relation::Enrollment.def())
        .filter(X::EnrollmentId.is_in(enrollment_ids.iter().copied()))
        // The same set on the joined side lets the planner probe the
        // enrollment primary key instead of hashing the whole table.
        .filter(enrollment::Column::Id.is_in(enrollment_ids.iter().copied()))
        .filter(scope.condition(
            (hour_log::Entity, X::OwnerOrgId),
            (enrollment::Entity, enrollment::Column::ParticipantId),
        ))
        .order_by_asc(X::WorkedOn)
        .order_by_asc(X::Id)
        .all(db)
        .await?)
}

/// Competency attainments under these enrollments (PROGRESS).
pub async fn attainments<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    enrollment_ids: &[Uuid],
) -> Result<Vec<competency_attainment::Model>> {
    use competency_attainment::Column as X;
    let scope = scopes.of(Category::Progress);
    Ok(competency_attainment::Entity::find()
        .join(
            JoinType::InnerJoin,
            competency_attainment::Relation::Enrollment.def(),
        )
        .filter(X::EnrollmentId.is_in(enrollment_ids.iter().copied()))
        // The same set on the joined side lets the planner probe the
        // enrollment primary key instead of hashing the whole table.
        .filter(enrollment::Column::Id.is_in(enrollment_ids.iter().copied()))
        .filter(scope.condition(
            (competency_attainment::Entity, X::OwnerOrgId),
            (enrollment::Entity, enrollment::Column::ParticipantId),
        ))
        .order_by_asc(X::AttainedOn)
        .order_by_asc(X::Id)
        .all(db)
        .await?)
}

/// Meetings of these mentorships (MENTORSHIP).
pub async fn meetings<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    mentorship_ids: &[Uuid],
) -> Result<Vec<mentorship_meeting::Model>> {
    use mentorship_meeting::Column as X;
    let scope = scopes.of(Category::Mentorship);
    Ok(mentorship_meeting::Entity::find()
        .join(
            JoinType::InnerJoin,
            mentorship_meeting::Relation::Mentorship.def(),
        )
        .filter(X::MentorshipId.is_in(mentorship_ids.iter().copied()))
        .filter(mentorship::Column::Id.is_in(mentorship_ids.iter().copied()))
        .filter(scope.condition(
            (mentorship_meeting::Entity, X::OwnerOrgId),
            (mentorship::Entity, mentorship::Column::ParticipantId),
        ))
        .order_by_asc(X::MetOn)
        .order_by_asc(X::Id)
        .all(db)
        .await?)
}

#[derive(Debug, FromQueryResult)]
struct HourSum {
    enrollment_id: Uuid,
    kind: Option<HourKind>,
    logged: Option<f64>,
    approved: Option<f64>,
}

/// Hour totals of these enrollments, for those whose PROGRESS the viewer may
/// read (hours are kept by the enrollment's organization). Enrollments
/// missing from the answer are not readable; readable ones without hours
/// have zero totals. Summed in SQL, one statement.
pub async fn hour_totals<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    enrollment_ids: &[Uuid],
) -> Result<HashMap<Uuid, HourTotals>> {
    use enrollment::Column as E;
    let scope = scopes.of(Category::Progress);
    let rows = enrollment::Entity::find()
        .select_only()
        .column_as(E::Id, "enrollment_id")
        .column_as(hour_log::Column::Kind, "kind")
        .expr_as(Expr::cust("SUM(\"hour_log\".\"hours\")"), "logged")
        .expr_as(
            Expr::cust(
                "SUM(CASE WHEN \"hour_log\".\"approved\" THEN \"hour_log\".\"hours\" ELSE 0.0 END)",
            ),
            "approved",
        )
        .join(
            JoinType::LeftJoin,
            hour_log::Relation::Enrollment.def().rev(),
        )
        .filter(E::Id.is_in(enrollment_ids.iter().copied()))
        .filter(scope.condition(
            (enrollment::Entity, E::OwnerOrgId),
            (enrollment::Entity, E::ParticipantId),
        ))
        .group_by(E::Id)
        .group_by(hour_log::Column::Kind)
        .into_model::<HourSum>()
        .all(db)
        .await?;
    let mut totals: HashMap<Uuid, HourTotals> = HashMap::new();
    for row in rows {
        let entry = totals.entry(row.enrollment_id).or_default();
        let (logged, approved) = (row.logged.unwrap_or(0.0), row.approved.unwrap_or(0.0));
        match row.kind {
            Some(HourKind::Ojt) => (entry.ojt_logged, entry.ojt_approved) = (logged, approved),
            Some(HourKind::Rti) => (entry.rti_logged, entry.rti_approved) = (logged, approved),
            Some(HourKind::Attendance) => entry.attendance = logged,
            Some(HourKind::Mentoring) => entry.mentoring = logged,
            None => {}
        }
    }
    Ok(totals)
}
