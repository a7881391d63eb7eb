//! `report(input)`: cross-partner aggregates with small-cell suppression
//! (DESIGN.md section 6). Evaluators, funders and org_admins only; never
//! row-level data.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::NaiveDate;
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
        let threshold = ctx.config().reports.suppression_threshold;
        Ok(reports::for_viewer(
            ctx.db(),
            viewer,
            &ctx.request().request_id,
            &request,
            threshold,
            "graphql",
        )
        .await?)
    }
}
