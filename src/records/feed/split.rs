//! The feed across a split (DESIGN.md section 11): the rows one
//! organization keeps about a hub id move to a new one, and who may read
//! them is decided by the new person's consents from then on. In the
//! split's transaction, [`before`] reads what every reader of that
//! organization could read of them; [`after`] writes each moved row's
//! entry for the new person (hour logs, competencies and meetings too,
//! which follow their parent without a write of their own), then the
//! tombstones for the readers that lost a row and the upserts for those
//! that gained one. Entries written before the split are not answered
//! with the moved rows (`records` checks who a row is about now).
//!
//! A join (`linkParticipant`) is the same move the other way, of every
//! organization's rows: [`joined`] tells what it would let any
//! organization read that it cannot read today, so that one
//! organization's staff cannot join two people to pool their consents.

use chrono::NaiveDate;
use entity::change_log::{self, Column as L};
use entity::enums::{Category, ChangeOperation, RecordKind};
use entity::sharing_agreement;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::{AccessChange, Readable};
use crate::ground::error::Result;

/// Whose access the split of `owner`'s rows about `from` may move.
async fn access<C: ConnectionTrait>(
    txn: &C,
    owner: Uuid,
    participant: Uuid,
    today: NaiveDate,
) -> Result<AccessChange> {
    let orgs: Vec<Uuid> = sharing_agreement::Entity::find()
        .select_only()
        .column(sharing_agreement::Column::RecipientOrgId)
        .distinct()
        .filter(sharing_agreement::Column::ProviderOrgId.eq(owner))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(AccessChange {
        orgs,
        categories: Category::all().to_vec(),
        participant: Some(participant),
        owner: Some(owner),
        today,
    })
}

/// Before the rows move: what each reader can read of `owner`'s rows about
/// `from`.
pub async fn before<C: ConnectionTrait>(
    txn: &C,
    owner: Uuid,
    from: Uuid,
    today: NaiveDate,
) -> Result<Readable> {
    access(txn, owner, from, today).await?.readable(txn).await
}

/// After the rows moved from `from` to `to`: their entries for `to`, then
/// tombstones and upserts for the readers whose access moved; answers how
/// many entries it wrote.
pub async fn after<C: ConnectionTrait>(
    txn: &C,
    owner: Uuid,
    from: Uuid,
    to: Uuid,
    today: NaiveDate,
    before: Readable,
) -> Result<usize> {
    let moved: Vec<(RecordKind, Uuid, Category)> = change_log::Entity::find()
        .select_only()
        .columns([L::Kind, L::EntityId, L::Category])
        .distinct()
        .filter(L::ParticipantId.eq(from))
        .filter(L::OwnerOrgId.eq(owner))
        .filter(L::Operation.eq(ChangeOperation::Upsert))
        .filter(L::AudienceOrgId.is_null())
        .into_tuple()
        .all(txn)
        .await?;
    let entries: Vec<change_log::ActiveModel> = moved
        .iter()
        .map(|(kind, id, category)| change_log::ActiveModel {
            id: NotSet,
            change_version: Set(None),
            kind: Set(*kind),
            entity_id: Set(*id),
            participant_id: Set(Some(to)),
            owner_org_id: Set(owner),
            category: Set(*category),
            operation: Set(ChangeOperation::Upsert),
            audience_org_id: Set(None),
        })
        .collect();
    let mut written = entries.len();
    for chunk in entries.chunks(1000) {
        change_log::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    let after = access(txn, owner, to, today).await?.readable(txn).await?;
    written += AccessChange::record(txn, &before, &after).await?;
    Ok(written)
}

/// What every reader can read about `people` today (rows of other
/// organizations than the reader's own), by (reader, row).
pub async fn readable_about<C: ConnectionTrait>(
    txn: &C,
    people: &[Uuid],
    today: NaiveDate,
) -> Result<Readable> {
    let orgs: Vec<Uuid> = sharing_agreement::Entity::find()
        .select_only()
        .column(sharing_agreement::Column::RecipientOrgId)
        .distinct()
        .into_tuple()
        .all(txn)
        .await?;
    let mut out = Readable::new();
    for person in people {
        let access = AccessChange {
            orgs: orgs.clone(),
            categories: Category::all().to_vec(),
            participant: Some(*person),
            owner: None,
            today,
        };
        out.extend(access.readable(txn).await?);
    }
    Ok(out)
}

/// After a join moved every row of `from` to `to`: the moved rows'
/// entries for `to`, then tombstones and upserts for the readers whose
/// access moved. Answers the (reader, row) pairs readable now that were
/// not `before` — what the join widened.
pub async fn joined<C: ConnectionTrait>(
    txn: &C,
    from: Uuid,
    to: Uuid,
    today: NaiveDate,
    before: Readable,
) -> Result<Vec<(Uuid, Uuid)>> {
    let moved: Vec<(RecordKind, Uuid, Uuid, Category)> = change_log::Entity::find()
        .select_only()
        .columns([L::Kind, L::EntityId, L::OwnerOrgId, L::Category])
        .distinct()
        .filter(L::ParticipantId.eq(from))
        .filter(L::Operation.eq(ChangeOperation::Upsert))
        .filter(L::AudienceOrgId.is_null())
        .into_tuple()
        .all(txn)
        .await?;
    let entries: Vec<change_log::ActiveModel> = moved
        .iter()
        .map(|(kind, id, owner, category)| change_log::ActiveModel {
            id: NotSet,
            change_version: Set(None),
            kind: Set(*kind),
            entity_id: Set(*id),
            participant_id: Set(Some(to)),
            owner_org_id: Set(*owner),
            category: Set(*category),
            operation: Set(ChangeOperation::Upsert),
            audience_org_id: Set(None),
        })
        .collect();
    for chunk in entries.chunks(1000) {
        change_log::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    let after = readable_about(txn, &[to], today).await?;
    let widened = after
        .keys()
        .filter(|k| !before.contains_key(k))
        .copied()
        .collect();
    AccessChange::record(txn, &before, &after).await?;
    Ok(widened)
}
