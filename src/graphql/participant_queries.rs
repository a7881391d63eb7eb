//! The root fields that find participants: `participant(id)`, the
//! `participants` connection with its filter, and
//! `participantByExternalId`. Each reads through the viewer's scopes.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, InputObject, Object};
use entity::enums::EnrollmentStatus;
use uuid::Uuid;

use super::ContextExt;
use super::compiled::{self, PageNode};
use super::pages::Page;
use crate::ground::error::{Error, Result};
use crate::people::participants::{self, ParticipantFilter};
use crate::policy::Scopes;
use crate::{directory::organizations, directory::pathways, policy};

type GqlResult<T> = async_graphql::Result<T>;

/// Filters of `participants`.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ParticipantFilterInput {
    /// Words that must each appear in a readable name (at most 100
    /// characters).
    pub search: Option<String>,
    /// Participants with a readable enrollment in this program (a UUID).
    pub program_id: Option<ID>,
    /// Participants with a readable enrollment in a program on this
    /// pathway; an unknown code is `BAD_USER_INPUT`.
    pub pathway_code: Option<String>,
    /// Participants with a readable enrollment in this status.
    pub status: Option<EnrollmentStatus>,
    /// Participants this organization has a readable profile of; an
    /// unknown slug is `BAD_USER_INPUT`.
    pub org_slug: Option<String>,
}

/// `totalCount` of a participants connection, counted only when asked.
pub struct ParticipantCount {
    scopes: Scopes,
    filter: ParticipantFilter,
}

#[Object]
impl ParticipantCount {
    /// How many participants the viewer may see under the filter.
    async fn total_count(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        Ok(participants::count(ctx.db(), &self.scopes, &self.filter).await?)
    }
}

const DEFAULT_PAGE: i32 = 20;
const MAX_PAGE: i32 = 100;

async fn resolve_filter(
    ctx: &Context<'_>,
    input: ParticipantFilterInput,
) -> Result<ParticipantFilter> {
    let program_id = input
        .program_id
        .map(|id| {
            Uuid::parse_str(id.as_str())
                .map_err(|_| Error::bad_input("filter.programId", "must be a UUID"))
        })
        .transpose()?;
    let pathway_id = match input.pathway_code {
        None => None,
        Some(code) => Some(
            pathways::by_code(ctx.db(), &code)
                .await?
                .ok_or_else(|| Error::bad_input("filter.pathwayCode", "no pathway has this code"))?
                .id,
        ),
    };
    let org_id = match input.org_slug {
        None => None,
        Some(slug) => Some(organizations::id_by_slug(ctx.db(), &slug, "filter.orgSlug").await?),
    };
    let search = input
        .search
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(Error::bad_input(
            "filter.search",
            "must be at most 100 characters",
        ));
    }
    Ok(ParticipantFilter {
        search,
        program_id,
        pathway_id,
        status: input.status,
        org_id,
    })
}

#[derive(Default)]
pub struct ParticipantQuery;

#[Object]
impl ParticipantQuery {
    /// One participant by hub id; null when there is none or the viewer may
    /// not see them (the two answer the same). For staff and org_admins
    /// (others `FORBIDDEN`); each field then follows its data category.
    async fn participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The hub id (a UUID; anything else is `BAD_USER_INPUT`).")] id: ID,
    ) -> GqlResult<Option<PageNode>> {
        policy::require_participant_reader(ctx.viewer()?)?;
        let Ok(id) = Uuid::parse_str(id.as_str()) else {
            return Err(Error::bad_input("id", "must be a UUID").into());
        };
        Ok(compiled::one(ctx, compiled::One::Id(id)).await?)
    }

    /// Participants the viewer may see (a profile of its own organization,
    /// or IDENTITY access), ordered by hub id, as a Relay connection. For
    /// staff and org_admins (others `FORBIDDEN`).
    #[graphql(complexity = "crate::graphql::page_cost(first, DEFAULT_PAGE) * child_complexity")]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20); anything else is `BAD_USER_INPUT`.")]
        first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; start at the beginning without.")]
        after: Option<String>,
        #[graphql(desc = "Narrows the list to participants for whom every condition given holds.")]
        filter: Option<ParticipantFilterInput>,
    ) -> GqlResult<Page<PageNode, ParticipantCount>> {
        policy::require_participant_reader(ctx.viewer()?)?;
        let first = first.unwrap_or(DEFAULT_PAGE);
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(
                Error::bad_input("first", format!("must be between 0 and {MAX_PAGE}")).into(),
            );
        }
        let after = after
            .map(|c| {
                Uuid::parse_str(&c)
                    .map_err(|_| Error::bad_input("after", "is not a cursor of this connection"))
            })
            .transpose()?;
        let filter = resolve_filter(ctx, filter.unwrap_or_default()).await?;
        let scopes = ctx.scopes().clone();
        let (nodes, has_next) = compiled::nodes(ctx, &filter, first as u64, after).await?;
        let mut connection = Connection::with_additional_fields(
            after.is_some(),
            has_next,
            ParticipantCount { scopes, filter },
        );
        connection.edges.extend(
            nodes
                .into_iter()
                .map(|(id, node)| Edge::new(id.to_string(), node)),
        );
        Ok(Page(connection))
    }

    /// The participant an organization knows by its own id; null when there
    /// is none or the viewer may not read that organization's link
    /// (IDENTITY). For staff and org_admins (others `FORBIDDEN`).
    async fn participant_by_external_id(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization whose id it is, e.g. `wlcac`.")] org_slug: String,
        #[graphql(desc = "That organization's own id for the person, e.g. `WLCAC-0012`.")]
        external_id: String,
    ) -> GqlResult<Option<PageNode>> {
        policy::require_participant_reader(ctx.viewer()?)?;
        let Some(org) = organizations::by_slug(ctx.db(), &org_slug).await? else {
            return Ok(None);
        };
        let query = participants::by_external_id_query(ctx.scopes(), org.id, &external_id);
        Ok(compiled::one(ctx, compiled::One::Query(Box::new(query))).await?)
    }
}
