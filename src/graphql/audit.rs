//! `auditEvents`: who read, wrote, exported or was denied what.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::audit_event;
use entity::enums::{AuditAction, Category, split_set};
use uuid::Uuid;

use super::ContextExt;
use super::directory::Organization;
use super::loaders::load_error;
use super::pages::Page;
use crate::audit::{self, AuditCursor, AuditFilter};
use crate::ground::error::Error;
use crate::policy::AuditReach;
use crate::{directory::organizations, policy};

type GqlResult<T> = async_graphql::Result<T>;

/// An audit event.
pub struct AuditEvent(audit_event::Model);

/// One append-only audit record (FERPA 99.32 disclosure record): ids and
/// categories only, never personal data.
#[Object]
impl AuditEvent {
    /// The event's id (a UUID).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// When it happened (RFC 3339, UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The token subject that acted.
    async fn actor_subject(&self) -> &str {
        &self.0.actor_subject
    }
    /// The organization the actor acted for.
    async fn actor_organization(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        let Some(id) = self.0.actor_org_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organizations
            .load_one(id)
            .await
            .map_err(load_error)?
            .map(Organization))
    }
    /// What was done: a read, a write, an export, a grant or revocation,
    /// or a refused attempt (`DENY`).
    async fn action(&self) -> AuditAction {
        self.0.action
    }
    /// The kind of record concerned (`participant`, `program`…).
    async fn entity(&self) -> &str {
        &self.0.entity
    }
    /// The id of the record concerned; null when none was read or written
    /// (a refused attempt).
    async fn entity_id(&self) -> Option<ID> {
        self.0.entity_id.map(|id| ID(id.to_string()))
    }
    /// The hub id of the participant the record is about, if any.
    async fn participant_id(&self) -> Option<ID> {
        self.0.participant_id.map(|id| ID(id.to_string()))
    }
    /// The data steward of the record concerned.
    async fn owner_organization(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        let Some(id) = self.0.owner_org_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organizations
            .load_one(id)
            .await
            .map_err(load_error)?
            .map(Organization))
    }
    /// The data categories read, written or refused (empty for directory
    /// records).
    async fn categories(&self) -> Vec<Category> {
        split_set(&self.0.categories, Category::parse)
    }
    /// The id of the request that caused it (as in that response's errors'
    /// `extensions.requestId` and in the server's logs).
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
    /// Machine-readable detail, never personal data (e.g. `status=ACTIVE`,
    /// `SELF` for a youth's own read).
    async fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }
}

/// Filters of `auditEvents`.
#[derive(Debug, Clone, Default, InputObject)]
pub struct AuditEventFilter {
    /// Only events of this action.
    pub action: Option<AuditAction>,
    /// Only events about this participant (a hub id; anything else is
    /// `BAD_USER_INPUT`).
    pub participant_id: Option<ID>,
    /// Events by actors of this organization; an unknown slug is
    /// `BAD_USER_INPUT`.
    pub actor_org_slug: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// `totalCount` of an audit connection.
pub struct AuditCount {
    reach: AuditReach,
    filter: AuditFilter,
}

#[Object]
impl AuditCount {
    /// How many events match.
    async fn total_count(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        let reader = ctx.reads().reader().await.map_err(Error::from)?;
        Ok(audit::count(&reader, self.reach.clone(), &self.filter).await?)
    }
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first: all of it for a hub_admin; for an
    /// org_admin, the events about its organization's data (reads, writes
    /// and refused attempts by others, `DENY` rows included) and what its
    /// own users did. Anyone else is `FORBIDDEN`.
    #[graphql(complexity = "crate::graphql::page_cost(first, 50) * child_complexity")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 500 (default 50); anything else is `BAD_USER_INPUT`.")]
        first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; start with the newest without.")]
        after: Option<String>,
        #[graphql(desc = "Narrows the log to events for which every condition given holds.")]
        filter: Option<AuditEventFilter>,
    ) -> GqlResult<Page<AuditEvent, AuditCount>> {
        let reach = policy::audit_reach(ctx.viewer()?)?;
        let first = first.unwrap_or(50);
        if !(0..=500).contains(&first) {
            return Err(Error::bad_input("first", "must be between 0 and 500").into());
        }
        let after = after
            .map(|c| AuditCursor::decode(&c, "after"))
            .transpose()?;
        let input = filter.unwrap_or_default();
        let participant_id = input
            .participant_id
            .map(|id| {
                Uuid::parse_str(id.as_str())
                    .map_err(|_| Error::bad_input("filter.participantId", "must be a UUID"))
            })
            .transpose()?;
        let actor_org_id = match input.actor_org_slug {
            None => None,
            Some(slug) => {
                Some(organizations::id_by_slug(ctx.db(), &slug, "filter.actorOrgSlug").await?)
            }
        };
        let filter = AuditFilter {
            action: input.action,
            participant_id,
            actor_org_id,
            from: input.from,
            to: input.to,
        };
        // A replica as current as the primary, when one is configured.
        let reader = ctx.reads().reader().await.map_err(Error::from)?;
        let (rows, has_next) =
            audit::list(&reader, reach.clone(), &filter, first as u64, after).await?;
        let mut connection = Connection::with_additional_fields(
            after.is_some(),
            has_next,
            AuditCount { reach, filter },
        );
        connection.edges.extend(rows.into_iter().map(|row| {
            Edge::new(
                AuditCursor {
                    at: row.at,
                    id: row.id,
                }
                .encode(),
                AuditEvent(row),
            )
        }));
        Ok(Page(connection))
    }
}
