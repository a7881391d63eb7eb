//! Mutations for the records a partner keeps about a participant:
//! credentials, competencies, services, outcomes, mentorships and dual
//! enrollments. Each takes one `input` and returns the written object.

use async_graphql::{Context, Object};

use super::ContextExt;
use super::progress::CompetencyAttainment;
use super::records::{Credential, DualEnrollment, Mentorship, Outcome, Service};
use super::registration::refuse;
use crate::records::awards::{
    self, AwardCredentialInput, RecordCompetencyInput, RecordOutcomeInput, RecordServiceInput,
};
use crate::records::dual_enrollments::{
    self, RecordDualEnrollmentInput, UpdateDualEnrollmentInput,
};
use crate::records::mentorships::{
    self, LogMentorshipMeetingInput, ProposeMentorshipInput, SetMentorshipStatusInput,
};

type GqlResult<T> = async_graphql::Result<T>;

#[derive(Default)]
pub struct RecordMutation;

#[Object]
impl RecordMutation {
    /// Records a credential awarded to a participant (CREDENTIALS).
    async fn award_credential(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The credential awarded.")] input: AwardCredentialInput,
    ) -> GqlResult<Credential> {
        let r =
            awards::award_credential(ctx.db(), ctx.viewer()?, ctx.scopes(), &ctx.actor()?, input)
                .await;
        Ok(Credential(refuse(ctx, "credential", r).await?))
    }

    /// As staff of the organization a credential names as its issuer:
    /// confirms that your organization issued it. Only then does the hub
    /// issue (and sign) it as your organization's badge.
    async fn confirm_credential(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The credential to confirm.")]
        input: crate::records::confirmations::ConfirmCredentialInput,
    ) -> GqlResult<Credential> {
        let r =
            crate::records::confirmations::confirm(ctx.db(), ctx.viewer()?, &ctx.actor()?, &input)
                .await;
        let row = refuse(ctx, "credential", r).await?;
        // The named issuer sees the row it confirms: a disclosure to it.
        ctx.request().disclosures.read(
            row.participant_id,
            entity::enums::Category::Credentials,
            row.owner_org_id,
        );
        Ok(Credential(row))
    }

    /// Records a competency attained under an enrollment (PROGRESS).
    async fn record_competency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The enrollment, the competency, the day and the level.")]
        input: RecordCompetencyInput,
    ) -> GqlResult<CompetencyAttainment> {
        let r =
            awards::record_competency(ctx.db(), ctx.viewer()?, ctx.scopes(), &ctx.actor()?, input)
                .await;
        Ok(CompetencyAttainment(
            refuse(ctx, "competency_attainment", r).await?,
        ))
    }

    /// Records a service or disbursement (SERVICES); amounts are 0 or more.
    async fn record_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The service provided.")] input: RecordServiceInput,
    ) -> GqlResult<Service> {
        let r = awards::record_service(ctx.db(), ctx.viewer()?, ctx.scopes(), &ctx.actor()?, input)
            .await;
        Ok(Service(refuse(ctx, "service", r).await?))
    }

    /// Records an outcome (OUTCOMES).
    async fn record_outcome(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The outcome reached.")] input: RecordOutcomeInput,
    ) -> GqlResult<Outcome> {
        let r = awards::record_outcome(ctx.db(), ctx.viewer()?, ctx.scopes(), &ctx.actor()?, input)
            .await;
        Ok(Outcome(refuse(ctx, "outcome", r).await?))
    }

    /// Proposes a mentor for a participant (MENTORSHIP, status PROPOSED).
    async fn propose_mentorship(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The participant and the mentor.")] input: ProposeMentorshipInput,
    ) -> GqlResult<Mentorship> {
        let r =
            mentorships::propose(ctx.db(), ctx.viewer()?, ctx.scopes(), &ctx.actor()?, input).await;
        Ok(Mentorship(refuse(ctx, "mentorship", r).await?))
    }

    /// Moves a mentorship: PROPOSED → ACTIVE ↔ PAUSED → ENDED.
    async fn set_mentorship_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mentorship, the `version` you read and the new status.")]
        input: SetMentorshipStatusInput,
    ) -> GqlResult<Mentorship> {
        let r =
            mentorships::set_status(ctx.db(), ctx.viewer()?, ctx.scopes(), &ctx.actor()?, input)
                .await;
        Ok(Mentorship(refuse(ctx, "mentorship", r).await?))
    }

    /// Logs a meeting of an ACTIVE mentorship; returns the mentorship.
    async fn log_mentorship_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mentorship, the day and the minutes.")]
        input: LogMentorshipMeetingInput,
    ) -> GqlResult<Mentorship> {
        let r =
            mentorships::log_meeting(ctx.db(), ctx.viewer()?, ctx.scopes(), &ctx.actor()?, input)
                .await;
        Ok(Mentorship(refuse(ctx, "mentorship_meeting", r).await?))
    }

    /// Records a dual-enrollment course (EDUCATION_RECORDS), by its high
    /// school or its college.
    async fn record_dual_enrollment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The course taken.")] input: RecordDualEnrollmentInput,
    ) -> GqlResult<DualEnrollment> {
        let r =
            dual_enrollments::record(ctx.db(), ctx.viewer()?, ctx.scopes(), &ctx.actor()?, input)
                .await;
        Ok(DualEnrollment(refuse(ctx, "dual_enrollment", r).await?))
    }

    /// Updates units earned (never more than attempted), grade or status.
    async fn update_dual_enrollment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The course, the `version` you read and what changed.")]
        input: UpdateDualEnrollmentInput,
    ) -> GqlResult<DualEnrollment> {
        let r =
            dual_enrollments::update(ctx.db(), ctx.viewer()?, ctx.scopes(), &ctx.actor()?, input)
                .await;
        Ok(DualEnrollment(refuse(ctx, "dual_enrollment", r).await?))
    }
}
