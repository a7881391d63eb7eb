//! Disclosures of one request: which participants' data in which category
//! crossed from which owner to the viewer, and which reads were denied.
//! Collected while the request resolves, written in one batched insert
//! before the answer leaves (DESIGN.md section 4: every read by a
//! non-owner and every denied attempt is an audit event).

use std::collections::BTreeSet;
use std::sync::Mutex;

use entity::enums::{AuditAction, Category};
use uuid::Uuid;

use super::{Actor, Entry, Writer};
use crate::ground::error::Result;

/// One disclosure: participant, category, owner (None for a denial), action.
type Disclosure = (Uuid, Category, Option<Uuid>, AuditAction);

/// The disclosure log of one request.
#[derive(Debug, Default)]
pub struct Disclosures {
    viewer_org: Option<Uuid>,
    /// (participant, category, owner or None for a denial, action)
    seen: Mutex<BTreeSet<Disclosure>>,
}

impl Disclosures {
    /// A log for a request by an organization (or an anonymous request).
    pub fn new(viewer_org: Option<Uuid>) -> Disclosures {
        Disclosures {
            viewer_org,
            seen: Mutex::default(),
        }
    }

    fn note(&self, key: Disclosure) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(key);
        }
    }

    /// Notes that data of `participant` in `category` owned by `owner` was
    /// returned; a viewer reading its own organization's rows is not a
    /// disclosure. One entry per participant, category and owner per request.
    pub fn read(&self, participant: Uuid, category: Category, owner: Uuid) {
        if self.viewer_org != Some(owner) {
            self.note((participant, category, Some(owner), AuditAction::Read));
        }
    }

    /// Notes a field of `participant` in `category` the viewer was refused.
    pub fn deny(&self, participant: Uuid, category: Category) {
        self.note((participant, category, None, AuditAction::Deny));
    }

    /// How many entries are waiting.
    pub fn len(&self) -> usize {
        self.seen.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes every waiting entry through the group-commit writer and
    /// empties the log; returns once they are committed.
    pub async fn flush(&self, writer: &Writer, actor: &Actor) -> Result<()> {
        let entries: Vec<Entry> = match self.seen.lock() {
            Ok(mut seen) => std::mem::take(&mut *seen)
                .into_iter()
                .map(|(participant, category, owner, action)| Entry {
                    action,
                    entity: "participant",
                    entity_id: Some(participant),
                    participant_id: Some(participant),
                    owner_org_id: owner,
                    categories: vec![category],
                    detail: None,
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        writer.write(actor.clone(), entries).await
    }
}
