//! Consents, data-sharing agreements and `accessExplanation` (issue 8).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{AgreementStatus, Category, ConsentStatus, SharingPurpose, split_set};
use entity::{consent, sharing_agreement};

use super::ContextExt;
use super::directory::Organization;
use super::loaders::load_error;
use super::records::{Consent, org};
use super::registration::refuse;
use crate::policy::{self, explain::Explanation, sharing};
use crate::records::enrollments::uuid;
use crate::sharing::access::{self, Question};
use crate::sharing::agreements::{self, AgreementVersionInput, ProposeAgreementInput};
use crate::sharing::consents::{self, GrantConsentInput, RevokeConsentInput};

type GqlResult<T> = async_graphql::Result<T>;

/// A data-sharing agreement.
pub struct SharingAgreement(pub sharing_agreement::Model);

/// A written data-sharing agreement from a provider organization to a
/// recipient (FERPA 99.31): PROPOSED by the provider's org_admin, accepted
/// by the recipient's org_admin, approved by a hub_admin (ACTIVE), REVOKED
/// by either side or a hub_admin; EXPIRED once `expiresOn` has passed.
#[Object]
impl SharingAgreement {
    /// The agreement's id (for the mutations).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The organization whose records are shared.
    async fn provider(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.provider_org_id).await
    }
    /// The organization that may read them.
    async fn recipient(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.recipient_org_id).await
    }
    /// The data categories it shares.
    async fn categories(&self) -> Vec<Category> {
        split_set(&self.0.categories, Category::parse)
    }
    /// Why the data are shared.
    async fn purpose(&self) -> SharingPurpose {
        self.0.purpose
    }
    /// Whether each participant's consent is needed too.
    async fn requires_consent(&self) -> bool {
        self.0.requires_consent
    }
    /// The status today: a PROPOSED or ACTIVE agreement whose `expiresOn`
    /// has passed reads as EXPIRED. An ACTIVE agreement shares only from
    /// `effectiveOn`.
    async fn status(&self, ctx: &Context<'_>) -> AgreementStatus {
        sharing::agreement_status(self.0.status, self.0.expires_on, ctx.scopes().today())
    }
    /// The first day it shares (once ACTIVE).
    async fn effective_on(&self) -> NaiveDate {
        self.0.effective_on
    }
    /// The last day it shares; null means no end date.
    async fn expires_on(&self) -> Option<NaiveDate> {
        self.0.expires_on
    }
    /// By when the recipient must have destroyed what it received, once
    /// the agreement has ended; `retention run` orders it through the
    /// change feed.
    async fn destroy_by(&self) -> Option<NaiveDate> {
        self.0.destroy_by
    }
    /// The subject of the provider's org_admin who proposed it.
    async fn proposed_by(&self) -> &str {
        &self.0.proposed_by
    }
    /// The subject of the recipient's org_admin who accepted it.
    async fn accepted_by(&self) -> Option<&str> {
        self.0.accepted_by.as_deref()
    }
    /// When the recipient accepted it.
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }
    /// The subject of the hub_admin who approved it.
    async fn approved_by(&self) -> Option<&str> {
        self.0.approved_by.as_deref()
    }
    /// When a hub_admin approved it.
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    /// When it was proposed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// For `acceptAgreement`, `approveAgreement`, `revokeAgreement`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A consent as an access explanation names it.
pub struct ConsentSummary(consent::Model);

/// A consent as an access explanation names it: its terms, without who
/// signed it (no personal data).
#[Object]
impl ConsentSummary {
    /// The consent's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The recipient; null means every partner the agreements name.
    async fn recipient(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        match self.0.recipient_org_id {
            Some(recipient) => Ok(Some(org(ctx, recipient).await?)),
            None => Ok(None),
        }
    }
    /// The data categories it covers.
    async fn categories(&self) -> Vec<Category> {
        split_set(&self.0.categories, Category::parse)
    }
    /// The day it was signed.
    async fn signed_on(&self) -> NaiveDate {
        self.0.signed_on
    }
    /// The last day it counts; null means no end date.
    async fn expires_on(&self) -> Option<NaiveDate> {
        self.0.expires_on
    }
    /// ACTIVE, REVOKED, or EXPIRED once `expiresOn` has passed.
    async fn status(&self, ctx: &Context<'_>) -> ConsentStatus {
        sharing::consent_status(self.0.status, self.0.expires_on, ctx.scopes().today())
    }
}

/// Whether a recipient reads one category of a provider's data, and why.
pub struct AccessExplanation(Explanation);

/// Whether the recipient's staff read one category of the provider's data
/// (about the participant, when one was given) today, and why.
#[Object]
impl AccessExplanation {
    /// The data category this row is about.
    async fn category(&self) -> Category {
        self.0.category
    }
    /// Whether the recipient's staff read this category now.
    async fn allowed(&self) -> bool {
        self.0.allowed
    }
    /// Why, naming the agreement and consent concerned or what is missing.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// The agreement that allows it, or the one closest to allowing it.
    async fn agreement(&self) -> Option<SharingAgreement> {
        self.0.agreement.clone().map(SharingAgreement)
    }
    /// The consent that allows it, or the one closest to allowing it.
    async fn consent(&self) -> Option<ConsentSummary> {
        self.0.consent.clone().map(ConsentSummary)
    }
}

#[derive(Default)]
pub struct SharingQuery;

#[Object]
impl SharingQuery {
    /// Agreements: a hub_admin sees all; anyone else those its organization
    /// provides or receives. `status` filters by the status read today
    /// (EXPIRED by date).
    async fn sharing_agreements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only agreements reading as this status today; all when left out.")]
        status: Option<AgreementStatus>,
    ) -> GqlResult<Vec<SharingAgreement>> {
        let viewer = ctx.viewer()?;
        let rows = agreements::list(ctx.db(), viewer, status, ctx.scopes().today()).await?;
        Ok(rows.into_iter().map(SharingAgreement).collect())
    }

    /// A participant's consents, as `Participant.consents` shows them:
    /// recorded by the viewer's organization, naming it, or of a participant
    /// whose identity it may read; oldest signature first. For staff and
    /// org_admins (others `FORBIDDEN`).
    async fn consents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The participant's hub id (a UUID; anything else is `BAD_USER_INPUT`).")]
        participant_id: ID,
    ) -> GqlResult<Vec<Consent>> {
        policy::require_participant_reader(ctx.viewer()?)?;
        let id = uuid(&participant_id, "participantId")?;
        let rows = ctx
            .loaders()
            .consents
            .load_one(id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Consent).collect())
    }

    /// For each of the eleven data categories: does the recipient's staff
    /// read the provider's data (about `participantId`, when given) today,
    /// and why — which agreement and consent allow it, or what is missing.
    /// The provider defaults to the viewer's organization (a hub_admin must
    /// name it). For a hub_admin, or an org_admin of the provider or the
    /// recipient; anyone else is `FORBIDDEN`.
    async fn access_explanation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization whose staff would read.")] recipient_org_slug: String,
        #[graphql(desc = "One participant's hub id, to weigh their consents too.")]
        participant_id: Option<ID>,
        #[graphql(desc = "The organization whose data would be read; yours by default.")]
        provider_org_slug: Option<String>,
    ) -> GqlResult<Vec<AccessExplanation>> {
        let viewer = ctx.viewer()?;
        let participant_id = participant_id
            .map(|id| uuid(&id, "participantId"))
            .transpose()?;
        let question = Question {
            recipient_org_slug,
            provider_org_slug,
            participant_id,
        };
        let today = ctx.scopes().today();
        let result = access::explain(ctx.db(), viewer, ctx.scopes(), question, today).await;
        Ok(refuse(ctx, "access_explanation", result)
            .await?
            .into_iter()
            .map(AccessExplanation)
            .collect())
    }
}

#[derive(Default)]
pub struct SharingMutation;

#[Object]
impl SharingMutation {
    /// Records a participant's consent for the viewer's organization, which
    /// must keep a profile of the participant. Under 18 on `signedOn` (by
    /// that profile's birth date) `grantedBy: GUARDIAN` and `guardianName`
    /// are required.
    async fn grant_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consent as signed.")] input: GrantConsentInput,
    ) -> GqlResult<Consent> {
        let viewer = ctx.viewer()?;
        let today = ctx.scopes().today();
        let result = consents::grant(ctx.db(), viewer, &ctx.actor()?, input, today).await;
        Ok(Consent(refuse(ctx, "consent", result).await?))
    }

    /// Revokes a consent the viewer's organization recorded; sharing that
    /// relied on it stops from the next request on.
    async fn revoke_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consent and the `version` you read.")] input: RevokeConsentInput,
    ) -> GqlResult<Consent> {
        let viewer = ctx.viewer()?;
        let result = consents::revoke(ctx.db(), viewer, &ctx.actor()?, input).await;
        Ok(Consent(refuse(ctx, "consent", result).await?))
    }

    /// Proposes an agreement from the viewer's organization (org_admin) to
    /// a recipient; status PROPOSED.
    async fn propose_agreement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agreement's terms.")] input: ProposeAgreementInput,
    ) -> GqlResult<SharingAgreement> {
        let viewer = ctx.viewer()?;
        let result = agreements::propose(ctx.db(), viewer, &ctx.actor()?, input).await;
        Ok(SharingAgreement(
            refuse(ctx, "sharing_agreement", result).await?,
        ))
    }

    /// The recipient's org_admin accepts a PROPOSED agreement.
    async fn accept_agreement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agreement and the `version` you read.")] input: AgreementVersionInput,
    ) -> GqlResult<SharingAgreement> {
        let viewer = ctx.viewer()?;
        let today = ctx.scopes().today();
        let result = agreements::accept(ctx.db(), viewer, &ctx.actor()?, input, today).await;
        Ok(SharingAgreement(
            refuse(ctx, "sharing_agreement", result).await?,
        ))
    }

    /// A hub_admin approves an agreement the recipient accepted: ACTIVE.
    async fn approve_agreement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agreement and the `version` you read.")] input: AgreementVersionInput,
    ) -> GqlResult<SharingAgreement> {
        let viewer = ctx.viewer()?;
        let today = ctx.scopes().today();
        let result = agreements::approve(ctx.db(), viewer, &ctx.actor()?, input, today).await;
        Ok(SharingAgreement(
            refuse(ctx, "sharing_agreement", result).await?,
        ))
    }

    /// Either side's org_admin or a hub_admin revokes an agreement; sharing
    /// stops from the next request on.
    async fn revoke_agreement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The agreement and the `version` you read.")] input: AgreementVersionInput,
    ) -> GqlResult<SharingAgreement> {
        let viewer = ctx.viewer()?;
        let today = ctx.scopes().today();
        let result = agreements::revoke(ctx.db(), viewer, &ctx.actor()?, input, today).await;
        Ok(SharingAgreement(
            refuse(ctx, "sharing_agreement", result).await?,
        ))
    }
}
