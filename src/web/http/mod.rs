//! The HTTP surface: `/graphql` (POST, GET for queries, GraphiQL in a
//! browser), `/import` (CSV upload), `/reports/summary.csv`, the console at
//! `/admin`, Open Badges' keys and issuers under `/badges`, `/healthz`,
//! `/readyz`, `/metrics`.

mod badges;
mod graphql;
mod import;
mod media;
pub mod metrics;
mod reports;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::extract::{ConnectInfo, MatchedPath, State};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use super::state::{AppState, authenticate};
use crate::auth::Viewer;
use crate::ground::error::{Error, UNAVAILABLE_RETRY_AFTER_SECS};
use media::Media;

const REQUEST_ID: &str = "x-request-id";

/// The hub's router: the HTTP endpoints around `pages` (the console's
/// routes), all behind the same guard, limits and request ids.
pub fn router(state: AppState, pages: Router<AppState>) -> Router {
    let limits = &state.config.limits;
    // Imports (a 10 000-line file) may take longer: only GraphQL requests
    // have the timeout.
    let graphql = Router::new()
        .route(
            "/graphql",
            get(graphql::graphql_get)
                .post(graphql::graphql_post)
                .layer(DefaultBodyLimit::max(limits.max_body_bytes)),
        )
        .layer(middleware::from_fn_with_state(state.clone(), deadline));
    let mut router = Router::new()
        .merge(graphql)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(pages)
        .route(
            "/import",
            post(import::upload).layer(DefaultBodyLimit::max(super::MAX_UPLOAD_BYTES)),
        )
        .route("/reports/summary.csv", get(reports::summary_csv))
        .route("/badges/jwks.json", get(badges::jwks))
        .route("/badges/issuers/{slug}", get(badges::issuer))
        .layer(middleware::from_fn_with_state(state.clone(), guard));
    if !limits.cors_allowed_origins.is_empty() {
        let origins: Vec<HeaderValue> = limits
            .cors_allowed_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .max_age(Duration::from_secs(600)),
        );
    }
    router
        .with_state(state)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                // Path only: query strings may carry personal data. The
                // operation and the viewer's organization are recorded once
                // known (`graphql::note_span`).
                let id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                let span = tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id = %id,
                    operation = tracing::field::Empty,
                    org = tracing::field::Empty,
                );
                continue_trace(&span, request.headers());
                span
            }),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Makes `span` a child of the caller's W3C `traceparent`, when traces are
/// exported.
fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    struct Headers<'a>(&'a HeaderMap);
    impl opentelemetry::propagation::Extractor for Headers<'_> {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).and_then(|v| v.to_str().ok())
        }
        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(|k| k.as_str()).collect()
        }
    }
    if crate::ground::telemetry::enabled() {
        let parent =
            opentelemetry::global::get_text_map_propagator(|p| p.extract(&Headers(headers)));
        let _ = span.set_parent(parent);
    }
}

/// Prometheus text format; never a label with personal data.
async fn metrics(State(state): State<AppState>) -> Response {
    let mut body = state
        .metrics
        .render(state.statements(), state.draining.load(Ordering::Relaxed));
    if state.reads.has_replicas() {
        let served = state.reads.served.load(Ordering::Relaxed);
        let fallbacks = state.reads.fallbacks.load(Ordering::Relaxed);
        body.push_str(&format!(
            "# HELP pathways_replica_reads_total Reads that could leave the primary, by where they went.\n\
             # TYPE pathways_replica_reads_total counter\n\
             pathways_replica_reads_total{{served_by=\"replica\"}} {served}\n\
             pathways_replica_reads_total{{served_by=\"primary\"}} {fallbacks}\n"
        ));
    }
    if !state.partners.all().is_empty() {
        body.push_str(
            "# HELP pathways_partner_calls_total Partner calls by partner and outcome.\n\
             # TYPE pathways_partner_calls_total counter\n",
        );
        for partner in state.partners.all() {
            for (outcome, n) in crate::adapters::OUTCOMES
                .iter()
                .zip(partner.outcome_counts())
            {
                body.push_str(&format!(
                    "pathways_partner_calls_total{{partner=\"{}\",outcome=\"{outcome}\"}} {n}\n",
                    partner.name()
                ));
            }
        }
        body.push_str(
            "# HELP pathways_partner_breaker_open Whether a partner's circuit breaker is open.\n\
             # TYPE pathways_partner_breaker_open gauge\n",
        );
        for partner in state.partners.all() {
            body.push_str(&format!(
                "pathways_partner_breaker_open{{partner=\"{}\"}} {}\n",
                partner.name(),
                u8::from(partner.breaker_open())
            ));
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// The route a request matched, for metrics (never the raw path, which
/// can carry ids).
fn route_of(request: &Request<axum::body::Body>) -> String {
    request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned())
}

/// Every request: the per-address rate limit, a declared body over the
/// limit refused with a code, and the request counted in `/metrics`.
/// The client's address as the connection gave it (set by [`guard`] on
/// every request), for limits that count per address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientAddress(pub Option<std::net::IpAddr>);

async fn guard(
    State(state): State<AppState>,
    mut request: Request<axum::body::Body>,
    next: middleware::Next,
) -> Response {
    let started = Instant::now();
    let route = route_of(&request);
    let request_id = request_id(request.headers());
    let probe = matches!(route.as_str(), "/healthz" | "/readyz" | "/metrics");
    // A refusal of a GraphQL request speaks its negotiated media type.
    let media = if route == "/graphql" {
        Media::negotiate(request.headers()).unwrap_or(Media::Json)
    } else {
        Media::Json
    };
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    request.extensions_mut().insert(ClientAddress(address));
    let limited = match address {
        Some(ip) if !probe => state.rate_limits.check_address(ip).await.err(),
        _ => None,
    };
    let response = if let Some(wait) = limited {
        state.metrics.rate_limited("address");
        rate_limited(wait, &request_id, media)
    } else if route == "/graphql"
        && request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .is_some_and(|n| n > state.config.limits.max_body_bytes)
    {
        let err = Error::QueryTooComplex(format!(
            "the request body is larger than {} bytes",
            state.config.limits.max_body_bytes
        ));
        let mut response = refuse(err, &request_id, media);
        *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        response
    } else {
        next.run(request).await
    };
    let mut response = response;
    protect(response.headers_mut());
    state
        .metrics
        .request(&route, response.status().as_u16(), started.elapsed());
    response
}

/// Every answer: `X-Content-Type-Options: nosniff`, and `Cache-Control:
/// no-store` unless the route chose its own caching (DESIGN.md section 11:
/// no page or file with personal data may be kept by a browser or a
/// proxy; the few public documents, like the badge keys, say so
/// themselves).
fn protect(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// A GraphQL request that takes longer than `limits.request_timeout_secs`
/// is dropped and answered `503` with `Retry-After` and `INTERNAL` — the
/// bound of a statement whose connection stalled after it was taken from
/// the pool (the acquire timeout bounds the rest).
async fn deadline(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
    next: middleware::Next,
) -> Response {
    let secs = state.config.limits.request_timeout_secs;
    let request_id = request_id(request.headers());
    let media = Media::negotiate(request.headers()).unwrap_or(Media::Json);
    match tokio::time::timeout(Duration::from_secs(secs), next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                limit_secs = secs,
                "request over limits.request_timeout_secs; answering 503"
            );
            let body = serde_json::json!({
                "data": null,
                "errors": [{
                    "message": format!("no answer within {secs} s; retry after {UNAVAILABLE_RETRY_AFTER_SECS} s"),
                    "extensions": {
                        "code": crate::ground::error::codes::INTERNAL,
                        "requestId": request_id,
                        "retryAfter": UNAVAILABLE_RETRY_AFTER_SECS,
                    }
                }]
            });
            let mut response = media::refusal(StatusCode::SERVICE_UNAVAILABLE, body, media);
            unavailable(&mut response);
            response
        }
    }
}

/// `429` with `Retry-After` and the `RATE_LIMITED` code.
fn rate_limited(wait: Duration, request_id: &str, media: Media) -> Response {
    let secs = wait.as_secs() + 1;
    let mut response = refuse(
        Error::RateLimited {
            retry_after_secs: secs,
        },
        request_id,
        media,
    );
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The per-subject rate limit, after the token was verified.
pub(super) async fn subject_limited(
    state: &AppState,
    viewer: Option<&Viewer>,
    request_id: &str,
    media: Media,
) -> Option<Response> {
    let viewer = viewer?;
    let wait = state
        .rate_limits
        .check_subject(&viewer.subject)
        .await
        .err()?;
    state.metrics.rate_limited("subject");
    Some(rate_limited(wait, request_id, media))
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.draining.load(Ordering::Relaxed) {
        (StatusCode::SERVICE_UNAVAILABLE, "draining").into_response()
    } else if crate::ground::db::ping(&state.db, state.config.limits.db_acquire_timeout()).await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

pub(super) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// A GraphQL-shaped error answer for failures before execution, in
/// `application/json` (the routes other than `/graphql`).
pub(super) fn error_response(err: Error, request_id: &str) -> Response {
    refuse(err, request_id, Media::Json)
}

/// A GraphQL-shaped error answer for failures before execution, in
/// `media` (see [`media::refusal`]).
pub(super) fn refuse(err: Error, request_id: &str, media: Media) -> Response {
    let status = match err {
        Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Error::BadUserInput { .. } => StatusCode::BAD_REQUEST,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::OK,
    };
    let code = err.code();
    err.log("before execution");
    let mut extensions = serde_json::json!({ "code": code, "requestId": request_id });
    match &err {
        Error::DatabaseUnavailable(_) => {
            extensions["retryAfter"] = UNAVAILABLE_RETRY_AFTER_SECS.into();
        }
        Error::BadUserInput { field, .. } => extensions["field"] = field.as_str().into(),
        _ => {}
    }
    let body = serde_json::json!({
        "data": null,
        "errors": [{ "message": err.message(), "extensions": extensions }]
    });
    let mut response = media::refusal(status, body, media);
    if response.status() == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        unavailable(&mut response);
    }
    response
}

/// Makes `response` a `503` with `Retry-After`: the database is away.
pub(super) fn unavailable(response: &mut Response) {
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response.headers_mut().insert(
        header::RETRY_AFTER,
        HeaderValue::from(UNAVAILABLE_RETRY_AFTER_SECS),
    );
}
