//! Group commit of read disclosures. Every request that returned another
//! organization's data must have its disclosures written before the answer
//! leaves; written one request at a time, concurrent requests queue on the
//! database's commit (on SQLite, on its one writer lock and the busy
//! handler's sleeps). Here one task writes them: whatever requests are
//! waiting when it is free go in one statement, and each request gets its
//! answer once its rows are committed. The guarantee is unchanged (no
//! answer before its audit), with one commit for many requests.
//!
//! Writes' own entries do not come here: they stay in the write's
//! transaction ([`super::record`]).

use chrono::Utc;
use entity::audit_event;
use sea_orm::{DatabaseConnection, EntityTrait, TransactionTrait};
use tokio::sync::{mpsc, oneshot};

use super::{Actor, Entry};
use crate::ground::error::{Error, Result};

/// Rows per statement at most (14 columns each: well under SQLite's limit
/// of 32 766 parameters).
const MAX_ROWS: usize = 1000;

/// Requests waiting for the writer at most; further ones wait to queue.
const QUEUE: usize = 1024;

/// Why a batch was not written, shared by every request in it: whether
/// the database was away (the requests answer `503`), and the detail.
#[derive(Clone)]
struct Failure {
    unavailable: bool,
    detail: String,
}

impl From<sea_orm::DbErr> for Failure {
    fn from(err: sea_orm::DbErr) -> Self {
        Failure {
            unavailable: crate::ground::db::is_unavailable(&err),
            detail: err.to_string(),
        }
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        if failure.unavailable {
            Error::DatabaseUnavailable(failure.detail)
        } else {
            Error::Internal(failure.detail)
        }
    }
}

struct Job {
    actor: Actor,
    entries: Vec<Entry>,
    done: oneshot::Sender<std::result::Result<(), Failure>>,
}

/// The handle requests write their disclosures through (cheap to clone).
#[derive(Clone, Debug)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    /// For what a request's entries need to know before they are queued
    /// (the owners of refused data).
    pub(crate) db: DatabaseConnection,
}

impl Writer {
    /// Starts the writing task on `db` (within a Tokio runtime). It ends
    /// when the last handle is dropped, after writing what was queued.
    pub fn start(db: DatabaseConnection) -> Writer {
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(db.clone(), queue));
        Writer { jobs, db }
    }

    /// Writes `entries` by `actor`; returns once they are committed.
    pub async fn write(&self, actor: Actor, entries: Vec<Entry>) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let stopped = || Error::Internal("the audit writer stopped".into());
        let (done, committed) = oneshot::channel();
        self.jobs
            .send(Job {
                actor,
                entries,
                done,
            })
            .await
            .map_err(|_| stopped())?;
        committed.await.map_err(|_| stopped())?.map_err(Error::from)
    }
}

async fn run(db: DatabaseConnection, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::new();
    while let Some(first) = queue.recv().await {
        let mut rows = first.entries.len();
        batch.push(first);
        while rows < MAX_ROWS {
            match queue.try_recv() {
                Ok(job) => {
                    rows += job.entries.len();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        let result = write(&db, &mut batch).await;
        for job in batch.drain(..) {
            let _ = job.done.send(result.clone());
        }
    }
}

/// Inserts every job's rows: one statement, or one transaction of
/// statements of at most [`MAX_ROWS`] rows.
async fn write(db: &DatabaseConnection, jobs: &mut [Job]) -> std::result::Result<(), Failure> {
    let now = Utc::now();
    let mut rows: Vec<audit_event::ActiveModel> = Vec::new();
    for job in jobs.iter_mut() {
        rows.extend(super::rows(
            &job.actor,
            std::mem::take(&mut job.entries),
            now,
        ));
    }
    let insert = |chunk: Vec<audit_event::ActiveModel>| audit_event::Entity::insert_many(chunk);
    if rows.len() <= MAX_ROWS {
        return insert(rows)
            .exec_without_returning(db)
            .await
            .map(|_| ())
            .map_err(Failure::from);
    }
    let txn = db.begin().await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(MAX_ROWS).collect();
        insert(chunk).exec_without_returning(&txn).await?;
    }
    Ok(txn.commit().await?)
}
