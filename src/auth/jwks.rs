//! A JWKS cache: keys fetched from the configured URL, kept by `kid`, and
//! fetched again when a token names a `kid` the cache does not know — at most
//! once per `min_refresh` so that forged `kid`s cannot hammer the issuer.
//!
//! What a fetch trusts: the configured address only — https (plain http only
//! to a loopback host, checked at configuration and again by the client), no
//! redirect followed (a 3xx is a failed fetch), a body of at most
//! [`MAX_JWKS_BYTES`] read piece by piece and abandoned past it. What a key
//! may verify: only signatures (`use` absent or `sig`), only the algorithm its
//! type fits (RSA → RS256, EC P-256 → ES256) and only that one when it
//! declares an `alg`. Any other key is left out of the cache.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

/// The largest JWKS body read; an issuer's set is a few KiB.
pub(super) const MAX_JWKS_BYTES: usize = 256 * 1024;

/// A key the cache may use: its `kid`, the one algorithm it verifies.
type Key = (Option<String>, Algorithm, DecodingKey);

pub(super) struct JwksCache {
    url: String,
    client: reqwest::Client,
    min_refresh: Duration,
    keys: RwLock<Vec<Key>>,
    last_fetch: Mutex<Option<Instant>>,
}

impl JwksCache {
    pub(super) fn new(url: String, min_refresh: Duration) -> JwksCache {
        // Validated configuration allows http only to a loopback host; the
        // client refuses it anywhere else too.
        let loopback = url::Url::parse(&url).is_ok_and(|u| crate::ground::config::is_loopback(&u));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!loopback)
            .build()
            .unwrap_or_else(|err| {
                // Without a client every fetch fails and every JWKS token is
                // refused: closed, not open.
                tracing::error!(%err, "JWKS client could not start");
                reqwest::Client::new()
            });
        JwksCache {
            url,
            client,
            min_refresh,
            keys: RwLock::new(Vec::new()),
            last_fetch: Mutex::new(None),
        }
    }

    /// Keys that may verify a token with this `kid` and algorithm; fetches
    /// the set again when the `kid` is unknown.
    pub(super) async fn candidates(&self, kid: Option<&str>, alg: Algorithm) -> Vec<DecodingKey> {
        let pick = |keys: &[Key]| -> Vec<DecodingKey> {
            keys.iter()
                .filter(|(k, a, _)| *a == alg && (kid.is_none() || k.as_deref() == kid))
                .map(|(_, _, key)| key.clone())
                .collect()
        };
        let found = pick(&self.keys.read().await);
        if !found.is_empty() {
            return found;
        }
        self.refresh().await;
        pick(&self.keys.read().await)
    }

    /// Fetches the key set unless it was fetched within `min_refresh`.
    /// A failed fetch keeps the old keys.
    pub(super) async fn refresh(&self) {
        let mut last = self.last_fetch.lock().await;
        if last.is_some_and(|at| at.elapsed() < self.min_refresh) {
            return;
        }
        *last = Some(Instant::now());
        let set = match self.fetch().await {
            Ok(set) => set,
            Err(why) => {
                tracing::warn!(why, "JWKS fetch failed; keeping the cached keys");
                return;
            }
        };
        let keys: Vec<Key> = set.keys.iter().filter_map(usable).collect();
        if keys.len() < set.keys.len() {
            tracing::info!(
                skipped = set.keys.len() - keys.len(),
                "JWKS keys not for RS256/ES256 signatures were left out"
            );
        }
        *self.keys.write().await = keys;
    }

    /// One GET of the set: a 2xx answer (redirects are not followed) whose
    /// body stays within [`MAX_JWKS_BYTES`]. The error says why, for the log.
    async fn fetch(&self) -> Result<RawSet, &'static str> {
        let mut response = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(|_| "unreachable")?;
        if !response.status().is_success() {
            // A 3xx lands here: the policy does not follow it.
            return Err("not a 2xx answer");
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|_| "body cut off")? {
            if body.len() + chunk.len() > MAX_JWKS_BYTES {
                return Err("body larger than the JWKS limit");
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|_| "not a JWKS document")
    }
}

/// The set with each key still raw, so that one key the hub cannot read
/// (another `kty`, a malformed entry) does not lose the others.
#[derive(Deserialize)]
struct RawSet {
    keys: Vec<serde_json::Value>,
}

/// The key as the cache keeps it, or `None` when it may not verify a
/// token's signature here: `use` other than `sig`, a type other than RSA or
/// EC P-256, or a declared `alg` other than the one its type fits.
fn usable(raw: &serde_json::Value) -> Option<Key> {
    let jwk: Jwk = serde_json::from_value(raw.clone()).ok()?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return None;
    }
    let (alg, declared) = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => (Algorithm::RS256, KeyAlgorithm::RS256),
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
            (Algorithm::ES256, KeyAlgorithm::ES256)
        }
        _ => return None,
    };
    if jwk.common.key_algorithm.is_some_and(|a| a != declared) {
        return None;
    }
    let key = DecodingKey::from_jwk(&jwk).ok()?;
    Some((jwk.common.key_id.clone(), alg, key))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    fn rsa(extra: serde_json::Value) -> serde_json::Value {
        // A 512-bit modulus is enough to parse; nothing is verified here.
        let mut key = json!({
            "kty": "RSA", "kid": "k", "e": "AQAB",
            "n": "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw"
        });
        key.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        key
    }

    #[test]
    fn only_signature_keys_of_the_algorithm_their_type_fits_are_kept() {
        let kept = |extra| usable(&rsa(extra)).map(|(kid, alg, _)| (kid, alg));
        let k = Some("k".to_owned());
        assert_eq!(kept(json!({})), Some((k.clone(), Algorithm::RS256)));
        assert_eq!(
            kept(json!({ "use": "sig", "alg": "RS256" })),
            Some((k, Algorithm::RS256))
        );
        assert_eq!(kept(json!({ "use": "enc" })), None);
        assert_eq!(kept(json!({ "use": "something" })), None);
        assert_eq!(kept(json!({ "alg": "RS384" })), None);
        assert_eq!(kept(json!({ "alg": "ES256" })), None);
        assert_eq!(kept(json!({ "alg": "RSA-OAEP" })), None);
        assert_eq!(
            usable(&json!({ "kty": "oct", "k": "c2VjcmV0" })).map(|k| k.1),
            None
        );
        assert_eq!(usable(&json!({ "kty": "RSA" })).map(|k| k.1), None);
    }
}
