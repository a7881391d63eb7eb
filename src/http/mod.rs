//! The HTTP surface: `/graphql` (POST, GET for queries, GraphiQL in a
//! browser), `/import` (CSV upload), `/reports/summary.csv`, the console at
//! `/admin`, `/healthz`, `/readyz`, `/metrics`.

mod import;
mod metrics;
mod reports;

pub use import::MAX_UPLOAD_BYTES;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::extract::DefaultBodyLimit;
use axum::extract::{ConnectInfo, MatchedPath, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use sea_orm::DatabaseConnection;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::audit::{Actor, Disclosures};
use crate::auth::{Role, TokenVerifier, Viewer};
use crate::config::Config;
use crate::error::Error;
use crate::graphql::{HubSchema, Loaders, PartnerLoaders, RequestContext, build_schema};
use crate::policy::Scopes;

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
            get(graphql_get)
                .post(graphql_post)
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
async fn subject_limited(
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

fn request_id(headers: &HeaderMap) -> String {
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
fn error_response(err: Error, request_id: &str) -> Response {
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

pub(crate) fn context(
    state: &AppState,
    viewer: Option<Viewer>,
    request_id: String,
) -> RequestContext {
    let today = chrono::Utc::now().date_naive();
    let scopes = match &viewer {
        Some(viewer) => Scopes::new(viewer, today),
        None => Scopes::nobody(today),
    };
    let disclosures = Arc::new(Disclosures::new(viewer.as_ref().map(|v| v.org_id)));
    RequestContext {
        loaders: Arc::new(Loaders::new(&state.db, scopes.clone())),
        partners: Arc::new(PartnerLoaders::new(&state.db, &scopes, &state.partners)),
        viewer,
        request_id,
        scopes,
        disclosures,
    }
}

/// Writes the request's disclosures (one batched insert) before the answer
/// leaves; if the audit cannot be written, the data is not sent.
pub(crate) async fn audit_disclosures(
    state: &AppState,
    context: &RequestContext,
) -> Result<(), Error> {
    let Some(viewer) = &context.viewer else {
        return Ok(());
    };
    if context.disclosures.is_empty() {
        return Ok(());
    }
    let actor = Actor::of(viewer, &context.request_id);
    context.disclosures.flush(&state.audit, &actor).await
}

/// Adds `extensions.requestId` to every error of a response, and a code to
/// errors that have none: those come from async-graphql's own parsing,
/// validation and input coercion, before any resolver ran, so they are
/// `BAD_USER_INPUT`.
pub(crate) fn with_request_id(
    mut response: async_graphql::Response,
    request_id: &str,
) -> async_graphql::Response {
    for error in &response.errors {
        null_at(&mut response.data, &error.path);
    }
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", crate::error::codes::BAD_USER_INPUT);
        }
        extensions.set("requestId", request_id);
    }
    response
}

/// Puts `null` where a field failed (async-graphql leaves the key out, the
/// GraphQL specification and DESIGN.md say the field is `null` with its
/// error): walks `path` through the answer and inserts the missing last key
/// when its parent object is there.
fn null_at(data: &mut async_graphql::Value, path: &[async_graphql::PathSegment]) {
    use async_graphql::{PathSegment, Value};
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = data;
    for segment in parents {
        let next = match (segment, node) {
            (PathSegment::Field(name), Value::Object(map)) => map.get_mut(name.as_str()),
            (PathSegment::Index(i), Value::List(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(child) => node = child,
            None => return,
        }
    }
    if let (PathSegment::Field(name), Value::Object(map)) = (last, node) {
        let key = async_graphql::Name::new(name);
        map.entry(key).or_insert(Value::Null);
    }
}

async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Result<GraphQLBatchRequest, GraphQLRejection>,
) -> Response {
    let request_id = request_id(&headers);
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !json {
        let err = Error::bad_input(
            "body",
            "send the request as `Content-Type: application/json`",
        );
        let mut response = error_response(err, &request_id);
        *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return response;
    }
    let Ok(request) = request else {
        let err = Error::bad_input(
            "body",
            "the body is not a GraphQL request: JSON with a `query` string (and optional `variables` object), or a batch of them",
        );
        return error_response(err, &request_id);
    };
    let viewer = match authenticate(&state, &headers).await {
        Ok(viewer) => viewer,
        Err(err) => return error_response(err, &request_id),
    };
    if let Some(refused) = subject_limited(&state, viewer.as_ref(), &request_id).await {
        return refused;
    }
    let batch = request.into_inner();
    if let async_graphql::BatchRequest::Batch(items) = &batch {
        let max = state.config.limits.max_batch;
        if items.len() > max {
            let err = Error::QueryTooComplex(format!("a batch holds at most {max} operations"));
            return error_response(err, &request_id);
        }
    }
    let names: Vec<Option<String>> = batch.iter().map(|r| r.operation_name.clone()).collect();
    let context = context(&state, viewer, request_id.clone());
    let batch = batch.data(context.clone());
    let executed = state.schema.execute_batch(batch).await;
    if let Err(err) = audit_disclosures(&state, &context).await {
        return error_response(err, &request_id);
    }
    let responses: Vec<&async_graphql::Response> = match &executed {
        async_graphql::BatchResponse::Single(r) => vec![r],
        async_graphql::BatchResponse::Batch(rs) => rs.iter().collect(),
    };
    for (name, response) in names.iter().zip(responses) {
        state
            .metrics
            .operation(name.as_deref(), first_code(response));
    }
    let response = match executed {
        async_graphql::BatchResponse::Single(r) => {
            async_graphql::BatchResponse::Single(with_request_id(r, &request_id))
        }
        async_graphql::BatchResponse::Batch(rs) => async_graphql::BatchResponse::Batch(
            rs.into_iter()
                .map(|r| with_request_id(r, &request_id))
                .collect(),
        ),
    };
    GraphQLResponse::from(response).into_response()
}

#[derive(serde::Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    /// Automatic persisted queries send `{"persistedQuery":{…}}` here.
    extensions: Option<String>,
}

/// GET: GraphiQL for a browser, or a query (never a mutation: a link or an
/// image tag must not be able to write).
async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
    // A persisted query comes as a hash in `extensions`, without `query`.
    let query = params
        .query
        .clone()
        .or_else(|| params.extensions.as_ref().map(|_| String::new()));
    let Some(query) = query else {
        return Html(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .title("Pathways Hub")
                .finish(),
        )
        .into_response();
    };
    let request_id = request_id(&headers);
    if let Ok(document) = async_graphql::parser::parse_query(&query) {
        let is_mutation = document.operations.iter().any(|(name, op)| {
            op.node.ty != OperationType::Query
                && (params.operation_name.is_none()
                    || name.map(|n| n.as_str()) == params.operation_name.as_deref())
        });
        if is_mutation {
            let err = Error::bad_input("query", "mutations must be sent with POST");
            let mut response = error_response(err, &request_id);
            *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
    }
    let variables = match params
        .variables
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
    {
        None => async_graphql::Variables::default(),
        Some(Ok(value)) => async_graphql::Variables::from_json(value),
        Some(Err(_)) => {
            return error_response(
                Error::bad_input("variables", "must be a JSON object"),
                &request_id,
            );
        }
    };
    let viewer = match authenticate(&state, &headers).await {
        Ok(viewer) => viewer,
        Err(err) => return error_response(err, &request_id),
    };
    if let Some(refused) = subject_limited(&state, viewer.as_ref(), &request_id).await {
        return refused;
    }
    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(extensions) = params
        .extensions
        .as_deref()
        .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
        .and_then(|v| serde_json::from_value(v).ok())
    {
        request.extensions = extensions;
    }
    let name = params.operation_name.clone();
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    let context = context(&state, viewer, request_id.clone());
    let request = request.data(context.clone()).data(crate::limits::ReadOnly);
    let executed = state.schema.execute(request).await;
    state
        .metrics
        .operation(name.as_deref(), first_code(&executed));
    if let Err(err) = audit_disclosures(&state, &context).await {
        return error_response(err, &request_id);
    }
    let response = with_request_id(executed, &request_id);
    GraphQLResponse::from(response).into_response()
}

/// The code of a response's first error, `OK` when it has none.
fn first_code(response: &async_graphql::Response) -> &'static str {
    let Some(error) = response.errors.first() else {
        return "OK";
    };
    let code = error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .map(|v| v.to_string().trim_matches('"').to_owned());
    match code.as_deref() {
        Some(c) => crate::error::codes::ALL
            .iter()
            .find(|known| **known == c)
            .copied()
            .unwrap_or(crate::error::codes::INTERNAL),
        // async-graphql's own parse and validation errors.
        None => crate::error::codes::BAD_USER_INPUT,
    }
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
