//! Cross-partner aggregate reports with small-cell suppression (DESIGN.md
//! section 6, issue 10).
//!
//! Guarantees:
//! - participants are counted by hub id: a youth known to three partners
//!   counts once in a group and once in the total;
//! - every aggregate is computed in SQL ([`sql`]) over the rows the viewer's
//!   [`ReportScope`] lets feed a report; no participant row is loaded;
//! - small counts (1 to threshold − 1) and the cells that could reveal them
//!   are suppressed ([`suppress`]); rates, sums and medians over a
//!   suppressed base are suppressed too;
//! - a report whose population is small, or whose filter leaves out a small
//!   group of the viewer's whole reach, is suppressed entirely, so
//!   narrowing a filter cannot single anyone out;
//! - every run is an `EXPORT` audit event ([`export`]).

mod labels;
mod sql;
pub mod suppress;
mod table;

use async_graphql::{Enum, SimpleObject};
use chrono::NaiveDate;
use entity::enums::{AuditAction, Category};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    IsolationLevel, TransactionTrait,
};
use uuid::Uuid;

use crate::audit::{Actor, Entry};
use crate::error::{Error, Result};
use crate::policy::ReportScope;

pub use table::csv;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    const ALL: [Count; 18] = [
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
    const ENROLLMENT_GRAIN: [Count; 16] = [
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
    fn column(self) -> &'static str {
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
    const ALL: [Sum; 5] = [
        Sum::OjtHours,
        Sum::RtiHours,
        Sum::DualAttempted,
        Sum::DualEarned,
        Sum::MedianWageCents,
    ];

    fn column(self) -> &'static str {
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
    pub parts: Vec<GroupPart>,
}

/// A program's target for a metric, shown on rows that stand for one
/// program (grouped by PROGRAM, or filtered to one program).
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "ReportTarget")]
pub struct Target {
    pub metric: Metric,
    /// The target in the metric's unit for rates (0.95), in hours for
    /// OJT/RTI requirements, in percent of scheduled hours for the stipend.
    pub target: f64,
    pub description: String,
    /// For rate targets: whether the row's figure reaches it (`null` when
    /// suppressed or not a rate).
    pub met: Option<bool>,
}

/// One row of a report (or its total).
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "ReportRow")]
pub struct Row {
    pub group: Group,
    /// One cell per requested metric, in the requested order.
    pub cells: Vec<Cell>,
    pub targets: Vec<Target>,
}

/// An aggregate report: never row-level data.
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "Report")]
pub struct Report {
    pub metrics: Vec<Metric>,
    pub group_by: Vec<GroupBy>,
    pub period: Period,
    pub rows: Vec<Row>,
    /// Every participant of the report once, however many groups they are in.
    pub total: Row,
    /// Counts from 1 to `threshold - 1` are suppressed.
    pub threshold: i32,
}

/// Checks a request; the error names the input field.
fn validate(request: &ReportRequest) -> Result<()> {
    if request.metrics.is_empty() {
        return Err(Error::bad_input("metrics", "name at least one metric"));
    }
    let mut seen = request.group_by.clone();
    seen.sort();
    seen.dedup();
    if seen.len() != request.group_by.len() {
        return Err(Error::bad_input("groupBy", "name each dimension once"));
    }
    if let (Some(from), Some(to)) = (request.from, request.to)
        && from > to
    {
        return Err(Error::bad_input("to", "must not be before `from`"));
    }
    Ok(())
}

/// A read-only transaction for one report, so that its statements (groups,
/// total, reach) see one snapshot of the data.
async fn snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(db.begin().await?);
    }
    let txn = db
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    // A report is a few large aggregates: JIT compilation costs more than
    // it saves (≈ 300 ms of 1 s on 100 000 participants), and the grouped
    // rows sort in memory with a little more than the default work_mem.
    txn.execute_unprepared("SET LOCAL jit = off").await?;
    txn.execute_unprepared("SET LOCAL work_mem = '32MB'")
        .await?;
    Ok(txn)
}

/// Runs a report for the viewer behind `scope`; `threshold` is the
/// configured suppression threshold.
pub async fn run(
    db: &DatabaseConnection,
    scope: &ReportScope,
    request: &ReportRequest,
    threshold: u32,
) -> Result<Report> {
    validate(request)?;
    let txn = snapshot(db).await?;
    let report = run_in(&txn, scope, request, threshold).await?;
    txn.commit().await?;
    Ok(report)
}

async fn run_in(
    db: &DatabaseTransaction,
    scope: &ReportScope,
    request: &ReportRequest,
    threshold: u32,
) -> Result<Report> {
    let directory = labels::Directory::load(db).await?;
    let pathway_id =
        match &request.filter.pathway_code {
            Some(code) => Some(directory.pathway_id(code).ok_or_else(|| {
                Error::bad_input("filter.pathwayCode", "no pathway has this code")
            })?),
            None => None,
        };
    let org_id = match &request.filter.org_slug {
        Some(slug) => Some(crate::organizations::id_by_slug(db, slug, "filter.orgSlug").await?),
        None => None,
    };
    if let Some(id) = request.filter.program_id
        && !directory.has_program(id)
    {
        return Err(Error::bad_input(
            "filter.programId",
            "no program has this id",
        ));
    }
    let plan = sql::Plan {
        scope,
        group_by: &request.group_by,
        period: request.period,
        from: request.from,
        to: request.to,
        program_id: request.filter.program_id,
        pathway_id,
        org_id,
    };
    let aggregates = sql::aggregate(db, &plan).await?;
    let threshold = i64::from(threshold);
    let population = aggregates.total.counts[Count::Enrolled as usize];
    let mut hide_all = suppress::is_small(population, threshold);
    let narrowed = request.from.is_some()
        || request.to.is_some()
        || request.filter.program_id.is_some()
        || pathway_id.is_some()
        || org_id.is_some();
    if narrowed && !hide_all {
        let left_out = sql::reach(db, scope).await? - population;
        hide_all = suppress::is_small(left_out, threshold);
    }
    Ok(table::build(
        request, &directory, aggregates, threshold, hide_all,
    ))
}

/// The categories a report's figures draw on (for the audit entry).
const CATEGORIES: [Category; 6] = [
    Category::Enrollment,
    Category::Progress,
    Category::Credentials,
    Category::Mentorship,
    Category::EducationRecords,
    Category::Outcomes,
];

/// Runs a report and records it as one `EXPORT` audit event (`format`:
/// `graphql` or `csv`). The entry names the metrics, groups and filters,
/// never a participant.
pub async fn export(
    db: &DatabaseConnection,
    scope: &ReportScope,
    actor: &Actor,
    request: &ReportRequest,
    threshold: u32,
    format: &str,
) -> Result<Report> {
    let report = run(db, scope, request, threshold).await?;
    let suppressed = report
        .rows
        .iter()
        .chain(std::iter::once(&report.total))
        .flat_map(|row| &row.cells)
        .filter(|cell| cell.suppressed)
        .count();
    let names = |items: Vec<&str>| items.join(",");
    let mut detail = format!(
        "format={format};metrics={};groupBy={};rows={};suppressedCells={suppressed}",
        names(request.metrics.iter().map(|m| m.as_str()).collect()),
        names(request.group_by.iter().map(|g| g.as_str()).collect()),
        report.rows.len(),
    );
    if request.group_by.contains(&GroupBy::Period) {
        detail.push_str(&format!(";period={}", request.period.as_str()));
    }
    if let Some(id) = request.filter.program_id {
        detail.push_str(&format!(";programId={id}"));
    }
    if let Some(code) = &request.filter.pathway_code {
        detail.push_str(&format!(";pathwayCode={code}"));
    }
    if let Some(slug) = &request.filter.org_slug {
        detail.push_str(&format!(";orgSlug={slug}"));
    }
    if let Some(from) = request.from {
        detail.push_str(&format!(";from={from}"));
    }
    if let Some(to) = request.to {
        detail.push_str(&format!(";to={to}"));
    }
    let entry = Entry {
        action: AuditAction::Export,
        entity: "report",
        entity_id: None,
        participant_id: None,
        owner_org_id: None,
        categories: CATEGORIES.to_vec(),
        detail: Some(detail),
    };
    crate::audit::record(db, actor, vec![entry]).await?;
    Ok(report)
}

/// Records a refused report request as a `DENY` audit event.
pub async fn deny(db: &DatabaseConnection, actor: &Actor, format: &str) -> Result<()> {
    let entry = Entry {
        action: AuditAction::Deny,
        entity: "report",
        entity_id: None,
        participant_id: None,
        owner_org_id: None,
        categories: CATEGORIES.to_vec(),
        detail: Some(format!("format={format}")),
    };
    crate::audit::record(db, actor, vec![entry]).await
}

/// A report for a viewer, as GraphQL and CSV serve it: the policy decides
/// which rows feed it (or refuses: `FORBIDDEN`, audited as `DENY`), the
/// run is audited as `EXPORT`.
pub async fn for_viewer(
    db: &DatabaseConnection,
    viewer: &crate::auth::Viewer,
    request_id: &str,
    request: &ReportRequest,
    threshold: u32,
    format: &str,
) -> Result<Report> {
    let actor = Actor::of(viewer, request_id);
    let today = chrono::Utc::now().date_naive();
    let scope = match crate::policy::report_scope(viewer, today) {
        Ok(scope) => scope,
        Err(err) => {
            deny(db, &actor, format).await?;
            return Err(err);
        }
    };
    export(db, &scope, &actor, request, threshold, format).await
}
