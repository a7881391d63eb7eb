//! The tamper-evident audit log (DESIGN.md section 10): a hash chain over
//! `audit_event`, kept in `audit_seal`.
//!
//! Writers insert events as before — no lock, nothing on a request's
//! critical path. A sealer (a background task of `serve`, once a second,
//! and `pathways-hub audit seal`) takes the committed events not yet sealed,
//! oldest first, and gives each a seal: the next `seq` and the SHA-256 of
//! the previous seal's hash and the event's content, every column of it
//! encoded without ambiguity ([`encoding`]). Sealers take one lock
//! among themselves, so the chain has one order. `audit verify` walks the
//! seals in order and names every event that was changed or deleted and
//! every seal that is missing; the head (`seq:hash`, `audit head`) kept
//! elsewhere shows a cut-off tail too. Both tables refuse updates and
//! deletes by trigger; the chain is what shows it when someone who can
//! drop a trigger did it anyway.
//!
//! Each seal names its encoding (`audit_seal.format`, migration 000020).
//! The seals written before issue 30 are format 1 and verify with format
//! 1's encoding, weaknesses included; every seal written since is format
//! 2. Nothing was migrated or re-sealed: seals are append-only and one per
//! event, so the chain's history stays as it was written, and a sealer of
//! the previous release still running during an upgrade writes format 1
//! (the column's default), which verifies too.
//!
//! `audit verify` also fails when an event has waited for its seal longer
//! than `audit.unsealed_alert_secs` (counted from its `at`): the sealer is
//! not running, or the event was inserted past the sealer's queue (its
//! trigger off), where no sealer would ever find it.
//!
//! What the chain cannot show: an event changed in the second before it
//! was sealed, or one inserted with only the append-only triggers off (it
//! is sealed like any other).

use chrono::Utc;
use entity::{audit_event, audit_seal};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::ground::error::Result;

pub mod encoding;
pub use encoding::{Format, content, link};

/// The hash before the first seal.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Events sealed per transaction.
const BATCH: u64 = 2000;
/// The PostgreSQL advisory lock sealers share ("AUDITSEA").
const SEAL_LOCK: i64 = 0x4155_4449_5453_4541;

/// The newest seal as `(seq, hash)`; `(0, GENESIS)` before the first.
pub async fn head<C: ConnectionTrait>(db: &C) -> Result<(i64, String)> {
    Ok(audit_seal::Entity::find()
        .order_by_desc(audit_seal::Column::Seq)
        .one(db)
        .await?
        .map_or((0, GENESIS.to_owned()), |s| (s.seq, s.hash)))
}

/// Seals every committed event not yet sealed; answers how many.
pub async fn seal<C: ConnectionTrait + TransactionTrait>(db: &C) -> Result<u64> {
    let mut sealed = 0;
    loop {
        let txn = crate::ground::db::begin_write(db).await?;
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({SEAL_LOCK})"))
                .await?;
        }
        let (mut seq, mut hash) = head(&txn).await?;
        // The oldest events of the sealing queue (`audit_unsealed`, noted by
        // a trigger as each event is inserted), in the chain's order.
        let queue = || Alias::new("audit_unsealed");
        let waiting = audit_event::Entity::find()
            .filter(
                audit_event::Column::Id.in_subquery(
                    Query::select()
                        .column((queue(), Alias::new("event_id")))
                        .from(queue())
                        .order_by((queue(), Alias::new("at")), Order::Asc)
                        .order_by((queue(), Alias::new("event_id")), Order::Asc)
                        .limit(BATCH)
                        .to_owned(),
                ),
            )
            .order_by_asc(audit_event::Column::At)
            .order_by_asc(audit_event::Column::Id)
            .all(&txn)
            .await?;
        let now = Utc::now();
        let mut seals = Vec::with_capacity(waiting.len());
        for event in &waiting {
            seq += 1;
            hash = link(Format::CURRENT, &hash, event);
            seals.push(audit_seal::ActiveModel {
                seq: sea_orm::Set(seq),
                event_id: sea_orm::Set(event.id),
                hash: sea_orm::Set(hash.clone()),
                sealed_at: sea_orm::Set(now),
                format: sea_orm::Set(Format::CURRENT.column()),
            });
        }
        let n = seals.len() as u64;
        for chunk in seals.chunks(500) {
            audit_seal::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        for chunk in waiting.chunks(500) {
            let delete = Query::delete()
                .from_table(queue())
                .and_where(Expr::col(Alias::new("event_id")).is_in(chunk.iter().map(|e| e.id)))
                .to_owned();
            txn.execute(&delete).await?;
        }
        txn.commit().await?;
        sealed += n;
        if n < BATCH {
            return Ok(sealed);
        }
    }
}

/// What `audit verify` found.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// Seals walked.
    pub sealed: u64,
    /// Events not sealed yet (the sealer runs every second), overdue or not.
    pub unsealed: u64,
    /// The newest seal.
    pub head: (i64, String),
    /// Events not sealed for longer than the alarm, if any (also a problem).
    pub overdue: Option<Overdue>,
    /// Every mismatch, in chain order, then the overdue events (empty: the
    /// log verifies).
    pub problems: Vec<String>,
}

/// Events left unsealed longer than the alarm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// How many.
    pub count: u64,
    /// The oldest of them (by `at`, then id).
    pub oldest: Uuid,
    /// How long the oldest has waited, in whole seconds since its `at`.
    pub oldest_age_secs: i64,
}

/// Walks the chain from the first seal; `expect` is a head exported
/// earlier (`seq`, `hash`), checked to be still in the chain. Each seal is
/// checked in the format it names. Events not sealed for longer than
/// `unsealed_alert` since their `at` are a problem too.
pub async fn verify<C: ConnectionTrait>(
    db: &C,
    expect: Option<(i64, String)>,
    unsealed_alert: std::time::Duration,
) -> Result<Verdict> {
    const PAGE: u64 = 1000;
    let mut verdict = Verdict {
        head: (0, GENESIS.to_owned()),
        ..Verdict::default()
    };
    let (mut prev_seq, mut prev_hash) = (0i64, GENESIS.to_owned());
    let mut found = 0u64;
    loop {
        let seals = audit_seal::Entity::find()
            .filter(audit_seal::Column::Seq.gt(prev_seq))
            .order_by_asc(audit_seal::Column::Seq)
            .limit(PAGE)
            .all(db)
            .await?;
        if seals.is_empty() {
            break;
        }
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::Id.is_in(seals.iter().map(|s| s.event_id)))
            .all(db)
            .await?;
        for s in &seals {
            if s.seq != prev_seq + 1 {
                verdict.problems.push(format!(
                    "seals {} to {} are missing: the chain was cut there",
                    prev_seq + 1,
                    s.seq - 1
                ));
            }
            match events.iter().find(|e| e.id == s.event_id) {
                None => verdict.problems.push(format!(
                    "event {} (seal {}) is missing: deleted from the log",
                    s.event_id, s.seq
                )),
                Some(e) => {
                    found += 1;
                    match Format::from_column(s.format) {
                        None => verdict.problems.push(format!(
                            "seal {} names format {}, which no hub writes: changed",
                            s.seq, s.format
                        )),
                        Some(format) if link(format, &prev_hash, e) != s.hash => {
                            verdict.problems.push(format!(
                                "event {} (seal {}) does not match its hash: changed",
                                s.event_id, s.seq
                            ));
                        }
                        Some(_) => {}
                    }
                }
            }
            if let Some((seq, hash)) = &expect
                && s.seq == *seq
                && &s.hash != hash
            {
                verdict.problems.push(format!(
                    "seal {seq} differs from the exported head: the chain was rewritten"
                ));
            }
            verdict.sealed += 1;
            // The stored hash chains on, so one changed event is named once.
            (prev_seq, prev_hash) = (s.seq, s.hash.clone());
        }
    }
    verdict.head = (prev_seq, prev_hash);
    if let Some((seq, _)) = &expect
        && prev_seq < *seq
    {
        verdict.problems.push(format!(
            "the chain ends at seal {prev_seq} but the exported head is seal {seq}: its tail was cut off"
        ));
    }
    let events = audit_event::Entity::find().count(db).await?;
    verdict.unsealed = events.saturating_sub(found);
    verdict.overdue = overdue(db, unsealed_alert).await?;
    if let Some(late) = &verdict.overdue {
        verdict.problems.push(format!(
            "{} event(s) not sealed for longer than {} s (audit.unsealed_alert_secs), \
             the oldest, event {}, for {} s: the sealer is not running, or they \
             bypassed its queue",
            late.count,
            unsealed_alert.as_secs(),
            late.oldest,
            late.oldest_age_secs
        ));
    }
    Ok(verdict)
}

/// The events without a seal whose `at` is older than `alert`: an
/// anti-join over the whole log, once per `audit verify` (never in the
/// sealer, which reads its queue).
async fn overdue<C: ConnectionTrait>(
    db: &C,
    alert: std::time::Duration,
) -> Result<Option<Overdue>> {
    let now = Utc::now();
    let Some(cutoff) = i64::try_from(alert.as_secs())
        .ok()
        .and_then(chrono::TimeDelta::try_seconds)
        .and_then(|alert| now.checked_sub_signed(alert))
    else {
        return Ok(None);
    };
    let sealed = Query::select()
        .expr(Expr::val(1))
        .from(audit_seal::Entity)
        .and_where(
            Expr::col((audit_seal::Entity, audit_seal::Column::EventId))
                .equals((audit_event::Entity, audit_event::Column::Id)),
        )
        .to_owned();
    let late = audit_event::Entity::find()
        .filter(Expr::exists(sealed).not())
        .filter(audit_event::Column::At.lt(cutoff));
    let count = late.clone().count(db).await?;
    let oldest = late
        .order_by_asc(audit_event::Column::At)
        .order_by_asc(audit_event::Column::Id)
        .one(db)
        .await?;
    Ok(oldest.filter(|_| count > 0).map(|e| Overdue {
        count,
        oldest: e.id,
        oldest_age_secs: (now - e.at).num_seconds(),
    }))
}

/// Seals once a second for as long as the runtime lives (`serve`), on a
/// connection of its own (so requests' statement counts stay theirs).
pub fn start(database_url: String) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut db = None;
        loop {
            tick.tick().await;
            if db.is_none() {
                let wait = std::time::Duration::from_secs(5);
                db = crate::ground::db::connect_url(&database_url, 1, wait)
                    .await
                    .ok();
            }
            let Some(conn) = &db else { continue };
            if let Err(err) = seal(conn).await {
                tracing::warn!(code = err.code(), "audit sealing failed; retrying");
            }
        }
    });
}
