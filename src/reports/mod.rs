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

mod facts;
pub mod grain;
mod labels;
mod ledger;
mod model;
pub mod privacy;
mod sql;
pub mod suppress;
mod table;

use crate::audit::{Actor, Entry};
use crate::ground::config::ReportsConfig;
use crate::ground::error::{Error, Result};
use crate::ground::replicas::Reads;
use crate::policy::ReportScope;
use entity::enums::{AuditAction, Category};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    IsolationLevel, TransactionTrait,
};

pub use grain::Bounds;
pub use ledger::list as releases;
pub use model::{
    Cell, Group, GroupBy, GroupPart, Metric, Period, Report, ReportFilter, ReportRequest, Row,
    Target,
};
pub(crate) use model::{Count, Sum};
pub use table::csv;

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
    let txn = begin_read_only(db).await?;
    tune(&txn).await?;
    Ok(txn)
}

/// A repeatable-read, read-only transaction (PostgreSQL).
async fn begin_read_only(db: &DatabaseConnection) -> Result<DatabaseTransaction> {
    Ok(db
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?)
}

/// A report is a few large aggregates: JIT compilation costs more than it
/// saves (≈ 300 ms of 1 s on 100 000 participants), and the grouped rows
/// sort in memory with a little more than the default work_mem.
async fn tune(txn: &DatabaseTransaction) -> Result<()> {
    txn.execute_unprepared("SET LOCAL jit = off").await?;
    txn.execute_unprepared("SET LOCAL work_mem = '32MB'")
        .await?;
    Ok(())
}

/// Runs an exact report for the viewer behind `scope`; `threshold` is
/// the suppression threshold (the benchmark's entry).
pub async fn run(
    db: &DatabaseConnection,
    scope: &ReportScope,
    request: &ReportRequest,
    threshold: u32,
) -> Result<Report> {
    let settings = ReportsConfig {
        suppression_threshold: threshold,
        ..ReportsConfig::default()
    };
    run_with(db, scope, request, &settings).await
}

/// Runs a report for the viewer behind `scope` under the `[reports]`
/// settings. A report that crosses organizations (an evaluator's) goes
/// through the release ledger ([`ledger`]) in exact mode, and carries
/// noise paid from the organization's budget in differential mode
/// ([`privacy`]).
pub async fn run_with(
    db: &DatabaseConnection,
    scope: &ReportScope,
    request: &ReportRequest,
    settings: &ReportsConfig,
) -> Result<Report> {
    run_reading(db, db, scope, request, settings).await
}

/// [`run_with`], the figures read on `reader` (the primary, or a replica
/// as current as the primary was: `ground::replicas`); the privacy budget
/// and the release ledger are the primary's (`db`).
pub async fn run_reading(
    db: &DatabaseConnection,
    reader: &DatabaseConnection,
    scope: &ReportScope,
    request: &ReportRequest,
    settings: &ReportsConfig,
) -> Result<Report> {
    validate(request)?;
    let threshold = settings.suppression_threshold;
    let differential = scope.crosses_organizations()
        && settings.privacy == crate::ground::config::Privacy::Differential;
    let dp = if differential {
        privacy::check(request)?;
        Some(privacy::Settings {
            epsilon: settings.epsilon,
            max_hours: settings.max_hours_per_person,
        })
    } else {
        None
    };
    // Fixed grains: the figures are over whole periods, whatever day the
    // bounds name.
    let bounds = Bounds::snap(request.period, request.from, request.to);
    let request = &ReportRequest {
        from: bounds.from,
        to: bounds.to,
        ..request.clone()
    };
    // The privacy loss is paid before any figure is computed, once the
    // request is known to be answerable (its filter and its rows).
    let remaining = match dp {
        Some(dp) => {
            let (directory, pathway_id, org_id) = resolve(db, request).await?;
            let programs =
                ledger::filter_programs(&directory, request.filter.program_id, org_id, pathway_id);
            privacy::rows(request, &directory, &programs, &bounds)?;
            let (org, year) = privacy::payer(scope.org_id());
            Some(privacy::budget::spend(db, org, year, dp.epsilon, settings.yearly_budget).await?)
        }
        None => None,
    };
    let txn = snapshot(reader).await?;
    let second = companion(reader, &txn).await?;
    let computed = run_in(&txn, second.as_ref(), scope, request, threshold, dp).await?;
    if let Some(second) = second {
        second.commit().await?;
    }
    txn.commit().await?;
    let Computed {
        directory,
        table,
        hide_all,
        whole,
        privacy,
    } = computed;
    let threshold = i64::from(threshold);
    let hidden = if scope.crosses_organizations() && dp.is_none() {
        let mut populations = vec![whole.clone()];
        let mut labels = vec![release_label("Total", &bounds, request)];
        for (key, parts, _) in &table.rows {
            populations.push(ledger::row_population(
                &directory,
                &whole,
                key,
                request.period,
            ));
            let label: Vec<&str> = parts.iter().map(|p| p.label.as_str()).collect();
            labels.push(release_label(&label.join(" · "), &bounds, request));
        }
        let release = ledger::Release {
            scope,
            request,
            table: &table,
            populations,
            labels,
            universe: ledger::universe(&directory),
            threshold,
            hide_all,
        };
        ledger::release(db, release).await?
    } else {
        table::hide(&table, threshold, hide_all, &suppress::Hidden::default())
    };
    let mut report = table::finish(request, &directory, table, &hidden, threshold);
    if let Some(mut privacy) = privacy {
        privacy.budget_remaining = remaining;
        report.privacy = privacy;
    }
    Ok(report)
}

/// A released population's name for the hub admin: the group, the bounds
/// and the filter.
fn release_label(group: &str, bounds: &Bounds, request: &ReportRequest) -> String {
    let end = |d: Option<chrono::NaiveDate>| d.map_or("…".to_owned(), |d| d.to_string());
    let mut label = format!("{group} ({} to {}", end(bounds.from), end(bounds.to));
    if let Some(id) = request.filter.program_id {
        label.push_str(&format!("; program {id}"));
    }
    if let Some(code) = &request.filter.pathway_code {
        label.push_str(&format!("; pathway {code}"));
    }
    if let Some(slug) = &request.filter.org_slug {
        label.push_str(&format!("; organization {slug}"));
    }
    label.push(')');
    label
}

/// A report's figures before suppression, and what suppression needs.
struct Computed {
    directory: labels::Directory,
    table: table::Table,
    hide_all: bool,
    /// The population the report's filter and bounds leave.
    whole: ledger::rules::Population,
    /// Differential mode: how the figures were noised.
    privacy: Option<privacy::ReportPrivacy>,
}

/// On PostgreSQL, a second read-only transaction on `txn`'s snapshot
/// (`pg_export_snapshot`), so the report's two statements can run at the
/// same time on two connections and still see one state of the data.
async fn companion(
    db: &DatabaseConnection,
    txn: &DatabaseTransaction,
) -> Result<Option<DatabaseTransaction>> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    let exported = txn
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_export_snapshot() AS id",
        ))
        .await?
        .ok_or_else(|| Error::Internal("no snapshot id".into()))?
        .try_get::<String>("", "id")?;
    // A snapshot id is hex digits and dashes, written into the text.
    if !exported.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(Error::Internal(format!(
            "unexpected snapshot id {exported}"
        )));
    }
    let second = begin_read_only(db).await?;
    second
        .execute_unprepared(&format!("SET TRANSACTION SNAPSHOT '{exported}'"))
        .await?;
    tune(&second).await?;
    Ok(Some(second))
}

/// The directory, and the ids the request's filter names (each unknown
/// one `BAD_USER_INPUT` naming its field).
async fn resolve<C: ConnectionTrait>(
    db: &C,
    request: &ReportRequest,
) -> Result<(labels::Directory, Option<uuid::Uuid>, Option<uuid::Uuid>)> {
    let directory = labels::Directory::load(db).await?;
    let pathway_id =
        match &request.filter.pathway_code {
            Some(code) => Some(directory.pathway_id(code).ok_or_else(|| {
                Error::bad_input("filter.pathwayCode", "no pathway has this code")
            })?),
            None => None,
        };
    let org_id = match &request.filter.org_slug {
        Some(slug) => {
            Some(crate::directory::organizations::id_by_slug(db, slug, "filter.orgSlug").await?)
        }
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
    Ok((directory, pathway_id, org_id))
}

async fn run_in(
    db: &DatabaseTransaction,
    second: Option<&DatabaseTransaction>,
    scope: &ReportScope,
    request: &ReportRequest,
    threshold: u32,
    dp: Option<privacy::Settings>,
) -> Result<Computed> {
    let (directory, pathway_id, org_id) = resolve(db, request).await?;
    let plan = sql::Plan {
        scope,
        group_by: &request.group_by,
        period: request.period,
        from: request.from,
        to: request.to,
        program_id: request.filter.program_id,
        pathway_id,
        org_id,
        clamp_hours: dp.map(|dp| dp.max_hours),
    };
    let mut aggregates = sql::aggregate(db, second, &plan).await?;
    let programs =
        ledger::filter_programs(&directory, request.filter.program_id, org_id, pathway_id)
            .normalize(&ledger::universe(&directory));
    if let Some(dp) = dp {
        // Nothing below reads an exact figure: suppression runs on the
        // noisy ones, and the exact-only rules do not run.
        let noise = &mut privacy::noise::Noise::from_os()?;
        let privacy = privacy::apply(&mut aggregates, request, &directory, &programs, dp, noise)?;
        let table = table::prepare(request, &directory, aggregates);
        return Ok(Computed {
            whole: ledger::rules::Population {
                programs,
                months: Bounds::snap(request.period, request.from, request.to).months(),
            },
            directory,
            table,
            hide_all: false,
            privacy: Some(privacy),
        });
    }
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
    let whole = ledger::rules::Population {
        programs,
        months: Bounds::snap(request.period, request.from, request.to).months(),
    };
    let table = table::prepare(request, &directory, aggregates);
    Ok(Computed {
        directory,
        table,
        hide_all,
        whole,
        privacy: None,
    })
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
    reads: &Reads,
    scope: &ReportScope,
    actor: &Actor,
    request: &ReportRequest,
    settings: &ReportsConfig,
    format: &str,
) -> Result<Report> {
    let db = reads.primary();
    let reader = reads.reader().await?;
    let report = run_reading(db, &reader, scope, request, settings).await?;
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
    if let Some(epsilon) = report.privacy.epsilon {
        detail.push_str(&format!(";privacy=differential;epsilon={epsilon}"));
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
    let mut entry = Entry::denied("report", format!("format={format}"));
    entry.categories = CATEGORIES.to_vec();
    crate::audit::record(db, actor, vec![entry]).await
}

/// A report for a viewer, as GraphQL and CSV serve it: the policy decides
/// which rows feed it (or refuses: `FORBIDDEN`, audited as `DENY`), the
/// run is audited as `EXPORT`.
pub async fn for_viewer(
    reads: &Reads,
    viewer: &crate::auth::Viewer,
    request_id: &str,
    request: &ReportRequest,
    settings: &ReportsConfig,
    format: &str,
) -> Result<Report> {
    let actor = Actor::of(viewer, request_id);
    let today = chrono::Utc::now().date_naive();
    let scope = match crate::policy::report_scope(viewer, today) {
        Ok(scope) => scope,
        Err(err) => {
            deny(reads.primary(), &actor, format).await?;
            return Err(err);
        }
    };
    export(reads, &scope, &actor, request, settings, format).await
}
