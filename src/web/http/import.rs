//! `POST /import?kind=participants|enrollments|hours[&dryRun=true]`: the
//! authenticated upload of a partner's CSV file (the console's import page
//! and scripts use it). The file is imported for the viewer's organization
//! exactly as `pathways-hub import` does: every line checked first, nothing
//! written when any is bad, lines already imported left unchanged.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{AppState, authenticate, error_response, request_id};
use crate::audit::{self, Actor, Entry};
use crate::ground::error::Error;
use crate::import::{self, ImportKind};

#[derive(serde::Deserialize)]
pub(super) struct ImportParams {
    kind: Option<String>,
    #[serde(rename = "dryRun", default)]
    dry_run: bool,
}

pub(super) async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<ImportParams>,
    body: Bytes,
) -> Response {
    let request_id = request_id(&headers);
    let viewer = match authenticate(&state, &headers).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => {
            return error_response(
                Error::Unauthenticated("an import needs a bearer token"),
                &request_id,
            );
        }
        Err(err) => return error_response(err, &request_id),
    };
    let Some(kind) = params.kind.as_deref().and_then(ImportKind::parse) else {
        return error_response(
            Error::bad_input("kind", "must be participants, enrollments or hours"),
            &request_id,
        );
    };
    let actor = Actor::of(&viewer, &request_id);
    if let Err(err) = crate::policy::require_writer(&viewer) {
        let entry = Entry::denied("import", "import refused");
        if let Err(audit_err) = audit::record(&state.db, &actor, vec![entry]).await {
            return error_response(audit_err, &request_id);
        }
        let mut response = error_response(err, &request_id);
        *response.status_mut() = StatusCode::FORBIDDEN;
        return response;
    }
    let summary = match import::run(
        &state.db,
        state.config.match_key_secret(),
        &viewer,
        &actor,
        kind,
        &body[..],
        params.dry_run,
        false,
    )
    .await
    {
        Ok(summary) => summary,
        Err(err) => return error_response(err, &request_id),
    };
    let status = if summary.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut body = serde_json::json!({
        "dryRun": params.dry_run,
        "lines": summary.lines,
        "inserted": summary.inserted,
        "unchanged": summary.unchanged,
        "errors": summary.errors,
        "requestId": request_id,
    });
    if !summary.errors.is_empty() {
        body["code"] = crate::ground::error::codes::BAD_USER_INPUT.into();
    }
    (status, Json(body)).into_response()
}
