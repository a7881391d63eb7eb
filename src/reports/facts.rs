//! The facts a report counts besides enrollments, one common table
//! expression each, every one restricted to the participants of `b` and to
//! the rows the viewer's [`crate::policy::ReportScope`] lets feed a report:
//! approved hours per enrollment (`h`), credentials (`c`), mentorships
//! (`m`), outcomes (`o`) and dual-enrollment units (`d`).

use entity::enums::{Category, MentorshipStatus, OutcomeKind};
use entity::{credential, dual_enrollment, mentorship, outcome};
use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef, Query, SelectStatement};

use super::sql::{Plan, a};

/// Participants of `b` (for the participant-level facts).
pub(super) fn in_base(column: impl IntoColumnRef) -> Expr {
    Expr::col(column).in_subquery(Query::select().column(a("pid")).from(a("b")).to_owned())
}

/// `h`: approved OJT/RTI and logged attendance hours per enrollment, read
/// from `enrollment_hours` — the facts the hour-log writes keep current in
/// their own transaction (migration `m20261128_000016`) — so a report
/// never scans hour logs. Which of them feed the report is decided where
/// `j` joins them: only an enrollment of `b` whose PROGRESS feeds it
/// (`progress_ok`). A join, not `eid IN (…)`: PostgreSQL under-estimated
/// `b` through the sub-query and looked the hours up one enrollment at a
/// time (28 000 index probes) instead of hashing them once.
pub(super) fn hours() -> SelectStatement {
    Query::select()
        .expr_as(
            Expr::col((a("enrollment_hours"), a("enrollment_id"))),
            a("eid"),
        )
        .expr_as(Expr::col((a("enrollment_hours"), a("ojt"))), a("ojt"))
        .expr_as(Expr::col((a("enrollment_hours"), a("rti"))), a("rti"))
        .expr_as(Expr::col((a("enrollment_hours"), a("att"))), a("att"))
        .from(a("enrollment_hours"))
        .to_owned()
}

/// `c`: participants of `b` with at least one credential (CREDENTIALS).
pub(super) fn credentials(plan: &Plan<'_>) -> SelectStatement {
    use credential::Column as C;
    Query::select()
        .expr_as(Expr::col((credential::Entity, C::ParticipantId)), a("pid"))
        .from(credential::Entity)
        .and_where(in_base((credential::Entity, C::ParticipantId)))
        .cond_where(plan.scope.condition(
            Category::Credentials,
            (credential::Entity, C::OwnerOrgId),
            (credential::Entity, C::ParticipantId),
        ))
        .group_by_col((credential::Entity, C::ParticipantId))
        .to_owned()
}

/// `m`: participants of `b` matched with a mentor (a mentorship that is or
/// was ACTIVE: ACTIVE, PAUSED or ENDED; MENTORSHIP category).
pub(super) fn mentored(plan: &Plan<'_>) -> SelectStatement {
    use mentorship::Column as M;
    Query::select()
        .expr_as(Expr::col((mentorship::Entity, M::ParticipantId)), a("pid"))
        .from(mentorship::Entity)
        .and_where(in_base((mentorship::Entity, M::ParticipantId)))
        .and_where(Expr::col((mentorship::Entity, M::Status)).is_in([
            MentorshipStatus::Active.as_str(),
            MentorshipStatus::Paused.as_str(),
            MentorshipStatus::Ended.as_str(),
        ]))
        .cond_where(plan.scope.condition(
            Category::Mentorship,
            (mentorship::Entity, M::OwnerOrgId),
            (mentorship::Entity, M::ParticipantId),
        ))
        .group_by_col((mentorship::Entity, M::ParticipantId))
        .to_owned()
}

/// `o`: outcome flags per participant of `b`, and the highest hourly wage
/// of an EMPLOYED outcome (OUTCOMES category).
pub(super) fn outcomes(plan: &Plan<'_>) -> SelectStatement {
    use outcome::Column as O;
    let flag = |kind: OutcomeKind| {
        Expr::cust(format!(
            "MAX(CASE WHEN \"outcome\".\"kind\" = '{}' THEN 1 ELSE 0 END)",
            kind.as_str()
        ))
    };
    Query::select()
        .expr_as(Expr::col((outcome::Entity, O::ParticipantId)), a("pid"))
        .expr_as(flag(OutcomeKind::Employed), a("employed"))
        .expr_as(flag(OutcomeKind::UnionMembership), a("union_member"))
        .expr_as(flag(OutcomeKind::HsGraduated), a("graduated"))
        .expr_as(
            Expr::cust(format!(
                "MAX(CASE WHEN \"outcome\".\"kind\" = '{}' THEN \"outcome\".\"hourly_wage_cents\" END)",
                OutcomeKind::Employed.as_str()
            )),
            a("wage"),
        )
        .from(outcome::Entity)
        .and_where(in_base((outcome::Entity, O::ParticipantId)))
        .cond_where(plan.scope.condition(
            Category::Outcomes,
            (outcome::Entity, O::OwnerOrgId),
            (outcome::Entity, O::ParticipantId),
        ))
        .group_by_col((outcome::Entity, O::ParticipantId))
        .to_owned()
}

/// `d`: dual-enrollment units per participant of `b` (EDUCATION_RECORDS).
pub(super) fn dual_units(plan: &Plan<'_>) -> SelectStatement {
    use dual_enrollment::Column as D;
    Query::select()
        .expr_as(
            Expr::col((dual_enrollment::Entity, D::ParticipantId)),
            a("pid"),
        )
        .expr_as(
            Expr::cust("SUM(\"dual_enrollment\".\"units_attempted\")"),
            a("attempted"),
        )
        .expr_as(
            Expr::cust("SUM(COALESCE(\"dual_enrollment\".\"units_earned\", 0.0))"),
            a("earned"),
        )
        .from(dual_enrollment::Entity)
        .and_where(in_base((dual_enrollment::Entity, D::ParticipantId)))
        .cond_where(plan.scope.condition(
            Category::EducationRecords,
            (dual_enrollment::Entity, D::OwnerOrgId),
            (dual_enrollment::Entity, D::ParticipantId),
        ))
        .group_by_col((dual_enrollment::Entity, D::ParticipantId))
        .to_owned()
}
