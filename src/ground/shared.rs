//! What several hub instances share when `redis_url` is configured: the
//! per-subject and per-address rate limits (a fixed one-minute window per
//! key: `INCR`, then `EXPIRE` on the first hit) and the automatic persisted
//! queries (the query text under its sha256 hash). Without Redis both are
//! per process. If Redis does not answer, requests are let through (rate
//! limits fail open, logged) rather than failing every partner.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{Request, ServerError, ServerResult};
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use sha2::{Digest, Sha256};

/// A connection to the shared Redis, with the key namespace.
#[derive(Clone)]
pub struct Shared {
    connection: MultiplexedConnection,
    namespace: String,
}

impl Shared {
    /// Connects to `url`; keys start with `namespace:`.
    pub async fn connect(url: &str, namespace: &str) -> Result<Shared, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let connection = client.get_multiplexed_async_connection().await?;
        Ok(Shared {
            connection,
            namespace: namespace.to_owned(),
        })
    }

    /// Counts one request of `key` in the current minute; `Err(wait)` when
    /// it is over `per_minute`.
    pub async fn hit(&self, kind: &str, key: &str, per_minute: u32) -> Result<(), Duration> {
        let digest = hex::encode(Sha256::digest(key.as_bytes()));
        let key = format!("{}:rate:{kind}:{}", self.namespace, &digest[..32]);
        let mut conn = self.connection.clone();
        let counted: Result<(u64, i64), _> = redis::pipe()
            .atomic()
            .incr(&key, 1u64)
            .ttl(&key)
            .query_async(&mut conn)
            .await;
        match counted {
            Ok((count, ttl)) => {
                if ttl < 0 {
                    let _: Result<(), _> = conn.expire(&key, 60).await;
                }
                if count > u64::from(per_minute) {
                    Err(Duration::from_secs(ttl.clamp(1, 60) as u64))
                } else {
                    Ok(())
                }
            }
            Err(err) => {
                tracing::warn!(error = ?err.kind(), "shared rate limit unavailable; letting the request through");
                Ok(())
            }
        }
    }

    async fn query_of(&self, hash: &str) -> Option<String> {
        let mut conn = self.connection.clone();
        conn.get(format!("{}:apq:{hash}", self.namespace))
            .await
            .ok()
            .flatten()
    }

    async fn remember(&self, hash: &str, query: &str) {
        let mut conn = self.connection.clone();
        let _: Result<(), _> = conn
            .set_ex(format!("{}:apq:{hash}", self.namespace), query, 24 * 3600)
            .await;
    }
}

/// Automatic persisted queries kept in the shared Redis, so a hash
/// registered through one instance runs on every other.
pub struct SharedPersistedQueries(pub Shared);

impl ExtensionFactory for SharedPersistedQueries {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SharedPersistedQueriesExtension(self.0.clone()))
    }
}

struct SharedPersistedQueriesExtension(Shared);

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedQuery {
    version: i32,
    sha256_hash: String,
}

#[async_graphql::async_trait::async_trait]
impl Extension for SharedPersistedQueriesExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(value) = request.extensions.remove("persistedQuery") {
            let persisted: PersistedQuery = async_graphql::from_value(value).map_err(|_| {
                ServerError::new("Invalid \"PersistedQuery\" extension configuration.", None)
            })?;
            if persisted.version != 1 {
                return Err(ServerError::new(
                    "Only the \"PersistedQuery\" extension of version \"1\" is supported.",
                    None,
                ));
            }
            if request.query.is_empty() {
                match self.0.query_of(&persisted.sha256_hash).await {
                    Some(query) => request.query = query,
                    None => return Err(ServerError::new("PersistedQueryNotFound", None)),
                }
            } else {
                let hash = format!("{:x}", Sha256::digest(request.query.as_bytes()));
                if hash != persisted.sha256_hash {
                    return Err(ServerError::new("provided sha does not match query", None));
                }
                self.0.remember(&hash, &request.query).await;
            }
        }
        next.run(ctx, request).await
    }
}
