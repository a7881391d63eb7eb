//! Mutations on enrollments and hours.

use async_graphql::{Context, Object};

use super::ContextExt;
use super::progress::{Enrollment, HourLog};
use super::registration::refuse;
use crate::records::enrollments::{self, EnrollInput, SetEnrollmentStatusInput};
use crate::records::hours::{self, ApproveHoursInput, LogHoursInput};

type GqlResult<T> = async_graphql::Result<T>;

#[derive(Default)]
pub struct EnrollmentMutation;

#[Object]
impl EnrollmentMutation {
    /// Enrolls a participant the viewer's organization knows in one of its
    /// programs (status APPLIED).
    async fn enroll(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The participant, the program and the application date.")]
        input: EnrollInput,
    ) -> GqlResult<Enrollment> {
        let viewer = ctx.viewer()?;
        let result =
            enrollments::enroll(ctx.db(), viewer, ctx.scopes(), &ctx.actor()?, input).await;
        Ok(Enrollment(refuse(ctx, "enrollment", result).await?))
    }

    /// Moves an enrollment along APPLIED → INTERVIEWED → ACCEPTED → ACTIVE →
    /// COMPLETED or WITHDRAWN (CANCELLED before ACTIVE). A registered
    /// apprenticeship completes only with its OJT and RTI hours approved.
    async fn set_enrollment_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The enrollment, the `version` you read and the new status.")]
        input: SetEnrollmentStatusInput,
    ) -> GqlResult<Enrollment> {
        let viewer = ctx.viewer()?;
        let result =
            enrollments::set_status(ctx.db(), viewer, ctx.scopes(), &ctx.actor()?, input).await;
        Ok(Enrollment(refuse(ctx, "enrollment", result).await?))
    }

    /// Logs hours on an ACTIVE enrollment: more than 0, at most 24 a day per
    /// kind, not in the future, not before the enrollment started.
    async fn log_hours(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The enrollment, the day, the kind and the hours.")] input: LogHoursInput,
    ) -> GqlResult<HourLog> {
        let viewer = ctx.viewer()?;
        let result = hours::log(ctx.db(), viewer, ctx.scopes(), &ctx.actor()?, input).await;
        Ok(HourLog(refuse(ctx, "hour_log", result).await?))
    }

    /// Approves hour logs (staff of the program's organization, never the
    /// person who logged them); all or nothing.
    async fn approve_hours(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The hour logs to approve.")] input: ApproveHoursInput,
    ) -> GqlResult<Vec<HourLog>> {
        let viewer = ctx.viewer()?;
        let result = hours::approve(ctx.db(), viewer, ctx.scopes(), &ctx.actor()?, input).await;
        Ok(refuse(ctx, "hour_log", result)
            .await?
            .into_iter()
            .map(HourLog)
            .collect())
    }
}
