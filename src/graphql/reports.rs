//! `report(input)`: cross-partner aggregates with small-cell suppression
//! (DESIGN.md section 6). Evaluators, funders and org_admins only; never
//! row-level data.

use std::collections::{BTreeMap, HashMap};

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::EntityTrait;
use uuid::Uuid;

use super::ContextExt;
use crate::ground::error::Error;
use crate::reports::{self, GroupBy, Metric, Period, Report, ReportFilter, ReportRequest};

type GqlResult<T> = async_graphql::Result<T>;

/// Narrows a report; a narrowed population that is small, or that leaves
/// out a small group, is suppressed entirely.
#[derive(InputObject, Default)]
pub struct ReportFilterInput {
    /// Only enrollments in this program.
    pub program_id: Option<ID>,
    /// Only programs on this pathway.
    pub pathway_code: Option<String>,
    /// Only programs this organization runs.
    pub org_slug: Option<String>,
}

/// What a report shows.
#[derive(InputObject)]
pub struct ReportInput {
    /// The figures, one cell each per row, in this order.
    pub metrics: Vec<Metric>,
    /// Group dimensions, in this order (none: only the total).
    pub group_by: Option<Vec<GroupBy>>,
    /// The PERIOD length, and the grain `from` and `to` snap to (default
    /// QUARTER).
    pub period: Option<Period>,
    /// Enrollments that started (or were applied for) on or after the
    /// start of the period this date falls in (see `Report.bounds`).
    pub from: Option<NaiveDate>,
    /// … and on or before the end of the period this date falls in.
    pub to: Option<NaiveDate>,
    /// Narrows the population (a program, a pathway, an organization).
    pub filter: Option<ReportFilterInput>,
}

impl ReportInput {
    /// The domain request; a malformed program id is `BAD_USER_INPUT`.
    pub fn into_request(self) -> Result<ReportRequest, Error> {
        let filter = self.filter.unwrap_or_default();
        let program_id = filter
            .program_id
            .map(|id| {
                Uuid::parse_str(id.as_str())
                    .map_err(|_| Error::bad_input("filter.programId", "must be a UUID"))
            })
            .transpose()?;
        Ok(ReportRequest {
            metrics: self.metrics,
            group_by: self.group_by.unwrap_or_default(),
            period: self.period.unwrap_or_default(),
            from: self.from,
            to: self.to,
            filter: ReportFilter {
                program_id,
                pathway_code: filter.pathway_code,
                org_slug: filter.org_slug,
            },
        })
    }
}

/// One count of a release.
#[derive(SimpleObject)]
pub struct ReportReleaseCount {
    /// The count (`ENROLLED`, `ACTIVE`, `OJT_MET` …).
    pub name: String,
    /// Its value as released.
    pub value: i64,
}

/// A row of the release ledger: a population's figures as released to an
/// organization, or the decision that it stays suppressed for it.
#[derive(SimpleObject)]
pub struct ReportRelease {
    /// The viewer organization the figures were shown to.
    pub org_slug: String,
    /// The group, bounds and filter, in words.
    pub label: String,
    /// The population's key in the grid program × month.
    pub population: String,
    /// The counts released (empty when suppressed).
    pub counts: Vec<ReportReleaseCount>,
    /// Whether the population is suppressed for the organization for good.
    pub suppressed: bool,
    /// Why it is suppressed.
    pub reason: Option<String>,
    /// When it was released (or withheld).
    pub at: DateTime<Utc>,
}

/// The `report` root field.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Aggregates over unduplicated participants (a youth known to several
    /// partners counts once), grouped as asked, with small counts
    /// suppressed. An evaluator (or funder) reports over what its
    /// organization's EVALUATION/REPORTING agreements share; an org_admin
    /// over its own organization's records; others are `FORBIDDEN`. Every
    /// run is audited as `EXPORT`. The same report is served as CSV at
    /// `GET /reports/summary.csv`.
    async fn report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The metrics, the grouping, the period and the filter.")]
        input: ReportInput,
    ) -> GqlResult<Report> {
        let viewer = ctx.viewer()?;
        let request = input.into_request()?;
        Ok(reports::for_viewer(
            ctx.reads(),
            viewer,
            &ctx.request().request_id,
            &request,
            &ctx.config().reports,
            "graphql",
        )
        .await?)
    }

    /// The release ledger, newest first: what reports have shown each
    /// organization whose figures cross organizations (an evaluator's),
    /// and which populations stay suppressed for it. Hub admins only;
    /// kept as long as the audit log.
    async fn report_releases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the releases to this organization.")] org_slug: Option<String>,
        #[graphql(desc = "At most this many (default 100, at most 1000).")] first: Option<i32>,
    ) -> GqlResult<Vec<ReportRelease>> {
        let viewer = ctx.viewer()?;
        crate::policy::require_hub_admin(viewer)?;
        let db = ctx.db();
        let org_id = match &org_slug {
            Some(slug) => {
                Some(crate::directory::organizations::id_by_slug(db, slug, "orgSlug").await?)
            }
            None => None,
        };
        let limit = u64::try_from(first.unwrap_or(100).clamp(1, 1000)).unwrap_or(100);
        let rows = reports::releases(db, org_id, limit).await?;
        let slugs: HashMap<Uuid, String> = entity::organization::Entity::find()
            .all(db)
            .await
            .map_err(Error::from)?
            .into_iter()
            .map(|o| (o.id, o.slug))
            .collect();
        Ok(rows
            .into_iter()
            .map(|row| {
                let counts: BTreeMap<String, i64> = row
                    .figures
                    .as_deref()
                    .and_then(|f| serde_json::from_str(f).ok())
                    .unwrap_or_default();
                ReportRelease {
                    org_slug: slugs.get(&row.org_id).cloned().unwrap_or_default(),
                    label: row.label,
                    population: row.population,
                    counts: counts
                        .into_iter()
                        .map(|(name, value)| ReportReleaseCount { name, value })
                        .collect(),
                    suppressed: row.suppressed,
                    reason: row.reason,
                    at: row.created_at,
                }
            })
            .collect())
    }
}
