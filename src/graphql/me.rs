//! The youth's own record (DESIGN.md section 10; FERPA 99.10 inspect, 99.20
//! amend, 99.32 record of disclosures): `me`, the account codes that link a
//! youth's own token, `reaffirmConsent`, and correction requests. Thin: the
//! rules are in `people::accounts`, `sharing::consents`,
//! `records::corrections` and the policy's participant scope.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{Category, CorrectableEntity, CorrectionStatus, SharingPurpose, split_set};
use entity::{
    audit_event, consent, correction_request, credential, participant_profile, sharing_agreement,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::ContextExt;
use super::badges::CredentialBadge;
use super::directory::Organization;
use super::participants::Participant;
use super::records::{Consent, id, org};
use super::registration::refuse;
use crate::audit::{self, AuditCursor, AuditFilter};
use crate::ground::error::Error;
use crate::people::accounts::{self, AccountCode, IssueAccountCodeInput, RedeemAccountCodeInput};
use crate::policy;
use crate::records::corrections::{self, RequestCorrectionInput, ResolveCorrectionInput};
use crate::sharing::consents::{self, ReaffirmConsentInput};

type GqlResult<T> = async_graphql::Result<T>;

/// The youth's own record.
pub struct Me(Uuid);

#[derive(Default)]
pub struct MeQuery;

#[Object]
impl MeQuery {
    /// Your own record, as a youth signed in with your own token (role
    /// `participant`): every row about you from every organization, who
    /// read it, your consents and your correction requests.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Me> {
        Ok(Me(policy::require_own_record(ctx.viewer()?)?))
    }

    /// Correction requests to your organization (staff), oldest first.
    async fn correction_requests(
        &self,
        ctx: &Context<'_>,
        status: Option<CorrectionStatus>,
    ) -> GqlResult<Vec<CorrectionRequest>> {
        let rows = corrections::for_organization(ctx.db(), ctx.viewer()?, status).await?;
        Ok(rows.into_iter().map(CorrectionRequest).collect())
    }
}

#[Object]
impl Me {
    /// Your hub id.
    async fn id(&self) -> ID {
        id(self.0)
    }

    /// Everything partners keep about you, joined: enrollments, hours,
    /// credentials, mentorships, courses, services, outcomes; each row names
    /// the organization that keeps it.
    async fn participant(&self, ctx: &Context<'_>) -> GqlResult<Participant> {
        let found = crate::people::participants::by_id(ctx.db(), ctx.scopes(), self.0)
            .await?
            .ok_or(Error::NotFound("participant"))?;
        super::prefetch::prefetch(ctx, ctx.look_ahead(), &[found.id]).await?;
        Ok(Participant(found))
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
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connection<String, Disclosure, EmptyFields, EmptyFields>> {
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
        Ok(connection)
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

/// The agreement a read was made under: from the keeper to the reader,
/// covering the category, in effect on the day of the read.
fn under_agreement(
    agreements: &[sharing_agreement::Model],
    row: &audit_event::Model,
) -> Option<sharing_agreement::Model> {
    let day = row.at.date_naive();
    let category = split_set(&row.categories, Category::parse)
        .first()
        .copied()?;
    agreements
        .iter()
        .find(|a| {
            Some(a.provider_org_id) == row.owner_org_id
                && Some(a.recipient_org_id) == row.actor_org_id
                && split_set(&a.categories, Category::parse).contains(&category)
                && a.effective_on <= day
                && a.expires_on.is_none_or(|e| e >= day)
        })
        .cloned()
}

/// A profile of you as one organization keeps it.
pub struct MyProfile(participant_profile::Model);

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
    async fn given_name(&self) -> &str {
        &self.0.given_name
    }
    async fn family_name(&self) -> &str {
        &self.0.family_name
    }
    async fn preferred_name(&self) -> Option<&str> {
        self.0.preferred_name.as_deref()
    }
    async fn birth_date(&self) -> Option<NaiveDate> {
        self.0.birth_date
    }
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }
    async fn guardian_name(&self) -> Option<&str> {
        self.0.guardian_name.as_deref()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

impl Disclosure {
    fn kind(&self) -> ReadBy {
        if self.row.actor_org_id.is_none()
            && self.row.detail.as_deref() == Some(crate::audit::SELF_READ)
        {
            ReadBy::SelfRead
        } else {
            ReadBy::Organization
        }
    }
}

/// Who read a row of your record.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ReadBy {
    /// An organization (under an agreement and your consent).
    Organization,
    /// You, with your own account.
    #[graphql(name = "SELF")]
    SelfRead,
}

/// One read of your data by an organization, or by you.
pub struct Disclosure {
    row: audit_event::Model,
    agreement: Option<sharing_agreement::Model>,
}

#[Object]
impl Disclosure {
    /// The audit event's id.
    async fn id(&self) -> ID {
        id(self.row.id)
    }
    async fn at(&self) -> DateTime<Utc> {
        self.row.at
    }
    /// `SELF` when you read it with your own account (check these: a read
    /// you did not make means someone else uses your account — ask an
    /// organization that keeps your record to suspend it), `ORGANIZATION`
    /// when an organization did.
    async fn read_by(&self) -> ReadBy {
        self.kind()
    }
    /// The organization that read it (null for your own reads).
    async fn reader(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        match self.row.actor_org_id {
            Some(reader) => Ok(Some(org(ctx, reader).await?)),
            None => Ok(None),
        }
    }
    /// The organization that keeps what was read.
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        match self.row.owner_org_id {
            Some(owner) => Ok(Some(org(ctx, owner).await?)),
            None => Ok(None),
        }
    }
    async fn category(&self) -> Option<Category> {
        split_set(&self.row.categories, Category::parse)
            .first()
            .copied()
    }
    /// The data-sharing agreement the read was made under.
    async fn agreement_id(&self) -> Option<ID> {
        self.agreement.as_ref().map(|a| id(a.id))
    }
    /// What that agreement is for.
    async fn purpose(&self) -> Option<SharingPurpose> {
        self.agreement.as_ref().map(|a| a.purpose)
    }
    /// In plain words, e.g. "HOLA read your enrollment records kept by
    /// Arts2Work on 2026-11-28, under their data-sharing agreement for
    /// service coordination."
    async fn description(&self, ctx: &Context<'_>) -> GqlResult<String> {
        let name = |o: Option<Uuid>| async move {
            match o {
                Some(o) => org(ctx, o).await.map(|o| o.0.name),
                None => Ok("An organization".to_owned()),
            }
        };
        let owner = name(self.row.owner_org_id).await?;
        let reader = if self.kind() == ReadBy::SelfRead {
            "You (signed in with your own account)".to_owned()
        } else {
            name(self.row.actor_org_id).await?
        };
        let what = split_set(&self.row.categories, Category::parse)
            .first()
            .map_or("data".to_owned(), |c| {
                format!("{} records", c.as_str().to_lowercase().replace('_', " "))
            });
        let under = match &self.agreement {
            Some(a) => format!(
                ", under their data-sharing agreement for {}",
                a.purpose.as_str().to_lowercase().replace('_', " ")
            ),
            None => String::new(),
        };
        Ok(format!(
            "{reader} read your {what} kept by {owner} on {}{under}.",
            self.row.at.date_naive()
        ))
    }
}

/// A request to correct a field of a row about a youth.
pub struct CorrectionRequest(correction_request::Model);

#[Object]
impl CorrectionRequest {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn entity(&self) -> CorrectableEntity {
        self.0.entity
    }
    async fn entity_id(&self) -> ID {
        id(self.0.entity_id)
    }
    async fn participant_id(&self) -> ID {
        id(self.0.participant_id)
    }
    /// The organization that keeps the row and decides.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    async fn field(&self) -> &str {
        &self.0.field
    }
    async fn proposed_value(&self) -> &str {
        &self.0.proposed_value
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    async fn status(&self) -> CorrectionStatus {
        self.0.status
    }
    /// The organization's answer.
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    async fn requested_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
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
        input: IssueAccountCodeInput,
    ) -> GqlResult<AccountCode> {
        let result = accounts::issue_code(ctx.db(), ctx.viewer()?, &ctx.actor()?, &input).await;
        Ok(refuse(ctx, "account_code", result).await?)
    }

    /// Links your own token to your record with the code an organization
    /// gave you; answers your record.
    async fn redeem_account_code(
        &self,
        ctx: &Context<'_>,
        input: RedeemAccountCodeInput,
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
        input: ReaffirmConsentInput,
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
        input: ResolveCorrectionInput,
    ) -> GqlResult<CorrectionRequest> {
        let result = corrections::resolve(ctx.db(), ctx.viewer()?, &ctx.actor()?, input).await;
        Ok(CorrectionRequest(
            refuse(ctx, "correction_request", result).await?,
        ))
    }
}
