//! The change feed (DESIGN.md section 10, as Ed-Fi's change queries): what
//! changed after a version that the viewer may read now.
//!
//! Entries come from `change_log`, which triggers fill in every write's own
//! transaction (migration `m20261128_000011_change_feed`), stamped with one
//! hub-wide `change_version` in commit order. A page is read under the same
//! policy as every read: the [`Scope`] of each entry's category becomes the
//! SQL condition over the entry's owner and participant. What a reader
//! loses (a consent revoked, an agreement ended) is written here as
//! tombstones addressed to that reader, computed by the policy before and
//! after the change ([`access_change`]), so nobody else learns of it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use entity::change_log::{self, Column as L};
use entity::enums::{Category, ChangeOperation, RecordKind, split_set};
use entity::{
    competency_attainment, credential, dual_enrollment, enrollment, hour_log, mentorship,
    mentorship_meeting, outcome, participant_profile, service, sharing_agreement,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::ground::error::{Error, Result};
use crate::policy::{Scope, Scopes};

/// Changes per page when the caller does not say.
pub const DEFAULT_PAGE: u64 = 100;
/// Changes per page at most.
pub const MAX_PAGE: u64 = 1000;

/// The category a kind of row belongs to (what the policy checks).
pub fn category_of(kind: RecordKind) -> Category {
    match kind {
        RecordKind::ParticipantProfile => Category::Identity,
        RecordKind::Enrollment => Category::Enrollment,
        RecordKind::HourLog | RecordKind::CompetencyAttainment => Category::Progress,
        RecordKind::Credential => Category::Credentials,
        RecordKind::Mentorship | RecordKind::MentorshipMeeting => Category::Mentorship,
        RecordKind::DualEnrollment => Category::EducationRecords,
        RecordKind::Service => Category::Services,
        RecordKind::Outcome => Category::Outcomes,
    }
}

/// One change, as the feed answers it.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: RecordKind,
    pub id: Uuid,
    pub participant_id: Option<Uuid>,
    pub owner_org_id: Uuid,
    pub category: Category,
    pub change_version: i64,
    pub operation: ChangeOperation,
    /// The row as it is now (upserts only).
    pub record: Option<Value>,
}

/// A page of the feed.
#[derive(Debug, Clone)]
pub struct Page {
    pub nodes: Vec<Change>,
    /// Where to resume (`since` of the next call): the last change of a
    /// full page, otherwise the newest version the hub had when the page
    /// was read, so changes the viewer may not read are not scanned again.
    pub max_change_version: i64,
    /// Whether changes after `max_change_version` were already waiting.
    pub has_more: bool,
}

/// The changes after `since` that `scopes`' viewer (of organization
/// `viewer_org`) may read now, oldest first, at most `first`, of `kinds`
/// (every kind when empty).
pub async fn page<C: ConnectionTrait>(
    db: &C,
    scopes: &Scopes,
    viewer_org: Uuid,
    since: i64,
    first: u64,
    kinds: &[RecordKind],
) -> Result<Page> {
    if since < 0 {
        return Err(Error::bad_input("since", "must be 0 or more"));
    }
    if first == 0 || first > MAX_PAGE {
        return Err(Error::bad_input(
            "first",
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    // The newest version first: every version up to it is committed (they
    // are stamped in commit order), so the page below cannot miss one.
    let newest = std::cmp::max(self::newest(db).await?, since);
    let kinds: Vec<RecordKind> = if kinds.is_empty() {
        RecordKind::all().to_vec()
    } else {
        kinds.to_vec()
    };
    let categories: BTreeSet<Category> = kinds.iter().map(|k| category_of(*k)).collect();
    let mut readable = Condition::any();
    for category in categories {
        readable = readable.add(Condition::all().add(L::Category.eq(category)).add(
            scopes.of(category).condition(
                (change_log::Entity, L::OwnerOrgId),
                (change_log::Entity, L::ParticipantId),
            ),
        ));
    }
    let addressed = L::AudienceOrgId.eq(viewer_org);
    let visible = Condition::any()
        .add(
            Condition::all()
                .add(L::Operation.eq(ChangeOperation::Upsert))
                .add(
                    Condition::any()
                        .add(L::AudienceOrgId.is_null())
                        .add(addressed.clone()),
                )
                .add(readable.clone()),
        )
        .add(
            Condition::all()
                .add(L::Operation.eq(ChangeOperation::Delete))
                .add(
                    Condition::any().add(addressed).add(
                        Condition::all()
                            .add(L::AudienceOrgId.is_null())
                            .add(readable),
                    ),
                ),
        );
    let mut rows = change_log::Entity::find()
        .filter(L::ChangeVersion.gt(since))
        .filter(L::ChangeVersion.lte(newest))
        .filter(L::Kind.is_in(kinds))
        .filter(visible)
        .order_by_asc(L::ChangeVersion)
        .limit(first + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > first;
    rows.truncate(first as usize);
    let max_change_version = match (has_more, rows.last()) {
        (true, Some(last)) => last.change_version.unwrap_or(newest),
        _ => newest,
    };
    let records = records(db, &rows).await?;
    let nodes = rows
        .into_iter()
        .filter_map(|row| {
            let record = records.get(&row.entity_id).cloned();
            // An upsert of a row deleted since: its tombstone follows.
            if row.operation == ChangeOperation::Upsert && record.is_none() {
                return None;
            }
            Some(Change {
                kind: row.kind,
                id: row.entity_id,
                participant_id: row.participant_id,
                owner_org_id: row.owner_org_id,
                category: row.category,
                change_version: row.change_version.unwrap_or_default(),
                record: (row.operation == ChangeOperation::Upsert)
                    .then_some(record)
                    .flatten(),
                operation: row.operation,
            })
        })
        .collect();
    Ok(Page {
        nodes,
        max_change_version,
        has_more,
    })
}

/// The newest change version the hub has committed.
pub async fn newest<C: ConnectionTrait>(db: &C) -> Result<i64> {
    let newest: Option<Option<i64>> = change_log::Entity::find()
        .select_only()
        .expr(Expr::col(L::ChangeVersion).max())
        .into_tuple()
        .one(db)
        .await?;
    Ok(newest.flatten().unwrap_or(0))
}

/// The rows the upserts of `entries` name, as JSON with camelCase keys, by
/// id. The entries were read through the policy; a profile gives only its
/// IDENTITY fields (the feed's category for profiles).
async fn records<C: ConnectionTrait>(
    db: &C,
    entries: &[change_log::Model],
) -> Result<HashMap<Uuid, Value>> {
    let mut by_kind: BTreeMap<RecordKind, Vec<Uuid>> = BTreeMap::new();
    for e in entries {
        if e.operation == ChangeOperation::Upsert {
            by_kind.entry(e.kind).or_default().push(e.entity_id);
        }
    }
    let mut out = HashMap::new();
    for (kind, ids) in by_kind {
        let rows: Vec<(Uuid, Value)> = match kind {
            RecordKind::ParticipantProfile => {
                let rows = participant_profile::Entity::find()
                    .filter(participant_profile::Column::Id.is_in(ids))
                    .all(db)
                    .await?;
                rows.iter().map(profile_identity).collect::<Result<_>>()?
            }
            RecordKind::Enrollment => json_rows(
                enrollment::Entity::find()
                    .filter(enrollment::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::HourLog => json_rows(
                hour_log::Entity::find()
                    .filter(hour_log::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::CompetencyAttainment => json_rows(
                competency_attainment::Entity::find()
                    .filter(competency_attainment::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::Credential => json_rows(
                credential::Entity::find()
                    .filter(credential::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::Mentorship => json_rows(
                mentorship::Entity::find()
                    .filter(mentorship::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::MentorshipMeeting => json_rows(
                mentorship_meeting::Entity::find()
                    .filter(mentorship_meeting::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::DualEnrollment => json_rows(
                dual_enrollment::Entity::find()
                    .filter(dual_enrollment::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::Service => json_rows(
                service::Entity::find()
                    .filter(service::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::Outcome => json_rows(
                outcome::Entity::find()
                    .filter(outcome::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
        };
        out.extend(rows);
    }
    Ok(out)
}

fn json_rows<T: Serialize>(rows: Vec<T>, id: impl Fn(&T) -> Uuid) -> Result<Vec<(Uuid, Value)>> {
    rows.iter()
        .map(|r| {
            let value = serde_json::to_value(r)
                .map_err(|e| Error::Internal(format!("change feed record: {e}")))?;
            Ok((id(r), value))
        })
        .collect()
}

/// A profile's IDENTITY fields (names), without contact, demographic or
/// sensitive fields: those categories are read through `participant`.
fn profile_identity(r: &participant_profile::Model) -> Result<(Uuid, Value)> {
    const IDENTITY: &[&str] = &[
        "id",
        "participantId",
        "orgId",
        "givenName",
        "familyName",
        "preferredName",
        "version",
        "createdAt",
        "updatedAt",
    ];
    let (id, value) = json_rows(vec![r.clone()], |r| r.id)?
        .pop()
        .ok_or_else(|| Error::Internal("change feed record".into()))?;
    let Value::Object(map) = value else {
        return Ok((id, value));
    };
    let kept = map
        .into_iter()
        .filter(|(k, _)| IDENTITY.contains(&k.as_str()))
        .collect();
    Ok((id, Value::Object(kept)))
}

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
