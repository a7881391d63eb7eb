//! What a verifier of the hub's Open Badges fetches, without a token:
//! `GET /badges/jwks.json` (the public key badges are signed with) and
//! `GET /badges/issuers/{slug}` (an issuing organization's profile, the
//! `issuer.id` of its badges). Only directory data: names and slugs.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;

pub(super) async fn jwks(State(state): State<AppState>) -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.badges.jwks()),
    )
        .into_response()
}

pub(super) async fn issuer(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match crate::directory::organizations::by_slug(&state.db, &slug).await {
        Ok(Some(org)) => (
            [(header::CONTENT_TYPE, "application/ld+json")],
            state.badges.profile(&org).to_string(),
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such issuer").into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "issuer profile");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}
