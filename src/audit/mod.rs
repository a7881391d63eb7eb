//! The append-only audit writer (FERPA 99.32 disclosure record).
//!
//! Guarantees: entries are only ever inserted (no code path updates or
//! deletes `audit_event`; on PostgreSQL and SQLite a trigger refuses it too);
//! a write's entry is inserted on the same connection or transaction as the
//! write, so both land or neither does; entries never carry personal data —
//! only ids, categories and a short machine-readable detail.

use chrono::Utc;
use entity::audit_event;
use entity::enums::{AuditAction, Category, join_set};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::auth::Viewer;
use crate::ground::error::Result;

pub mod chain;
mod query;
mod reads;
mod writer;
pub use query::{AuditCursor, AuditFilter, count, list};
pub use reads::{Disclosures, SELF_READ};
pub use writer::Writer;

/// Who acted, and in which request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub subject: String,
    pub org_id: Option<Uuid>,
    pub request_id: String,
}

impl Actor {
    /// The actor behind a viewer's request.
    pub fn of(viewer: &Viewer, request_id: &str) -> Actor {
        Actor {
            subject: viewer.subject.clone(),
            // A youth's own token has no organization.
            org_id: (!viewer.org_id.is_nil()).then_some(viewer.org_id),
            request_id: request_id.to_owned(),
        }
    }

    /// The hub itself (seeding, imports run from the command line).
    pub fn system(what: &str) -> Actor {
        Actor {
            subject: format!("system:{what}"),
            org_id: None,
            request_id: Uuid::new_v4().to_string(),
        }
    }
}

/// One thing to record.
#[derive(Debug, Clone)]
pub struct Entry {
    pub action: AuditAction,
    /// The table name of the row concerned (`organization`, `program`…).
    pub entity: &'static str,
    pub entity_id: Option<Uuid>,
    pub participant_id: Option<Uuid>,
    /// The data steward of the row concerned.
    pub owner_org_id: Option<Uuid>,
    pub categories: Vec<Category>,
    /// Machine-readable detail, never personal data (e.g. `status=ACTIVE`).
    pub detail: Option<String>,
}

impl Entry {
    /// A refused attempt on `entity` (no row: nothing was read or written).
    pub fn denied(entity: &'static str, detail: impl Into<String>) -> Entry {
        Entry {
            action: AuditAction::Deny,
            entity,
            entity_id: None,
            participant_id: None,
            owner_org_id: None,
            categories: Vec::new(),
            detail: Some(detail.into()),
        }
    }

    /// An entry about one row, without participant or categories.
    pub fn about(
        action: AuditAction,
        entity: &'static str,
        entity_id: Uuid,
        owner_org_id: Option<Uuid>,
    ) -> Entry {
        Entry {
            action,
            entity,
            entity_id: Some(entity_id),
            participant_id: None,
            owner_org_id,
            categories: Vec::new(),
            detail: None,
        }
    }
}

/// Inserts the entries in one statement on `conn` (a transaction for writes).
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    entries: Vec<Entry>,
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    audit_event::Entity::insert_many(rows(actor, entries, Utc::now()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The rows of `entries` by `actor`, stamped `now`.
fn rows(
    actor: &Actor,
    entries: Vec<Entry>,
    now: chrono::DateTime<Utc>,
) -> impl Iterator<Item = audit_event::ActiveModel> + '_ {
    entries.into_iter().map(move |e| audit_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        at: Set(now),
        actor_subject: Set(actor.subject.clone()),
        actor_org_id: Set(actor.org_id),
        action: Set(e.action),
        entity: Set(e.entity.to_owned()),
        entity_id: Set(e.entity_id),
        participant_id: Set(e.participant_id),
        owner_org_id: Set(e.owner_org_id),
        categories: Set(join_set(&e.categories, Category::as_str)),
        request_id: Set(actor.request_id.clone()),
        detail: Set(e.detail),
        created_at: Set(now),
        updated_at: Set(now),
    })
}
