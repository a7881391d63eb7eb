//! `bench report`: the full report (every metric, grouped by program and
//! period) over the configured database, as an evaluator and as an
//! org_admin, timed in process (no HTTP: the figure is the SQL and the
//! suppression, which is what the report costs); on PostgreSQL, beside
//! it, the floor: the same figures from one hand-written statement
//! ([`super::report_floor`]).

use std::time::Instant;

use sea_orm::DatabaseConnection;

use super::percentile;
use super::report_floor::{self, FloorAnswer, FloorViewer};
use crate::auth::{Role, Viewer};
use crate::ground::config::{Privacy, ReportsConfig};
use crate::ground::error::{Error, Result};
use crate::reports::{self, GroupBy, Metric, Period, ReportRequest};

/// What `bench report` needs.
pub struct ReportArgs {
    pub db: DatabaseConnection,
    /// Where the figures are read: the primary, or a replica that has
    /// caught up when `database_read_urls` names one (the ledger and the
    /// budget stay on the primary, as in the hub).
    pub reads: std::sync::Arc<crate::ground::replicas::Reads>,
    /// Runs per viewer (after one warm-up run).
    pub runs: usize,
    /// `(organization slug, role)` of each viewer to time.
    pub viewers: Vec<(String, Role)>,
    pub threshold: u32,
}

/// Times the report; prints one line per viewer, the last line as JSON.
pub async fn run(args: ReportArgs) -> Result<serde_json::Value> {
    let settings = ReportsConfig {
        suppression_threshold: args.threshold,
        ..ReportsConfig::default()
    };
    run_with(args, &settings).await
}

/// [`run`] under the `[reports]` settings: in differential mode the
/// evaluator's report leaves out the metrics that mode does not offer
/// and is bounded to the demo's school years 2024-25 to 2026-27 (its rows
/// are every program × quarter); each run spends `epsilon` of the
/// evaluator's budget (raise `reports.yearly_budget` for a benchmark).
pub async fn run_with(args: ReportArgs, settings: &ReportsConfig) -> Result<serde_json::Value> {
    let mut request = ReportRequest {
        metrics: Metric::ALL.to_vec(),
        group_by: vec![GroupBy::Program, GroupBy::Period],
        period: Period::Quarter,
        ..ReportRequest::default()
    };
    if settings.privacy == Privacy::Differential {
        request.metrics.retain(|m| {
            !matches!(
                m,
                Metric::MedianHourlyWage | Metric::DualUnitsAttempted | Metric::DualUnitsEarned
            )
        });
        request.from = chrono::NaiveDate::from_ymd_opt(2024, 7, 1);
        request.to = chrono::NaiveDate::from_ymd_opt(2027, 6, 30);
    }
    let today = chrono::Utc::now().date_naive();
    let mut results = Vec::new();
    for (slug, role) in &args.viewers {
        let org = crate::directory::organizations::by_slug(&args.db, slug)
            .await?
            .ok_or_else(|| Error::bad_input("org", format!("no organization `{slug}`")))?;
        let viewer = Viewer {
            subject: format!("bench@{slug}"),
            org_id: org.id,
            org_slug: org.slug,
            roles: vec![*role],
            participant_id: None,
            reach: None,
        };
        let scope = crate::policy::report_scope(&viewer, today)?;
        let reader = args.reads.reader().await?;
        let warm = reports::run_reading(&args.db, &reader, &scope, &request, settings).await?;
        let mut millis = Vec::with_capacity(args.runs);
        for _ in 0..args.runs.max(1) {
            let started = Instant::now();
            let reader = args.reads.reader().await?;
            reports::run_reading(&args.db, &reader, &scope, &request, settings).await?;
            millis.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        millis.sort_by(f64::total_cmp);
        let population = warm
            .total
            .cells
            .first()
            .and_then(|c| c.value)
            .unwrap_or_default();
        let (min, p50, max) = (
            millis.first().copied().unwrap_or_default(),
            percentile(&millis, 50.0),
            millis.last().copied().unwrap_or_default(),
        );
        println!(
            "report ({:?}{}) as {} of {slug}: {} rows, {population} participants, {} runs: min {min:.0} ms, p50 {p50:.0} ms, max {max:.0} ms",
            warm.privacy.mode,
            if args.reads.has_replicas() {
                ", read on a replica"
            } else {
                ""
            },
            role.claim(),
            warm.rows.len(),
            millis.len()
        );
        let floor = floor(&reader, viewer.org_id, *role, args.runs).await;
        if let Some((answer, floor_min, floor_p50)) = floor {
            println!(
                "  floor (one hand-written statement): {} rows, {} participants: min {floor_min:.0} ms, p50 {floor_p50:.0} ms",
                answer.rows, answer.participants
            );
        }
        results.push(serde_json::json!({
            "floor_p50_ms": floor.map(|f| f.2),
            "floor_min_ms": floor.map(|f| f.1),
            "floor_participants": floor.map(|f| f.0.participants),
            "viewer": format!("{}@{slug}", role.claim()),
            "privacy": format!("{:?}", warm.privacy.mode),
            "rows": warm.rows.len(),
            "participants": population,
            "runs": millis.len(),
            "min_ms": min,
            "p50_ms": p50,
            "max_ms": max,
        }));
    }
    let summary = serde_json::json!({ "bench": "report", "results": results });
    println!("{summary}");
    Ok(summary)
}

/// The floor's answer, min and p50 over `runs` runs after one warm-up, as
/// `role` of `org`; `None` on SQLite or if the statement failed.
async fn floor(
    db: &DatabaseConnection,
    org: uuid::Uuid,
    role: Role,
    runs: usize,
) -> Option<(FloorAnswer, f64, f64)> {
    let viewer = match role {
        Role::Evaluator => FloorViewer::Evaluator(org),
        _ => FloorViewer::OrgAdmin(org),
    };
    let (answer, _) = report_floor::run_once(db, viewer).await?;
    let mut millis = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        millis.push(report_floor::run_once(db, viewer).await?.1);
    }
    millis.sort_by(f64::total_cmp);
    Some((answer, millis[0], percentile(&millis, 50.0)))
}
