//! `[[webhooks]]`: organizations told when the change feed has something
//! new for them (DESIGN.md section 10). The push names only the newest
//! change version, signed with the organization's secret; the partner then
//! pulls with `changes`.

use serde::{Deserialize, Serialize};

/// One organization's webhook.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The organization's slug: the push comes when a change it may read
    /// (as its staff) was committed.
    pub org: String,
    /// Where the signed POST goes: https, or http to a loopback host; no
    /// redirect is followed.
    pub url: String,
    /// HMAC-SHA256 key of the `X-Pathways-Signature` header, which signs
    /// the `X-Pathways-Timestamp` with the body (at least 16 bytes).
    pub secret: String,
    /// How often the feed is checked for this organization, in milliseconds.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// Attempts per push before waiting for the next check.
    #[serde(default = "default_attempts")]
    pub attempts: u32,
    /// First retry delay in milliseconds; each further retry doubles it.
    #[serde(default = "default_retry_ms")]
    pub retry_ms: u64,
}

fn default_poll_ms() -> u64 {
    1_000
}

fn default_attempts() -> u32 {
    5
}

fn default_retry_ms() -> u64 {
    500
}

/// Checks one webhook; the error names the setting and why.
pub fn validate(w: &WebhookConfig, at: &str) -> Result<(), (String, String)> {
    let bad = |setting: &str, why: &str| Err((format!("{at}.{setting}"), why.to_owned()));
    if w.org.trim().is_empty() {
        return bad("org", "must name an organization slug");
    }
    // Like the JWKS: https, or plain http only to this machine.
    match url::Url::parse(&w.url) {
        Ok(u) if u.scheme() == "https" || (u.scheme() == "http" && super::is_loopback(&u)) => {}
        _ => {
            return bad(
                "url",
                "must be an https:// URL (http:// only for a loopback host)",
            );
        }
    }
    if w.secret.len() < 16 {
        return bad("secret", "must be at least 16 bytes");
    }
    if w.poll_ms == 0 || w.attempts == 0 {
        return bad("poll_ms", "poll_ms and attempts must be at least 1");
    }
    Ok(())
}
