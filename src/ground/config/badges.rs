//! `[badges]`: Open Badges 3.0 credentials (`credentialBadge`, DESIGN.md
//! section 10): the hub's public address, used in the issuer profiles and
//! the key's address, and the Ed25519 key that signs them.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Badge settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BadgesConfig {
    /// The hub's address as partners and verifiers reach it (e.g.
    /// `https://hub.example.org`); `http://` + `listen` when left out.
    #[serde(default)]
    pub public_url: Option<String>,
    /// An Ed25519 private key (PKCS#8 PEM, `openssl genpkey -algorithm
    /// ed25519`). With it every badge also comes as a signed VC-JWT and
    /// `/badges/jwks.json` publishes the public key; without it badges are
    /// unsigned.
    #[serde(default)]
    pub signing_key_file: Option<PathBuf>,
}

impl BadgesConfig {
    /// The signing key's PEM, read and checked; `None` without a key file.
    pub fn signing_key(&self) -> Result<Option<jsonwebtoken::EncodingKey>, (String, String)> {
        let Some(path) = &self.signing_key_file else {
            return Ok(None);
        };
        let at = "badges.signing_key_file".to_owned();
        let pem = std::fs::read(path)
            .map_err(|e| (at.clone(), format!("cannot be read ({})", e.kind())))?;
        jsonwebtoken::EncodingKey::from_ed_pem(&pem)
            .map(Some)
            .map_err(|_| {
                (
                    at,
                    "must be an Ed25519 private key in PKCS#8 PEM".to_owned(),
                )
            })
    }

    /// Checks the settings; the error names the setting and why.
    pub fn validate(&self) -> Result<(), (String, String)> {
        if let Some(url) = &self.public_url
            && !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            return Err(("badges.public_url".into(), "must be an http(s) URL".into()));
        }
        self.signing_key().map(|_| ())
    }
}
