//! What several hub instances share when `redis_url` is configured: the
//! per-subject and per-address rate limits (a fixed one-minute window per
//! key, from its first hit) and the automatic persisted queries (the query text under its
//! sha256 hash). Without Redis both are per process.
//!
//! Redis is kept off a request's critical path where a local decision is
//! safe. A request far from its limit — the window's counter as last read
//! from Redis (the first hit of a window always asks Redis), plus this process's hits since, plus a headroom of a tenth of the
//! limit (at least 50) still under the limit — is counted here and let
//! through; a task adds this process's hits to the shared counters and reads
//! them back, every instance's, in one pipelined call every 100 ms. Only a
//! request near its limit asks Redis before it is answered, so small limits
//! stay exact across instances; a burst on several instances can overshoot
//! a large limit by what they serve in 100 ms, which the headroom absorbs.
//! Persisted queries known in this process are not looked up in Redis.
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

/// How often this process's hits are added to the shared counters.
const SYNC_EVERY: Duration = Duration::from_millis(100);

/// The least headroom under a limit for a local decision.
const LOCAL_HEADROOM: u64 = 50;

/// What this process knows of one shared rate counter's window.
struct Count {
    /// When the window ends, as Redis last said (its key's TTL).
    ends: Instant,
    /// The shared count as last read from Redis (every instance's hits).
    shared: u64,
    /// This process's hits not yet added in Redis.
    pending: u64,
}

/// The Redis key of `key`'s rate-limit window of `kind` (`subject`, `ip`)
/// under `namespace`: the key is hashed, so no subject or address is
/// stored in Redis.
pub fn rate_key(namespace: &str, kind: &str, key: &str) -> String {
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    format!("{namespace}:rate:{kind}:{}", &digest[..32])
}

/// Adds `n` to the window counter `key` (opening a one-minute window when
/// there is none) and reads back its total and seconds left, atomically.
fn add(pipe: &mut redis::Pipeline, key: &str, n: u64) {
    pipe.cmd("SET")
        .arg(key)
        .arg(0)
        .arg("EX")
        .arg(60)
        .arg("NX")
        .ignore()
        .incr(key, n)
        .ttl(key);
}

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
    /// Persisted queries registered or used through this process.
    local_queries: Mutex<LocalQueries>,
    /// Rate counters by key (without the minute), see the module's text.
    counts: Mutex<HashMap<String, Count>>,
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
        let shared = Shared(Arc::new(Inner {
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
            counts: Mutex::new(HashMap::new()),
        }));
        let weak = Arc::downgrade(&shared.0);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(SYNC_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let Some(inner) = weak.upgrade() else { break };
                Shared(inner).sync().await;
            }
        });
        Ok(shared)
    }

    /// Adds this process's pending hits to the shared counters and reads
    /// every counter back, in one pipelined call; forgets ended windows.
    async fn sync(&self) {
        let now = Instant::now();
        let batch: Vec<(String, u64)> = {
            let mut counts = lock(&self.0.counts);
            counts.retain(|_, c| c.ends > now);
            counts
                .iter_mut()
                .map(|(key, c)| (key.clone(), std::mem::take(&mut c.pending)))
                .collect()
        };
        if batch.is_empty() {
            return;
        }
        let keys = batch.clone();
        // Two answers per key: its total and its seconds left.
        let read: Option<Vec<i64>> = self
            .call(|mut conn| async move {
                let mut pipe = redis::pipe();
                pipe.atomic();
                for (key, n) in &keys {
                    add(&mut pipe, key, *n);
                }
                pipe.query_async(&mut conn).await
            })
            .await;
        let read: Option<Vec<(u64, i64)>> = read.map(|flat| {
            flat.chunks(2)
                .map(|pair| {
                    (
                        u64::try_from(pair[0]).unwrap_or(0),
                        pair.get(1).copied().unwrap_or(0),
                    )
                })
                .collect()
        });
        let mut counts = lock(&self.0.counts);
        for (i, (key, n)) in batch.into_iter().enumerate() {
            let Some(c) = counts.get_mut(&key) else {
                continue;
            };
            match read.as_ref().and_then(|r| r.get(i)) {
                Some((total, ttl)) => {
                    c.shared = *total;
                    c.ends = now + Duration::from_secs(u64::try_from(*ttl).unwrap_or(0));
                }
                // Not added: kept for the next try.
                None => c.pending += n,
            }
        }
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
    /// falls back to its own limit). Decided here, without Redis, while the
    /// count is far from the limit (see the module's text).
    pub async fn hit(
        &self,
        kind: &str,
        key: &str,
        per_minute: u32,
    ) -> Option<Result<(), Duration>> {
        let key = rate_key(&self.0.namespace, kind, key);
        let limit = u64::from(per_minute);
        let flush = {
            let mut counts = lock(&self.0.counts);
            let now = Instant::now();
            match counts.get_mut(&key) {
                Some(c) if c.ends > now => {
                    let headroom = (limit / 10).max(LOCAL_HEADROOM);
                    if !self.is_away() && c.shared + c.pending + headroom < limit {
                        c.pending += 1;
                        return Some(Ok(()));
                    }
                    std::mem::take(&mut c.pending) + 1
                }
                // A window this process does not know yet: ask Redis.
                _ => 1,
            }
        };
        let redis_key = key.clone();
        let read = self
            .call(|mut conn| async move {
                let mut pipe = redis::pipe();
                pipe.atomic();
                add(&mut pipe, &redis_key, flush);
                let (total, ttl): (u64, i64) = pipe.query_async(&mut conn).await?;
                Ok((total, ttl))
            })
            .await;
        let mut counts = lock(&self.0.counts);
        let Some((total, ttl)) = read else {
            // Not counted in Redis: the earlier hits wait for the next
            // sync; this one is the caller's own limit's to decide.
            if let Some(c) = counts.get_mut(&key) {
                c.pending += flush - 1;
            }
            return None;
        };
        let ttl = u64::try_from(ttl).unwrap_or(0).clamp(1, 60);
        let c = counts.entry(key).or_insert(Count {
            ends: Instant::now(),
            shared: 0,
            pending: 0,
        });
        c.shared = total;
        c.ends = Instant::now() + Duration::from_secs(ttl);
        Some(if total > limit {
            Err(Duration::from_secs(ttl))
        } else {
            Ok(())
        })
    }

    /// The query of `hash`: known here, or registered through another
    /// instance (then kept here too).
    async fn query_of(&self, hash: &str) -> Option<String> {
        if let Some(known) = lock(&self.0.local_queries).queries.get(hash).cloned() {
            return Some(known);
        }
        let key = format!("{}:apq:{hash}", self.0.namespace);
        let shared: Option<String> = self
            .call(|mut conn| async move { conn.get(key).await })
            .await
            .flatten();
        if let Some(query) = &shared {
            lock(&self.0.local_queries).insert(hash, query);
        }
        shared
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
