//! A youth's account link as GraphQL (DESIGN.md section 11): what
//! `me { account }` and a holder's `participant { account }` show, and the
//! holders' `confirmAccountLink` and `suspendAccountLink`. Thin: the rules
//! are in `people::links`.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};

use super::ContextExt;
use super::directory::Organization;
use super::records::org;
use super::registration::refuse;
use crate::people::links::{self, AccountLinkInput, Link};

type GqlResult<T> = async_graphql::Result<T>;

/// A youth's own account link: which organization's code made it, and
/// which organizations confirmed it since. It reads what the issuing
/// organization may read about the youth, plus the own records of every
/// organization that confirmed it (every organization's once a hub_admin
/// did).
pub struct AccountLink(pub(super) Link);

/// A youth's own account link: which organization's code made it, and
/// which organizations confirmed it since. It reads what the issuing
/// organization may read about the youth, plus the own records of every
/// organization that confirmed it (every organization's once a hub_admin
/// did). IDENTITY: holders of the youth's profile and hub_admins see it.
#[Object]
impl AccountLink {
    /// When the youth redeemed the code.
    async fn linked_on(&self) -> DateTime<Utc> {
        self.0.linked_at
    }
    /// The organization whose org_admin issued the code.
    async fn issued_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.issuer).await
    }
    /// The confirmations of other organizations that keep the youth's
    /// profile, oldest first.
    async fn confirmed_by(&self) -> Vec<LinkConfirmation> {
        self.0
            .confirmations
            .iter()
            .map(|c| LinkConfirmation {
                org: c.org_id,
                on: c.confirmed_at,
            })
            .collect()
    }
    /// Whether a hub_admin confirmed it for every organization.
    async fn every_organization(&self) -> bool {
        self.0.confirmations.iter().any(|c| c.org_id.is_none())
    }
    /// When it ended (suspended, or a split), if it did.
    async fn ended_at(&self) -> Option<DateTime<Utc>> {
        self.0.ended.as_ref().map(|(at, _)| *at)
    }
    /// Why it ended: `SUSPENDED` or `SPLIT`.
    async fn end_reason(&self) -> Option<&str> {
        self.0.ended.as_ref().map(|(_, why)| why.as_str())
    }
}

/// One organization's confirmation of an account link.
pub struct LinkConfirmation {
    org: Option<uuid::Uuid>,
    on: DateTime<Utc>,
}

/// One organization's confirmation of an account link, made after
/// checking the youth's identity in person.
#[Object]
impl LinkConfirmation {
    /// The confirming organization; null when a hub_admin confirmed for
    /// every organization.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        match self.org {
            Some(id) => Ok(Some(org(ctx, id).await?)),
            None => Ok(None),
        }
    }
    /// When it was confirmed.
    async fn on(&self) -> DateTime<Utc> {
        self.on
    }
}

#[derive(Default)]
pub struct AccountLinkMutation;

#[Object]
impl AccountLinkMutation {
    /// As the org_admin of another organization that keeps the youth's
    /// profile, after checking their identity in person: widens the
    /// youth's account link to your organization's own records. A
    /// hub_admin confirms for every organization. The issuing
    /// organization cannot confirm its own code's link.
    async fn confirm_account_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The youth whose account link is meant.")] input: AccountLinkInput,
    ) -> GqlResult<AccountLink> {
        let result = links::confirm(ctx.db(), ctx.viewer()?, &ctx.actor()?, &input).await;
        Ok(AccountLink(
            refuse(ctx, "account_link_confirmation", result).await?,
        ))
    }

    /// As the org_admin of an organization that keeps the youth's profile,
    /// or a hub_admin: suspends the youth's account link (the token reads
    /// nothing from the next request on; a new code can be issued).
    async fn suspend_account_link(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The youth whose account link is meant.")] input: AccountLinkInput,
    ) -> GqlResult<AccountLink> {
        let result = links::suspend(ctx.db(), ctx.viewer()?, &ctx.actor()?, &input).await;
        Ok(AccountLink(
            refuse(ctx, "participant_account", result).await?,
        ))
    }
}
