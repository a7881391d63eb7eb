//! Tombstones (and renewed upserts) for the organizations whose access a
//! consent or an agreement moved, decided by the policy before and after.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::change_log::{self, Column as L};
use entity::enums::{Category, ChangeOperation, RecordKind, split_set};
use entity::sharing_agreement;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::ground::error::Result;
use crate::policy::Scope;

/// Whose access a change of a consent or an agreement may move: staff of
/// `orgs` in `categories`, to rows about `participant` (a consent) or
/// owned by `owner` (an agreement).
#[derive(Debug, Clone)]
pub struct AccessChange {
    pub orgs: Vec<Uuid>,
    pub categories: Vec<Category>,
    pub participant: Option<Uuid>,
    pub owner: Option<Uuid>,
    pub today: NaiveDate,
}

/// A row an organization may read: (organization, row) → what the feed
/// needs to name it.
pub type Readable = BTreeMap<(Uuid, Uuid), (RecordKind, Option<Uuid>, Uuid, Category)>;

impl AccessChange {
    /// The rows of another organization each of `orgs` may read now, as
    /// the policy decides inside `txn` (call before and after the change).
    pub async fn readable<C: ConnectionTrait>(&self, txn: &C) -> Result<Readable> {
        let mut out = Readable::new();
        for &org in &self.orgs {
            for &category in &self.categories {
                let scope = Scope::for_organization(org, category, self.today);
                let deleted = Alias::new("feed_deleted");
                let mut query = change_log::Entity::find()
                    .select_only()
                    .columns([L::Kind, L::EntityId, L::ParticipantId, L::OwnerOrgId])
                    .distinct()
                    .filter(L::Category.eq(category))
                    .filter(L::Operation.eq(ChangeOperation::Upsert))
                    .filter(L::AudienceOrgId.is_null())
                    .filter(L::OwnerOrgId.ne(org))
                    .filter(scope.condition(
                        (change_log::Entity, L::OwnerOrgId),
                        (change_log::Entity, L::ParticipantId),
                    ))
                    .filter(
                        Condition::all().not().add(Expr::exists(
                            Query::select()
                                .expr(Expr::val(1))
                                .from_as(change_log::Entity, deleted.clone())
                                .and_where(
                                    Expr::col((deleted.clone(), L::EntityId))
                                        .equals((change_log::Entity, L::EntityId)),
                                )
                                .and_where(
                                    Expr::col((deleted.clone(), L::Operation))
                                        .eq(ChangeOperation::Delete.as_str()),
                                )
                                .and_where(Expr::col((deleted, L::AudienceOrgId)).is_null())
                                .to_owned(),
                        )),
                    );
                if let Some(participant) = self.participant {
                    query = query.filter(L::ParticipantId.eq(participant));
                }
                if let Some(owner) = self.owner {
                    query = query.filter(L::OwnerOrgId.eq(owner));
                }
                let rows: Vec<(RecordKind, Uuid, Option<Uuid>, Uuid)> =
                    query.into_tuple().all(txn).await?;
                for (kind, id, participant, owner) in rows {
                    out.insert((org, id), (kind, participant, owner, category));
                }
            }
        }
        Ok(out)
    }

    /// After the change: records what it moved since `before` (see
    /// [`AccessChange::record`]).
    pub async fn settle<C: ConnectionTrait>(&self, txn: &C, before: Readable) -> Result<usize> {
        let after = self.readable(txn).await?;
        Self::record(txn, &before, &after).await
    }

    /// The access a consent of `participant` for `recipient` (every partner
    /// when `None`) in `categories` moves.
    pub async fn of_consent<C: ConnectionTrait>(
        txn: &C,
        participant: Uuid,
        recipient: Option<Uuid>,
        categories: Vec<Category>,
        today: NaiveDate,
    ) -> Result<AccessChange> {
        let orgs = match recipient {
            Some(org) => vec![org],
            // Whoever receives data under any agreement: a consent for
            // every partner matters only to them.
            None => {
                sharing_agreement::Entity::find()
                    .select_only()
                    .column(sharing_agreement::Column::RecipientOrgId)
                    .distinct()
                    .into_tuple()
                    .all(txn)
                    .await?
            }
        };
        Ok(AccessChange {
            orgs,
            categories,
            participant: Some(participant),
            owner: None,
            today,
        })
    }

    /// The access an agreement moves: its recipient's, to its provider's rows.
    pub fn of_agreement(row: &sharing_agreement::Model, today: NaiveDate) -> AccessChange {
        AccessChange {
            orgs: vec![row.recipient_org_id],
            categories: split_set(&row.categories, Category::parse),
            participant: None,
            owner: Some(row.provider_org_id),
            today,
        }
    }

    /// Writes, for each organization, a tombstone for every row it could
    /// read `before` and cannot `after`, and an upsert for every row it can
    /// read now and could not before (so its copy catches up).
    pub async fn record<C: ConnectionTrait>(
        txn: &C,
        before: &Readable,
        after: &Readable,
    ) -> Result<usize> {
        let entry =
            |(org, id): &(Uuid, Uuid),
             (kind, participant, owner, category): &(RecordKind, Option<Uuid>, Uuid, Category),
             operation| change_log::ActiveModel {
                id: NotSet,
                change_version: Set(None),
                kind: Set(*kind),
                entity_id: Set(*id),
                participant_id: Set(*participant),
                owner_org_id: Set(*owner),
                category: Set(*category),
                operation: Set(operation),
                audience_org_id: Set(Some(*org)),
            };
        let mut entries: Vec<change_log::ActiveModel> = before
            .iter()
            .filter(|(k, _)| !after.contains_key(k))
            .map(|(k, v)| entry(k, v, ChangeOperation::Delete))
            .collect();
        entries.extend(
            after
                .iter()
                .filter(|(k, _)| !before.contains_key(k))
                .map(|(k, v)| entry(k, v, ChangeOperation::Upsert)),
        );
        let written = entries.len();
        // 9 columns a row: well under SQLite's parameter limit per chunk.
        for chunk in entries.chunks(1000) {
            change_log::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(txn)
                .await?;
        }
        Ok(written)
    }
}
