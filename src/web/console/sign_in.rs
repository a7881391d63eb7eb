//! Signing in to the console with a bearer token, kept in an `HttpOnly`,
//! `SameSite=Strict` cookie (`__Host-` and `Secure` outside demo mode), and
//! signing out. The sign-in form is not a
//! [`ConsoleForm`](super::forms::ConsoleForm): a refused token is never
//! echoed back into the page.
//!
//! Sign-in refuses cross-site forms (DESIGN.md section 11): otherwise a
//! page elsewhere could sign a youth's browser into an attacker's session
//! and let them type their own code into it. A form is refused when the
//! browser says it came from another site (`Sec-Fetch-Site`), when its
//! `Origin` is not this host, and when it does not carry the pre-session
//! CSRF token the sign-in page set (a nonce in a cookie, its HMAC in the
//! form).

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use super::{Fields, Notice, csrf_refused, field, page, session};
use crate::web::session::{cookie, csrf_for, csrf_ok, set_cookie};
use crate::web::state::{AppState, viewer_from_token};

/// How long a console session lasts at most (the token's own expiry wins).
const SESSION_SECS: u64 = 8 * 3600;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/login", get(login_page).post(login))
        .route("/admin/logout", post(logout))
}

fn login_form(notice: Option<&Notice>, login_csrf: &str) -> Html<String> {
    page(
        "Sign in",
        None,
        notice,
        html! {
            form.card method="post" action="/admin/login" {
                input type="hidden" name="login_csrf" value=(login_csrf);
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

/// How long the sign-in form's nonce lasts.
const LOGIN_FORM_SECS: u64 = 3600;

/// The sign-in page with a fresh pre-session nonce: in a cookie, and its
/// HMAC in the form.
fn fresh_form(state: &AppState, notice: Option<&Notice>, status: StatusCode) -> Response {
    let nonce = hex::encode(uuid::Uuid::new_v4().as_bytes());
    let login_csrf = csrf_for(state.console_key.as_slice(), &format!("login:{nonce}"));
    let mut response = (status, login_form(notice, &login_csrf)).into_response();
    if let Ok(value) = HeaderValue::from_str(&set_cookie(state, true, &nonce, LOGIN_FORM_SECS)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

async fn login_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if session(&state, &headers).await.is_some() {
        return Redirect::to("/admin").into_response();
    }
    fresh_form(&state, None, StatusCode::OK)
}

/// Whether the sign-in form came from this site: not cross-site by the
/// browser's word (`Sec-Fetch-Site`), an `Origin` naming this host when
/// sent, and the pre-session CSRF token the sign-in page set.
fn same_site_form(state: &AppState, headers: &HeaderMap, fields: &Fields) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    if let Some(origin) = text(header::ORIGIN) {
        let host = text(header::HOST).unwrap_or_default();
        let authority = origin.split_once("://").map_or("", |(_, rest)| rest);
        if authority.is_empty() || !authority.eq_ignore_ascii_case(host) {
            return false;
        }
    }
    let (Some(nonce), Some(sent)) = (
        cookie(state, headers, true),
        field(fields, "login_csrf").and_then(|v| hex::decode(v).ok()),
    ) else {
        return false;
    };
    use hmac::Mac;
    let Ok(mut mac) =
        <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(state.console_key.as_slice())
    else {
        return false;
    };
    mac.update(format!("login:{nonce}").as_bytes());
    mac.verify_slice(&sent).is_ok()
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Response {
    if !same_site_form(&state, &headers, &fields) {
        let notice = Notice::error(
            "FORBIDDEN",
            "This sign-in did not come from this console's own form (another site, or an expired page). Sign in again here.",
        );
        return fresh_form(&state, Some(&notice), StatusCode::FORBIDDEN);
    }
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
        return fresh_form(&state, Some(&notice), StatusCode::UNAUTHORIZED);
    };
    // A youth's own token (no organization) goes to their own record.
    let home = if viewer.org_slug.is_empty() {
        "/me"
    } else {
        "/admin"
    };
    let mut response = Redirect::to(home).into_response();
    if let Ok(value) = HeaderValue::from_str(&set_cookie(&state, false, &token, SESSION_SECS)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    // The form's nonce is spent.
    if let Ok(value) = HeaderValue::from_str(&set_cookie(&state, true, "", 0)) {
        response.headers_mut().append(header::SET_COOKIE, value);
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
    if let Ok(value) = HeaderValue::from_str(&set_cookie(&state, false, "", 0)) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
