//! Mutations that register participants: `createParticipant` (with identity
//! resolution) and `updateParticipant`.

use async_graphql::{Context, Object};

use super::ContextExt;
use super::participants::Participant;
use crate::audit::{self, Entry};
use crate::ground::error::{Error, Result};
use crate::people::registration::{self, CreateParticipantInput, UpdateParticipantInput};
use crate::records::linking::{self, LinkParticipantInput, SplitParticipantInput, SplitResult};
use crate::{people::participants, policy};

type GqlResult<T> = async_graphql::Result<T>;

/// Records a refused write as a `DENY` audit event (outside the failed
/// write's transaction, so the denial itself is kept), then returns the error.
pub(super) async fn denied(ctx: &Context<'_>, entity: &'static str, err: Error) -> Error {
    // Every refusal of a youth's own request is audited (FERPA 99.32: they
    // see it); an organization's only when forbidden.
    let youth = ctx.viewer().ok().and_then(|v| v.participant_id);
    let audited = match &err {
        Error::Forbidden { .. } => true,
        Error::Internal(_) => false,
        _ => youth.is_some(),
    };
    if let (true, Ok(actor)) = (audited, ctx.actor()) {
        let mut entry = Entry::denied(entity, "write refused");
        entry.participant_id = youth;
        if let Err(audit_err) = audit::record(ctx.db(), &actor, vec![entry]).await {
            return audit_err;
        }
    }
    err
}

/// Passes a domain result through, auditing a refusal as `DENY`.
pub(super) async fn refuse<T>(
    ctx: &Context<'_>,
    entity: &'static str,
    result: Result<T>,
) -> GqlResult<T> {
    match result {
        Ok(value) => Ok(value),
        Err(err) => Err(denied(ctx, entity, err).await.into()),
    }
}

/// Reads back a participant the viewer just wrote.
async fn written(ctx: &Context<'_>, id: uuid::Uuid) -> Result<Participant> {
    participants::by_id(ctx.db(), ctx.scopes(), id)
        .await?
        .map(Participant)
        .ok_or(Error::Internal(
            "a participant just written is not visible to its writer".into(),
        ))
}

#[derive(Default)]
pub struct RegistrationMutation;

#[Object]
impl RegistrationMutation {
    /// Records a person for the viewer's organization. If other partners
    /// already know the person (same normalised names and birth date), the
    /// profile joins that hub id; the answer looks the same either way.
    async fn create_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The person as your organization records them.")]
        input: CreateParticipantInput,
    ) -> GqlResult<Participant> {
        let viewer = ctx.viewer()?;
        if let Err(err) = policy::require_writer(viewer) {
            return Err(denied(ctx, "participant_profile", err).await.into());
        }
        let secret = ctx.config().match_key_secret().to_vec();
        let id = registration::create(ctx.db(), viewer, &ctx.actor()?, &secret, input).await?;
        Ok(written(ctx, id).await?)
    }

    /// Joins two hub ids that are one person (different spellings); the
    /// second's records move to the first. Staff join two hub ids they can
    /// see; a join that would let any organization read more is
    /// `FORBIDDEN` unless a hub_admin (who may join any two) makes it.
    async fn link_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The two hub ids that are one person.")] input: LinkParticipantInput,
    ) -> GqlResult<Participant> {
        let viewer = ctx.viewer()?;
        let result = linking::link(ctx.db(), viewer, ctx.scopes(), &ctx.actor()?, input).await;
        let id = refuse(ctx, "participant", result).await?;
        if policy::acts_on_ids_only(viewer) {
            // A hub_admin reads no participant data: the joined person's
            // fields answer null and FORBIDDEN.
            let row = linking::exists(ctx.db(), &async_graphql::ID(id.to_string()), "id").await?;
            return Ok(Participant(row));
        }
        Ok(written(ctx, id).await?)
    }

    /// Undoes a wrong match (hub_admin): one organization's profile, link
    /// and records move to a new hub id.
    async fn split_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The hub id and the organization whose profile was matched wrongly.")]
        input: SplitParticipantInput,
    ) -> GqlResult<SplitResult> {
        let viewer = ctx.viewer()?;
        let result = linking::split(ctx.db(), viewer, &ctx.actor()?, input).await;
        Ok(refuse(ctx, "participant", result).await?)
    }

    /// Changes the viewer's own profile of a participant, if `version` is
    /// still current (`CONFLICT` otherwise, and nothing changes).
    async fn update_participant(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Your profile's hub id, the `version` you read and the fields to change."
        )]
        input: UpdateParticipantInput,
    ) -> GqlResult<Participant> {
        let viewer = ctx.viewer()?;
        if let Err(err) = policy::require_writer(viewer) {
            return Err(denied(ctx, "participant_profile", err).await.into());
        }
        let id = registration::update(ctx.db(), viewer, &ctx.actor()?, input).await?;
        Ok(written(ctx, id).await?)
    }
}
