//! `changes`: the change feed partners keep their systems in step with
//! (DESIGN.md section 10). Thin: the policy and the paging are in
//! [`crate::records::feed`].

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use entity::enums::{Category, ChangeOperation, RecordKind};
use serde_json::Value;

use super::ContextExt;
use crate::auth::Role;
use crate::ground::error::Error;
use crate::records::feed;

type GqlResult<T> = async_graphql::Result<T>;

/// One change of a participant-level row.
#[derive(SimpleObject)]
pub struct Change {
    /// The kind of row (its table).
    kind: RecordKind,
    /// The row's id.
    id: ID,
    /// The participant the row is about.
    participant_id: Option<ID>,
    /// Hub-wide, increasing in commit order.
    change_version: i64,
    /// UPSERT (fetch or apply `record`) or DELETE (drop your copy).
    operation: ChangeOperation,
    /// The owning organization's id (upserts only; a tombstone names only
    /// kind, id and participant).
    owner_org_id: Option<ID>,
    /// The row's data category.
    category: Option<Category>,
    /// The row as it is now, keys in camelCase (upserts only). A profile
    /// gives its IDENTITY fields only.
    record: Option<Json<Value>>,
}

/// A page of changes.
#[derive(SimpleObject)]
pub struct ChangePage {
    /// Changes after `since`, oldest first.
    nodes: Vec<Change>,
    /// The version to resume from: pass it as `since` next time.
    max_change_version: i64,
    /// Whether more changes are already waiting after `maxChangeVersion`.
    has_more: bool,
}

#[derive(Default)]
pub struct ChangeQuery;

#[Object]
impl ChangeQuery {
    /// What changed after `since` that you may read now, as Ed-Fi's change
    /// queries: upserts carry the row, `DELETE` tombstones only its kind, id
    /// and participant — for a row deleted, or one you could read before and
    /// may no longer (a consent revoked, an agreement ended). Reads are
    /// audited like any read. Staff and org_admins only.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The `maxChangeVersion` of your last page; 0 the first time.")] since: i64,
        #[graphql(desc = "At most 1000; 100 when left out.")] first: Option<i32>,
        #[graphql(desc = "Only changes of these kinds of row; every kind when left out.")]
        kinds: Option<Vec<RecordKind>>,
    ) -> GqlResult<ChangePage> {
        let viewer = ctx.viewer()?;
        if !(viewer.has(Role::Staff) || viewer.has(Role::OrgAdmin)) {
            return Err(
                Error::forbidden("the change feed is for staff of a partner organization").into(),
            );
        }
        let first = match first {
            None => feed::DEFAULT_PAGE,
            Some(n) if n >= 1 => n as u64,
            Some(_) => return Err(Error::bad_input("first", "must be 1 or more").into()),
        };
        // Access that ended by date since the last read becomes
        // tombstones first, so this page already has them.
        feed::lapses::settle(ctx.db(), Some(viewer.org_id), ctx.scopes().today()).await?;
        // The horizon on the primary (its in-flight versions), the page
        // where the reads go: a replica only once it holds every change up
        // to the horizon and the policy state of this moment.
        let newest = feed::newest(ctx.db()).await?;
        let reader = ctx.reads().reader().await?;
        let page = feed::page_upto(
            &reader,
            newest,
            ctx.scopes(),
            viewer.org_id,
            since,
            first,
            kinds.as_deref().unwrap_or_default(),
        )
        .await?;
        let nodes = page
            .nodes
            .into_iter()
            .map(|c| {
                let upsert = c.operation == ChangeOperation::Upsert;
                if upsert && let Some(participant) = c.participant_id {
                    ctx.disclosures()
                        .read(participant, c.category, c.owner_org_id);
                }
                Change {
                    kind: c.kind,
                    id: ID(c.id.to_string()),
                    participant_id: c.participant_id.map(|p| ID(p.to_string())),
                    change_version: c.change_version,
                    operation: c.operation,
                    owner_org_id: upsert.then(|| ID(c.owner_org_id.to_string())),
                    category: upsert.then_some(c.category),
                    record: c.record.map(Json),
                }
            })
            .collect();
        Ok(ChangePage {
            nodes,
            max_change_version: page.max_change_version,
            has_more: page.has_more,
        })
    }
}

/// `eraseParticipant` input.
#[derive(async_graphql::InputObject)]
pub struct EraseParticipantInput {
    /// The person's hub id.
    participant_id: ID,
    /// Why (e.g. "youth's written request of 2026-11-02"); kept in the
    /// audit trail, so never personal data. At most 200 characters.
    reason: String,
}

/// What an erasure removed.
#[derive(SimpleObject)]
pub struct ErasePayload {
    /// The erased person's hub id (it names no one any more).
    participant_id: ID,
    /// Rows deleted, every table together.
    rows_deleted: i64,
    /// Change-feed tombstones written for organizations that could read a
    /// row of the person (besides the owners' own).
    tombstones: i32,
}

#[derive(Default)]
pub struct ChangeMutation;

#[Object]
impl ChangeMutation {
    /// Removes one person everywhere the hub holds them, on their request
    /// (hub_admin). The audit trail stays, without content; every
    /// organization that could read a row of theirs gets a tombstone in
    /// the change feed.
    async fn erase_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person to erase and why.")] input: EraseParticipantInput,
    ) -> GqlResult<ErasePayload> {
        let viewer = ctx.viewer()?;
        crate::policy::require_hub_admin(viewer)?;
        let id = crate::records::enrollments::uuid(&input.participant_id, "participantId")?;
        let erased = crate::records::erase::erase(
            ctx.db(),
            &ctx.actor()?,
            id,
            &input.reason,
            ctx.scopes().today(),
        )
        .await?;
        Ok(ErasePayload {
            participant_id: input.participant_id,
            rows_deleted: erased.rows.iter().map(|(_, n)| *n as i64).sum(),
            tombstones: erased.tombstones as i32,
        })
    }
}
