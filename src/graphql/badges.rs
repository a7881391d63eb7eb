//! `credentialBadge`: a credential as an Open Badges 3.0 credential
//! (DESIGN.md section 10). Thin: the document and the signature are in
//! [`crate::records::badges`].

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use entity::enums::Category;
use serde_json::Value;

use super::ContextExt;
use crate::ground::error::Error;
use crate::records::badges::{self, BadgeIssuer};

type GqlResult<T> = async_graphql::Result<T>;

/// A credential as an Open Badges 3.0 `OpenBadgeCredential`.
#[derive(SimpleObject)]
pub struct CredentialBadge {
    /// The credential as JSON-LD (W3C Verifiable Credentials 2.0 with the
    /// Open Badges 3.0 context): issuer = the awarding organization,
    /// achievement, evidence, `validFrom` = the award date. The recipient
    /// is named by the hub's participant id only.
    credential: Json<Value>,
    /// The same credential signed with the hub's Ed25519 key in Open
    /// Badges 3.0's JWT proof format (compact JWS, `alg` EdDSA, `kid` in
    /// `/badges/jwks.json`); null when the hub has no signing key.
    jwt: Option<String>,
}

impl From<badges::Badge> for CredentialBadge {
    fn from(badge: badges::Badge) -> Self {
        CredentialBadge {
            credential: Json(badge.credential),
            jwt: badge.jwt,
        }
    }
}

#[derive(Default)]
pub struct BadgeQuery;

#[Object]
impl BadgeQuery {
    /// Credential `id` (one a hub partner awarded) as an Open Badges 3.0
    /// credential, for anyone who may read the credential (CREDENTIALS);
    /// audited as a read. `NOT_FOUND` when there is none or it is not
    /// readable; `BAD_USER_INPUT` when its issuer is outside the hub or has
    /// not confirmed it.
    async fn credential_badge(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The credential's id (a UUID; anything else is `BAD_USER_INPUT`).")]
        id: ID,
    ) -> GqlResult<CredentialBadge> {
        ctx.viewer()?;
        badge(ctx, crate::records::enrollments::uuid(&id, "id")?).await
    }
}

/// Credential `id` as a badge, read through the viewer's scope and noted
/// as a disclosure.
pub(super) async fn badge(ctx: &Context<'_>, id: uuid::Uuid) -> GqlResult<CredentialBadge> {
    let issuer = ctx
        .data::<BadgeIssuer>()
        .map_err(|_| Error::Internal("badges are not configured".into()))?;
    let badge = badges::badge(ctx.db(), ctx.scopes(), issuer, id).await?;
    ctx.disclosures().read(
        badge.participant_id,
        Category::Credentials,
        badge.owner_org_id,
    );
    Ok(badge.into())
}
