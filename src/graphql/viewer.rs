//! `viewer`: who the token says is asking.

use async_graphql::{Context, Object};

use super::ContextExt;
use super::directory::Organization;
use super::loaders::load_error;
use crate::auth::Role;
use crate::ground::error::Error;

/// The authenticated caller.
pub struct ViewerInfo {
    subject: String,
    org_id: uuid::Uuid,
    roles: Vec<Role>,
}

/// The authenticated caller: subject, organization and roles.
#[Object(name = "Viewer")]
impl ViewerInfo {
    /// The token's subject (`sub`).
    async fn subject(&self) -> &str {
        &self.subject
    }

    /// The organization the caller acts for.
    async fn organization(&self, ctx: &Context<'_>) -> async_graphql::Result<Organization> {
        let org = ctx
            .loaders()
            .organizations
            .load_one(self.org_id)
            .await
            .map_err(load_error)?;
        Ok(Organization(org.ok_or(Error::NotFound("organization"))?))
    }

    /// The caller's roles.
    async fn roles(&self) -> &[Role] {
        &self.roles
    }
}

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// Who is asking: the token's subject, organization and roles.
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<ViewerInfo> {
        let viewer = ctx.viewer()?;
        Ok(ViewerInfo {
            subject: viewer.subject.clone(),
            org_id: viewer.org_id,
            roles: viewer.roles.clone(),
        })
    }
}
