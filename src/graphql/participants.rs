//! `Participant`: one person however many partners know them, each field
//! resolved through the policy (DESIGN.md sections 3, 4 and 8).

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::NaiveDate;
use entity::enums::{Category, EnrollmentStatus, PriorityPopulation, split_set};
use entity::{participant, participant_link};
use uuid::Uuid;

use super::ContextExt;
use super::compiled::{self, PageNode};
use super::directory::Organization;
use super::loaders::load_error;
use super::partners::{self, PartnerDualEnrollment, PartnerHourLog, PartnerUnionMembership};
use super::progress::Enrollment;
use super::records::{Consent, Credential, DualEnrollment, Mentorship, Outcome, Service};
use crate::adapters::RecordKind;
use crate::ground::error::{Error, Result};
use crate::people::participants::{
    self, ContactSlice, DemographicsSlice, IdentitySlice, ParticipantFilter, ProfileSlice,
    SensitiveSlice,
};
use crate::policy::Scopes;
use crate::{directory::organizations, directory::pathways, policy};

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
    /// The hub id.
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
    /// IDENTITY.
    async fn preferred_name(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<IdentitySlice>(ctx).await?.preferred_name)
    }
    /// DEMOGRAPHICS.
    async fn birth_date(&self, ctx: &Context<'_>) -> GqlResult<Option<NaiveDate>> {
        Ok(self.slice::<DemographicsSlice>(ctx).await?.birth_date)
    }
    /// DEMOGRAPHICS.
    async fn gender(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<DemographicsSlice>(ctx).await?.gender)
    }
    /// DEMOGRAPHICS.
    async fn race_ethnicity(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<DemographicsSlice>(ctx).await?.race_ethnicity)
    }
    /// CONTACT.
    async fn email(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<ContactSlice>(ctx).await?.email)
    }
    /// CONTACT.
    async fn phone(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<ContactSlice>(ctx).await?.phone)
    }
    /// CONTACT.
    async fn postal_code(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Ok(self.slice::<ContactSlice>(ctx).await?.postal_code)
    }
    /// CONTACT: the parent or guardian of a youth under 18.
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
    /// ENROLLMENT: readable enrollments, oldest application first.
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
    /// CREDENTIALS.
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
    /// MENTORSHIP.
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
    /// EDUCATION_RECORDS (FERPA): dual-enrollment courses.
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
    /// SERVICES.
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
    /// OUTCOMES.
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

/// Filters of `participants`.
#[derive(Debug, Clone, Default, InputObject)]
pub struct ParticipantFilterInput {
    /// Words that must each appear in a readable name.
    pub search: Option<String>,
    pub program_id: Option<ID>,
    pub pathway_code: Option<String>,
    /// Participants with a readable enrollment in this status.
    pub status: Option<EnrollmentStatus>,
    /// Participants this organization has a readable profile of.
    pub org_slug: Option<String>,
}

/// `totalCount` of a participants connection, counted only when asked.
pub struct ParticipantCount {
    scopes: Scopes,
    filter: ParticipantFilter,
}

#[Object]
impl ParticipantCount {
    /// How many participants the viewer may see under the filter.
    async fn total_count(&self, ctx: &Context<'_>) -> GqlResult<u64> {
        Ok(participants::count(ctx.db(), &self.scopes, &self.filter).await?)
    }
}

const DEFAULT_PAGE: i32 = 20;
const MAX_PAGE: i32 = 100;

async fn resolve_filter(
    ctx: &Context<'_>,
    input: ParticipantFilterInput,
) -> Result<ParticipantFilter> {
    let program_id = input
        .program_id
        .map(|id| {
            Uuid::parse_str(id.as_str())
                .map_err(|_| Error::bad_input("filter.programId", "must be a UUID"))
        })
        .transpose()?;
    let pathway_id = match input.pathway_code {
        None => None,
        Some(code) => Some(
            pathways::by_code(ctx.db(), &code)
                .await?
                .ok_or_else(|| Error::bad_input("filter.pathwayCode", "no pathway has this code"))?
                .id,
        ),
    };
    let org_id = match input.org_slug {
        None => None,
        Some(slug) => Some(organizations::id_by_slug(ctx.db(), &slug, "filter.orgSlug").await?),
    };
    let search = input
        .search
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 100) {
        return Err(Error::bad_input(
            "filter.search",
            "must be at most 100 characters",
        ));
    }
    Ok(ParticipantFilter {
        search,
        program_id,
        pathway_id,
        status: input.status,
        org_id,
    })
}

#[derive(Default)]
pub struct ParticipantQuery;

#[Object]
impl ParticipantQuery {
    /// One participant by hub id; null when there is none or the viewer may
    /// not see them (the two answer the same).
    async fn participant(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Participant>> {
        policy::require_participant_reader(ctx.viewer()?)?;
        let Ok(id) = Uuid::parse_str(id.as_str()) else {
            return Err(Error::bad_input("id", "must be a UUID").into());
        };
        let found = participants::by_id(ctx.db(), ctx.scopes(), id).await?;
        if let Some(p) = &found {
            super::prefetch::prefetch(ctx, ctx.look_ahead(), &[p.id]).await?;
        }
        Ok(found.map(Participant))
    }

    /// Participants the viewer may see, by hub id, as a Relay connection.
    #[graphql(complexity = "crate::graphql::page_cost(first, DEFAULT_PAGE) * child_complexity")]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ParticipantFilterInput>,
    ) -> GqlResult<Connection<String, PageNode, ParticipantCount, EmptyFields>> {
        policy::require_participant_reader(ctx.viewer()?)?;
        let first = first.unwrap_or(DEFAULT_PAGE);
        if !(0..=MAX_PAGE).contains(&first) {
            return Err(
                Error::bad_input("first", format!("must be between 0 and {MAX_PAGE}")).into(),
            );
        }
        let after = after
            .map(|c| {
                Uuid::parse_str(&c)
                    .map_err(|_| Error::bad_input("after", "is not a cursor of this connection"))
            })
            .transpose()?;
        let filter = resolve_filter(ctx, filter.unwrap_or_default()).await?;
        let scopes = ctx.scopes().clone();
        let (nodes, has_next) = compiled::nodes(ctx, &filter, first as u64, after).await?;
        let mut connection = Connection::with_additional_fields(
            after.is_some(),
            has_next,
            ParticipantCount { scopes, filter },
        );
        connection.edges.extend(
            nodes
                .into_iter()
                .map(|(id, node)| Edge::new(id.to_string(), node)),
        );
        Ok(connection)
    }

    /// The participant an organization knows by its own id; null when there
    /// is none or the viewer may not read that organization's link.
    async fn participant_by_external_id(
        &self,
        ctx: &Context<'_>,
        org_slug: String,
        external_id: String,
    ) -> GqlResult<Option<Participant>> {
        policy::require_participant_reader(ctx.viewer()?)?;
        let Some(org) = organizations::by_slug(ctx.db(), &org_slug).await? else {
            return Ok(None);
        };
        let found =
            participants::by_external_id(ctx.db(), ctx.scopes(), org.id, &external_id).await?;
        if let Some(p) = &found {
            super::prefetch::prefetch(ctx, ctx.look_ahead(), &[p.id]).await?;
        }
        Ok(found.map(Participant))
    }
}
