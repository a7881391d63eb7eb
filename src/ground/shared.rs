//! What several hub instances share when `redis_url` is configured: the
//! per-subject and per-address rate limits (a fixed one-minute window per
//! key: `INCR`, then `EXPIRE` on the first hit) and the automatic persisted
//! queries (the query text under its sha256 hash). Without Redis both are
//! per process.
//!
//! Redis away (a call fails or takes longer than `limits.redis_timeout_ms`)
//! is not the partners' problem: rate limits fall back to this process's
//! own limits (which still refuse), persisted queries to this process's
//! own copies (every query registered here is also kept here). One warning
//! is logged when Redis goes away and one line when it answers again; in
//! between, Redis is tried again at most once a second (a stalled Redis
//! would otherwise cost every request the timeout), on a new connection.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest,
};
use async_graphql::{Request, ServerError, ServerResult};
use redis::AsyncCommands;
use redis::aio::MultiplexedConnection;
use sha2::{Digest, Sha256};

/// How long Redis is left alone after a failed call.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// A connection to the shared Redis, with the key namespace (cheap to
/// clone: clones share the connection and the local fallbacks).
#[derive(Clone)]
pub struct Shared(Arc<Inner>);

struct Inner {
    client: redis::Client,
    /// The open connection; `None` after a failure (the next try opens one).
    connection: Mutex<Option<MultiplexedConnection>>,
    namespace: String,
    timeout: Duration,
    /// Set while Redis is away, to log the change once each way.
    away: AtomicBool,
    /// Before this instant Redis is not tried (after a failure).
    quiet_until: Mutex<Option<Instant>>,
    /// Persisted queries registered through this process, for when Redis
    /// is away.
    local_queries: Mutex<LocalQueries>,
}

/// At most `capacity` persisted queries, the oldest dropped first.
struct LocalQueries {
    capacity: usize,
    queries: HashMap<String, String>,
    order: VecDeque<String>,
}

impl LocalQueries {
    fn insert(&mut self, hash: &str, query: &str) {
        if self.queries.contains_key(hash) {
            return;
        }
        while self.order.len() >= self.capacity.max(1) {
            if let Some(oldest) = self.order.pop_front() {
                self.queries.remove(&oldest);
            }
        }
        self.queries.insert(hash.to_owned(), query.to_owned());
        self.order.push_back(hash.to_owned());
    }
}

/// A poisoned lock only means another request panicked while holding it:
/// the data (a connection handle, an instant, a cache) is still usable.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    /// Connects to `url`; keys start with `namespace:`; a call slower than
    /// `timeout` counts as Redis away; `local_queries` persisted queries
    /// are also kept in this process.
    pub async fn connect(
        url: &str,
        namespace: &str,
        timeout: Duration,
        local_queries: usize,
    ) -> Result<Shared, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let connection = match tokio::time::timeout(
            timeout.max(Duration::from_secs(1)),
            client.get_multiplexed_async_connection(),
        )
        .await
        {
            Ok(connection) => connection?,
            Err(_) => {
                return Err(redis::RedisError::from(std::io::Error::from(
                    std::io::ErrorKind::TimedOut,
                )));
            }
        };
        Ok(Shared(Arc::new(Inner {
            client,
            connection: Mutex::new(Some(connection)),
            namespace: namespace.to_owned(),
            timeout,
            away: AtomicBool::new(false),
            quiet_until: Mutex::new(None),
            local_queries: Mutex::new(LocalQueries {
                capacity: local_queries,
                queries: HashMap::new(),
                order: VecDeque::new(),
            }),
        })))
    }

    /// Whether the last call to Redis failed (it is then used again only
    /// once a call succeeds).
    pub fn is_away(&self) -> bool {
        self.0.away.load(Ordering::Relaxed)
    }

    /// Runs `call` on a connection within the timeout; `None` when Redis is
    /// away (now, or within the last second).
    async fn call<T, F>(&self, call: impl FnOnce(MultiplexedConnection) -> F) -> Option<T>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let inner = &self.0;
        if lock(&inner.quiet_until).is_some_and(|until| Instant::now() < until) {
            return None;
        }
        let attempt = async {
            let open = lock(&inner.connection).clone();
            let connection = match open {
                Some(connection) => connection,
                None => {
                    let connection = inner.client.get_multiplexed_async_connection().await?;
                    *lock(&inner.connection) = Some(connection.clone());
                    connection
                }
            };
            call(connection).await
        };
        let failure = match tokio::time::timeout(inner.timeout, attempt).await {
            Ok(Ok(value)) => {
                *lock(&inner.quiet_until) = None;
                if inner.away.swap(false, Ordering::Relaxed) {
                    tracing::info!(
                        "shared Redis answers again; rate limits and persisted queries shared again"
                    );
                }
                return Some(value);
            }
            Ok(Err(err)) => format!("{:?}", err.kind()),
            Err(_) => format!("no answer within {} ms", inner.timeout.as_millis()),
        };
        // A connection that failed or hangs is not used again.
        *lock(&inner.connection) = None;
        *lock(&inner.quiet_until) = Some(Instant::now() + RETRY_AFTER_FAILURE);
        if !inner.away.swap(true, Ordering::Relaxed) {
            tracing::warn!(error = %failure, "shared Redis unavailable; rate limits and persisted queries per process until it answers");
        }
        None
    }

    /// Counts one request of `key` in the current minute: `Some(Err(wait))`
    /// when it is over `per_minute`, `None` when Redis is away (the caller
    /// falls back to its own limit).
    pub async fn hit(
        &self,
        kind: &str,
        key: &str,
        per_minute: u32,
    ) -> Option<Result<(), Duration>> {
        let digest = hex::encode(Sha256::digest(key.as_bytes()));
        let key = format!("{}:rate:{kind}:{}", self.0.namespace, &digest[..32]);
        let (count, ttl) = self
            .call(|mut conn| async move {
                let (count, ttl): (u64, i64) = redis::pipe()
                    .atomic()
                    .incr(&key, 1u64)
                    .ttl(&key)
                    .query_async(&mut conn)
                    .await?;
                if ttl < 0 {
                    let _: () = conn.expire(&key, 60).await?;
                }
                Ok((count, ttl))
            })
            .await?;
        Some(if count > u64::from(per_minute) {
            Err(Duration::from_secs(ttl.clamp(1, 60) as u64))
        } else {
            Ok(())
        })
    }

    async fn query_of(&self, hash: &str) -> Option<String> {
        let key = format!("{}:apq:{hash}", self.0.namespace);
        let shared: Option<String> = self
            .call(|mut conn| async move { conn.get(key).await })
            .await
            .flatten();
        shared.or_else(|| lock(&self.0.local_queries).queries.get(hash).cloned())
    }

    async fn remember(&self, hash: &str, query: &str) {
        lock(&self.0.local_queries).insert(hash, query);
        let key = format!("{}:apq:{hash}", self.0.namespace);
        let _: Option<()> = self
            .call(|mut conn| async move { conn.set_ex(key, query, 24 * 3600).await })
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
