//! Reads that may leave the primary: reports, the change feed and the
//! audit log read from a PostgreSQL streaming replica (`database_read_urls`)
//! once it is as current as the primary was when the read began.
//!
//! The rule, and why it is safe: [`Reads::reader`] first asks the primary
//! for its WAL insert position (`pg_current_wal_insert_lsn()`: past every
//! commit record, even of a transaction committed with
//! `synchronous_commit = off` whose WAL is not written yet), then lets a
//! replica serve
//! only when its replay has reached that position
//! (`pg_last_wal_replay_lsn()`). Every transaction committed before the
//! read began — a consent revoked, an agreement ended, the request's own
//! writes — is then visible on the replica, and the statements that follow
//! decide the policy on state at least that new: a lagging replica can
//! make a read fall back to the primary (after `replica_max_wait_ms`), never
//! answer from older policy state than the primary would. A replica that
//! does not answer, or is not in recovery (promoted, or a primary named by
//! mistake), is not used.
//!
//! Writes, and reads inside a request that writes, use the primary.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement};

use crate::ground::config::Config;

/// How long a replica that did not catch up within the wait is skipped.
pub const SKIP_MS: u64 = 500;

/// The primary and its replicas, for reads that may leave the primary.
pub struct Reads {
    primary: DatabaseConnection,
    replicas: Vec<DatabaseConnection>,
    /// Per replica: until when (milliseconds after `started`) reads skip
    /// it, after it failed to catch up within the wait — so that a stalled
    /// replica delays one read per [`SKIP_MS`], not every read.
    skip_until: Vec<AtomicU64>,
    started: Instant,
    next: AtomicUsize,
    wait: Duration,
    /// Reads a replica served.
    pub served: AtomicU64,
    /// Reads that went to the primary because no replica had caught up
    /// within the wait, or none answered.
    pub fallbacks: AtomicU64,
}

impl Reads {
    /// Every read on the primary.
    pub fn primary_only(primary: DatabaseConnection) -> Arc<Reads> {
        Arc::new(Reads {
            primary,
            replicas: Vec::new(),
            skip_until: Vec::new(),
            started: Instant::now(),
            next: AtomicUsize::new(0),
            wait: Duration::ZERO,
            served: AtomicU64::new(0),
            fallbacks: AtomicU64::new(0),
        })
    }

    /// Connects to the configured replicas (lazily: a replica that is down
    /// at start is tried again on each read).
    pub async fn connect_replicas(config: &Config) -> Result<Vec<DatabaseConnection>, DbErr> {
        let mut replicas = Vec::new();
        for url in &config.database_read_urls {
            // A replica that does not answer must not hold a read long:
            // the primary serves instead.
            let wait = Duration::from_secs(1);
            let db = crate::ground::db::open(
                url,
                config.db_max_connections,
                wait,
                config.database_pooler,
                true,
            )
            .await?;
            replicas.push(db);
        }
        Ok(replicas)
    }

    /// The primary and `replicas`, whose statements `statements` counts
    /// with the primary's; a read waits at most `wait` for a replica.
    pub fn new(
        primary: DatabaseConnection,
        mut replicas: Vec<DatabaseConnection>,
        wait: Duration,
        statements: &Arc<AtomicU64>,
    ) -> Arc<Reads> {
        for replica in &mut replicas {
            crate::ground::db::count_into(replica, statements.clone());
        }
        Arc::new(Reads {
            primary,
            skip_until: replicas.iter().map(|_| AtomicU64::new(0)).collect(),
            replicas,
            started: Instant::now(),
            next: AtomicUsize::new(0),
            wait,
            served: AtomicU64::new(0),
            fallbacks: AtomicU64::new(0),
        })
    }

    /// The primary: for writes and for reads that must see them.
    pub fn primary(&self) -> &DatabaseConnection {
        &self.primary
    }

    /// Whether replicas are configured.
    pub fn has_replicas(&self) -> bool {
        !self.replicas.is_empty()
    }

    /// A connection for a read that may leave the primary: a replica that
    /// has replayed everything the primary had written at this call, else
    /// the primary. Call it after the request's own writes.
    pub async fn reader(&self) -> Result<DatabaseConnection, DbErr> {
        if self.replicas.is_empty() {
            return Ok(self.primary.clone());
        }
        let position = self
            .primary
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT pg_current_wal_insert_lsn()::text AS lsn",
            ))
            .await?
            .ok_or_else(|| DbErr::Custom("no WAL position".into()))?
            .try_get::<String>("", "lsn")?;
        let first = self.next.fetch_add(1, Ordering::Relaxed);
        let now = self.millis();
        let candidates: Vec<usize> = (0..self.replicas.len())
            .map(|n| (first + n) % self.replicas.len())
            .filter(|&i| self.skip_until[i].load(Ordering::Relaxed) <= now)
            .collect();
        let deadline = Instant::now() + self.wait;
        while !candidates.is_empty() {
            // Each replica once per round, starting with the next in turn.
            for &i in &candidates {
                if caught_up(&self.replicas[i], &position).await {
                    self.served.fetch_add(1, Ordering::Relaxed);
                    return Ok(self.replicas[i].clone());
                }
            }
            if Instant::now() >= deadline {
                let until = self.millis() + SKIP_MS;
                for &i in &candidates {
                    self.skip_until[i].store(until, Ordering::Relaxed);
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
        Ok(self.primary.clone())
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// Whether `replica` is in recovery and has replayed up to `position`.
async fn caught_up(replica: &DatabaseConnection, position: &str) -> bool {
    let answer = replica
        .query_one_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, false) AS ok",
            [position.into()],
        ))
        .await;
    match answer {
        Ok(Some(row)) => row.try_get::<bool>("", "ok").unwrap_or(false),
        Ok(None) => false,
        Err(err) => {
            // The error's text can quote the statement: only its kind.
            let unavailable = crate::ground::db::is_unavailable(&err);
            tracing::warn!(unavailable, "a read replica failed; the primary serves");
            false
        }
    }
}
