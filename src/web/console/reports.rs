//! The console's report page: the `report` query as a table and a
//! server-rendered SVG bar chart an evaluator can put in a funder update,
//! with the CSV of the same figures. Suppressed cells stay suppressed here
//! too: they are drawn as a hatched stub labelled "suppressed", never as a
//! number.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, PreEscaped, html};
use serde_json::{Value, json};

use super::{gql, page, session, text, to_login};
use crate::web::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/reports", get(reports))
        .route("/admin/releases", get(releases))
}

/// Metrics offered on the page, with their labels; rates end in `_RATE`,
/// `_ATTAINMENT` or `_COVERAGE`.
const METRICS: &[(&str, &str)] = &[
    ("ENROLLED", "Enrolled"),
    ("ACTIVE", "Active"),
    ("COMPLETED", "Completed"),
    ("COMPLETION_RATE", "Completion rate"),
    ("CREDENTIAL_ATTAINMENT", "Credential attainment"),
    ("OJT_HOURS", "Approved OJT hours"),
    ("RTI_HOURS", "Approved RTI hours"),
    ("OJT_REQUIREMENT_MET", "Met the OJT requirement"),
    ("STIPEND_ELIGIBLE", "Stipend eligible"),
    ("MENTORSHIP_COVERAGE", "Mentorship coverage"),
    ("DUAL_UNITS_EARNED", "Dual-enrollment units earned"),
    ("EMPLOYED", "Employed"),
    ("UNION_MEMBERSHIP", "Union members"),
    ("MEDIAN_HOURLY_WAGE", "Median hourly wage"),
];

fn is_rate(metric: &str) -> bool {
    metric.ends_with("_RATE") || metric.ends_with("_ATTAINMENT") || metric.ends_with("_COVERAGE")
}

fn label(metric: &str) -> &str {
    METRICS
        .iter()
        .find(|(m, _)| *m == metric)
        .map(|(_, l)| *l)
        .unwrap_or(metric)
}

fn shown(metric: &str, cell: &Value) -> String {
    if cell["suppressed"] == json!(true) {
        return "suppressed".to_owned();
    }
    match cell["value"].as_f64() {
        None => "–".to_owned(),
        Some(v) if is_rate(metric) => format!("{:.1} %", v * 100.0),
        Some(v) if metric == "MEDIAN_HOURLY_WAGE" => format!("${:.2}", v / 100.0),
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

#[derive(serde::Deserialize, Default)]
struct Params {
    metrics: Option<String>,
    #[serde(rename = "groupBy")]
    group_by: Option<String>,
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

/// What the figures are over, in words: the bounds the hub used (whole
/// periods), and how they are protected (exact with suppression, or the
/// noise mechanism with its parameters).
fn bounds_note(report: &Value) -> String {
    let bounds = &report["bounds"];
    let end = |v: &Value, open: &str| v.as_str().map_or(open.to_owned(), str::to_owned);
    format!(
        "Enrollments from {} to {} (whole periods: {}). {}",
        end(&bounds["from"], "the first on record"),
        end(&bounds["to"], "today"),
        text(&bounds["period"]).to_lowercase().replace('_', " "),
        text(&report["privacy"]["description"]),
    )
}

/// A horizontal bar chart of `metric` per row.
fn chart(metric: &str, rows: &[Value], note: &str) -> Markup {
    let bar_h = 26.0;
    let left = 230.0;
    let width = 760.0;
    let height = 40.0 + bar_h * rows.len() as f64;
    let values: Vec<Option<f64>> = rows
        .iter()
        .map(|r| {
            r["cells"]
                .as_array()
                .and_then(|cells| cells.iter().find(|c| c["metric"] == metric))
                .filter(|c| c["suppressed"] != json!(true))
                .and_then(|c| c["value"].as_f64())
        })
        .collect();
    let max = values
        .iter()
        .flatten()
        .copied()
        .fold(if is_rate(metric) { 1.0 } else { 0.0 }, f64::max)
        .max(1e-9);
    let title = format!("{} by group", label(metric));
    html! {
        figure {
            svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title"
                width=(width) height=(height) viewBox=(format!("0 0 {width} {height}")) {
                title id="chart-title" { (title) }
                defs { pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
                    rect width="6" height="6" fill="#eef1f5" {}
                    line x1="0" y1="0" x2="0" y2="6" stroke="#8a94a6" stroke-width="2" {}
                } }
                @for (i, (row, value)) in rows.iter().zip(&values).enumerate() {
                    @let y = 20.0 + bar_h * i as f64;
                    text x=(left - 8.0) y=(y + 17.0) text-anchor="end" font-size="12" fill="#1d2430" {
                        (text(&row["group"]["label"]).chars().take(34).collect::<String>())
                    }
                    @match value {
                        Some(v) => {
                            @let w = (width - left - 90.0) * v / max;
                            rect x=(left) y=(y + 4.0) width=(w.max(1.0)) height=(bar_h - 8.0) fill="#0b57a4" {}
                            text x=(left + w + 6.0) y=(y + 17.0) font-size="12" fill="#1d2430" {
                                (shown(metric, &json!({ "value": v })))
                            }
                        }
                        None => {
                            rect x=(left) y=(y + 4.0) width="60" height=(bar_h - 8.0) fill="url(#hatch)" {}
                            text x=(left + 66.0) y=(y + 17.0) font-size="12" fill="#4a5260" { "suppressed" }
                        }
                    }
                }
            }
            figcaption.hint { (title) ". " (note) " Counts under the suppression threshold, and any cell that would let one be recomputed, are shown as suppressed." }
        }
    }
}

async fn reports(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    let metrics: Vec<String> = params
        .metrics
        .as_deref()
        .unwrap_or("ENROLLED,COMPLETED,COMPLETION_RATE")
        .split(',')
        .filter(|m| METRICS.iter().any(|(k, _)| k == m))
        .map(str::to_owned)
        .collect();
    let group_by = params.group_by.clone().unwrap_or_else(|| "PROGRAM".into());
    let period = params.period.clone().unwrap_or_else(|| "QUARTER".into());
    let blank = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    let input = json!({
        "metrics": metrics,
        "groupBy": [group_by],
        "period": period,
        "from": blank(&params.from),
        "to": blank(&params.to),
    });
    let answer = gql(
        &state,
        &session,
        "query($input: ReportInput!) { report(input: $input) { threshold bounds { from to period } privacy { description }
            rows { group { label } cells { metric value suppressed } targets { metric target description met } }
            total { cells { metric value suppressed } } } }",
        json!({ "input": input }),
    )
    .await;
    let notice = (!answer.errors.is_empty()).then(|| answer.notice(""));
    let report = &answer.data["report"];
    let rows = report["rows"].as_array().cloned().unwrap_or_default();
    let csv = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("metrics", &metrics.join(","))
        .append_pair("groupBy", &group_by)
        .append_pair("period", &period)
        .extend_pairs(blank(&params.from).map(|f| ("from", f)))
        .extend_pairs(blank(&params.to).map(|t| ("to", t)))
        .finish();
    let chosen = |m: &str| metrics.iter().any(|x| x == m);
    let content = html! {
        form.card method="get" action="/admin/reports" id="report-form" {
            p.hint { "Unduplicated participants (a youth known to several partners counts once), over the data your organization may use for reports." }
            fieldset {
                legend { "Figures" }
                @for (m, l) in METRICS {
                    label { input type="checkbox" name="metric" value=(m) checked[chosen(m)]; " " (l) }
                }
            }
            input type="hidden" name="metrics" id="metrics" value=(metrics.join(","));
            label for="groupBy" { "Group by" }
            select id="groupBy" name="groupBy" {
                @for g in ["PROGRAM", "PATHWAY", "ORGANIZATION", "PERIOD"] {
                    option value=(g) selected[g == group_by] { (g) }
                }
            }
            label for="period" { "Period (when grouping by period)" }
            select id="period" name="period" {
                @for p in ["MONTH", "QUARTER", "SCHOOL_YEAR"] {
                    option value=(p) selected[p == period] { (p) }
                }
            }
            label for="from" { "From" }
            input type="date" id="from" name="from" value=(blank(&params.from).unwrap_or_default());
            label for="to" { "To" }
            input type="date" id="to" name="to" value=(blank(&params.to).unwrap_or_default());
            div { button type="submit" { "Show report" } }
            // Without JavaScript the hidden field keeps the figures shown;
            // with it, the checkboxes choose them.
            script { (PreEscaped("document.getElementById('report-form').addEventListener('submit',function(){var m=[].slice.call(document.querySelectorAll('input[name=metric]:checked')).map(function(i){return i.value});if(m.length){document.getElementById('metrics').value=m.join(',')}});")) }
        }
        @if report.is_object() {
            p { a href=(format!("/reports/summary.csv?{csv}")) download="summary.csv" { "Download these figures as CSV" }
                " · suppression threshold " (text(&report["threshold"])) }
            p.hint { (bounds_note(report)) }
            @if let Some(first) = metrics.first() {
                (chart(first, &rows, &bounds_note(report)))
            }
            table {
                caption { "Report by " (group_by.to_lowercase()) }
                thead { tr {
                    th scope="col" { "Group" }
                    @for m in &metrics { th scope="col" { (label(m)) } }
                    th scope="col" { "Targets" }
                } }
                tbody {
                    @for r in &rows {
                        tr {
                            th scope="row" { (text(&r["group"]["label"])) }
                            @for m in &metrics {
                                @let cell = r["cells"].as_array().and_then(|c| c.iter().find(|c| c["metric"] == m.as_str())).cloned().unwrap_or(Value::Null);
                                td { (shown(m, &cell)) }
                            }
                            td {
                                @for t in r["targets"].as_array().into_iter().flatten() {
                                    div { (text(&t["description"])) ": " (text(&t["target"]))
                                        @if t["met"] == json!(true) { " — met" } @else if t["met"] == json!(false) { " — not yet" } }
                                }
                            }
                        }
                    }
                    tr {
                        th scope="row" { "All (unduplicated)" }
                        @for m in &metrics {
                            @let cell = report["total"]["cells"].as_array().and_then(|c| c.iter().find(|c| c["metric"] == m.as_str())).cloned().unwrap_or(Value::Null);
                            td { strong { (shown(m, &cell)) } }
                        }
                        td {}
                    }
                }
            }
        }
    };
    page("Reports", Some(&session), notice.as_ref(), content).into_response()
}

/// The release ledger for the hub admin: what reports showed each
/// evaluator organization, newest first, and which populations stay
/// withheld from it (anyone else sees the `FORBIDDEN` notice).
async fn releases(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = session(&state, &headers).await else {
        return to_login();
    };
    let answer = gql(
        &state,
        &session,
        "{ reportReleases(first: 200) { orgSlug label suppressed reason at counts { name value } } }",
        json!({}),
    )
    .await;
    let notice = (!answer.errors.is_empty()).then(|| answer.notice(""));
    let rows = answer.data["reportReleases"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let figures = |row: &Value| {
        row["counts"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| format!("{} {}", text(&c["name"]), text(&c["value"])))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let content = html! {
        p.hint { "What reports have shown each evaluator organization (the release ledger), and the populations withheld from it for good because they could be subtracted from an earlier release. Kept as long as the audit log." }
        table {
            caption { "Report releases, newest first" }
            thead { tr {
                th scope="col" { "When" }
                th scope="col" { "Shown to" }
                th scope="col" { "Population" }
                th scope="col" { "Figures" }
            } }
            tbody {
                @for row in &rows {
                    tr {
                        td { (text(&row["at"])) }
                        td { (text(&row["orgSlug"])) }
                        td { (text(&row["label"])) }
                        td {
                            @if row["suppressed"] == json!(true) {
                                "withheld: " (text(&row["reason"]))
                            } @else {
                                (figures(row))
                            }
                        }
                    }
                }
            }
        }
    };
    page("Report releases", Some(&session), notice.as_ref(), content).into_response()
}
