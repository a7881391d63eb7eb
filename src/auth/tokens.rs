//! Token minting (HS256, for local use) and verification.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, decode_header, encode,
};
use serde::{Deserialize, Serialize};

use super::jwks::JwksCache;
use crate::ground::config::AuthConfig;
use crate::ground::error::Error;

/// The claims a hub token carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// The organization's slug; absent (empty) in a youth's own token.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub org: String,
    #[serde(default)]
    pub roles: Vec<String>,
    pub exp: u64,
    #[serde(default)]
    pub iat: u64,
    pub iss: String,
    pub aud: String,
}

/// Verifies tokens with the configured keys; mints HS256 tokens when a
/// secret is configured.
pub struct TokenVerifier {
    hs256: Option<(EncodingKey, DecodingKey)>,
    /// Public keys from PEM files, each with the algorithm it verifies.
    static_keys: Vec<(Algorithm, DecodingKey)>,
    jwks: Option<JwksCache>,
    issuer: String,
    audience: String,
    ttl_secs: u64,
}

const NOT_VERIFIED: Error = Error::Unauthenticated("the token could not be verified");

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl TokenVerifier {
    /// Builds the verifier from validated configuration; reads PEM files.
    pub fn from_config(
        auth: &AuthConfig,
    ) -> Result<TokenVerifier, crate::ground::config::ConfigError> {
        use crate::ground::config::ConfigError;
        let hs256 = auth.hs256_secret.as_ref().map(|s| {
            (
                EncodingKey::from_secret(s.as_bytes()),
                DecodingKey::from_secret(s.as_bytes()),
            )
        });
        let mut static_keys = Vec::new();
        for (i, file) in auth.public_key_files.iter().enumerate() {
            let setting = format!("`auth.public_key_files[{i}]`");
            let pem = std::fs::read(file)
                .map_err(|_| ConfigError(format!("{setting} cannot be read")))?;
            let key = if let Ok(key) = DecodingKey::from_rsa_pem(&pem) {
                (Algorithm::RS256, key)
            } else if let Ok(key) = DecodingKey::from_ec_pem(&pem) {
                (Algorithm::ES256, key)
            } else {
                return Err(ConfigError(format!(
                    "{setting} is not an RSA or EC public key in PEM"
                )));
            };
            static_keys.push(key);
        }
        let jwks = auth.jwks_url.as_ref().map(|url| {
            JwksCache::new(
                url.clone(),
                std::time::Duration::from_secs(auth.jwks_min_refresh_secs),
            )
        });
        Ok(TokenVerifier {
            hs256,
            static_keys,
            jwks,
            issuer: auth.issuer.clone(),
            audience: auth.audience.clone(),
            ttl_secs: auth.token_ttl_secs,
        })
    }

    /// Mints an HS256 token with the configured secret. `ttl_secs` defaults
    /// to the configured lifetime.
    pub fn mint(
        &self,
        subject: &str,
        org_slug: &str,
        roles: &[String],
        ttl_secs: Option<u64>,
    ) -> Result<String, Error> {
        let Some((encoding, _)) = &self.hs256 else {
            return Err(Error::bad_input(
                "auth.hs256_secret",
                "minting tokens needs an HS256 secret",
            ));
        };
        let iat = now_secs();
        let claims = Claims {
            sub: subject.to_owned(),
            org: org_slug.to_owned(),
            roles: roles.to_vec(),
            iat,
            exp: iat + ttl_secs.unwrap_or(self.ttl_secs),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, encoding)
            .map_err(|_| Error::Internal("token encoding failed".into()))
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.required_spec_claims = ["exp", "iss", "aud", "sub"]
            .iter()
            .map(|s| s.to_string())
            .collect::<HashSet<_>>();
        validation.leeway = 30;
        validation
    }

    /// Verifies a token's signature and claims. Never panics; every failure
    /// is the same `UNAUTHENTICATED`, so the answer reveals nothing about
    /// which check failed.
    pub async fn verify(&self, token: &str) -> Result<Claims, Error> {
        // `decode_header` rejects `alg: none` and algorithms it does not know.
        let header = decode_header(token).map_err(|_| NOT_VERIFIED)?;
        let validation = self.validation(header.alg);
        let check =
            |key: &DecodingKey| decode::<Claims>(token, key, &validation).map(|data| data.claims);
        match header.alg {
            Algorithm::HS256 => {
                let (_, key) = self.hs256.as_ref().ok_or(NOT_VERIFIED)?;
                check(key).map_err(|_| NOT_VERIFIED)
            }
            Algorithm::RS256 | Algorithm::ES256 => {
                for (alg, key) in &self.static_keys {
                    if *alg == header.alg
                        && let Ok(claims) = check(key)
                    {
                        return Ok(claims);
                    }
                }
                if let Some(jwks) = &self.jwks {
                    for key in jwks.candidates(header.kid.as_deref(), header.alg).await {
                        if let Ok(claims) = check(&key) {
                            return Ok(claims);
                        }
                    }
                }
                Err(NOT_VERIFIED)
            }
            _ => Err(NOT_VERIFIED),
        }
    }

    /// Fetches the JWKS once, so the first request does not wait for it.
    pub async fn warm_up(&self) {
        if let Some(jwks) = &self.jwks {
            jwks.refresh().await;
        }
    }
}
