//! Database connection and migrations, the same on SQLite and PostgreSQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::ground::config::{Config, Pooler};

/// Connects to the configured database. On SQLite, turns on WAL (readers do
/// not block the writer) and foreign keys.
pub async fn connect(config: &Config) -> Result<DatabaseConnection, DbErr> {
    open(
        &config.database_url,
        config.db_max_connections,
        config.limits.db_acquire_timeout(),
        config.database_pooler,
        false,
    )
    .await
}

/// Connects to `url` with at most `max_connections` pooled connections. A
/// statement waits at most `acquire_timeout` for a connection (opening a
/// new one included): while the database is away, requests fail after
/// that instead of queueing, and the pool reconnects by itself once it
/// answers again.
pub async fn connect_url(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    open(url, max_connections, acquire_timeout, Pooler::None, false).await
}

/// [`connect_url`] behind `pooler`; `lazy` opens no connection until the
/// first statement (a replica that is down at start).
pub async fn open(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
    pooler: Pooler,
    lazy: bool,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(u32::from(!lazy))
        .connect_lazy(lazy)
        .connect_timeout(acquire_timeout)
        .acquire_timeout(acquire_timeout)
        // Statements can carry personal data in their parameters: never log them.
        .sqlx_logging(false)
        .map_sqlx_postgres_opts(move |pg| match pooler {
            // No JIT compilation on PostgreSQL: a statement whose estimate
            // passes `jit_above_cost` (a count or a report over every
            // participant, estimated high for its policy sub-plans) spent
            // more compiling (0.3–0.6 s measured, 100 000 participants)
            // than running. Generic plans for prepared statements: the
            // driver prepares each statement once per connection, and with
            // `auto` PostgreSQL planned the participant page again at every
            // execution (bind 2.7–3.0 ms against 4–5 ms of execution,
            // 100 000 participants); generic, bind takes 0.4 ms and 16
            // clients read 9–50 % more pages (docs/benchmarks.md, "Planning
            // against execution").
            // Every value is bound, so one plan serves each shape. Startup
            // parameters, so they cost no statement.
            Pooler::None => pg.options([("jit", "off"), ("plan_cache_mode", "force_generic_plan")]),
            // A pooler in transaction mode hands each transaction (each
            // statement outside one) to any server connection: a named
            // prepared statement may not be there next time, and startup
            // parameters are not passed on (set `jit = off` on the role:
            // docs/operators.md). Unnamed statements only, planned at each
            // execution.
            Pooler::Transaction => pg.statement_cache_capacity(0),
        });
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        db.execute_unprepared("PRAGMA journal_mode = WAL").await?;
        db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    }
    Ok(db)
}

/// Counts every SQL statement run through `db` (and through clones made
/// after this call): the figure tests and `/metrics` read to keep the
/// statements per request bounded by a query's depth.
pub fn count_statements(db: &mut DatabaseConnection) -> Arc<AtomicU64> {
    let counter = Arc::new(AtomicU64::new(0));
    count_into(db, counter.clone());
    counter
}

/// Counts the statements run through `db` into `counter` (a replica's
/// with the primary's).
pub fn count_into(db: &mut DatabaseConnection, counter: Arc<AtomicU64>) {
    let inner = counter;
    let system = match db.get_database_backend() {
        DatabaseBackend::Postgres => "postgresql",
        _ => "sqlite",
    };
    db.set_metric_callback(move |info| {
        inner.fetch_add(1, Ordering::Relaxed);
        // A span for the statement when traces are exported.
        crate::ground::telemetry::statement(&info.statement.sql, info.elapsed, info.failed, system);
    });
}

/// Begins a write transaction. On SQLite it is `BEGIN IMMEDIATE`: a write
/// transaction that first reads (a version check, a sum of hours) would
/// otherwise fail with "database is locked" when another writer commits in
/// between, whatever the busy timeout; PostgreSQL ignores the option.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Serializes the write transactions that decide on the same `key` (one
/// person's match key, one enrollment's day of one kind), so that two of
/// them cannot both read "not there yet" and both write. On PostgreSQL it
/// is a transaction-scoped advisory lock, released at commit or rollback;
/// SQLite's write transactions (`BEGIN IMMEDIATE`) are serialized already.
/// Call it first in the transaction, before the reads it protects.
pub async fn serialize_on<C: ConnectionTrait>(txn: &C, key: &[u8]) -> Result<(), DbErr> {
    if txn.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    txn.query_one_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_advisory_xact_lock($1)",
        [lock_id(key).into()],
    ))
    .await?;
    Ok(())
}

/// The advisory-lock id of `key`: the first 8 bytes of its SHA-256.
fn lock_id(key: &[u8]) -> i64 {
    let digest = Sha256::digest(key);
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// [`serialize_on`] for many keys in one statement: the locks are taken in
/// one fixed order (sorted), so two transactions locking overlapping sets
/// cannot deadlock, and one that takes a single key (`createParticipant`)
/// simply waits.
pub async fn serialize_on_all<C: ConnectionTrait>(txn: &C, keys: &[&[u8]]) -> Result<(), DbErr> {
    if txn.get_database_backend() != DatabaseBackend::Postgres || keys.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<i64> = keys.iter().map(|key| lock_id(key)).collect();
    ids.sort_unstable();
    ids.dedup();
    for chunk in ids.chunks(5000) {
        // Integers computed here, not input: written into the text.
        let values = chunk
            .iter()
            .map(|id| format!("({id})"))
            .collect::<Vec<_>>()
            .join(",");
        txn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock(k) FROM (VALUES {values}) AS v(k) ORDER BY k"
        ))
        .await?;
    }
    Ok(())
}

/// Applies pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the database answers within `within` (for `/readyz`): a
/// stalled network must not hold the probe longer than a request waits.
pub async fn ping(db: &DatabaseConnection, within: Duration) -> bool {
    matches!(tokio::time::timeout(within, db.ping()).await, Ok(Ok(())))
}

/// Whether `err` says the database is away (no connection within the
/// acquire timeout, a connection refused, reset or closed), rather than a
/// statement failing: such a request may succeed when retried later.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, SqlxError};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(
                **e,
                SqlxError::Io(_)
                    | SqlxError::PoolTimedOut
                    | SqlxError::PoolClosed
                    | SqlxError::WorkerCrashed
            )
        }
        _ => false,
    }
}
