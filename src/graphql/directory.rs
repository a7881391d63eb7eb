//! The directory: organizations, pathways, programs and mentors — the shared
//! reference data every partner sees (no participant data here).

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{OrgKind, ProgramApproach, ProgramKind};
use entity::{mentor, organization, pathway, program};
use uuid::Uuid;

use super::ContextExt;
use super::loaders::load_error;
use crate::directory::mentors::{CreateMentorInput, MentorFilter};
use crate::directory::organizations::CreateOrganizationInput;
use crate::directory::pathways::CreatePathwayInput;
use crate::directory::programs::CreateProgramInput;
use crate::ground::error::{Error, Result};
use crate::{
    directory::mentors, directory::organizations, directory::pathways, directory::programs, policy,
};

type GqlResult<T> = async_graphql::Result<T>;

/// A partner organization.
pub struct Organization(pub organization::Model);

/// A partner organization: lead agency, training partner, union local,
/// school, college, employer, evaluator or funder.
#[Object]
impl Organization {
    /// The organization's id (a UUID).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable, unique slug (e.g. `iatse-local-600`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Display name, e.g. "IATSE Local 600".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of partner it is.
    async fn kind(&self) -> OrgKind {
        self.0.kind
    }
    /// When it joined the hub (RFC 3339, UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When its directory entry last changed (RFC 3339, UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The programs this organization runs.
    async fn programs(&self, ctx: &Context<'_>) -> GqlResult<Vec<Program>> {
        ctx.viewer()?;
        Ok(programs::list(ctx.db(), Some(self.0.id))
            .await?
            .into_iter()
            .map(Program)
            .collect())
    }
}

/// A career pathway.
pub struct Pathway(pub pathway::Model);

/// A career pathway (CTDL/O*NET-aligned), e.g. digital video editing or set lighting.
#[Object]
impl Pathway {
    /// The pathway's id (a UUID).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Stable, unique code (e.g. `DIGITAL_VIDEO_EDITING`).
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Display name, e.g. "Digital Video Editing".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Industry sector.
    async fn sector(&self) -> &str {
        &self.0.sector
    }
    /// O*NET-SOC occupation code.
    async fn soc_code(&self) -> Option<&str> {
        self.0.soc_code.as_deref()
    }
}

/// A program an organization runs.
pub struct Program(pub program::Model);

/// A program an organization runs on a pathway: a CTE pathway, training
/// cohort, pre-apprenticeship, registered apprenticeship, internship or workshop.
#[Object]
impl Program {
    /// The program's id (a UUID), as `enroll` and `participants(filter)` take it.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The shape of the program.
    async fn kind(&self) -> ProgramKind {
        self.0.kind
    }
    /// How completion is judged: by time, competencies, or both.
    async fn approach(&self) -> ProgramApproach {
        self.0.approach
    }
    /// The organization running the program.
    async fn organization(&self, ctx: &Context<'_>) -> GqlResult<Organization> {
        let org = ctx
            .loaders()
            .organizations
            .load_one(self.0.org_id)
            .await
            .map_err(load_error)?;
        Ok(Organization(org.ok_or(Error::NotFound("organization"))?))
    }
    /// The pathway the program leads into.
    async fn pathway(&self, ctx: &Context<'_>) -> GqlResult<Option<Pathway>> {
        let Some(id) = self.0.pathway_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .pathways
            .load_one(id)
            .await
            .map_err(load_error)?
            .map(Pathway))
    }
    /// On-the-job training hours required to complete (2000 for Arts2Work);
    /// null when none are required.
    async fn required_ojt_hours(&self) -> Option<f64> {
        self.0.required_ojt_hours
    }
    /// Related technical instruction hours required (144 for Arts2Work);
    /// null when none are required.
    async fn required_rti_hours(&self) -> Option<f64> {
        self.0.required_rti_hours
    }
    /// Hours scheduled: the base of attendance percentages; null when the
    /// program schedules none.
    async fn scheduled_hours(&self) -> Option<f64> {
        self.0.scheduled_hours
    }
    /// Attendance, in percent of scheduled hours, that earns the stipend
    /// (80 for WLCAC); null when the program pays no stipend.
    async fn stipend_threshold_pct(&self) -> Option<f64> {
        self.0.stipend_threshold_pct
    }
    /// Where it takes place (a site or city), when recorded.
    async fn site(&self) -> Option<&str> {
        self.0.site.as_deref()
    }
    /// The first day (ISO date), when scheduled.
    async fn starts_on(&self) -> Option<NaiveDate> {
        self.0.starts_on
    }
    /// The last day (ISO date), when scheduled.
    async fn ends_on(&self) -> Option<NaiveDate> {
        self.0.ends_on
    }
}

/// A mentor.
pub struct Mentor(pub mentor::Model);

/// A mentor an organization offers (a union member, an industry professional).
#[Object]
impl Mentor {
    /// The mentor's id (a UUID), as `proposeMentorship` takes it.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The mentor's name (directory data, readable by every signed-in caller).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Contact email; only the mentor's own organization reads it
    /// (others get null and `FORBIDDEN`).
    async fn email(&self, ctx: &Context<'_>) -> GqlResult<Option<&str>> {
        let viewer = ctx.viewer()?;
        if policy::may_read_mentor_contact(viewer, self.0.org_id) {
            Ok(self.0.email.as_deref())
        } else {
            Err(policy::mentor_contact_refused().into())
        }
    }
    /// The craft, e.g. "Set Lighting".
    async fn craft(&self) -> Option<&str> {
        self.0.craft.as_deref()
    }
    /// The IATSE local, e.g. "728".
    async fn union_local(&self) -> Option<&str> {
        self.0.union_local.as_deref()
    }
    /// Whether the mentor takes mentees now.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Where the record comes from (`hub`, or a partner system).
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// The organization offering the mentor.
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

fn parse_id(id: &ID, field: &str) -> Result<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| Error::bad_input(field, "must be a UUID"))
}

/// Resolves an optional `orgSlug` argument; an unknown slug is `NOT_FOUND`.
async fn org_id_of(ctx: &Context<'_>, slug: Option<&str>) -> Result<Option<Uuid>> {
    match slug {
        None => Ok(None),
        Some(slug) => Ok(Some(
            organizations::by_slug(ctx.db(), slug)
                .await?
                .ok_or(Error::NotFound("organization"))?
                .id,
        )),
    }
}

#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// Every partner organization.
    async fn organizations(&self, ctx: &Context<'_>) -> GqlResult<Vec<Organization>> {
        ctx.viewer()?;
        Ok(organizations::list(ctx.db())
            .await?
            .into_iter()
            .map(Organization)
            .collect())
    }

    /// One organization by slug; null when there is none.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization's slug, e.g. `iatse-local-600`.")] slug: String,
    ) -> GqlResult<Option<Organization>> {
        ctx.viewer()?;
        Ok(organizations::by_slug(ctx.db(), &slug)
            .await?
            .map(Organization))
    }

    /// Every pathway.
    async fn pathways(&self, ctx: &Context<'_>) -> GqlResult<Vec<Pathway>> {
        ctx.viewer()?;
        Ok(pathways::list(ctx.db())
            .await?
            .into_iter()
            .map(Pathway)
            .collect())
    }

    /// One pathway by code; null when there is none.
    async fn pathway(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pathway's code, e.g. `DIGITAL_VIDEO_EDITING`.")] code: String,
    ) -> GqlResult<Option<Pathway>> {
        ctx.viewer()?;
        Ok(pathways::by_code(ctx.db(), &code).await?.map(Pathway))
    }

    /// Programs, of one organization when `orgSlug` is given.
    async fn programs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this organization's programs; an unknown slug is `NOT_FOUND`.")]
        org_slug: Option<String>,
    ) -> GqlResult<Vec<Program>> {
        ctx.viewer()?;
        let org_id = org_id_of(ctx, org_slug.as_deref()).await?;
        Ok(programs::list(ctx.db(), org_id)
            .await?
            .into_iter()
            .map(Program)
            .collect())
    }

    /// One program by id; null when there is none.
    async fn program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program's id (a UUID; anything else is `BAD_USER_INPUT`).")] id: ID,
    ) -> GqlResult<Option<Program>> {
        ctx.viewer()?;
        let id = parse_id(&id, "id")?;
        Ok(programs::by_id(ctx.db(), id).await?.map(Program))
    }

    /// Mentors, filtered by organization, craft and union local.
    async fn mentors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this organization's mentors; an unknown slug is `NOT_FOUND`.")]
        org_slug: Option<String>,
        #[graphql(desc = "Only mentors of exactly this craft, e.g. \"Set Lighting\".")]
        craft: Option<String>,
        #[graphql(desc = "Only mentors who belong to this union local, e.g. \"728\".")]
        union_local: Option<String>,
    ) -> GqlResult<Vec<Mentor>> {
        ctx.viewer()?;
        let org_id = org_id_of(ctx, org_slug.as_deref()).await?;
        let filter = MentorFilter {
            org_id,
            craft,
            union_local,
        };
        Ok(mentors::list(ctx.db(), filter)
            .await?
            .into_iter()
            .map(Mentor)
            .collect())
    }
}

#[derive(Default)]
pub struct DirectoryMutation;

#[Object]
impl DirectoryMutation {
    /// Adds a partner organization (hub_admin; others `FORBIDDEN`). A slug
    /// already taken is `CONFLICT`.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organization to add.")] input: CreateOrganizationInput,
    ) -> GqlResult<Organization> {
        policy::require_hub_admin(ctx.viewer()?)?;
        Ok(Organization(
            organizations::create(ctx.db(), &ctx.actor()?, input).await?,
        ))
    }

    /// Adds a pathway (hub_admin; others `FORBIDDEN`). A code already taken
    /// is `CONFLICT`.
    async fn create_pathway(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The pathway to add.")] input: CreatePathwayInput,
    ) -> GqlResult<Pathway> {
        policy::require_hub_admin(ctx.viewer()?)?;
        Ok(Pathway(
            pathways::create(ctx.db(), &ctx.actor()?, input).await?,
        ))
    }

    /// Adds a program to the viewer's own organization (org_admin; others
    /// `FORBIDDEN`).
    async fn create_program(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The program to add.")] input: CreateProgramInput,
    ) -> GqlResult<Program> {
        let viewer = ctx.viewer()?;
        policy::require_org_admin(viewer)?;
        Ok(Program(
            programs::create(ctx.db(), viewer, &ctx.actor()?, input).await?,
        ))
    }

    /// Adds a mentor to the viewer's own organization (org_admin; others
    /// `FORBIDDEN`).
    async fn create_mentor(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The mentor to add.")] input: CreateMentorInput,
    ) -> GqlResult<Mentor> {
        let viewer = ctx.viewer()?;
        policy::require_org_admin(viewer)?;
        Ok(Mentor(
            mentors::create(ctx.db(), viewer, &ctx.actor()?, input).await?,
        ))
    }
}
