//! `Participant`: one person however many partners know them, each field
//! resolved through the policy (DESIGN.md sections 3, 4 and 8).

use async_graphql::{Context, ID, Object};
use chrono::NaiveDate;
use entity::enums::{Category, PriorityPopulation, split_set};
use entity::{participant, participant_link};
use uuid::Uuid;

use super::ContextExt;
use super::directory::Organization;
use super::loaders::load_error;
use super::partners::{self, PartnerDualEnrollment, PartnerHourLog, PartnerUnionMembership};
use super::progress::Enrollment;
use super::records::{Consent, Credential, DualEnrollment, Mentorship, Outcome, Service};
use crate::adapters::RecordKind;
use crate::ground::error::{Error, Result};
use crate::people::participants::{
    self, ContactSlice, DemographicsSlice, IdentitySlice, ProfileSlice, SensitiveSlice,
};

type GqlResult<T> = async_graphql::Result<T>;

/// A participant.
pub struct Participant(pub participant::Model);

/// Notes the rows returned as disclosures (non-owners' rows are audited).
pub(super) fn disclose<T>(
    ctx: &Context<'_>,
    rows: &[T],
    category: Category,
    who: impl Fn(&T) -> (Uuid, Uuid),
) {
    for row in rows {
        let (participant, owner) = who(row);
        ctx.disclosures().read(participant, category, owner);
    }
}

impl Participant {
    /// The profile slice a field of category `S::CATEGORY` resolves from, or
    /// `FORBIDDEN` (audited as a denial) when no readable profile exists.
    async fn slice<S: ProfileSlice>(&self, ctx: &Context<'_>) -> Result<S>
    where
        super::loaders::Loaders: SliceLoader<S>,
    {
        let slices = ctx.loaders().load_slices(self.0.id).await?;
        match participants::pick(&slices, ctx.viewer()?.org_id) {
            Some(slice) => {
                ctx.disclosures()
                    .read(self.0.id, S::CATEGORY, slice.owner());
                Ok(slice.clone())
            }
            None => {
                ctx.disclosures().deny(self.0.id, S::CATEGORY, None);
                Err(Error::forbidden_category(S::CATEGORY))
            }
        }
    }
}

/// Which loader holds which profile slice.
pub(super) trait SliceLoader<S> {
    async fn load_slices(&self, participant: Uuid) -> Result<Vec<S>>;
}

macro_rules! slice_loader {
    ($slice:ty, $field:ident) => {
        impl SliceLoader<$slice> for super::loaders::Loaders {
            async fn load_slices(&self, participant: Uuid) -> Result<Vec<$slice>> {
                Ok(self
                    .$field
                    .load_one(participant)
                    .await
                    .map_err(load_error)?
                    .unwrap_or_default())
            }
        }
    };
}
slice_loader!(IdentitySlice, identity);
slice_loader!(ContactSlice, contact);
slice_loader!(DemographicsSlice, demographics);
slice_loader!(SensitiveSlice, sensitive);

/// One person, however many partners know them: each field comes from the
/// viewer's own profile first, then from the most recently updated profile
/// the viewer may read in that field's category. A field the viewer may not
/// read is null with a `FORBIDDEN` error naming the category.
#[Object]
impl Participant {
    /// The hub id (a UUID): one per person, however many partners know them.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Where the record comes from (`hub`).
    async fn source(&self) -> &str {
        "hub"
    }
    /// The version of the viewer's own profile (for `updateParticipant`);
    /// null when the viewer's organization has no profile of this person.
    async fn version(&self, ctx: &Context<'_>) -> GqlResult<Option<i32>> {
        Ok(ctx
            .loaders()
            .own_versions
            .load_one(self.0.id)
            .await
            .map_err(load_error)?)
    }
    /// IDENTITY. Null (with `FORBIDDEN`) when the viewer may not read it,
    /// for example an organization that holds only the person's enrollment.
    async fn given_name(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(Some(self.slice::<IdentitySlice>(ctx).await?.given_name))
    }
    /// IDENTITY. Null (with `FORBIDDEN`) when the viewer may not read it.
    async fn family_name(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(Some(self.slice::<IdentitySlice>(ctx).await?.family_name))
    }
    /// IDENTITY: the name the youth goes by, when recorded. Null (with
    /// `FORBIDDEN`) when the viewer may not read it.
    async fn preferred_name(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<IdentitySlice>(ctx).await?.preferred_name)
    }
    /// DEMOGRAPHICS: ISO date (`YYYY-MM-DD`). Null (with `FORBIDDEN`)
    /// when the viewer may not read it.
    async fn birth_date(&self, ctx: &Context<'_>) -> GqlResult<Option<NaiveDate>> {
        Ok(self.slice::<DemographicsSlice>(ctx).await?.birth_date)
    }
    /// DEMOGRAPHICS: as the youth stated it (free text). Null (with
    /// `FORBIDDEN`) when the viewer may not read it.
    async fn gender(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<DemographicsSlice>(ctx).await?.gender)
    }
    /// DEMOGRAPHICS: as the youth stated it (free text). Null (with
    /// `FORBIDDEN`) when the viewer may not read it.
    async fn race_ethnicity(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<DemographicsSlice>(ctx).await?.race_ethnicity)
    }
    /// CONTACT. Null (with `FORBIDDEN`) when the viewer may not read it.
    async fn email(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<ContactSlice>(ctx).await?.email)
    }
    /// CONTACT. Null (with `FORBIDDEN`) when the viewer may not read it.
    async fn phone(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<ContactSlice>(ctx).await?.phone)
    }
    /// CONTACT: a ZIP code (`90002` or `90002-1234`). Null (with
    /// `FORBIDDEN`) when the viewer may not read it.
    async fn postal_code(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<ContactSlice>(ctx).await?.postal_code)
    }
    /// CONTACT: the parent or guardian of a youth under 18. Null (with
    /// `FORBIDDEN`) when the viewer may not read it.
    async fn guardian_name(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<ContactSlice>(ctx).await?.guardian_name)
    }
    /// SENSITIVE: foster youth, justice-involved, unhoused… Null (with
    /// `FORBIDDEN`) when the viewer may not read it; an empty list when the
    /// readable profile records none.
    async fn priority_populations(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<Vec<PriorityPopulation>>> {
        let slice = self.slice::<SensitiveSlice>(ctx).await?;
        Ok(Some(split_set(
            &slice.priority_populations,
            PriorityPopulation::parse,
        )))
    }
    /// IDENTITY: each organization's own id for this person (readable links only).
    async fn links(&self, ctx: &Context<'_>) -> GqlResult<Vec<ParticipantLink>> {
        let rows = ctx
            .loaders()
            .links
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        disclose(ctx, &rows, Category::Identity, |r| {
            (r.participant_id, r.org_id)
        });
        Ok(rows.into_iter().map(ParticipantLink).collect())
    }
    /// ENROLLMENT: the enrollments the viewer may read, oldest application
    /// first; others are simply absent.
    async fn enrollments(&self, ctx: &Context<'_>) -> GqlResult<Vec<Enrollment>> {
        let rows = ctx
            .loaders()
            .enrollments
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        disclose(ctx, &rows, Category::Enrollment, |r| {
            (r.participant_id, r.owner_org_id)
        });
        Ok(rows.into_iter().map(Enrollment).collect())
    }
    /// CREDENTIALS: the credentials the viewer may read, oldest award
    /// first; others are simply absent.
    async fn credentials(&self, ctx: &Context<'_>) -> GqlResult<Vec<Credential>> {
        let rows = ctx
            .loaders()
            .credentials
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        disclose(ctx, &rows, Category::Credentials, |r| {
            (r.participant_id, r.owner_org_id)
        });
        Ok(rows.into_iter().map(Credential).collect())
    }
    /// MENTORSHIP: the mentorships the viewer may read, oldest first;
    /// others are simply absent.
    async fn mentorships(&self, ctx: &Context<'_>) -> GqlResult<Vec<Mentorship>> {
        let rows = ctx
            .loaders()
            .mentorships
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        disclose(ctx, &rows, Category::Mentorship, |r| {
            (r.participant_id, r.owner_org_id)
        });
        Ok(rows.into_iter().map(Mentorship).collect())
    }
    /// EDUCATION_RECORDS (FERPA): the dual-enrollment courses the viewer may
    /// read, by term; others are simply absent.
    async fn dual_enrollments(&self, ctx: &Context<'_>) -> GqlResult<Vec<DualEnrollment>> {
        let rows = ctx
            .loaders()
            .dual_enrollments
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        disclose(ctx, &rows, Category::EducationRecords, |r| {
            (r.participant_id, r.owner_org_id)
        });
        Ok(rows.into_iter().map(DualEnrollment).collect())
    }
    /// SERVICES: the services the viewer may read, oldest first; others
    /// are simply absent.
    async fn services(&self, ctx: &Context<'_>) -> GqlResult<Vec<Service>> {
        let rows = ctx
            .loaders()
            .services
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        disclose(ctx, &rows, Category::Services, |r| {
            (r.participant_id, r.owner_org_id)
        });
        Ok(rows.into_iter().map(Service).collect())
    }
    /// OUTCOMES: the outcomes the viewer may read, oldest first; others
    /// are simply absent.
    async fn outcomes(&self, ctx: &Context<'_>) -> GqlResult<Vec<Outcome>> {
        let rows = ctx
            .loaders()
            .outcomes
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        disclose(ctx, &rows, Category::Outcomes, |r| {
            (r.participant_id, r.owner_org_id)
        });
        Ok(rows.into_iter().map(Outcome).collect())
    }
    /// PROGRESS: hours kept in partners' own systems (apprenticeship
    /// trackers), fetched now; `source` names the partner. A partner that
    /// does not answer adds a `PARTNER_UNAVAILABLE` error naming it in
    /// `extensions.partner` and contributes nothing; when no partner
    /// answered, the field is null (a field error, as the GraphQL
    /// specification has it, which every gateway passes on).
    async fn partner_hour_logs(&self, ctx: &Context<'_>) -> GqlResult<Option<Vec<PartnerHourLog>>> {
        let records = partners::records(ctx, RecordKind::HourLogs, self.0.id).await?;
        Ok(Some(partners::hour_logs(records)))
    }
    /// EDUCATION_RECORDS (FERPA): dual-enrollment courses kept in colleges'
    /// own student systems, fetched now; `source` names the partner. A
    /// partner that does not answer adds a `PARTNER_UNAVAILABLE` error;
    /// when no partner answered, the field is null.
    async fn partner_dual_enrollments(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<Vec<PartnerDualEnrollment>>> {
        let records = partners::records(ctx, RecordKind::DualEnrollments, self.0.id).await?;
        Ok(Some(partners::dual_enrollments(records)))
    }
    /// OUTCOMES: standing on union locals' rosters (applicant, member,
    /// inactive), kept in the unions' own systems, fetched now; `source`
    /// names the partner. A partner that does not answer adds a
    /// `PARTNER_UNAVAILABLE` error; when no partner answered, the field is
    /// null.
    async fn partner_union_memberships(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<Vec<PartnerUnionMembership>>> {
        let records = partners::records(ctx, RecordKind::UnionMemberships, self.0.id).await?;
        Ok(Some(partners::union_memberships(records)))
    }
    /// The youth's own account link, if they have one: which organization
    /// issued its code and which confirmed it (DESIGN.md section 11). For
    /// the organizations that keep a profile of the youth and hub_admins;
    /// anyone else gets null and `FORBIDDEN` (IDENTITY).
    async fn account(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Option<super::account_links::AccountLink>> {
        let link = crate::people::links::of_participant(ctx.db(), ctx.viewer()?, self.0.id).await?;
        Ok(link.map(super::account_links::AccountLink))
    }
    /// Consents recorded by the viewer's organization, naming it, or of a
    /// participant whose identity it may read.
    async fn consents(&self, ctx: &Context<'_>) -> GqlResult<Vec<Consent>> {
        let rows = ctx
            .loaders()
            .consents
            .load_one(self.0.id)
            .await
            .map_err(load_error)?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Consent).collect())
    }
}

/// An organization's own id for a participant.
pub struct ParticipantLink(participant_link::Model);

/// An organization's own id for a participant (the identity crosswalk).
#[Object]
impl ParticipantLink {
    /// The organization's own id, e.g. `WLCAC-0012`.
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }
    /// Where the link comes from (`hub`, an import, a partner system).
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// The organization that knows the person by `externalId`.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        let org = ctx
            .loaders()
            .organizations
            .load_one(self.0.org_id)
            .await
            .map_err(load_error)?;
        Ok(Organization(org.ok_or(Error::NotFound("organization"))?))
    }
}
