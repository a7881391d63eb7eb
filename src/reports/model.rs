//! What a report asks for and answers: metrics, group dimensions,
//! periods, the internal counts suppression works on, rows and cells.

use async_graphql::{Enum, SimpleObject};
use chrono::NaiveDate;
use uuid::Uuid;

/// A figure a report can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Enum)]
#[graphql(name = "ReportMetric", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Metric {
    /// Participants with an enrollment in the group (any status).
    Enrolled,
    /// Participants with an ACTIVE enrollment.
    Active,
    /// Participants with a COMPLETED enrollment.
    Completed,
    /// COMPLETED ÷ ENROLLED (a fraction, 0–1).
    CompletionRate,
    /// Participants with at least one credential.
    Credentials,
    /// CREDENTIALS ÷ ENROLLED (LACHSA's certification target).
    CredentialAttainment,
    /// Participants with an HS_GRADUATED outcome.
    Graduated,
    /// GRADUATED ÷ ENROLLED.
    GraduationRate,
    /// Approved on-the-job-training hours.
    OjtHours,
    /// Approved related-technical-instruction hours.
    RtiHours,
    /// Participants whose approved OJT hours reach their program's
    /// required OJT hours (programs with a requirement only).
    OjtRequirementMet,
    /// Participants whose approved RTI hours reach their program's
    /// required RTI hours.
    RtiRequirementMet,
    /// Participants whose attendance reaches their program's stipend
    /// threshold (percent of scheduled hours, as `Enrollment.stipendEligible`).
    StipendEligible,
    /// Participants matched with a mentor (mentorship ACTIVE, PAUSED or ENDED).
    Mentored,
    /// MENTORED ÷ ENROLLED.
    MentorshipCoverage,
    /// Dual-enrollment units attempted.
    DualUnitsAttempted,
    /// Dual-enrollment units earned.
    DualUnitsEarned,
    /// Participants with an EMPLOYED outcome.
    Employed,
    /// Participants with a UNION_MEMBERSHIP outcome.
    UnionMembership,
    /// Median hourly wage in dollars of employed participants (each
    /// participant's highest recorded wage).
    MedianHourlyWage,
}

impl Metric {
    /// Every metric, in declaration order.
    pub const ALL: [Metric; 20] = [
        Metric::Enrolled,
        Metric::Active,
        Metric::Completed,
        Metric::CompletionRate,
        Metric::Credentials,
        Metric::CredentialAttainment,
        Metric::Graduated,
        Metric::GraduationRate,
        Metric::OjtHours,
        Metric::RtiHours,
        Metric::OjtRequirementMet,
        Metric::RtiRequirementMet,
        Metric::StipendEligible,
        Metric::Mentored,
        Metric::MentorshipCoverage,
        Metric::DualUnitsAttempted,
        Metric::DualUnitsEarned,
        Metric::Employed,
        Metric::UnionMembership,
        Metric::MedianHourlyWage,
    ];

    /// The GraphQL (and CSV) name, e.g. `COMPLETION_RATE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Enrolled => "ENROLLED",
            Metric::Active => "ACTIVE",
            Metric::Completed => "COMPLETED",
            Metric::CompletionRate => "COMPLETION_RATE",
            Metric::Credentials => "CREDENTIALS",
            Metric::CredentialAttainment => "CREDENTIAL_ATTAINMENT",
            Metric::Graduated => "GRADUATED",
            Metric::GraduationRate => "GRADUATION_RATE",
            Metric::OjtHours => "OJT_HOURS",
            Metric::RtiHours => "RTI_HOURS",
            Metric::OjtRequirementMet => "OJT_REQUIREMENT_MET",
            Metric::RtiRequirementMet => "RTI_REQUIREMENT_MET",
            Metric::StipendEligible => "STIPEND_ELIGIBLE",
            Metric::Mentored => "MENTORED",
            Metric::MentorshipCoverage => "MENTORSHIP_COVERAGE",
            Metric::DualUnitsAttempted => "DUAL_UNITS_ATTEMPTED",
            Metric::DualUnitsEarned => "DUAL_UNITS_EARNED",
            Metric::Employed => "EMPLOYED",
            Metric::UnionMembership => "UNION_MEMBERSHIP",
            Metric::MedianHourlyWage => "MEDIAN_HOURLY_WAGE",
        }
    }

    /// Parses a GraphQL name; `None` for anything else.
    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// A dimension a report groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Enum)]
#[graphql(name = "ReportGroupBy", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum GroupBy {
    /// The program's pathway (programs without one form their own group).
    Pathway,
    /// The program.
    Program,
    /// The organization that runs the program.
    Organization,
    /// The period (see `ReportInput.period`) the enrollment started in (or
    /// was applied for, if not started).
    Period,
}

impl GroupBy {
    /// The GraphQL (and CSV) name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Pathway => "PATHWAY",
            GroupBy::Program => "PROGRAM",
            GroupBy::Organization => "ORGANIZATION",
            GroupBy::Period => "PERIOD",
        }
    }

    /// Parses a GraphQL name.
    pub fn parse(name: &str) -> Option<GroupBy> {
        [
            GroupBy::Pathway,
            GroupBy::Program,
            GroupBy::Organization,
            GroupBy::Period,
        ]
        .into_iter()
        .find(|g| g.as_str() == name)
    }
}

/// The length of a PERIOD group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Enum)]
#[graphql(name = "ReportPeriod", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Period {
    /// Calendar month (`2026-01`).
    Month,
    /// Calendar quarter (`2026-Q1`).
    #[default]
    Quarter,
    /// School year, July to June (`2025-26`).
    SchoolYear,
}

impl Period {
    /// The GraphQL (and CSV) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Month => "MONTH",
            Period::Quarter => "QUARTER",
            Period::SchoolYear => "SCHOOL_YEAR",
        }
    }

    /// Parses a GraphQL name.
    pub fn parse(name: &str) -> Option<Period> {
        [Period::Month, Period::Quarter, Period::SchoolYear]
            .into_iter()
            .find(|p| p.as_str() == name)
    }
}

/// Participant counts the report computes (all of them, whatever metrics
/// were asked, so that suppression does not depend on the question).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(usize)]
pub(crate) enum Count {
    Enrolled,
    Active,
    Completed,
    Credentialed,
    Graduated,
    Mentored,
    Employed,
    UnionMember,
    OjtPeople,
    RtiPeople,
    OjtRequired,
    OjtMet,
    RtiRequired,
    RtiMet,
    StipendBase,
    StipendEligible,
    DualPeople,
    WageEarners,
}

impl Count {
    pub(crate) const ALL: [Count; 18] = [
        Count::Enrolled,
        Count::Active,
        Count::Completed,
        Count::Credentialed,
        Count::Graduated,
        Count::Mentored,
        Count::Employed,
        Count::UnionMember,
        Count::OjtPeople,
        Count::RtiPeople,
        Count::OjtRequired,
        Count::OjtMet,
        Count::RtiRequired,
        Count::RtiMet,
        Count::StipendBase,
        Count::StipendEligible,
        Count::DualPeople,
        Count::WageEarners,
    ];

    /// The counts of the enrollment-grain statement.
    pub(crate) const ENROLLMENT_GRAIN: [Count; 16] = [
        Count::Enrolled,
        Count::Active,
        Count::Completed,
        Count::Credentialed,
        Count::Graduated,
        Count::Mentored,
        Count::Employed,
        Count::UnionMember,
        Count::OjtPeople,
        Count::RtiPeople,
        Count::OjtRequired,
        Count::OjtMet,
        Count::RtiRequired,
        Count::RtiMet,
        Count::StipendBase,
        Count::StipendEligible,
    ];

    /// The SQL column alias.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Count::Enrolled => "n_enrolled",
            Count::Active => "n_active",
            Count::Completed => "n_completed",
            Count::Credentialed => "n_credentialed",
            Count::Graduated => "n_graduated",
            Count::Mentored => "n_mentored",
            Count::Employed => "n_employed",
            Count::UnionMember => "n_union",
            Count::OjtPeople => "n_ojt_people",
            Count::RtiPeople => "n_rti_people",
            Count::OjtRequired => "n_ojt_required",
            Count::OjtMet => "n_ojt_met",
            Count::RtiRequired => "n_rti_required",
            Count::RtiMet => "n_rti_met",
            Count::StipendBase => "n_stipend_base",
            Count::StipendEligible => "n_stipend",
            Count::DualPeople => "n_dual_people",
            Count::WageEarners => "n_wage_earners",
        }
    }
}

/// Sums and the median the report computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub(crate) enum Sum {
    OjtHours,
    RtiHours,
    DualAttempted,
    DualEarned,
    MedianWageCents,
}

impl Sum {
    pub(crate) const ALL: [Sum; 5] = [
        Sum::OjtHours,
        Sum::RtiHours,
        Sum::DualAttempted,
        Sum::DualEarned,
        Sum::MedianWageCents,
    ];

    pub(crate) fn column(self) -> &'static str {
        match self {
            Sum::OjtHours => "s_ojt_hours",
            Sum::RtiHours => "s_rti_hours",
            Sum::DualAttempted => "s_dual_attempted",
            Sum::DualEarned => "s_dual_earned",
            Sum::MedianWageCents => "s_median_wage_cents",
        }
    }
}

/// Narrows a report (validated at the edge into ids).
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub program_id: Option<Uuid>,
    pub pathway_code: Option<String>,
    pub org_slug: Option<String>,
}

/// What a report asks for.
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    pub metrics: Vec<Metric>,
    pub group_by: Vec<GroupBy>,
    pub period: Period,
    /// Enrollments that started (or were applied for) on or after.
    pub from: Option<NaiveDate>,
    /// … and on or before.
    pub to: Option<NaiveDate>,
    pub filter: ReportFilter,
}

/// One figure of a row.
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "ReportCell")]
pub struct Cell {
    /// The metric this figure is of.
    pub metric: Metric,
    /// The figure; `null` when suppressed, or when it has no base (a rate
    /// over nobody, a median of no wages).
    pub value: Option<f64>,
    /// Whether the figure is hidden to protect small groups.
    pub suppressed: bool,
}

/// One dimension of a row's group.
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "ReportGroupPart")]
pub struct GroupPart {
    /// The dimension this part groups by.
    pub dimension: GroupBy,
    /// Program id, organization slug, pathway code (`NONE` for programs
    /// without a pathway) or period (`2026-01`, `2026-Q1`, `2025-26`).
    pub key: String,
    /// A name for people.
    pub label: String,
}

/// The group a row stands for.
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "ReportGroup")]
pub struct Group {
    /// The parts' keys joined with `|` (`TOTAL` for the total row).
    pub key: String,
    /// The parts' labels joined with ` · `.
    pub label: String,
    /// One part per `groupBy` dimension, in that order (none for the total).
    pub parts: Vec<GroupPart>,
}

/// A program's target for a metric, shown on rows that stand for one
/// program (grouped by PROGRAM, or filtered to one program).
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "ReportTarget")]
pub struct Target {
    /// The metric the target is for.
    pub metric: Metric,
    /// The target in the metric's unit for rates (0.95), in hours for
    /// OJT/RTI requirements, in percent of scheduled hours for the stipend.
    pub target: f64,
    /// What the target means, in words (the program's own note when it
    /// gave one).
    pub description: String,
    /// For rate targets: whether the row's figure reaches it (`null` when
    /// suppressed or not a rate).
    pub met: Option<bool>,
}

/// One row of a report (or its total).
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "ReportRow")]
pub struct Row {
    /// The group the row stands for.
    pub group: Group,
    /// One cell per requested metric, in the requested order.
    pub cells: Vec<Cell>,
    /// The program's targets, on rows that stand for one program; else
    /// empty.
    pub targets: Vec<Target>,
}

/// An aggregate report: never row-level data.
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "Report")]
pub struct Report {
    /// The metrics asked for, in the order of each row's cells.
    pub metrics: Vec<Metric>,
    /// The dimensions grouped by, in order.
    pub group_by: Vec<GroupBy>,
    /// The length of a PERIOD group (QUARTER unless asked otherwise).
    pub period: Period,
    /// The date bounds the figures are over: `from` and `to` as asked,
    /// widened to whole periods of `period`.
    pub bounds: super::Bounds,
    /// One row per group with participants, ordered by label; empty when
    /// not grouped.
    pub rows: Vec<Row>,
    /// Every participant of the report once, however many groups they are in.
    pub total: Row,
    /// Counts from 1 to `threshold - 1` are suppressed.
    pub threshold: i32,
    /// How the figures are protected: exact with suppression, or with
    /// differential-privacy noise (the mechanism and its parameters).
    pub privacy: super::privacy::ReportPrivacy,
}
