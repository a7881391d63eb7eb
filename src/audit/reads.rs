//! Disclosures of one request: which participants' data in which category
//! crossed from which owner to the viewer, and which reads were denied.
//! Collected while the request resolves, written in one batched insert
//! before the answer leaves (DESIGN.md section 4: every read by a
//! non-owner and every denied attempt is an audit event).

use std::collections::BTreeSet;
use std::sync::Mutex;

use entity::enums::{AuditAction, Category};
use entity::participant_profile;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{Actor, Entry, Writer};
use crate::ground::error::Result;

/// One disclosure: participant, category, owner, action. A denial's owner is
/// the organization whose data was refused; `None` until the flush finds
/// the owners of a refused profile field.
type Disclosure = (Uuid, Category, Option<Uuid>, AuditAction);

/// The audit detail of a youth's read of their own record.
pub const SELF_READ: &str = "SELF";

/// The disclosure log of one request.
#[derive(Debug, Default)]
pub struct Disclosures {
    viewer_org: Option<Uuid>,
    /// A youth reading their own record: not a disclosure to anyone.
    own_person: Option<Uuid>,
    /// (participant, category, owner, action)
    seen: Mutex<BTreeSet<Disclosure>>,
}

impl Disclosures {
    /// A log for a request by an organization (or an anonymous request).
    pub fn new(viewer_org: Option<Uuid>) -> Disclosures {
        Disclosures {
            viewer_org,
            own_person: None,
            seen: Mutex::default(),
        }
    }

    /// The log of a youth's own request: their reads of their own record
    /// are recorded as `SELF` reads (DESIGN.md section 11), so that a
    /// stranger reading through a hijacked link shows in `me.disclosures`.
    pub fn of_person(participant: Uuid) -> Disclosures {
        Disclosures {
            viewer_org: None,
            own_person: Some(participant),
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
        // A youth's own reads have no viewer organization: all recorded.
        if self.viewer_org != Some(owner) {
            self.note((participant, category, Some(owner), AuditAction::Read));
        }
    }

    /// Notes a field of `participant` in `category` the viewer was refused;
    /// `owner` is the organization whose row was refused, `None` for a
    /// profile field (the flush then names every organization holding a
    /// profile of the person), so that each provider sees in its audit log
    /// who tried to read its data.
    pub fn deny(&self, participant: Uuid, category: Category, owner: Option<Uuid>) {
        self.note((participant, category, owner, AuditAction::Deny));
    }

    /// [`Disclosures::deny`] of a profile field whose holders — the
    /// organizations keeping a profile of the person — the caller already
    /// read (the compiled page reads them in its statement): one entry per
    /// holder other than the viewer's organization, as the flush would
    /// name them, without looking them up again; none known, the flush
    /// looks.
    pub fn deny_profile(&self, participant: Uuid, category: Category, holders: &[Uuid]) {
        let mut named = false;
        for org in holders.iter().filter(|o| Some(**o) != self.viewer_org) {
            self.note((participant, category, Some(*org), AuditAction::Deny));
            named = true;
        }
        if !named {
            self.note((participant, category, None, AuditAction::Deny));
        }
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
        let seen = match self.seen.lock() {
            Ok(mut seen) => std::mem::take(&mut *seen),
            Err(_) => BTreeSet::new(),
        };
        let seen = self.with_profile_owners(&writer.db, seen).await?;
        let entries: Vec<Entry> = seen
            .into_iter()
            .map(|(participant, category, owner, action)| Entry {
                action,
                entity: "participant",
                entity_id: Some(participant),
                participant_id: Some(participant),
                owner_org_id: owner,
                categories: vec![category],
                detail: (self.own_person.is_some() && action == AuditAction::Read)
                    .then(|| SELF_READ.to_owned()),
            })
            .collect();
        writer.write(actor.clone(), entries).await
    }

    /// Gives each refused profile field the organizations whose profiles of
    /// the person were refused (one statement for the request, only
    /// organization ids; nothing of it reaches the viewer). A denial about
    /// a person no other organization holds keeps no owner.
    async fn with_profile_owners(
        &self,
        db: &DatabaseConnection,
        seen: BTreeSet<Disclosure>,
    ) -> Result<BTreeSet<Disclosure>> {
        let people: BTreeSet<Uuid> = seen
            .iter()
            .filter(|(_, _, owner, action)| owner.is_none() && *action == AuditAction::Deny)
            .map(|(participant, ..)| *participant)
            .collect();
        if people.is_empty() {
            return Ok(seen);
        }
        let holders: Vec<(Uuid, Uuid)> = participant_profile::Entity::find()
            .select_only()
            .column(participant_profile::Column::ParticipantId)
            .column(participant_profile::Column::OrgId)
            .filter(participant_profile::Column::ParticipantId.is_in(people))
            .into_tuple()
            .all(db)
            .await?;
        let mut out = BTreeSet::new();
        for (participant, category, owner, action) in seen {
            if owner.is_some() || action != AuditAction::Deny {
                out.insert((participant, category, owner, action));
                continue;
            }
            let mut owners = holders
                .iter()
                .filter(|(p, org)| *p == participant && Some(*org) != self.viewer_org)
                .map(|(_, org)| *org)
                .peekable();
            if owners.peek().is_none() {
                out.insert((participant, category, None, action));
            }
            for org in owners {
                out.insert((participant, category, Some(org), action));
            }
        }
        Ok(out)
    }
}
