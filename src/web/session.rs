//! A console session: the signed-in token kept in an `HttpOnly`,
//! `SameSite=Strict` cookie, and the CSRF token every form carries (an HMAC
//! of the session under a key made at start). Read by the console's pages
//! and by the CSV download links of the HTTP endpoints.

use axum::http::{HeaderMap, header};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::{Role, Viewer};
use crate::web::state::{AppState, viewer_from_token};

/// The session cookie's name in demo mode (plain `http://`, where a
/// browser refuses `__Host-` cookies and `Secure` ones off localhost).
pub const DEMO_COOKIE: &str = "hub_session";
/// The session cookie's name outside demo mode: `__Host-` binds it to this
/// host and path `/`, and browsers accept it only with `Secure`.
pub const COOKIE: &str = "__Host-hub_session";
/// The pre-session cookie of the sign-in form (its CSRF nonce).
pub const LOGIN_COOKIE: &str = "__Host-hub_login";
/// The same in demo mode.
pub const DEMO_LOGIN_COOKIE: &str = "hub_login";

/// A cookie's `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, path `/`,
/// and outside demo mode the `__Host-` name and `Secure`.
pub(crate) fn set_cookie(state: &AppState, login: bool, value: &str, max_age: u64) -> String {
    let (name, secure) = match (state.config.demo, login) {
        (true, false) => (DEMO_COOKIE, ""),
        (true, true) => (DEMO_LOGIN_COOKIE, ""),
        (false, false) => (COOKIE, "; Secure"),
        (false, true) => (LOGIN_COOKIE, "; Secure"),
    };
    format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
}

/// The value of the session (or, with `login`, the sign-in form's) cookie.
pub(crate) fn cookie(state: &AppState, headers: &HeaderMap, login: bool) -> Option<String> {
    let name = match (state.config.demo, login) {
        (true, false) => DEMO_COOKIE,
        (true, true) => DEMO_LOGIN_COOKIE,
        (false, false) => COOKIE,
        (false, true) => LOGIN_COOKIE,
    };
    cookie_value(headers, name)
}

/// A signed-in console user.
pub(crate) struct Session {
    token: String,
    pub viewer: Viewer,
    pub csrf: String,
}

impl Session {
    pub fn has(&self, role: Role) -> bool {
        self.viewer.has(role)
    }
}

type HmacSha256 = Hmac<Sha256>;

pub(crate) fn csrf_for(key: &[u8], token: &str) -> String {
    // An HMAC accepts keys of any length.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The session of a request, if its cookie holds a token that still verifies.
pub(crate) async fn session(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    let token = cookie(state, headers, false)?;
    let viewer = viewer_from_token(state, &token).await.ok()?;
    let csrf = csrf_for(state.console_key.as_slice(), &token);
    Some(Session {
        token,
        viewer,
        csrf,
    })
}

/// Whether `sent` (a form's `csrf` field) is this session's CSRF token
/// (constant-time).
pub(crate) fn csrf_ok(state: &AppState, session: &Session, sent: Option<&str>) -> bool {
    let Some(sent) = sent.and_then(|v| hex::decode(v).ok()) else {
        return false;
    };
    let mut mac = <HmacSha256 as Mac>::new_from_slice(state.console_key.as_slice())
        .unwrap_or_else(|_| unreachable!());
    mac.update(session.token.as_bytes());
    mac.verify_slice(&sent).is_ok()
}
