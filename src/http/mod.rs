//! The HTTP surface: `/graphql` (POST, GET for queries, GraphiQL in a
//! browser), `/import` (CSV upload), `/reports/summary.csv`, the console at
//! `/admin`, `/healthz`, `/readyz`, `/metrics`.

mod graphql;
mod import;
mod metrics;
mod reports;

pub(crate) use graphql::{audit_disclosures, context, with_request_id};
pub use import::MAX_UPLOAD_BYTES;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::extract::DefaultBodyLimit;
use axum::extract::{ConnectInfo, MatchedPath, State};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use sea_orm::DatabaseConnection;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{Role, TokenVerifier, Viewer};
use crate::config::Config;
use crate::error::Error;
use crate::graphql::{HubSchema, build_schema};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub verifier: Arc<TokenVerifier>,
    pub schema: HubSchema,
    /// Every SQL statement the hub ran (see [`crate::db::count_statements`]).
    pub sql_statements: Arc<std::sync::atomic::AtomicU64>,
    /// The key of the console's CSRF tokens, made at start.
    pub console_key: Arc<[u8; 32]>,
    /// Rate limits per subject and per client address (this process).
    pub rate_limits: Arc<crate::limits::RateLimits>,
    /// Counters for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// Set when shutdown began: `/readyz` answers 503.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    /// Partner systems (breakers and answer caches shared by all requests).
    pub partners: Arc<crate::adapters::Partners>,
    /// Writes requests' read disclosures, many requests per commit.
    pub audit: crate::audit::Writer,
}

impl AppState {
    /// Builds the state from validated configuration and a connected database.
    pub fn new(
        config: Config,
        db: DatabaseConnection,
    ) -> Result<AppState, crate::config::ConfigError> {
        AppState::with_shared(config, db, None)
    }

    /// Builds the state and, when `limits.redis_url` is set, connects to
    /// the Redis that instances share (a failure names the setting).
    pub async fn connect(
        config: Config,
        db: DatabaseConnection,
    ) -> Result<AppState, crate::config::ConfigError> {
        let shared = match &config.limits.redis_url {
            Some(url) => Some(
                crate::shared::Shared::connect(url, &config.limits.redis_namespace)
                    .await
                    .map_err(|e| {
                        crate::config::ConfigError(format!(
                            "`limits.redis_url` does not answer ({:?})",
                            e.kind()
                        ))
                    })?,
            ),
            None => None,
        };
        AppState::with_shared(config, db, shared)
    }

    fn with_shared(
        config: Config,
        mut db: DatabaseConnection,
        shared: Option<crate::shared::Shared>,
    ) -> Result<AppState, crate::config::ConfigError> {
        let verifier = TokenVerifier::from_config(&config.auth)?;
        let sql_statements = crate::db::count_statements(&mut db);
        let partners = Arc::new(crate::adapters::Partners::from_config(&config.partners)?);
        let config = Arc::new(config);
        let rate_limits = Arc::new(crate::limits::RateLimits::new(
            &config.limits,
            shared.clone(),
        ));
        Ok(AppState {
            schema: build_schema(Some(db.clone()), Some(config.clone()), shared),
            audit: crate::audit::Writer::start(db.clone()),
            db,
            config,
            verifier: Arc::new(verifier),
            sql_statements,
            console_key: Arc::new(random_key()),
            rate_limits,
            metrics: Arc::default(),
            draining: Arc::default(),
            partners,
        })
    }

    /// SQL statements run since start.
    pub fn statements(&self) -> u64 {
        self.sql_statements
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// 32 random bytes (two v4 UUIDs: the OS's random source).
fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key
}

const REQUEST_ID: &str = "x-request-id";

/// The hub's router.
pub fn router(state: AppState) -> Router {
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
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            Duration::from_secs(limits.request_timeout_secs),
        ));
    let mut router = Router::new()
        .merge(graphql)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(crate::console::routes())
        .route(
            "/import",
            post(import::upload).layer(DefaultBodyLimit::max(import::MAX_UPLOAD_BYTES)),
        )
        .route("/reports/summary.csv", get(reports::summary_csv))
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
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            // Path only: query strings may carry personal data.
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Prometheus text format; never a label with personal data.
async fn metrics(State(state): State<AppState>) -> Response {
    let mut body = state
        .metrics
        .render(state.statements(), state.draining.load(Ordering::Relaxed));
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
async fn guard(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
    next: middleware::Next,
) -> Response {
    let started = Instant::now();
    let route = route_of(&request);
    let request_id = request_id(request.headers());
    let probe = matches!(route.as_str(), "/healthz" | "/readyz" | "/metrics");
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let limited = match address {
        Some(ip) if !probe => state.rate_limits.check_address(ip).await.err(),
        _ => None,
    };
    let response = if let Some(wait) = limited {
        state.metrics.rate_limited("address");
        rate_limited(wait, &request_id)
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
        let mut response = error_response(err, &request_id);
        *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        response
    } else {
        next.run(request).await
    };
    state
        .metrics
        .request(&route, response.status().as_u16(), started.elapsed());
    response
}

/// `429` with `Retry-After` and the `RATE_LIMITED` code.
fn rate_limited(wait: Duration, request_id: &str) -> Response {
    let secs = wait.as_secs() + 1;
    let mut response = error_response(
        Error::RateLimited {
            retry_after_secs: secs,
        },
        request_id,
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
) -> Option<Response> {
    let viewer = viewer?;
    let wait = state
        .rate_limits
        .check_subject(&viewer.subject)
        .await
        .err()?;
    state.metrics.rate_limited("subject");
    Some(rate_limited(wait, request_id))
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.draining.load(Ordering::Relaxed) {
        (StatusCode::SERVICE_UNAVAILABLE, "draining").into_response()
    } else if crate::db::ping(&state.db).await {
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

/// Verifies the bearer token, if any, into a viewer whose organization exists.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, Error> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or(Error::Unauthenticated(
            "the Authorization header must be `Bearer <token>`",
        ))?;
    viewer_from_token(state, token).await.map(Some)
}

/// Verifies a token into a viewer whose organization exists.
pub async fn viewer_from_token(state: &AppState, token: &str) -> Result<Viewer, Error> {
    let claims = state.verifier.verify(token).await?;
    let org = crate::organizations::by_slug(&state.db, &claims.org)
        .await?
        .ok_or(Error::Unauthenticated("the token could not be verified"))?;
    Ok(Viewer {
        subject: claims.sub,
        org_id: org.id,
        org_slug: org.slug,
        roles: claims
            .roles
            .iter()
            .filter_map(|r| Role::from_claim(r))
            .collect(),
    })
}

/// A GraphQL-shaped error answer for failures before execution.
pub(super) fn error_response(err: Error, request_id: &str) -> Response {
    let status = match err {
        Error::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        Error::BadUserInput { .. } => StatusCode::BAD_REQUEST,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::OK,
    };
    let code = err.code();
    if let Error::Internal(detail) = &err {
        tracing::error!(detail = %detail, "internal error before execution");
    }
    let body = serde_json::json!({
        "data": null,
        "errors": [{ "message": err.message(), "extensions": { "code": code, "requestId": request_id } }]
    });
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// Serves the router on `listener` until `shutdown` resolves; in-flight
/// requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = Duration::from_secs(state.config.limits.shutdown_grace_secs);
    let draining = state.draining.clone();
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Load balancers see /readyz fail first, then the server stops
            // accepting and lets in-flight requests finish.
            draining.store(true, Ordering::Relaxed);
            tracing::info!(grace_secs = grace.as_secs(), "draining before shutdown");
            tokio::time::sleep(grace).await;
        })
        .await
}
