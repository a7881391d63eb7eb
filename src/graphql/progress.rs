//! Enrollments and the progress under them, as GraphQL objects: status
//! history, hour logs and competencies. Each nested list goes through a
//! scoped loader; computed hour figures are `FORBIDDEN` (category PROGRESS)
//! when the viewer may not read the hours.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{Category, CompetencyDomain, EnrollmentStatus, HourKind};
use entity::{competency_attainment, enrollment, enrollment_status_change, hour_log};

use super::ContextExt;
use super::directory::{Organization, Program};
use super::loaders::load_error;
use super::participants::disclose;
use super::records::org;
use crate::ground::error::{Error, Result};
use crate::records::rules::{self, HourTotals};

type GqlResult<T> = async_graphql::Result<T>;
use super::records::id;

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
                ctx.disclosures()
                    .deny(e.participant_id, Category::Progress, Some(e.owner_org_id));
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
    /// The organization that keeps this row (its data steward).
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    /// The enrollment's id (a UUID), as the enrollment mutations take it.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// The program enrolled in (directory data).
    async fn program(&self, ctx: &Context<'_>) -> GqlResult<Program> {
        Ok(Program(self.program_model(ctx).await?))
    }
    /// Where the enrollment stands (`setEnrollmentStatus` moves it).
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
    /// The day the youth applied (ISO date).
    async fn applied_on(&self) -> NaiveDate {
        self.0.applied_on
    }
    /// The day it became ACTIVE (ISO date).
    async fn started_on(&self) -> Option<NaiveDate> {
        self.0.started_on
    }
    /// The day it became COMPLETED, WITHDRAWN or CANCELLED (ISO date).
    async fn exited_on(&self) -> Option<NaiveDate> {
        self.0.exited_on
    }
    /// The reason given when it ended (COMPLETED, WITHDRAWN or CANCELLED).
    async fn exit_reason(&self) -> Option<&str> {
        self.0.exit_reason.as_deref()
    }
    /// Grows by one with every update; `setEnrollmentStatus` takes it.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Where the record comes from (`hub`, `import`, or a partner system).
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// PROGRESS: hours logged under this enrollment, oldest first; empty
    /// when the viewer may not read them.
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
    /// PROGRESS: approved on-the-job training hours, summed; null (with
    /// `FORBIDDEN`) when the viewer may not read the hours.
    async fn ojt_hours(&self, ctx: &Context<'_>) -> GqlResult<Option<f64>> {
        Ok(Some(self.totals(ctx).await?.ojt_approved))
    }
    /// PROGRESS: approved related technical instruction hours, summed;
    /// null (with `FORBIDDEN`) when the viewer may not read the hours.
    async fn rti_hours(&self, ctx: &Context<'_>) -> GqlResult<Option<f64>> {
        Ok(Some(self.totals(ctx).await?.rti_approved))
    }
    /// PROGRESS: logged ATTENDANCE hours in percent of the program's
    /// scheduled hours, to one decimal; null when the program schedules
    /// none, or (with `FORBIDDEN`) when the viewer may not read the hours.
    async fn attendance_pct(&self, ctx: &Context<'_>) -> GqlResult<Option<f64>> {
        let totals = self.totals(ctx).await?;
        let program = self.program_model(ctx).await?;
        Ok(rules::attendance_pct(
            totals.attendance,
            program.scheduled_hours,
        ))
    }
    /// PROGRESS: whether attendance reaches the program's stipend threshold
    /// (80 % at WLCAC); null when the program has no stipend, or (with
    /// `FORBIDDEN`) when the viewer may not read the hours.
    async fn stipend_eligible(&self, ctx: &Context<'_>) -> GqlResult<Option<bool>> {
        let totals = self.totals(ctx).await?;
        let program = self.program_model(ctx).await?;
        let pct = rules::attendance_pct(totals.attendance, program.scheduled_hours);
        Ok(rules::stipend_eligible(pct, program.stipend_threshold_pct))
    }
    /// PROGRESS: competencies assessed as attained, oldest first; empty
    /// when the viewer may not read them.
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
    /// The status before; null for the first step (APPLIED).
    async fn from_status(&self) -> Option<EnrollmentStatus> {
        self.0.from_status
    }
    /// The status after.
    async fn to_status(&self) -> EnrollmentStatus {
        self.0.to_status
    }
    /// The day of the change (ISO date).
    async fn changed_on(&self) -> NaiveDate {
        self.0.changed_on
    }
    /// The reason staff gave, if any.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
}

/// Hours logged under an enrollment.
pub struct HourLog(pub hour_log::Model);

/// Hours worked or attended on one day (PROGRESS).
#[Object]
impl HourLog {
    /// The organization that keeps this row (its data steward).
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    /// The hour log's id (a UUID), as `approveHours` takes it.
    async fn id(&self) -> ID {
        id(self.0.id)
    }
    /// What the hours count towards.
    async fn kind(&self) -> HourKind {
        self.0.kind
    }
    /// The day worked or attended (ISO date).
    async fn worked_on(&self) -> NaiveDate {
        self.0.worked_on
    }
    /// Hours, more than 0 and at most 24 (fractions allowed, e.g. 7.5).
    async fn hours(&self) -> f64 {
        self.0.hours
    }
    /// Whether staff of the program's organization approved the hours.
    async fn approved(&self) -> bool {
        self.0.approved
    }
    /// When they were approved (RFC 3339, UTC); null until approved.
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    /// Where the record comes from (`hub`, `import`, or a partner system).
    async fn source(&self) -> &str {
        &self.0.source
    }
}

/// A competency attained.
pub struct CompetencyAttainment(pub competency_attainment::Model);

/// A competency assessed as attained under an enrollment (PROGRESS).
#[Object]
impl CompetencyAttainment {
    /// The organization that keeps this row (its data steward).
    async fn kept_by(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        org(ctx, self.0.owner_org_id).await
    }
    /// The competency's code within its pathway.
    async fn code(&self, ctx: &Context<'_>) -> GqlResult<String> {
        Ok(self.competency(ctx).await?.code)
    }
    /// The competency's name.
    async fn name(&self, ctx: &Context<'_>) -> GqlResult<String> {
        Ok(self.competency(ctx).await?.name)
    }
    /// The area it belongs to.
    async fn domain(&self, ctx: &Context<'_>) -> GqlResult<CompetencyDomain> {
        Ok(self.competency(ctx).await?.domain)
    }
    /// The day it was assessed as attained (ISO date).
    async fn attained_on(&self) -> NaiveDate {
        self.0.attained_on
    }
    /// Assessed level, 1 (emerging) to 4 (mastery).
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
