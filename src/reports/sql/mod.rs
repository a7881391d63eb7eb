//! The report's aggregates as two SQL statements (plus one count when a
//! filter narrows the population). Every participant row that feeds them is
//! chosen by the viewer's [`ReportScope`]; only aggregated cells leave the
//! database.
//!
//! - The enrollment grain (`enrollment_statement`): enrollments `b` with
//!   their program, approved hours per enrollment `h`, and the participant's
//!   credential, mentorship and outcome flags (`c`, `m`, `o`) are joined
//!   (`j`), reduced to one row per group and participant (`pg`; `pt` for the
//!   total) and counted: participants are unduplicated by hub id without
//!   `COUNT(DISTINCT …)`.
//! - The participant grain (`participant_statement`): one row per
//!   participant and group, for sums that must count a person once
//!   (dual-enrollment units) and the median hourly wage (window functions,
//!   portable to SQLite and PostgreSQL).
//!
//! Both statements answer the groups and, in the same statement (`UNION
//! ALL`), the total over every participant, so a youth in two programs
//! counts in each program's row and once in the total.

use chrono::NaiveDate;
use entity::enums::Category;
use entity::{enrollment, program};
use sea_orm::sea_query::{
    Alias, CommonTableExpression, Expr, ExprTrait, Func, Query, SelectStatement,
};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult};
use uuid::Uuid;

use super::{Count, GroupBy, Period, Sum};
use crate::ground::error::Result;
use crate::policy::ReportScope;

mod enrollment_grain;
mod participant_grain;
pub(super) mod regions;

use enrollment_grain::enrollment_statement;
use participant_grain::participant_statement;

/// What the statements select and group.
pub(super) struct Plan<'a> {
    pub scope: &'a ReportScope,
    pub group_by: &'a [GroupBy],
    pub period: Period,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub program_id: Option<Uuid>,
    pub pathway_id: Option<Uuid>,
    pub org_id: Option<Uuid>,
    /// Differential mode: a participant's approved hours in a group count
    /// up to this many.
    pub clamp_hours: Option<f64>,
}

/// One group's key as read from SQL, in `group_by` order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum KeyPart {
    Program(Option<Uuid>),
    Organization(Option<Uuid>),
    Pathway(Option<Uuid>),
    Period(i64, i64),
}

/// Aggregates of one group (or of the total, `key` empty).
#[derive(Debug, Clone, Default)]
pub(super) struct Cells {
    pub counts: [i64; Count::ALL.len()],
    pub sums: [Option<f64>; Sum::ALL.len()],
}

/// The total and the groups' cells, as SQL answered them.
#[derive(Debug, Default)]
pub(super) struct Aggregates {
    pub total: Cells,
    pub groups: std::collections::BTreeMap<Vec<KeyPart>, Cells>,
}

pub(super) fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// The enrollment date a report's period and from/to refer to: when the
/// enrollment started, or when the youth applied.
fn cohort_date() -> Expr {
    Func::coalesce([
        Expr::col((enrollment::Entity, enrollment::Column::StartedOn)),
        Expr::col((enrollment::Entity, enrollment::Column::AppliedOn)),
    ])
    .into()
}

/// `(year, sub)` of the period the cohort date falls in: the month, the
/// quarter (1–4), or the school year (July–June) named by its first year.
fn period_sql(backend: DbBackend, period: Period) -> (String, String) {
    let date = "COALESCE(\"enrollment\".\"started_on\", \"enrollment\".\"applied_on\")";
    let (year, month) = match backend {
        DbBackend::Postgres => (
            format!("CAST(EXTRACT(YEAR FROM {date}) AS BIGINT)"),
            format!("CAST(EXTRACT(MONTH FROM {date}) AS BIGINT)"),
        ),
        _ => (
            format!("CAST(strftime('%Y', {date}) AS INTEGER)"),
            format!("CAST(strftime('%m', {date}) AS INTEGER)"),
        ),
    };
    match period {
        Period::Month => (year, month),
        Period::Quarter => (year, format!("(({month}) + 2) / 3")),
        Period::SchoolYear => (
            format!("CASE WHEN {month} >= 7 THEN {year} ELSE ({year}) - 1 END"),
            "CAST(0 AS BIGINT)".to_owned(),
        ),
    }
}

/// `b`: the enrollments that feed the report (ENROLLMENT category), with
/// their program's requirements and the period.
fn base(plan: &Plan<'_>, backend: DbBackend) -> SelectStatement {
    use enrollment::Column as E;
    use program::Column as P;
    let (year, sub) = period_sql(backend, plan.period);
    let mut q = Query::select();
    q.expr_as(Expr::col((enrollment::Entity, E::Id)), a("eid"))
        .expr_as(Expr::col((enrollment::Entity, E::ParticipantId)), a("pid"))
        .expr_as(Expr::col((enrollment::Entity, E::Status)), a("status"))
        .expr_as(Expr::col((program::Entity, P::Id)), a("program_id"))
        .expr_as(Expr::col((program::Entity, P::OrgId)), a("org_id"))
        .expr_as(Expr::col((program::Entity, P::PathwayId)), a("pathway_id"))
        .expr_as(Expr::cust(year), a("py"))
        .expr_as(Expr::cust(sub), a("ps"))
        .expr_as(
            Expr::col((program::Entity, P::RequiredOjtHours)),
            a("req_ojt"),
        )
        .expr_as(
            Expr::col((program::Entity, P::RequiredRtiHours)),
            a("req_rti"),
        )
        .expr_as(Expr::col((program::Entity, P::ScheduledHours)), a("sched"))
        .expr_as(
            Expr::col((program::Entity, P::StipendThresholdPct)),
            a("thr"),
        )
        // Hours are kept by the enrollment's organization, so whether its
        // hours (PROGRESS) feed the report is decided once per enrollment,
        // not once per hour log (as `records::hour_totals` does).
        .expr_as(
            Expr::case(
                plan.scope.condition(
                    Category::Progress,
                    (enrollment::Entity, E::OwnerOrgId),
                    (enrollment::Entity, E::ParticipantId),
                ),
                Expr::cust("1"),
            )
            .finally(Expr::cust("0")),
            a("progress_ok"),
        )
        .from(enrollment::Entity)
        .inner_join(
            program::Entity,
            Expr::col((program::Entity, P::Id)).equals((enrollment::Entity, E::ProgramId)),
        )
        .cond_where(plan.scope.condition(
            Category::Enrollment,
            (enrollment::Entity, E::OwnerOrgId),
            (enrollment::Entity, E::ParticipantId),
        ));
    if let Some(id) = plan.program_id {
        q.and_where(Expr::col((enrollment::Entity, E::ProgramId)).eq(id));
    }
    if let Some(id) = plan.org_id {
        q.and_where(Expr::col((program::Entity, P::OrgId)).eq(id));
    }
    if let Some(id) = plan.pathway_id {
        q.and_where(Expr::col((program::Entity, P::PathwayId)).eq(id));
    }
    if let Some(from) = plan.from {
        q.and_where(cohort_date().gte(from));
    }
    if let Some(to) = plan.to {
        q.and_where(cohort_date().lte(to));
    }
    q.to_owned()
}

fn cte(name: &str, query: SelectStatement) -> CommonTableExpression {
    CommonTableExpression::new()
        .query(query)
        .table_name(a(name))
        .to_owned()
}

/// A common table expression that several parts of the statement read,
/// computed once (`AS MATERIALIZED`). SQLite 3.51 (the bundled one) inlines
/// a CTE into every place that reads it unless told not to: the base of
/// enrollments `b`, with its policy sub-queries per enrollment, ran once
/// for each fact joined to it — 3.5–4.1 s for an evaluator's enrollment
/// statement at 100 000 participants, against ~1 s materialized.
/// PostgreSQL materializes a CTE read more than once anyway.
fn shared_cte(name: &str, query: SelectStatement) -> CommonTableExpression {
    cte(name, query).materialized(true).to_owned()
}

/// The group columns of `b` (or of a table with `g_*` columns), as
/// `(expression, alias)`.
fn dims(group_by: &[GroupBy], table: &str, from_base: bool) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for dim in group_by {
        let cols: &[(&str, &'static str)] = match dim {
            GroupBy::Program => &[("program_id", "g_program")],
            GroupBy::Organization => &[("org_id", "g_org")],
            GroupBy::Pathway => &[("pathway_id", "g_pathway")],
            GroupBy::Period => &[("py", "g_py"), ("ps", "g_ps")],
        };
        for (col, alias) in cols {
            let source = if from_base { *col } else { *alias };
            out.push((format!("{table}.{source}"), *alias));
        }
    }
    out
}

/// Adds the group columns (or NULLs, for the total branch) and the
/// `is_total` marker to a select.
fn select_dims(q: &mut SelectStatement, dims: &[(String, &'static str)], total: bool) {
    for (expr, alias) in dims {
        if total {
            q.expr_as(Expr::cust("NULL"), a(alias));
        } else {
            q.expr_as(Expr::cust(expr.clone()), a(alias));
            q.add_group_by([Expr::cust(expr.clone())]);
        }
    }
    // BIGINT on both databases, so it reads as i64.
    let marker = if total {
        "CAST(1 AS BIGINT)"
    } else {
        "CAST(0 AS BIGINT)"
    };
    q.expr_as(Expr::cust(marker), a("is_total"));
}

fn read_key(row: &QueryResult, group_by: &[GroupBy]) -> Result<Vec<KeyPart>> {
    let mut key = Vec::with_capacity(group_by.len());
    for dim in group_by {
        key.push(match dim {
            GroupBy::Program => KeyPart::Program(row.try_get("", "g_program")?),
            GroupBy::Organization => KeyPart::Organization(row.try_get("", "g_org")?),
            GroupBy::Pathway => KeyPart::Pathway(row.try_get("", "g_pathway")?),
            GroupBy::Period => KeyPart::Period(
                row.try_get::<Option<i64>>("", "g_py")?.unwrap_or_default(),
                row.try_get::<Option<i64>>("", "g_ps")?.unwrap_or_default(),
            ),
        });
    }
    Ok(key)
}

fn is_total(row: &QueryResult) -> Result<bool> {
    Ok(row.try_get::<i64>("", "is_total")? == 1)
}

/// Runs the statements and collects the cells of every group and the total.
/// The report's two statements: the enrollment grain on `db` and the
/// participant grain on `other` when given — a second transaction on the
/// same snapshot (PostgreSQL), so the two run at the same time on two
/// connections — else one after the other on `db`.
pub(super) async fn aggregate<C: ConnectionTrait>(
    db: &C,
    other: Option<&C>,
    plan: &Plan<'_>,
) -> Result<Aggregates> {
    let backend = db.get_database_backend();
    let enrollment = enrollment_statement(plan, backend);
    let participant = participant_statement(plan, backend);
    let (enrollment_rows, participant_rows) = match other {
        Some(other) => {
            async_graphql::futures_util::future::try_join(
                db.query_all(&enrollment),
                other.query_all(&participant),
            )
            .await?
        }
        None => (
            db.query_all(&enrollment).await?,
            db.query_all(&participant).await?,
        ),
    };
    let mut out = Aggregates::default();
    for row in enrollment_rows {
        let cells = if is_total(&row)? {
            &mut out.total
        } else {
            out.groups
                .entry(read_key(&row, plan.group_by)?)
                .or_default()
        };
        for count in Count::ENROLLMENT_GRAIN {
            cells.counts[count as usize] = row.try_get("", count.column())?;
        }
        for sum in [Sum::OjtHours, Sum::RtiHours] {
            cells.sums[sum as usize] = row.try_get("", sum.column())?;
        }
    }
    for row in participant_rows {
        let cells = if is_total(&row)? {
            &mut out.total
        } else {
            out.groups
                .entry(read_key(&row, plan.group_by)?)
                .or_default()
        };
        for count in [Count::DualPeople, Count::WageEarners] {
            cells.counts[count as usize] = row.try_get("", count.column())?;
        }
        for sum in [Sum::DualAttempted, Sum::DualEarned, Sum::MedianWageCents] {
            cells.sums[sum as usize] = row.try_get("", sum.column())?;
        }
    }
    Ok(out)
}

/// How many participants the viewer's reports reach with no filter and no
/// dates: a narrowed report must not leave out a small group that could be
/// recovered by subtracting it from the unfiltered one.
pub(super) async fn reach<C: ConnectionTrait>(db: &C, scope: &ReportScope) -> Result<i64> {
    use enrollment::Column as E;
    let q = Query::select()
        .expr_as(
            Expr::cust("COUNT(DISTINCT \"enrollment\".\"participant_id\")"),
            a("n"),
        )
        .from(enrollment::Entity)
        .cond_where(scope.condition(
            Category::Enrollment,
            (enrollment::Entity, E::OwnerOrgId),
            (enrollment::Entity, E::ParticipantId),
        ))
        .to_owned();
    let q = scope.statement(db.get_database_backend(), q);
    match db.query_one_raw(q).await? {
        Some(row) => Ok(row.try_get("", "n")?),
        None => Ok(0),
    }
}

/// The stored names the statements compare with, spelled out in their SQL.
#[cfg(test)]
mod tests {
    use entity::enums::EnrollmentStatus;
    use sea_orm::sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

    use super::*;
    use crate::auth::{Role, Viewer};

    #[test]
    fn status_names_match_the_stored_ones() {
        assert_eq!(EnrollmentStatus::Active.as_str(), "ACTIVE");
        assert_eq!(EnrollmentStatus::Completed.as_str(), "COMPLETED");
    }

    /// The base of enrollments, with its policy sub-queries, is computed once
    /// per statement: SQLite inlines a CTE into each reader unless it is
    /// marked, and then ran the base once per fact (~3× the time).
    #[test]
    fn the_shared_parts_of_both_statements_are_materialized() {
        let viewer = Viewer {
            subject: "s".into(),
            org_id: Uuid::from_u128(9),
            org_slug: "harder-co".into(),
            roles: vec![Role::Evaluator],
            participant_id: None,
            reach: None,
        };
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        let Ok(scope) = crate::policy::report_scope(&viewer, today) else {
            panic!("an evaluator runs reports");
        };
        let plan = Plan {
            scope: &scope,
            group_by: &[GroupBy::Program, GroupBy::Period],
            period: Period::Quarter,
            from: None,
            to: None,
            program_id: None,
            pathway_id: None,
            org_id: None,
            clamp_hours: None,
        };
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            let sql = |w: sea_orm::sea_query::WithQuery| {
                let text = match backend {
                    DbBackend::Sqlite => w.to_string(SqliteQueryBuilder),
                    _ => w.to_string(PostgresQueryBuilder),
                };
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            };
            let enrollment = sql(enrollment_statement(&plan, backend));
            assert!(
                enrollment.contains(r#""b" AS MATERIALIZED ("#),
                "{enrollment}"
            );
            assert!(
                enrollment.contains(r#""j" AS MATERIALIZED ("#),
                "{enrollment}"
            );
            let participant = sql(participant_statement(&plan, backend));
            assert!(
                participant.contains(r#""b" AS MATERIALIZED ("#),
                "{participant}"
            );
        }
    }
}
