//! Reading the audit log: newest first, keyset-paged on (at, id).

use chrono::{DateTime, Utc};
use entity::audit_event;
use entity::enums::AuditAction;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::policy::AuditReach;

use crate::ground::error::{Error, Result};

/// Filters of `auditEvents`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    pub participant_id: Option<Uuid>,
    pub actor_org_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// A position in the log: the (at, id) of the last event of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditCursor {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl AuditCursor {
    /// The opaque text form.
    pub fn encode(&self) -> String {
        format!(
            "{}|{}",
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
            self.id
        )
    }

    /// Parses the text form given in input `field`.
    pub fn decode(text: &str, field: &str) -> Result<AuditCursor> {
        let bad = || Error::bad_input(field, "is not a cursor of this connection");
        let (at, id) = text.split_once('|').ok_or_else(bad)?;
        Ok(AuditCursor {
            at: DateTime::parse_from_rfc3339(at)
                .map_err(|_| bad())?
                .with_timezone(&Utc),
            id: Uuid::parse_str(id).map_err(|_| bad())?,
        })
    }
}

fn condition(reach: AuditReach, filter: &AuditFilter) -> Condition {
    use audit_event::Column as A;
    let mut all = Condition::all();
    // An org_admin sees what happened to its organization's data (reads,
    // writes, refused attempts) and what its own users did.
    match reach {
        AuditReach::All => {}
        AuditReach::AboutOrg(org) => {
            all = all.add(
                Condition::any()
                    .add(A::OwnerOrgId.eq(org))
                    .add(A::ActorOrgId.eq(org)),
            );
        }
        AuditReach::DisclosuresOf(person, orgs) => {
            all = all
                .add(A::ParticipantId.eq(person))
                .add(A::Action.eq(AuditAction::Read));
            if let Some(orgs) = orgs {
                all = all.add(
                    Condition::any()
                        .add(A::OwnerOrgId.is_in(orgs.clone()))
                        .add(A::ActorOrgId.is_in(orgs)),
                );
            }
        }
    }
    if let Some(action) = filter.action {
        all = all.add(A::Action.eq(action));
    }
    if let Some(participant) = filter.participant_id {
        all = all.add(A::ParticipantId.eq(participant));
    }
    if let Some(actor_org) = filter.actor_org_id {
        all = all.add(A::ActorOrgId.eq(actor_org));
    }
    if let Some(from) = filter.from {
        all = all.add(A::At.gte(from));
    }
    if let Some(to) = filter.to {
        all = all.add(A::At.lt(to));
    }
    all
}

/// One page of events, newest first, after `after`; reads `first + 1` rows
/// to know whether another page exists.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    reach: AuditReach,
    filter: &AuditFilter,
    first: u64,
    after: Option<AuditCursor>,
) -> Result<(Vec<audit_event::Model>, bool)> {
    use audit_event::Column as A;
    let mut query = audit_event::Entity::find().filter(condition(reach, filter));
    if let Some(c) = after {
        query = query.filter(
            Condition::any()
                .add(A::At.lt(c.at))
                .add(Condition::all().add(A::At.eq(c.at)).add(A::Id.lt(c.id))),
        );
    }
    let mut rows = query
        .order_by_desc(A::At)
        .order_by_desc(A::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, has_next))
}

/// How many events match.
pub async fn count<C: ConnectionTrait>(
    db: &C,
    reach: AuditReach,
    filter: &AuditFilter,
) -> Result<u64> {
    Ok(audit_event::Entity::find()
        .filter(condition(reach, filter))
        .count(db)
        .await?)
}
