//! Sync of a union roster: MEMBERs become verified `UNION_MEMBERSHIP`
//! outcomes of the union; applicants and inactive people are reported.

use std::collections::HashMap;

use chrono::Utc;
use entity::enums::{AuditAction, OutcomeKind, UnionMembershipStatus};
use entity::outcome;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{SyncSummary, entry};
use crate::adapters::records::UnionMembershipRecord;
use crate::adapters::{Partner, RecordKind};
use crate::audit::Entry;
use crate::ground::error::Result;

/// A MEMBER on a union's roster is the participant's UNION_MEMBERSHIP
/// outcome (verified: the union's own record), kept as an `outcome` row of
/// the union; applicants and inactive people are not outcomes and are
/// reported as such. An outcome once copied is never removed by a sync.
pub(super) async fn keep_memberships<C: ConnectionTrait>(
    txn: &C,
    partner: &Partner,
    org: Uuid,
    memberships: Vec<(Uuid, UnionMembershipRecord)>,
    summary: &mut SyncSummary,
    entries: &mut Vec<Entry>,
) -> Result<()> {
    use outcome::Column as O;
    let existing: HashMap<String, outcome::Model> = outcome::Entity::find()
        .filter(O::OwnerOrgId.eq(org))
        .filter(O::ExternalId.is_in(memberships.iter().map(|(_, m)| m.external_id.clone())))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|row| row.external_id.clone().map(|e| (e, row)))
        .collect();
    let now = Utc::now();
    for (p, m) in memberships {
        if m.status != UnionMembershipStatus::Member {
            summary
                .reject("not a MEMBER on the roster (only members are union-membership outcomes)");
            continue;
        }
        match existing.get(&m.external_id) {
            Some(row)
                if row.participant_id == p
                    && row.kind == OutcomeKind::UnionMembership
                    && row.union_local.as_deref() == Some(m.union_local.as_str())
                    && row.occupation == m.classification
                    && row.started_on == m.joined_on =>
            {
                summary.unchanged += 1;
            }
            Some(row) if row.participant_id != p => {
                summary.reject("the record moved to another participant");
            }
            Some(row) => {
                outcome::Entity::update(outcome::ActiveModel {
                    id: Set(row.id),
                    kind: Set(OutcomeKind::UnionMembership),
                    union_local: Set(Some(m.union_local)),
                    occupation: Set(m.classification),
                    started_on: Set(m.joined_on),
                    verified: Set(true),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Update,
                    "outcome",
                    row.id,
                    p,
                    org,
                    RecordKind::UnionMemberships,
                ));
                summary.updated += 1;
            }
            None => {
                let id = Uuid::new_v4();
                outcome::Entity::insert(outcome::ActiveModel {
                    id: Set(id),
                    participant_id: Set(p),
                    owner_org_id: Set(org),
                    kind: Set(OutcomeKind::UnionMembership),
                    employer_name: Set(None),
                    occupation: Set(m.classification),
                    hourly_wage_cents: Set(None),
                    union_local: Set(Some(m.union_local)),
                    started_on: Set(m.joined_on),
                    verified: Set(true),
                    external_id: Set(Some(m.external_id)),
                    source: Set(partner.name().to_owned()),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Create,
                    "outcome",
                    id,
                    p,
                    org,
                    RecordKind::UnionMemberships,
                ));
                summary.inserted += 1;
            }
        }
    }
    Ok(())
}
