//! A console session: the signed-in token kept in an `HttpOnly`,
//! `SameSite=Strict` cookie, and the CSRF token every form carries (an HMAC
//! of the session under a key made at start). Read by the console's pages
//! and by the CSV download links of the HTTP endpoints.

use axum::http::{HeaderMap, header};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::{Role, Viewer};
use crate::web::state::{AppState, viewer_from_token};

/// The session cookie's name.
pub const COOKIE: &str = "hub_session";

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
    let token = cookie_value(headers, COOKIE)?;
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
