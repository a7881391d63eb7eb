//! The hub as an Apollo Federation v2 subgraph: entity resolution for
//! `_entities` with `@key(fields: "id")` on Participant, Organization and
//! Pathway.
//!
//! async-graphql resolves the representations one by one and one error
//! fails the whole batch, so these resolvers never fail: each goes through
//! a per-request DataLoader (one query per type per request, participants
//! through the viewer's policy scope) and answers `null` plus one
//! `NOT_FOUND` error for a representation the viewer may not see or that
//! does not exist, the same error in both cases, so a gateway's other
//! entities still resolve and nothing tells a hidden participant from a
//! missing one.

use async_graphql::{Context, ID, Object};
use uuid::Uuid;

use super::ContextExt;
use super::directory::{Organization, Pathway};
use super::loaders::load_error;
use super::participants::Participant;
use crate::ground::error::{Error, Result};
use crate::policy;

type GqlResult<T> = async_graphql::Result<T>;

/// Entity resolvers (not root fields: they appear only in `_entities`).
#[derive(Default)]
pub struct FederationQuery;

/// `null` plus the error, as one entry of `_entities`.
fn missing<T>(ctx: &Context<'_>, err: Error) -> GqlResult<Option<T>> {
    let err: async_graphql::Error = err.into();
    ctx.add_error(ctx.set_error_path(err.into_server_error(ctx.item.pos)));
    Ok(None)
}

fn uuid(id: &ID) -> Option<Uuid> {
    Uuid::parse_str(id.as_str()).ok()
}

async fn participant(ctx: &Context<'_>, id: &ID) -> Result<Option<Participant>> {
    policy::require_participant_reader(ctx.viewer()?)?;
    let Some(id) = uuid(id) else {
        return Ok(None);
    };
    let found = ctx
        .loaders()
        .visible_participants
        .load_one(id)
        .await
        .map_err(load_error)?;
    Ok(found.map(Participant))
}

#[Object]
impl FederationQuery {
    /// A participant the viewer may see, through the policy like `participant(id)`.
    #[graphql(entity)]
    async fn find_participant_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<Option<Participant>> {
        match participant(ctx, &id).await {
            Ok(Some(p)) => Ok(Some(p)),
            // Not readable, not there, or not a participant reader at
            // all: answered the same.
            Ok(None) | Err(Error::Forbidden { .. }) => missing(ctx, Error::NotFound("participant")),
            Err(err) => missing(ctx, err),
        }
    }

    /// An organization (reference data; any signed-in viewer).
    #[graphql(entity)]
    async fn find_organization_by_id(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<Option<Organization>> {
        if let Err(err) = ctx.viewer() {
            return missing(ctx, err);
        }
        let found = match uuid(&id) {
            None => None,
            Some(id) => match ctx.loaders().organizations.load_one(id).await {
                Ok(found) => found,
                Err(err) => return missing(ctx, load_error(err)),
            },
        };
        match found {
            Some(org) => Ok(Some(Organization(org))),
            None => missing(ctx, Error::NotFound("organization")),
        }
    }

    /// A pathway (reference data; any signed-in viewer).
    #[graphql(entity)]
    async fn find_pathway_by_id(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Pathway>> {
        if let Err(err) = ctx.viewer() {
            return missing(ctx, err);
        }
        let found = match uuid(&id) {
            None => None,
            Some(id) => match ctx.loaders().pathways.load_one(id).await {
                Ok(found) => found,
                Err(err) => return missing(ctx, load_error(err)),
            },
        };
        match found {
            Some(p) => Ok(Some(Pathway(p))),
            None => missing(ctx, Error::NotFound("pathway")),
        }
    }
}
