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
    /// The credential's id (a UUID), as `credentialBadge` takes it.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// Its name, e.g. "Adobe Certified Professional in Video Design".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of credential it is.
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
    /// The day it was awarded (ISO date).
    async fn awarded_on(&self) -> NaiveDate {
        self.0.awarded_on
    }
    /// The day it expires (ISO date); null when it does not.
    async fn expires_on(&self) -> Option<NaiveDate> {
        self.0.expires_on
    }
    /// A link (http or https) to evidence of the award, e.g. a portfolio.
    async fn evidence_url(&self) -> Option<&str> {
        self.0.evidence_url.as_deref()
    }
    /// Where the record comes from (`hub`, `import`, or a partner system).
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
    /// The mentorship's id (a UUID), as the mentorship mutations take it.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The mentor (directory data; the email only for the mentor's own
    /// organization).
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
    /// Where the mentorship stands.
    async fn status(&self) -> MentorshipStatus {
        self.0.status
    }
    /// The day it first became ACTIVE (ISO date).
    async fn started_on(&self) -> Option<NaiveDate> {
        self.0.started_on
    }
    /// The day it ENDED (ISO date).
    async fn ended_on(&self) -> Option<NaiveDate> {
        self.0.ended_on
    }
    /// Grows by one with every update; `setMentorshipStatus` takes it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Meetings, oldest first (MENTORSHIP).
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
    /// The day they met (ISO date).
    async fn met_on(&self) -> NaiveDate {
        self.0.met_on
    }
    /// How long, in minutes (1 to 600).
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
    /// The course record's id (a UUID), as `updateDualEnrollment` takes it.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The youth's high school.
    async fn high_school(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.high_school_org_id).await
    }
    /// The college that teaches the course.
    async fn college(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.college_org_id).await
    }
    /// The college's course code, e.g. "THTR 110".
    async fn course_code(&self) -> &str {
        &self.0.course_code
    }
    /// The course's title.
    async fn course_title(&self) -> &str {
        &self.0.course_title
    }
    /// e.g. "Fall 2025".
    async fn term(&self) -> &str {
        &self.0.term
    }
    /// College units attempted (0 to 20).
    async fn units_attempted(&self) -> f64 {
        self.0.units_attempted
    }
    /// College units earned, never more than attempted; null until known.
    async fn units_earned(&self) -> Option<f64> {
        self.0.units_earned
    }
    /// The grade on the transcript, e.g. "A-"; null until graded.
    async fn grade(&self) -> Option<&str> {
        self.0.grade.as_deref()
    }
    /// Where the course stands.
    async fn status(&self) -> DualEnrollmentStatus {
        self.0.status
    }
    /// Grows by one with every update; `updateDualEnrollment` takes it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Where the record comes from (`hub`, `import`, or a partner system).
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
    /// The service's id (a UUID).
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// What kind of service it was.
    async fn kind(&self) -> ServiceKind {
        self.0.kind
    }
    /// The organization that provided it.
    async fn provider(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.provider_org_id).await
    }
    /// The day it was provided (ISO date).
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
    /// The outcome's id (a UUID).
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// What the youth reached.
    async fn kind(&self) -> OutcomeKind {
        self.0.kind
    }
    /// The employer, for employment and internships.
    async fn employer_name(&self) -> Option<&str> {
        self.0.employer_name.as_deref()
    }
    /// The job title or occupation, e.g. "Assistant Editor".
    async fn occupation(&self) -> Option<&str> {
        self.0.occupation.as_deref()
    }
    /// Hourly wage in cents (US dollars × 100), e.g. 2250 for $22.50.
    async fn hourly_wage_cents(&self) -> Option<i64> {
        self.0.hourly_wage_cents
    }
    /// The IATSE local, for union membership.
    async fn union_local(&self) -> Option<&str> {
        self.0.union_local.as_deref()
    }
    /// The day it began (ISO date), e.g. a job's first day.
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

/// A participant's (or guardian's) consent to share categories of data
/// with a recipient (FERPA 99.30). Visible to the organization that
/// recorded it, the recipient it names, organizations that may read the
/// participant's IDENTITY, and the youth.
#[Object]
impl Consent {
    /// The consent's id (a UUID), as `revokeConsent` and `reaffirmConsent`
    /// take it.
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
    /// The data categories it lets the recipient read.
    async fn categories(&self) -> Vec<Category> {
        split_set(&self.0.categories, Category::parse)
    }
    /// What the data may be used for.
    async fn purpose(&self) -> SharingPurpose {
        self.0.purpose
    }
    /// Who signed: the youth (SELF) or a guardian (GUARDIAN, required
    /// under 18).
    async fn granted_by(&self) -> Option<GrantedBy> {
        GrantedBy::parse(&self.0.granted_by)
    }
    /// The guardian who signed, when a guardian did.
    async fn guardian_name(&self) -> Option<&str> {
        self.0.guardian_name.as_deref()
    }
    /// The day it was signed (ISO date).
    async fn signed_on(&self) -> NaiveDate {
        self.0.signed_on
    }
    /// The last day it counts (ISO date); null means no end date.
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
    /// When it was revoked (RFC 3339, UTC); null unless REVOKED.
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
    /// Grows by one with every update; `revokeConsent` and
    /// `reaffirmConsent` take it.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
