//! The tamper-evident audit log (DESIGN.md section 10): a hash chain over
//! `audit_event`, kept in `audit_seal`.
//!
//! Writers insert events as before — no lock, nothing on a request's
//! critical path. A sealer (a background task of `serve`, once a second,
//! and `pathways-hub audit seal`) takes the committed events not yet sealed,
//! oldest first, and gives each a seal: the next `seq` and the SHA-256 of
//! the previous seal's hash and the event's content. Sealers take one lock
//! among themselves, so the chain has one order. `audit verify` walks the
//! seals in order and names every event that was changed or deleted and
//! every seal that is missing; the head (`seq:hash`, `audit head`) kept
//! elsewhere shows a cut-off tail too. Both tables refuse updates and
//! deletes by trigger; the chain is what shows it when someone who can
//! drop a trigger did it anyway.
//!
//! What the chain cannot show: an event changed in the second before it
//! was sealed, or one inserted with the triggers off (it is sealed like any
//! other).

use chrono::{SecondsFormat, Utc};
use entity::{audit_event, audit_seal};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::ground::error::Result;

/// The hash before the first seal.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// Events sealed per transaction.
const BATCH: u64 = 2000;
/// The PostgreSQL advisory lock sealers share ("AUDITSEA").
const SEAL_LOCK: i64 = 0x4155_4449_5453_4541;

/// An event's content as hashed: every column, in a fixed order and form.
pub fn content(e: &audit_event::Model) -> String {
    let id = |v: Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
    [
        e.id.to_string(),
        e.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        e.actor_subject.clone(),
        id(e.actor_org_id),
        e.action.as_str().to_owned(),
        e.entity.clone(),
        id(e.entity_id),
        id(e.participant_id),
        id(e.owner_org_id),
        e.categories.clone(),
        e.request_id.clone(),
        e.detail.clone().unwrap_or_default(),
    ]
    .join("\u{1f}")
}

/// The hash of a seal: SHA-256 of the previous hash and the content.
pub fn link(previous: &str, e: &audit_event::Model) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(b"\n");
    hasher.update(content(e).as_bytes());
    hex::encode(hasher.finalize())
}

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
            hash = link(&hash, event);
            seals.push(audit_seal::ActiveModel {
                seq: sea_orm::Set(seq),
                event_id: sea_orm::Set(event.id),
                hash: sea_orm::Set(hash.clone()),
                sealed_at: sea_orm::Set(now),
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
    /// Events not sealed yet (the sealer runs every second).
    pub unsealed: u64,
    /// The newest seal.
    pub head: (i64, String),
    /// Every mismatch, in chain order (empty: the log verifies).
    pub problems: Vec<String>,
}

/// Walks the chain from the first seal; `expect` is a head exported
/// earlier (`seq`, `hash`), checked to be still in the chain.
pub async fn verify<C: ConnectionTrait>(db: &C, expect: Option<(i64, String)>) -> Result<Verdict> {
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
                    if link(&prev_hash, e) != s.hash {
                        verdict.problems.push(format!(
                            "event {} (seal {}) does not match its hash: changed",
                            s.event_id, s.seq
                        ));
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
    Ok(verdict)
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
