//! The youth's own record (DESIGN.md section 10; FERPA 99.10 inspect, 99.20
//! amend, 99.32 record of disclosures): `me`, the account codes that link a
//! youth's own token, `reaffirmConsent`, and correction requests. Thin: the
//! rules are in `people::accounts`, `sharing::consents`,
//! `records::corrections` and the policy's participant scope.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{Category, CorrectableEntity, CorrectionStatus};
use entity::{consent, correction_request, credential, participant_profile, sharing_agreement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::ContextExt;
use super::badges::CredentialBadge;
use super::directory::Organization;
use super::disclosures::{Disclosure, under_agreement};
use super::pages::Page;
use super::records::{Consent, id, org};
use super::registration::refuse;
use crate::audit::{self, AuditCursor, AuditFilter};
use crate::ground::error::Error;
use crate::people::accounts::{self, AccountCode, IssueAccountCodeInput, RedeemAccountCodeInput};
use crate::policy;
use crate::records::corrections::{self, RequestCorrectionInput, ResolveCorrectionInput};
use crate::sharing::consents::{self, ReaffirmConsentInput};

type GqlResult<T> = async_graphql::Result<T>;

/// The youth's own record (the hub id their account is linked to).
pub struct Me(Uuid);

#[derive(Default)]
pub struct MeQuery;

#[Object]
impl MeQuery {
    /// Your own record, as a youth signed in with your own token (role
    /// `participant`): every row about you from every organization, who
    /// read it, your consents and your correction requests. Any other token
    /// is `FORBIDDEN`.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Me> {
        Ok(Me(policy::require_own_record(ctx.viewer()?)?))
    }

    /// Correction requests to your organization, oldest first: for its
    /// staff and org_admins (others `FORBIDDEN`).
    async fn correction_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only requests in this status (e.g. OPEN); all when left out.")]
        status: Option<CorrectionStatus>,
    ) -> GqlResult<Vec<CorrectionRequest>> {
        let rows = corrections::for_organization(ctx.db(), ctx.viewer()?, status).await?;
        Ok(rows.into_iter().map(CorrectionRequest).collect())
    }
}

/// Your own record, as a youth signed in with your own token: everything
/// partners keep about you that your account reaches, who read it, your
/// consents and your correction requests.
#[Object]
impl Me {
    /// Your hub id.
    async fn id(&self) -> ID {
        id(self.0)
    }

    /// Everything partners keep about you, joined: enrollments, hours,
    /// credentials, mentorships, courses, services, outcomes; each row names
    /// the organization that keeps it.
    async fn participant(&self, ctx: &Context<'_>) -> GqlResult<super::compiled::PageNode> {
        // The one statement, under the youth's own scopes, as for staff.
        Ok(super::compiled::one(ctx, super::compiled::One::Id(self.0))
            .await?
            .ok_or(Error::NotFound("participant"))?)
    }

    /// Your account link: which organization's code made it and which
    /// organizations confirmed it since. Your account reads what the
    /// issuing organization may read about you, plus the records of every
    /// organization that confirmed it; ask the others to confirm it.
    async fn account(&self, ctx: &Context<'_>) -> GqlResult<super::account_links::AccountLink> {
        let viewer = ctx.viewer()?;
        let account = viewer
            .reach
            .as_ref()
            .map(|r| r.account)
            .ok_or(Error::NotFound("account link"))?;
        let link = crate::people::links::own(ctx.db(), self.0, account).await?;
        Ok(super::account_links::AccountLink(link))
    }

    /// Your profile as each organization keeps it (names, contact,
    /// birth date): what a correction request names with its `id`.
    async fn profiles(&self, ctx: &Context<'_>) -> GqlResult<Vec<MyProfile>> {
        use participant_profile::Column as P;
        let rows = participant_profile::Entity::find()
            .filter(P::ParticipantId.eq(self.0))
            .filter(ctx.scopes().of(Category::Identity).condition(
                (participant_profile::Entity, P::OrgId),
                (participant_profile::Entity, P::ParticipantId),
            ))
            .order_by_asc(P::CreatedAt)
            .all(ctx.db())
            .await?;
        Ok(rows.into_iter().map(MyProfile).collect())
    }

    /// Every consent about you, whoever recorded it, newest first.
    async fn consents(&self, ctx: &Context<'_>) -> GqlResult<Vec<Consent>> {
        let rows = consent::Entity::find()
            .filter(consent::Column::ParticipantId.eq(self.0))
            .order_by_desc(consent::Column::SignedOn)
            .all(ctx.db())
            .await?;
        Ok(rows.into_iter().map(Consent).collect())
    }

    /// Who read your data: every read of a category of your record by an
    /// organization other than the one that keeps it, newest first, in
    /// plain words (never the staff member).
    async fn disclosures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 500 (default 50); anything else is `BAD_USER_INPUT`.")]
        first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page; start with the newest without.")]
        after: Option<String>,
    ) -> GqlResult<Page<Disclosure>> {
        let first = first.unwrap_or(50);
        if !(0..=500).contains(&first) {
            return Err(Error::bad_input("first", "must be between 0 and 500").into());
        }
        let after = after
            .map(|c| AuditCursor::decode(&c, "after"))
            .transpose()?;
        let (rows, has_next) = audit::list(
            ctx.db(),
            policy::disclosures_reach(ctx.viewer()?)?,
            &AuditFilter::default(),
            first as u64,
            after,
        )
        .await?;
        // The agreements between the readers and the keepers on the page.
        let providers: Vec<Uuid> = rows.iter().filter_map(|r| r.owner_org_id).collect();
        let agreements = sharing_agreement::Entity::find()
            .filter(sharing_agreement::Column::ProviderOrgId.is_in(providers))
            .order_by_desc(sharing_agreement::Column::EffectiveOn)
            .all(ctx.db())
            .await?;
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(rows.into_iter().map(|row| {
            let cursor = AuditCursor {
                at: row.at,
                id: row.id,
            }
            .encode();
            let agreement = under_agreement(&agreements, &row);
            Edge::new(cursor, Disclosure { row, agreement })
        }));
        Ok(Page(connection))
    }

    /// Your requests to correct your record, newest first.
    async fn correction_requests(&self, ctx: &Context<'_>) -> GqlResult<Vec<CorrectionRequest>> {
        let rows = corrections::of_person(ctx.db(), self.0).await?;
        Ok(rows.into_iter().map(CorrectionRequest).collect())
    }

    /// Your credentials awarded by hub partners, as Open Badges 3.0
    /// credentials (signed when the hub has a key).
    async fn credential_badges(&self, ctx: &Context<'_>) -> GqlResult<Vec<CredentialBadge>> {
        use credential::Column as K;
        let ids: Vec<Uuid> = credential::Entity::find()
            .filter(K::ParticipantId.eq(self.0))
            .filter(crate::records::confirmations::badge_issuable())
            .filter(ctx.scopes().of(Category::Credentials).condition(
                (credential::Entity, K::OwnerOrgId),
                (credential::Entity, K::ParticipantId),
            ))
            .order_by_asc(K::AwardedOn)
            .all(ctx.db())
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut badges = Vec::with_capacity(ids.len());
        for credential in ids {
            badges.push(super::badges::badge(ctx, credential).await?);
        }
        Ok(badges)
    }
}

/// A profile of you as one organization keeps it.
pub struct MyProfile(participant_profile::Model);

/// Your profile as one organization keeps it: what you may ask that
/// organization to correct (`requestCorrection` with entity
/// PARTICIPANT_PROFILE and this `id`).
#[Object]
impl MyProfile {
    /// The profile's id (a correction request's `entityId`).
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The organization that keeps it.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.org_id).await
    }
    /// Your given name as this organization recorded it.
    async fn given_name(&self) -> &str {
        &self.0.given_name
    }
    /// Your family name as this organization recorded it.
    async fn family_name(&self) -> &str {
        &self.0.family_name
    }
    /// The name you go by, if recorded.
    async fn preferred_name(&self) -> Option<&str> {
        self.0.preferred_name.as_deref()
    }
    /// Your birth date (ISO date), if recorded.
    async fn birth_date(&self) -> Option<NaiveDate> {
        self.0.birth_date
    }
    /// Your email, if recorded.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Your phone number, if recorded.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Your ZIP code, if recorded.
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }
    /// Your parent or guardian (recorded while you are under 18).
    async fn guardian_name(&self) -> Option<&str> {
        self.0.guardian_name.as_deref()
    }
    /// Grows by one with every change of the profile.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A request to correct a field of a row about a youth.
pub struct CorrectionRequest(correction_request::Model);

/// A youth's request to correct one field of a row about them (FERPA
/// 99.20), decided by the organization that keeps the row.
#[Object]
impl CorrectionRequest {
    /// The request's id (a UUID), as `resolveCorrection` takes it.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The kind of row concerned.
    async fn entity(&self) -> CorrectableEntity {
        self.0.entity
    }
    /// The id of the row concerned.
    async fn entity_id(&self) -> ID {
        id(self.0.entity_id)
    }
    /// The hub id of the youth who asked.
    async fn participant_id(&self) -> ID {
        id(self.0.participant_id)
    }
    /// The organization that keeps the row and decides.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    /// The field, as named in the API (e.g. `familyName`, `startedOn`).
    async fn field(&self) -> &str {
        &self.0.field
    }
    /// What the youth says it should be (a date as `YYYY-MM-DD`; empty
    /// clears an optional field).
    async fn proposed_value(&self) -> &str {
        &self.0.proposed_value
    }
    /// Why, in the youth's words.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// OPEN until the organization accepts or declines it.
    async fn status(&self) -> CorrectionStatus {
        self.0.status
    }
    /// The organization's answer.
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    /// When the youth asked (RFC 3339, UTC).
    async fn requested_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it was accepted or declined (RFC 3339, UTC); null while OPEN.
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    /// Grows by one with every change; `resolveCorrection` takes it.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

#[derive(Default)]
pub struct MeMutation;

#[Object]
impl MeMutation {
    /// A one-time code (72 hours, single use) a youth redeems with their
    /// own token to read their own record (org_admin of an organization
    /// that keeps a profile of the youth). Shown once; stored hashed.
    async fn issue_account_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The youth the code is for.")] input: IssueAccountCodeInput,
    ) -> GqlResult<AccountCode> {
        let result = accounts::issue_code(ctx.db(), ctx.viewer()?, &ctx.actor()?, &input).await;
        Ok(refuse(ctx, "account_code", result).await?)
    }

    /// Links your own token to your record with the code an organization
    /// gave you; answers your hub id. A wrong, used or expired code is
    /// `BAD_USER_INPUT`; repeated failures are `RATE_LIMITED`.
    async fn redeem_account_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The code you were given.")] input: RedeemAccountCodeInput,
    ) -> GqlResult<ID> {
        // Every attempt counts against the client's address (each alias of
        // a request too); failures count against the subject in `redeem`.
        ctx.data_unchecked::<accounts::RedeemLimits>()
            .attempt(ctx.request().client)?;
        let result = accounts::redeem(ctx.db(), ctx.viewer()?, &ctx.actor()?, &input).await;
        Ok(id(refuse(ctx, "participant_account", result).await?))
    }

    /// As the youth, 18 or older: re-affirms a consent your guardian signed,
    /// which since your 18th birthday counts as not given until you do.
    async fn reaffirm_consent(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The consent and the `version` you read.")] input: ReaffirmConsentInput,
    ) -> GqlResult<Consent> {
        let today = ctx.scopes().today();
        let result = consents::reaffirm(ctx.db(), ctx.viewer()?, &ctx.actor()?, input, today).await;
        Ok(Consent(refuse(ctx, "consent", result).await?))
    }

    /// As the youth: asks the organization that keeps a row about you to
    /// correct one of its fields.
    async fn request_correction(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The row, the field, what it should say and why.")]
        input: RequestCorrectionInput,
    ) -> GqlResult<CorrectionRequest> {
        let result = corrections::request(ctx.db(), ctx.viewer()?, &ctx.actor()?, input).await;
        Ok(CorrectionRequest(
            refuse(ctx, "correction_request", result).await?,
        ))
    }

    /// As staff of the organization that keeps the row: accept (the field
    /// changes) or decline (with an answer the youth reads).
    async fn resolve_correction(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request, the `version` you read and the decision.")]
        input: ResolveCorrectionInput,
    ) -> GqlResult<CorrectionRequest> {
        let result = corrections::resolve(ctx.db(), ctx.viewer()?, &ctx.actor()?, input).await;
        Ok(CorrectionRequest(
            refuse(ctx, "correction_request", result).await?,
        ))
    }
}
