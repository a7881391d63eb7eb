//! `GET /reports/summary.csv`: the `report` query as CSV, with the same
//! rules (Bearer token, policy, suppression, `EXPORT` audit).
//!
//! Parameters mirror `ReportInput`: `metrics=ENROLLED,COMPLETED` (required),
//! `groupBy=PROGRAM,PERIOD`, `period=QUARTER`, `from=2026-01-01`,
//! `to=2026-12-31`, `programId=<uuid>`, `pathwayCode=…`, `orgSlug=…`.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use uuid::Uuid;

use super::{AppState, authenticate, request_id};
use crate::ground::error::Error;
use crate::reports::{self, GroupBy, Metric, Period, ReportFilter, ReportRequest};

/// The URL parameters.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CsvParams {
    metrics: Option<String>,
    group_by: Option<String>,
    period: Option<String>,
    from: Option<String>,
    to: Option<String>,
    program_id: Option<String>,
    pathway_code: Option<String>,
    org_slug: Option<String>,
}

fn list<T>(
    value: Option<&str>,
    field: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<Vec<T>, Error> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            parse(name).ok_or_else(|| Error::bad_input(field, format!("unknown value `{name}`")))
        })
        .collect()
}

fn date(value: Option<&str>, field: &str) -> Result<Option<NaiveDate>, Error> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map_err(|_| Error::bad_input(field, "must be a date (YYYY-MM-DD)"))
        })
        .transpose()
}

impl CsvParams {
    /// The same request the GraphQL `ReportInput` makes.
    fn request(&self) -> Result<ReportRequest, Error> {
        let period = match self.period.as_deref().filter(|p| !p.is_empty()) {
            None => Period::default(),
            Some(name) => Period::parse(name)
                .ok_or_else(|| Error::bad_input("period", format!("unknown value `{name}`")))?,
        };
        let program_id = self
            .program_id
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| {
                Uuid::parse_str(v).map_err(|_| Error::bad_input("programId", "must be a UUID"))
            })
            .transpose()?;
        let text = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
        Ok(ReportRequest {
            metrics: list(self.metrics.as_deref(), "metrics", Metric::parse)?,
            group_by: list(self.group_by.as_deref(), "groupBy", GroupBy::parse)?,
            period,
            from: date(self.from.as_deref(), "from")?,
            to: date(self.to.as_deref(), "to")?,
            filter: ReportFilter {
                program_id,
                pathway_code: text(&self.pathway_code),
                org_slug: text(&self.org_slug),
            },
        })
    }
}

/// A CSV endpoint's failure: HTTP status, and the same JSON error body as
/// `/graphql` so clients read one error shape.
fn failure(err: Error, request_id: &str) -> Response {
    let status = match &err {
        Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden { .. } => StatusCode::FORBIDDEN,
        Error::BadUserInput { .. } => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::RateLimited { .. } | Error::PrivacyBudgetExhausted { .. } => {
            StatusCode::TOO_MANY_REQUESTS
        }
        Error::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Conflict(_)
        | Error::PartnerUnavailable { .. }
        | Error::QueryTooComplex(_)
        | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut response = super::error_response(err, request_id);
    *response.status_mut() = status;
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// `GET /reports/summary.csv`.
pub(super) async fn summary_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CsvParams>,
) -> Response {
    let request_id = request_id(&headers);
    let viewer = match authenticate(&state, &headers).await {
        Ok(Some(viewer)) => viewer,
        // The console's download link: its session cookie (SameSite=Strict).
        Ok(None) if let Some(session) = crate::web::session::session(&state, &headers).await => {
            session.viewer
        }
        Ok(None) => {
            return failure(
                Error::Unauthenticated("send a bearer token in the Authorization header"),
                &request_id,
            );
        }
        Err(err) => return failure(err, &request_id),
    };
    let request = match params.request() {
        Ok(request) => request,
        Err(err) => return failure(err, &request_id),
    };
    let settings = &state.config.reports;
    match reports::for_viewer(
        &state.reads,
        &viewer,
        &request_id,
        &request,
        settings,
        "csv",
    )
    .await
    {
        Ok(report) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"summary.csv\"",
                ),
            ],
            reports::csv(&report),
        )
            .into_response(),
        Err(err) => failure(err, &request_id),
    }
}
