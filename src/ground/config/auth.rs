//! `[auth]`: how tokens are verified (DESIGN.md section 4) — an HS256
//! secret, PEM public keys, a JWKS URL.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How tokens are verified (DESIGN.md section 4).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthConfig {
    /// Shared secret for HS256 tokens (local use), at least 32 bytes.
    #[serde(default)]
    pub hs256_secret: Option<String>,
    /// PEM files of RS256/ES256 public keys.
    #[serde(default)]
    pub public_key_files: Vec<PathBuf>,
    /// A JWKS URL, fetched at start and again when a token names an unknown
    /// `kid`. `https://`; `http://` only for a loopback host (127.0.0.0/8,
    /// `::1`, `localhost`), where nothing crosses a network.
    #[serde(default)]
    pub jwks_url: Option<String>,
    /// Shortest interval between two JWKS fetches, in seconds.
    #[serde(default = "default_jwks_min_refresh_secs")]
    pub jwks_min_refresh_secs: u64,
    /// Required `iss` claim.
    #[serde(default = "default_issuer")]
    pub issuer: String,
    /// Required `aud` claim.
    #[serde(default = "default_audience")]
    pub audience: String,
    /// Lifetime of tokens minted by `pathways-hub token`, in seconds.
    #[serde(default = "default_token_ttl_secs")]
    pub token_ttl_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            hs256_secret: None,
            public_key_files: Vec::new(),
            jwks_url: None,
            jwks_min_refresh_secs: default_jwks_min_refresh_secs(),
            issuer: default_issuer(),
            audience: default_audience(),
            token_ttl_secs: default_token_ttl_secs(),
        }
    }
}

fn default_jwks_min_refresh_secs() -> u64 {
    30
}
fn default_issuer() -> String {
    "pathways-hub".to_owned()
}
fn default_audience() -> String {
    "pathways-hub".to_owned()
}
fn default_token_ttl_secs() -> u64 {
    8 * 3600
}

/// Whether `url` names a loopback host: 127.0.0.0/8, `::1` or `localhost`.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl AuthConfig {
    /// Checks the settings; `min_secret` is the shortest HS256 secret
    /// accepted (shorter in demo mode). The error names the setting and why.
    pub fn validate(&self, min_secret: usize) -> Result<(), (String, String)> {
        let bad = |setting: &str, why: String| Err((format!("auth.{setting}"), why));
        if let Some(secret) = &self.hs256_secret
            && secret.len() < min_secret
        {
            return bad(
                "hs256_secret",
                format!("must be at least {min_secret} bytes"),
            );
        }
        if self.hs256_secret.is_none()
            && self.public_key_files.is_empty()
            && self.jwks_url.is_none()
        {
            return Err((
                "auth".into(),
                "needs at least one of hs256_secret, public_key_files or jwks_url".into(),
            ));
        }
        for (i, file) in self.public_key_files.iter().enumerate() {
            if !file.is_file() {
                return bad(
                    &format!("public_key_files[{i}]"),
                    "is not a readable file".into(),
                );
            }
        }
        if let Some(jwks) = &self.jwks_url {
            let Ok(parsed) = url::Url::parse(jwks) else {
                return bad("jwks_url", "is not a URL".into());
            };
            // Keys fetched in the clear could be swapped on the way; only a
            // loopback address keeps plain http off the network.
            let allowed = match parsed.scheme() {
                "https" => true,
                "http" => is_loopback(&parsed),
                _ => false,
            };
            if !allowed {
                return bad(
                    "jwks_url",
                    "must be an https:// URL (http:// only for a loopback host: \
                     127.0.0.0/8, ::1, localhost)"
                        .into(),
                );
            }
        }
        if self.issuer.trim().is_empty() {
            return bad("issuer", "must not be empty".into());
        }
        if self.audience.trim().is_empty() {
            return bad("audience", "must not be empty".into());
        }
        if self.token_ttl_secs == 0 {
            return bad("token_ttl_secs", "must be at least 1".into());
        }
        Ok(())
    }
}
