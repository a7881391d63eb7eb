//! Signing in to the console with a bearer token, kept in an `HttpOnly`,
//! `SameSite=Strict` cookie, and signing out. The sign-in form is not a
//! [`ConsoleForm`](super::forms::ConsoleForm): a refused token is never
//! echoed back into the page.

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::{Fields, Notice, csrf_refused, field, page, session};
use crate::web::session::{COOKIE, csrf_ok};
use crate::web::state::{AppState, viewer_from_token};

/// How long a console session lasts at most (the token's own expiry wins).
const SESSION_SECS: u64 = 8 * 3600;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/login", get(login_page).post(login))
        .route("/admin/logout", post(logout))
}

fn login_form(notice: Option<&Notice>) -> Html<String> {
    page(
        "Sign in",
        None,
        notice,
        html! {
            form.card method="post" action="/admin/login" {
                p.hint { "Paste a bearer token (for local use, mint one with "
                    code { "pathways-hub token --sub you@org --org SLUG --roles org_admin" }
                    "; `serve --demo` prints some). It is kept in an HttpOnly cookie for this console only." }
                label for="token" { "Bearer token" }
                textarea id="token" name="token" required autocomplete="off" spellcheck="false" {}
                div { button type="submit" { "Sign in" } }
            }
        },
    )
}

async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if session(&state, &headers).await.is_some() {
        return Redirect::to("/admin").into_response();
    }
    login_form(None).into_response()
}

async fn login(State(state): State<AppState>, Form(fields): Form<Fields>) -> Response {
    let token = field(&fields, "token").unwrap_or_default().to_owned();
    let viewer = match token.is_empty() {
        true => None,
        false => viewer_from_token(&state, &token).await.ok(),
    };
    let Some(viewer) = viewer else {
        let notice = Notice::error(
            "UNAUTHENTICATED",
            "That token could not be verified (expired, wrong signature or unknown organization).",
        );
        return (StatusCode::UNAUTHORIZED, login_form(Some(&notice))).into_response();
    };
    // A youth's own token (no organization) goes to their own record.
    let home = if viewer.org_slug.is_empty() {
        "/me"
    } else {
        "/admin"
    };
    let cookie =
        format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={SESSION_SECS}");
    let mut response = Redirect::to(home).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    if let Some(session) = session(&state, &headers).await
        && !csrf_ok(&state, &session, field(&fields, "csrf"))
    {
        return csrf_refused(&session);
    }
    let mut response = Redirect::to("/admin/login").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("hub_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    response
}
