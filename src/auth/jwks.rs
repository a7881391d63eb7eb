//! A JWKS cache: keys fetched from the configured URL, kept by `kid`, and
//! fetched again when a token names a `kid` the cache does not know — at most
//! once per `min_refresh` so that forged `kid`s cannot hammer the issuer.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::{Mutex, RwLock};

pub(super) struct JwksCache {
    url: String,
    client: reqwest::Client,
    min_refresh: Duration,
    keys: RwLock<Vec<(Option<String>, Algorithm, DecodingKey)>>,
    last_fetch: Mutex<Option<Instant>>,
}

impl JwksCache {
    pub(super) fn new(url: String, min_refresh: Duration) -> JwksCache {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
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
        let pick = |keys: &[(Option<String>, Algorithm, DecodingKey)]| -> Vec<DecodingKey> {
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
        let fetched = async {
            let response = self
                .client
                .get(&self.url)
                .send()
                .await
                .ok()?
                .error_for_status()
                .ok()?;
            response.json::<JwkSet>().await.ok()
        }
        .await;
        let Some(set) = fetched else {
            tracing::warn!("JWKS fetch failed; keeping the cached keys");
            return;
        };
        let keys = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let alg = match &jwk.algorithm {
                    AlgorithmParameters::RSA(_) => Algorithm::RS256,
                    AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                        Algorithm::ES256
                    }
                    _ => return None,
                };
                let key = DecodingKey::from_jwk(jwk).ok()?;
                Some((jwk.common.key_id.clone(), alg, key))
            })
            .collect();
        *self.keys.write().await = keys;
    }
}
