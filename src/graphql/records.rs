//! The records partners keep about a participant, as GraphQL objects. Each
//! nested list goes through a scoped loader; computed hour figures are
//! `FORBIDDEN` (category PROGRESS) when the viewer may not read the hours.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{
    Category, CompetencyDomain, ConsentStatus, CredentialKind, DualEnrollmentStatus,
    EnrollmentStatus, GrantedBy, HourKind, MentorshipStatus, OutcomeKind, ServiceKind,
    SharingPurpose, split_set,
};
use entity::{
    competency_attainment, consent, credential, dual_enrollment, enrollment,
    enrollment_status_change, hour_log, mentorship, mentorship_meeting, outcome, service,
};
use uuid::Uuid;

use super::ContextExt;
use super::directory::{Mentor, Organization, Program};
use super::loaders::load_error;
use super::participants::disclose;
use crate::ground::error::{Error, Result};
use crate::records::rules::{self, HourTotals};

type GqlResult<T> = async_graphql::Result<T>;

fn id(uuid: Uuid) -> ID {
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

/// An enrollment.
pub struct Enrollment(pub enrollment::Model);

impl Enrollment {
    /// Hour totals, or `FORBIDDEN` (PROGRESS, audited) when unreadable.
    async fn totals(&self, ctx: &Context<'_>) -> Result<HourTotals> {
        let e = &self.0;
        match ctx
            .loaders()
            .hour_totals
            .load_one(e.id)
            .await
            .map_err(load_error)?
            .flatten()
        {
            Some(totals) => {
                ctx.disclosures()
                    .read(e.participant_id, Category::Progress, e.owner_org_id);
                Ok(totals)
            }
            None => {
                ctx.disclosures().deny(e.participant_id, Category::Progress);
                Err(Error::forbidden_category(Category::Progress))
            }
        }
    }

    async fn program_model(&self, ctx: &Context<'_>) -> Result<entity::program::Model> {
        ctx.loaders()
            .programs
            .load_one(self.0.program_id)
            .await
            .map_err(load_error)?
            .ok_or(Error::NotFound("program"))
    }
}

/// A participant's enrollment in a program (ENROLLMENT), owned by the
/// program's organization.
#[Object]
impl Enrollment {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn program(&self, ctx: &Context<'_>) -> GqlResult<Program> {
        Ok(Program(self.program_model(ctx).await?))
    }
    async fn status(&self) -> EnrollmentStatus {
        self.0.status
    }
    /// Every status the enrollment went through, oldest first.
    async fn status_history(&self, ctx: &Context<'_>) -> GqlResult<Vec<StatusChange>> {
        let rows = ctx
            .loaders()
            .status_changes
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        let participant = self.0.participant_id;
        disclose(ctx, &rows, Category::Enrollment, |r| {
            (participant, r.owner_org_id)
        });
        Ok(rows.into_iter().map(StatusChange).collect())
    }
    async fn applied_on(&self) -> NaiveDate {
        self.0.applied_on
    }
    async fn started_on(&self) -> Option<NaiveDate> {
        self.0.started_on
    }
    async fn exited_on(&self) -> Option<NaiveDate> {
        self.0.exited_on
    }
    async fn exit_reason(&self) -> Option<&str> {
        self.0.exit_reason.as_deref()
    }
    /// Grows by one with every update; `setEnrollmentStatus` takes it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Where the record comes from.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// PROGRESS: hours logged under this enrollment, oldest first.
    async fn hour_logs(&self, ctx: &Context<'_>) -> GqlResult<Vec<HourLog>> {
        let rows = ctx
            .loaders()
            .hour_logs
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        let participant = self.0.participant_id;
        disclose(ctx, &rows, Category::Progress, |r| {
            (participant, r.owner_org_id)
        });
        Ok(rows.into_iter().map(HourLog).collect())
    }
    /// PROGRESS: approved on-the-job training hours; null (with
    /// `FORBIDDEN`) when the viewer may not read the hours.
    async fn ojt_hours(&self, ctx: &Context<'_>) -> GqlResult<Option<f64>> {
        Ok(Some(self.totals(ctx).await?.ojt_approved))
    }
    /// PROGRESS: approved related technical instruction hours; null (with
    /// `FORBIDDEN`) when the viewer may not read the hours.
    async fn rti_hours(&self, ctx: &Context<'_>) -> GqlResult<Option<f64>> {
        Ok(Some(self.totals(ctx).await?.rti_approved))
    }
    /// PROGRESS: attended hours as a percentage of the program's scheduled
    /// hours; null when the program schedules none.
    async fn attendance_pct(&self, ctx: &Context<'_>) -> GqlResult<Option<f64>> {
        let totals = self.totals(ctx).await?;
        let program = self.program_model(ctx).await?;
        Ok(rules::attendance_pct(
            totals.attendance,
            program.scheduled_hours,
        ))
    }
    /// PROGRESS: whether attendance reaches the program's stipend threshold
    /// (80 % at WLCAC); null when the program has no stipend.
    async fn stipend_eligible(&self, ctx: &Context<'_>) -> GqlResult<Option<bool>> {
        let totals = self.totals(ctx).await?;
        let program = self.program_model(ctx).await?;
        let pct = rules::attendance_pct(totals.attendance, program.scheduled_hours);
        Ok(rules::stipend_eligible(pct, program.stipend_threshold_pct))
    }
    /// PROGRESS: competencies assessed as attained.
    async fn competency_attainments(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<CompetencyAttainment>> {
        let rows = ctx
            .loaders()
            .attainments
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        let participant = self.0.participant_id;
        disclose(ctx, &rows, Category::Progress, |r| {
            (participant, r.owner_org_id)
        });
        Ok(rows.into_iter().map(CompetencyAttainment).collect())
    }
}

/// One step of an enrollment's status history.
pub struct StatusChange(enrollment_status_change::Model);

/// One step of an enrollment's status history.
#[Object]
impl StatusChange {
    async fn from_status(&self) -> Option<EnrollmentStatus> {
        self.0.from_status
    }
    async fn to_status(&self) -> EnrollmentStatus {
        self.0.to_status
    }
    async fn changed_on(&self) -> NaiveDate {
        self.0.changed_on
    }
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
}

/// Hours logged under an enrollment.
pub struct HourLog(pub hour_log::Model);

/// Hours worked or attended on one day (PROGRESS).
#[Object]
impl HourLog {
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    async fn kind(&self) -> HourKind {
        self.0.kind
    }
    async fn worked_on(&self) -> NaiveDate {
        self.0.worked_on
    }
    async fn hours(&self) -> f64 {
        self.0.hours
    }
    /// Whether staff of the program's organization approved the hours.
    async fn approved(&self) -> bool {
        self.0.approved
    }
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    async fn source(&self) -> &str {
        &self.0.source
    }
}

/// A competency attained.
pub struct CompetencyAttainment(pub competency_attainment::Model);

/// A competency assessed as attained under an enrollment (PROGRESS).
#[Object]
impl CompetencyAttainment {
    async fn code(&self, ctx: &Context<'_>) -> GqlResult<String> {
        Ok(self.competency(ctx).await?.code)
    }
    async fn name(&self, ctx: &Context<'_>) -> GqlResult<String> {
        Ok(self.competency(ctx).await?.name)
    }
    async fn domain(&self, ctx: &Context<'_>) -> GqlResult<CompetencyDomain> {
        Ok(self.competency(ctx).await?.domain)
    }
    async fn attained_on(&self) -> NaiveDate {
        self.0.attained_on
    }
    /// Assessed level (1–4).
    async fn level(&self) -> i32 {
        self.0.level
    }
}

impl CompetencyAttainment {
    async fn competency(&self, ctx: &Context<'_>) -> Result<entity::competency::Model> {
        ctx.loaders()
            .competencies
            .load_one(self.0.competency_id)
            .await
            .map_err(load_error)?
            .ok_or(Error::NotFound("competency"))
    }
}

/// A credential.
pub struct Credential(pub credential::Model);

/// A credential awarded to the participant (CREDENTIALS).
#[Object]
impl Credential {
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
    async fn version(&self) -> i32 {
        self.0.version
    }
}
