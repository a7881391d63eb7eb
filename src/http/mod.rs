//! The HTTP surface: `/graphql` (POST, GET for queries, GraphiQL in a
//! browser), `/import` (CSV upload), the console at `/admin`, `/healthz`,
//! `/readyz`, `/metrics`.

mod import;

pub use import::MAX_UPLOAD_BYTES;

use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::extract::DefaultBodyLimit;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
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
    /// Partner systems (breakers and answer caches shared by all requests).
    pub partners: Arc<crate::adapters::Partners>,
}

impl AppState {
    /// Builds the state from validated configuration and a connected database.
    pub fn new(
        config: Config,
        mut db: DatabaseConnection,
    ) -> Result<AppState, crate::config::ConfigError> {
        let verifier = TokenVerifier::from_config(&config.auth)?;
        let sql_statements = crate::db::count_statements(&mut db);
        let partners = Arc::new(crate::adapters::Partners::from_config(&config.partners)?);
        let config = Arc::new(config);
        Ok(AppState {
            schema: build_schema(Some(db.clone()), Some(config.clone())),
            db,
            config,
            verifier: Arc::new(verifier),
            sql_statements,
            console_key: Arc::new(random_key()),
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
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(crate::console::routes())
        .route(
            "/import",
            post(import::upload).layer(DefaultBodyLimit::max(import::MAX_UPLOAD_BYTES)),
        )
        .with_state(state)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            // Path only: query strings may carry personal data.
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// Prometheus text format; counters only, never a label with personal data.
async fn metrics(State(state): State<AppState>) -> Response {
    let body = format!(
        "# HELP pathways_sql_statements_total SQL statements run since start.\n\
         # TYPE pathways_sql_statements_total counter\n\
         pathways_sql_statements_total {}\n",
        state.statements()
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

async fn readyz(State(state): State<AppState>) -> Response {
    if crate::db::ping(&state.db).await {
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
    context.disclosures.flush(&state.db, &actor).await
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
    request: GraphQLBatchRequest,
) -> Response {
    let request_id = request_id(&headers);
    let viewer = match authenticate(&state, &headers).await {
        Ok(viewer) => viewer,
        Err(err) => return error_response(err, &request_id),
    };
    let context = context(&state, viewer, request_id.clone());
    let batch = request.into_inner().data(context.clone());
    let executed = state.schema.execute_batch(batch).await;
    if let Err(err) = audit_disclosures(&state, &context).await {
        return error_response(err, &request_id);
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
}

/// GET: GraphiQL for a browser, or a query (never a mutation: a link or an
/// image tag must not be able to write).
async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
    let Some(query) = params.query else {
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
    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    let context = context(&state, viewer, request_id.clone());
    let executed = state.schema.execute(request.data(context.clone())).await;
    if let Err(err) = audit_disclosures(&state, &context).await {
        return error_response(err, &request_id);
    }
    let response = with_request_id(executed, &request_id);
    GraphQLResponse::from(response).into_response()
}

/// Serves the router on `listener` until `shutdown` resolves; in-flight
/// requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
