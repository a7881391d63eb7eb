//! The records partners keep about a participant besides enrollments, as
//! GraphQL objects: credentials, mentorships, dual enrollments, services,
//! outcomes and consents. Each nested list goes through a scoped loader.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    Category, ConsentStatus, CredentialKind, DualEnrollmentStatus, GrantedBy, MentorshipStatus,
    OutcomeKind, ServiceKind, SharingPurpose, split_set,
};
use entity::{
    consent, credential, dual_enrollment, mentorship, mentorship_meeting, outcome, service,
};
use uuid::Uuid;

use super::ContextExt;
use super::directory::{Mentor, Organization};
use super::loaders::load_error;
use super::participants::disclose;
use crate::ground::error::Error;

type GqlResult<T> = async_graphql::Result<T>;

pub(super) fn id(uuid: Uuid) -> ID {
    ID(uuid.to_string())
}

pub(super) async fn org(ctx: &Context<'_>, id: Uuid) -> GqlResult<Organization> {
    let org = ctx
        .loaders()
        .organizations
        .load_one(id)
        .await
        .map_err(load_error)?;
    Ok(Organization(org.ok_or(Error::NotFound("organization"))?))
}

/// A credential.
pub struct Credential(pub credential::Model);

/// A credential awarded to the participant (CREDENTIALS).
#[Object]
impl Credential {
    /// The organization that keeps this row (its data steward).
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> CredentialKind {
        self.0.kind
    }
    /// The issuing organization when it is a hub partner.
    async fn issuer(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        match self.0.issuer_org_id {
            Some(issuer) => Ok(Some(org(ctx, issuer).await?)),
            None => Ok(None),
        }
    }
    /// The issuer's name when it is not a partner (e.g. Adobe).
    async fn issuer_name(&self) -> Option<&str> {
        self.0.issuer_name.as_deref()
    }
    async fn awarded_on(&self) -> NaiveDate {
        self.0.awarded_on
    }
    async fn expires_on(&self) -> Option<NaiveDate> {
        self.0.expires_on
    }
    async fn evidence_url(&self) -> Option<&str> {
        self.0.evidence_url.as_deref()
    }
    async fn source(&self) -> &str {
        &self.0.source
    }
}

/// A mentorship.
pub struct Mentorship(pub mentorship::Model);

/// A mentor paired with the participant (MENTORSHIP).
#[Object]
impl Mentorship {
    /// The organization that keeps this row (its data steward).
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn mentor(&self, ctx: &Context<'_>) -> GqlResult<Mentor> {
        let mentor = ctx
            .loaders()
            .mentors
            .load_one(self.0.mentor_id)
            .await
            .map_err(load_error)?;
        Ok(Mentor(mentor.ok_or(Error::NotFound("mentor"))?))
    }
    /// The organization that arranged the pairing.
    async fn arranged_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    async fn status(&self) -> MentorshipStatus {
        self.0.status
    }
    async fn started_on(&self) -> Option<NaiveDate> {
        self.0.started_on
    }
    async fn ended_on(&self) -> Option<NaiveDate> {
        self.0.ended_on
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Meetings, oldest first.
    async fn meetings(&self, ctx: &Context<'_>) -> GqlResult<Vec<MentorshipMeeting>> {
        let rows = ctx
            .loaders()
            .meetings
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        let participant = self.0.participant_id;
        disclose(ctx, &rows, Category::Mentorship, |r| {
            (participant, r.owner_org_id)
        });
        Ok(rows.into_iter().map(MentorshipMeeting).collect())
    }
}

/// A mentorship meeting.
pub struct MentorshipMeeting(mentorship_meeting::Model);

/// One meeting of a mentorship.
#[Object]
impl MentorshipMeeting {
    async fn met_on(&self) -> NaiveDate {
        self.0.met_on
    }
    async fn minutes(&self) -> i32 {
        self.0.minutes
    }
}

/// A dual-enrollment course.
pub struct DualEnrollment(pub dual_enrollment::Model);

/// A college course taken for dual credit (EDUCATION_RECORDS, FERPA).
#[Object]
impl DualEnrollment {
    /// The organization that keeps this row (its data steward).
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn high_school(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.high_school_org_id).await
    }
    async fn college(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.college_org_id).await
    }
    async fn course_code(&self) -> &str {
        &self.0.course_code
    }
    async fn course_title(&self) -> &str {
        &self.0.course_title
    }
    /// e.g. "Fall 2025".
    async fn term(&self) -> &str {
        &self.0.term
    }
    async fn units_attempted(&self) -> f64 {
        self.0.units_attempted
    }
    async fn units_earned(&self) -> Option<f64> {
        self.0.units_earned
    }
    async fn grade(&self) -> Option<&str> {
        self.0.grade.as_deref()
    }
    async fn status(&self) -> DualEnrollmentStatus {
        self.0.status
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn source(&self) -> &str {
        &self.0.source
    }
}

/// A service.
pub struct Service(pub service::Model);

/// A wraparound service or disbursement (SERVICES).
#[Object]
impl Service {
    /// The organization that keeps this row (its data steward).
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn kind(&self) -> ServiceKind {
        self.0.kind
    }
    async fn provider(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.provider_org_id).await
    }
    async fn provided_on(&self) -> NaiveDate {
        self.0.provided_on
    }
    /// Amount in cents (stipends, equipment), when money changed hands.
    async fn amount_cents(&self) -> Option<i64> {
        self.0.amount_cents
    }
}

/// An outcome.
pub struct Outcome(pub outcome::Model);

/// An outcome the participant reached (OUTCOMES).
#[Object]
impl Outcome {
    /// The organization that keeps this row (its data steward).
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn kind(&self) -> OutcomeKind {
        self.0.kind
    }
    async fn employer_name(&self) -> Option<&str> {
        self.0.employer_name.as_deref()
    }
    async fn occupation(&self) -> Option<&str> {
        self.0.occupation.as_deref()
    }
    async fn hourly_wage_cents(&self) -> Option<i64> {
        self.0.hourly_wage_cents
    }
    /// The IATSE local, for union membership.
    async fn union_local(&self) -> Option<&str> {
        self.0.union_local.as_deref()
    }
    async fn started_on(&self) -> Option<NaiveDate> {
        self.0.started_on
    }
    /// Whether the outcome was verified (pay stub, union card…).
    async fn verified(&self) -> bool {
        self.0.verified
    }
}

/// A consent.
pub struct Consent(pub consent::Model);

/// A participant's (or guardian's) consent to share categories of data.
#[Object]
impl Consent {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The recipient; null means every partner the agreements name.
    async fn recipient(&self, ctx: &Context<'_>) -> GqlResult<Option<Organization>> {
        match self.0.recipient_org_id {
            Some(recipient) => Ok(Some(org(ctx, recipient).await?)),
            None => Ok(None),
        }
    }
    /// The organization that recorded the consent.
    async fn recorded_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    async fn categories(&self) -> Vec<Category> {
        split_set(&self.0.categories, Category::parse)
    }
    async fn purpose(&self) -> SharingPurpose {
        self.0.purpose
    }
    async fn granted_by(&self) -> Option<GrantedBy> {
        GrantedBy::parse(&self.0.granted_by)
    }
    async fn guardian_name(&self) -> Option<&str> {
        self.0.guardian_name.as_deref()
    }
    async fn signed_on(&self) -> NaiveDate {
        self.0.signed_on
    }
    async fn expires_on(&self) -> Option<NaiveDate> {
        self.0.expires_on
    }
    /// ACTIVE, REVOKED, or EXPIRED once `expiresOn` has passed (read from
    /// the date; no job changes the row).
    async fn status(&self, ctx: &Context<'_>) -> ConsentStatus {
        crate::policy::sharing::consent_status(
            self.0.status,
            self.0.expires_on,
            ctx.scopes().today(),
        )
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When the youth, 18 or older, re-affirmed their guardian's consent.
    async fn reaffirmed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reaffirmed_at
    }
    /// A guardian signed it, the youth is now 18 or older and has not
    /// re-affirmed it: until they do (`reaffirmConsent`), it counts as not
    /// given (decided from the birth date today). DEMOGRAPHICS: null (with
    /// `FORBIDDEN`) for a viewer who may not read the youth's birth date.
    async fn needs_reaffirmation(&self, ctx: &Context<'_>) -> GqlResult<Option<bool>> {
        if self.0.granted_by != GrantedBy::Guardian.as_str()
            || self.0.reaffirmed_at.is_some()
            || self.0.status == ConsentStatus::Revoked
        {
            return Ok(Some(false));
        }
        let adult = crate::people::accounts::is_adult_as_read(
            ctx.db(),
            ctx.scopes(),
            self.0.participant_id,
            ctx.scopes().today(),
        )
        .await?;
        match adult {
            Some(adult) => Ok(Some(adult)),
            None => {
                ctx.disclosures()
                    .deny(self.0.participant_id, Category::Demographics, None);
                Err(Error::forbidden_category(Category::Demographics).into())
            }
        }
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}
