//! The GraphQL endpoint: `POST /graphql` (JSON, batches) and `GET
//! /graphql` (queries only, or GraphiQL for a browser), answered in the
//! media type the client accepts (`media`: GraphQL over HTTP's
//! negotiation and status codes).

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql_axum::GraphQLBatchRequest;
use async_graphql_axum::rejection::GraphQLRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::media::{self, Media};
use super::{refuse, request_id, subject_limited, unavailable};
use crate::ground::error::{DatabaseUnavailable, Error};
use crate::web::context::{audit_disclosures, context, with_request_id};
use crate::web::state::{AppState, authenticate};

pub(super) async fn graphql_post(
    State(state): State<AppState>,
    client: Option<axum::Extension<super::ClientAddress>>,
    headers: HeaderMap,
    request: Result<GraphQLBatchRequest, GraphQLRejection>,
) -> Response {
    let request_id = request_id(&headers);
    let Some(media) = Media::negotiate(&headers) else {
        return not_acceptable(&request_id);
    };
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
        let mut response = refuse(err, &request_id, media);
        *response.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return response;
    }
    let Ok(request) = request else {
        let err = Error::bad_input(
            "body",
            "the body is not a GraphQL request: JSON with a `query` string (and optional `variables` object), or a batch of them",
        );
        return refuse(err, &request_id, media);
    };
    // A request without a document (`{"qeury": …}`) is not a well-formed
    // GraphQL-over-HTTP request (`400` in either media type), unless it
    // names a persisted query. A batch's items are left to execution.
    if let async_graphql::BatchRequest::Single(single) = &request.0
        && single.query.is_empty()
        && !single.extensions.contains_key("persistedQuery")
    {
        let err = Error::bad_input(
            "query",
            "the request has no `query`: send the GraphQL document as a string (or a persisted query's hash in `extensions`)",
        );
        return refuse(err, &request_id, media);
    }
    let viewer = match authenticate(&state, &headers).await {
        Ok(viewer) => viewer,
        Err(err) => return refuse(err, &request_id, media),
    };
    if let Some(refused) = subject_limited(&state, viewer.as_ref(), &request_id, media).await {
        return refused;
    }
    let batch = request.into_inner();
    if let async_graphql::BatchRequest::Batch(items) = &batch {
        let max = state.config.limits.max_batch;
        if items.len() > max {
            let err = Error::QueryTooComplex(format!("a batch holds at most {max} operations"));
            return refuse(err, &request_id, media);
        }
    }
    let names: Vec<Option<String>> = batch.iter().map(|r| r.operation_name.clone()).collect();
    note_span(&names, viewer.as_ref());
    let client = client.and_then(|c| c.0.0);
    let context = context(&state, viewer, request_id.clone(), client);
    let batch = batch.data(context.clone());
    let executed = state.schema.execute_batch(batch).await;
    if let Err(err) = audit_disclosures(&state, &context).await {
        return refuse(err, &request_id, media);
    }
    for (name, response) in names.iter().zip(responses_of(&executed)) {
        state
            .metrics
            .operation(name.as_deref(), first_code(response));
    }
    let database_away = responses_of(&executed)
        .into_iter()
        .any(database_unavailable);
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
    let mut response = media::answer(response, media, database_away);
    if database_away {
        unavailable(&mut response);
    }
    response
}

/// `406 Not Acceptable`: the client accepts neither
/// `application/graphql-response+json` nor `application/json` (answered in
/// the latter, the only body it could read).
fn not_acceptable(request_id: &str) -> Response {
    let err = Error::bad_input(
        "accept",
        "the answer is `application/graphql-response+json` or `application/json`: accept one of them",
    );
    let mut response = refuse(err, request_id, Media::Json);
    *response.status_mut() = StatusCode::NOT_ACCEPTABLE;
    response
}

fn responses_of(batch: &async_graphql::BatchResponse) -> Vec<&async_graphql::Response> {
    match batch {
        async_graphql::BatchResponse::Single(r) => vec![r],
        async_graphql::BatchResponse::Batch(rs) => rs.iter().collect(),
    }
}

/// Whether an error of `response` says the database is away: the request
/// answers `503` with `Retry-After` (its errors keep the `INTERNAL` code).
fn database_unavailable(response: &async_graphql::Response) -> bool {
    response
        .errors
        .iter()
        .any(|e| e.source::<DatabaseUnavailable>().is_some())
}

#[derive(serde::Deserialize)]
pub(super) struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    /// Automatic persisted queries send `{"persistedQuery":{…}}` here.
    extensions: Option<String>,
}

/// GET: GraphiQL for a browser, or a query (never a mutation: a link or an
/// image tag must not be able to write).
pub(super) async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
    // A persisted query comes as a hash in `extensions`, without `query`.
    let query = params
        .query
        .clone()
        .or_else(|| params.extensions.as_ref().map(|_| String::new()));
    let request_id = request_id(&headers);
    let limits = &state.config.limits;
    let media = Media::negotiate(&headers);
    let Some(query) = query else {
        if !limits.graphiql {
            let Some(media) = media else {
                return not_acceptable(&request_id);
            };
            let err = Error::bad_input(
                "query",
                "send a GraphQL query as `?query=…` (the in-browser IDE is off)",
            );
            return refuse(err, &request_id, media);
        }
        return Html(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .title("Pathways Hub")
                .finish(),
        )
        .into_response();
    };
    let Some(media) = media else {
        return not_acceptable(&request_id);
    };
    if let Ok(document) = async_graphql::parser::parse_query(&query) {
        let is_mutation = document.operations.iter().any(|(name, op)| {
            op.node.ty != OperationType::Query
                && (params.operation_name.is_none()
                    || name.map(|n| n.as_str()) == params.operation_name.as_deref())
        });
        if is_mutation {
            let err = Error::bad_input("query", "mutations must be sent with POST");
            let mut response = refuse(err, &request_id, media);
            *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
    }
    if limits.csrf_prevention && !preflighted(&headers) {
        let err = Error::bad_input(
            "query",
            "a GET query needs an `apollo-require-preflight: true` header (CSRF prevention); or send it with POST",
        );
        return refuse(err, &request_id, media);
    }
    let variables = match params
        .variables
        .as_deref()
        .map(serde_json::from_str::<serde_json::Value>)
    {
        None => async_graphql::Variables::default(),
        Some(Ok(value)) => async_graphql::Variables::from_json(value),
        Some(Err(_)) => {
            return refuse(
                Error::bad_input("variables", "must be a JSON object"),
                &request_id,
                media,
            );
        }
    };
    let viewer = match authenticate(&state, &headers).await {
        Ok(viewer) => viewer,
        Err(err) => return refuse(err, &request_id, media),
    };
    if let Some(refused) = subject_limited(&state, viewer.as_ref(), &request_id, media).await {
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
    note_span(std::slice::from_ref(&name), viewer.as_ref());
    let context = context(&state, viewer, request_id.clone(), None);
    let request = request
        .data(context.clone())
        .data(crate::graphql::limits::ReadOnly);
    let executed = state.schema.execute(request).await;
    state
        .metrics
        .operation(name.as_deref(), first_code(&executed));
    if let Err(err) = audit_disclosures(&state, &context).await {
        return refuse(err, &request_id, media);
    }
    let database_away = database_unavailable(&executed);
    let response = with_request_id(executed, &request_id);
    let mut response = media::answer(response.into(), media, database_away);
    if database_away {
        unavailable(&mut response);
    }
    response
}

/// Whether a browser could only have sent this request after a CORS
/// preflight (Apollo Server's CSRF prevention): it carries
/// `apollo-require-preflight` or `x-apollo-operation-name`, or a content
/// type other than the three a plain form or link may send.
fn preflighted(headers: &HeaderMap) -> bool {
    if headers.contains_key("apollo-require-preflight")
        || headers.contains_key("x-apollo-operation-name")
    {
        return true;
    }
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let essence = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            !matches!(
                essence.as_str(),
                "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
            )
        })
        .unwrap_or(false)
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
        Some(c) => crate::ground::error::codes::ALL
            .iter()
            .find(|known| **known == c)
            .copied()
            .unwrap_or(crate::ground::error::codes::INTERNAL),
        // async-graphql's own parse and validation errors.
        None => crate::ground::error::codes::BAD_USER_INPUT,
    }
}

/// Records the operation names and the viewer's organization on the
/// request's span (never a subject or any personal data).
fn note_span(names: &[Option<String>], viewer: Option<&crate::auth::Viewer>) {
    let span = tracing::Span::current();
    let names: Vec<&str> = names.iter().map(|n| n.as_deref().unwrap_or("-")).collect();
    span.record("operation", names.join(",").as_str());
    if let Some(viewer) = viewer {
        let org = if viewer.org_slug.is_empty() {
            "(youth)"
        } else {
            viewer.org_slug.as_str()
        };
        span.record("org", org);
    }
}
