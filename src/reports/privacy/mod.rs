//! Differential reports (`[reports] privacy = "differential"`, issue 32):
//! every count and sum an evaluator's report shows carries discrete
//! Laplace noise ([`noise`]), and each report spends `epsilon` of the
//! organization's yearly privacy-loss budget ([`budget`]).
//!
//! The accounting, for one report of `ε`:
//! - its rows are every group the request can name — every program,
//!   organization or pathway the filter leaves, every period between the
//!   bounds — not only those with participants, so which rows appear
//!   depends on the public directory alone;
//! - it computes `Q = (rows + 1) × (counts + sums)` figures (the counts
//!   and hour sums its metrics need; rates are quotients of noisy counts);
//! - adding or removing one person changes a count by at most 1 and an
//!   hour sum by at most `max_hours_per_person` (each person's hours in a
//!   group are clamped to it in SQL);
//! - each figure gets noise of scale `Δ · Q / ε`, so each is `ε / Q`
//!   differentially private and the report, by sequential composition,
//!   `ε`-differentially private. Nothing else in the answer depends on
//!   exact figures: suppression runs on the noisy ones (post-processing),
//!   and the exact-mode rules that read exact counts (a small population,
//!   a small left-out group) do not run.

pub mod budget;
pub mod noise;

use async_graphql::{Enum, SimpleObject};
use uuid::Uuid;

use super::grain::Bounds;
use super::labels::Directory;
use super::ledger::rules::Programs;
use super::sql::{Aggregates, KeyPart};
use super::{Count, GroupBy, Metric, Period, ReportRequest, Sum};
use crate::ground::error::{Error, Result};

/// At most this many rows in a differential report.
const MAX_ROWS: usize = 500;

/// How a report's figures are protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "ReportPrivacyMode", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Mode {
    /// Exact figures; small counts and the cells that could reveal them
    /// are suppressed, and an evaluator's figures go through the release
    /// ledger.
    Exact,
    /// Figures with calibrated noise (discrete Laplace), paid from the
    /// organization's yearly privacy-loss budget.
    Differential,
}

/// The mechanism behind a report's figures and its parameters.
#[derive(Debug, Clone, PartialEq, SimpleObject)]
#[graphql(name = "ReportPrivacy")]
pub struct ReportPrivacy {
    /// EXACT or DIFFERENTIAL.
    pub mode: Mode,
    /// What the figures guarantee, in words.
    pub description: String,
    /// The noise (`DISCRETE_LAPLACE`); null in exact mode.
    pub mechanism: Option<String>,
    /// The privacy loss this report spent; null in exact mode.
    pub epsilon: Option<f64>,
    /// How many noisy figures (counts and sums) the report computed.
    pub figures: Option<i32>,
    /// The noise scale of a count (its sensitivity 1 × figures ÷ ε).
    pub count_scale: Option<f64>,
    /// The noise scale of an hour sum (max hours per person × figures ÷ ε).
    pub hours_scale: Option<f64>,
    /// Approved hours one participant adds to a group's sum at most.
    pub max_hours_per_person: Option<f64>,
    /// The privacy loss the organization has left this year.
    pub budget_remaining: Option<f64>,
}

impl ReportPrivacy {
    /// Exact mode.
    pub fn exact(threshold: i64) -> ReportPrivacy {
        ReportPrivacy {
            mode: Mode::Exact,
            description: format!(
                "Exact figures. Counts from 1 to {} are suppressed, with the cells that would \
                 let one be recomputed; an evaluator's figures that could be subtracted from \
                 one already released to its organization are withheld.",
                threshold - 1
            ),
            mechanism: None,
            epsilon: None,
            figures: None,
            count_scale: None,
            hours_scale: None,
            max_hours_per_person: None,
            budget_remaining: None,
        }
    }

    /// One line for a CSV comment or a chart caption.
    pub fn summary(&self) -> String {
        match (self.mode, self.epsilon, self.count_scale, self.hours_scale) {
            (Mode::Differential, Some(e), Some(c), Some(h)) => format!(
                "differential privacy: discrete Laplace noise, epsilon={e} for this report over {} figures, count scale={c:.1}, hours scale={h:.1} (hours clamped at {} per person)",
                self.figures.unwrap_or_default(),
                self.max_hours_per_person.unwrap_or_default(),
            ),
            _ => "exact figures with small-cell suppression and the release ledger".to_owned(),
        }
    }
}

/// The differential settings of one report.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub epsilon: f64,
    pub max_hours: f64,
}

/// Refuses what a differential report cannot answer: sums counted once
/// per person (dual-enrollment units) and the median wage, which this
/// release does not noise; PERIOD groups without both bounds (the rows
/// must be known before the data is read).
pub fn check(request: &ReportRequest) -> Result<()> {
    let unsupported = [
        Metric::DualUnitsAttempted,
        Metric::DualUnitsEarned,
        Metric::MedianHourlyWage,
    ];
    if let Some(m) = request.metrics.iter().find(|m| unsupported.contains(m)) {
        return Err(Error::bad_input(
            "metrics",
            format!("{} is not available in differential mode", m.as_str()),
        ));
    }
    if request.group_by.contains(&GroupBy::Period)
        && (request.from.is_none() || request.to.is_none())
    {
        return Err(Error::bad_input(
            "from",
            "a differential report by PERIOD needs both `from` and `to`",
        ));
    }
    Ok(())
}

/// The counts and sums the metrics need.
fn needed(metrics: &[Metric]) -> (Vec<Count>, Vec<Sum>) {
    let mut counts = vec![Count::Enrolled];
    let mut sums = Vec::new();
    for metric in metrics {
        let (c, s): (&[Count], Option<Sum>) = match metric {
            Metric::Enrolled => (&[], None),
            Metric::Active => (&[Count::Active], None),
            Metric::Completed | Metric::CompletionRate => (&[Count::Completed], None),
            Metric::Credentials | Metric::CredentialAttainment => (&[Count::Credentialed], None),
            Metric::Graduated | Metric::GraduationRate => (&[Count::Graduated], None),
            Metric::OjtHours => (&[Count::OjtPeople], Some(Sum::OjtHours)),
            Metric::RtiHours => (&[Count::RtiPeople], Some(Sum::RtiHours)),
            Metric::OjtRequirementMet => (&[Count::OjtMet], None),
            Metric::RtiRequirementMet => (&[Count::RtiMet], None),
            Metric::StipendEligible => (&[Count::StipendEligible], None),
            Metric::Mentored | Metric::MentorshipCoverage => (&[Count::Mentored], None),
            Metric::Employed => (&[Count::Employed], None),
            Metric::UnionMembership => (&[Count::UnionMember], None),
            Metric::DualUnitsAttempted | Metric::DualUnitsEarned | Metric::MedianHourlyWage => {
                (&[], None)
            }
        };
        for count in c {
            if !counts.contains(count) {
                counts.push(*count);
            }
        }
        if let Some(sum) = s
            && !sums.contains(&sum)
        {
            sums.push(sum);
        }
    }
    (counts, sums)
}

/// Every period between the bounds, as SQL keys them.
fn periods(bounds: &Bounds) -> Vec<KeyPart> {
    let (Some(from), Some(to)) = (bounds.from, bounds.to) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut at = from;
    while at <= to && out.len() <= MAX_ROWS {
        let (y, m) = (
            i64::from(chrono::Datelike::year(&at)),
            i64::from(chrono::Datelike::month(&at)),
        );
        out.push(match bounds.period {
            Period::Month => KeyPart::Period(y, m),
            Period::Quarter => KeyPart::Period(y, (m + 2) / 3),
            Period::SchoolYear => KeyPart::Period(if m >= 7 { y } else { y - 1 }, 0),
        });
        at = super::grain::end_of(bounds.period, at)
            .succ_opt()
            .unwrap_or(chrono::NaiveDate::MAX);
    }
    out
}

/// Every group the request can name, from the directory and the bounds;
/// `BAD_USER_INPUT` beyond [`MAX_ROWS`].
pub(in crate::reports) fn rows(
    request: &ReportRequest,
    directory: &Directory,
    programs: &Programs,
    bounds: &Bounds,
) -> Result<Vec<Vec<KeyPart>>> {
    let mut chosen: Vec<&entity::program::Model> = directory
        .programs
        .values()
        .filter(|p| match programs {
            Programs::All => true,
            Programs::Only(set) => set.contains(&p.id),
        })
        .collect();
    chosen.sort_by_key(|p| p.id);
    let mut keys: Vec<Vec<KeyPart>> = vec![Vec::new()];
    for dim in &request.group_by {
        let mut values: Vec<KeyPart> = match dim {
            GroupBy::Program => chosen
                .iter()
                .map(|p| KeyPart::Program(Some(p.id)))
                .collect(),
            GroupBy::Organization => chosen
                .iter()
                .map(|p| KeyPart::Organization(Some(p.org_id)))
                .collect(),
            GroupBy::Pathway => chosen
                .iter()
                .map(|p| KeyPart::Pathway(p.pathway_id))
                .collect(),
            GroupBy::Period => periods(bounds),
        };
        values.sort();
        values.dedup();
        keys = keys
            .into_iter()
            .flat_map(|key| {
                values.iter().map(move |v| {
                    let mut k = key.clone();
                    k.push(v.clone());
                    k
                })
            })
            .collect();
        if keys.len() > MAX_ROWS {
            return Err(Error::bad_input(
                "groupBy",
                format!("a differential report has at most {MAX_ROWS} rows; narrow it"),
            ));
        }
    }
    if request.group_by.is_empty() {
        keys.clear();
    }
    Ok(keys)
}

/// Puts noise on `aggregates` (see the module documentation) and says how.
pub(super) fn apply(
    aggregates: &mut Aggregates,
    request: &ReportRequest,
    directory: &Directory,
    programs: &Programs,
    settings: Settings,
    noise: &mut noise::Noise,
) -> Result<ReportPrivacy> {
    let bounds = Bounds::snap(request.period, request.from, request.to);
    let keys = rows(request, directory, programs, &bounds)?;
    let mut groups = std::mem::take(&mut aggregates.groups);
    aggregates.groups = keys
        .into_iter()
        .map(|key| {
            let cells = groups.remove(&key).unwrap_or_default();
            (key, cells)
        })
        .collect();
    let (counts, sums) = needed(&request.metrics);
    let figures = (aggregates.groups.len() + 1) * (counts.len() + sums.len());
    let q = figures as f64;
    let count_scale = q / settings.epsilon;
    let hours_scale = settings.max_hours * q / settings.epsilon;
    let cells = aggregates
        .groups
        .values_mut()
        .chain(std::iter::once(&mut aggregates.total));
    for cell in cells {
        let mut noisy = [0i64; Count::ALL.len()];
        for count in &counts {
            let exact = cell.counts[*count as usize];
            noisy[*count as usize] = (exact + noise.discrete_laplace(count_scale)).max(0);
        }
        let enrolled = noisy[Count::Enrolled as usize];
        for count in &counts {
            let n = &mut noisy[*count as usize];
            *n = (*n).min(enrolled);
        }
        cell.counts = noisy;
        let mut noisy_sums = [None; Sum::ALL.len()];
        for sum in &sums {
            let exact = cell.sums[*sum as usize].unwrap_or(0.0).round() as i64;
            noisy_sums[*sum as usize] =
                Some((exact + noise.discrete_laplace(hours_scale)).max(0) as f64);
        }
        cell.sums = noisy_sums;
    }
    Ok(ReportPrivacy {
        mode: Mode::Differential,
        description: format!(
            "Differentially private figures: discrete Laplace noise calibrated so that this \
             report, over all its {figures} figures, is {}-differentially private; rates are \
             computed from the noisy counts.",
            settings.epsilon
        ),
        mechanism: Some("DISCRETE_LAPLACE".to_owned()),
        epsilon: Some(settings.epsilon),
        figures: Some(i32::try_from(figures).unwrap_or(i32::MAX)),
        count_scale: Some(count_scale),
        hours_scale: Some(hours_scale),
        max_hours_per_person: Some(settings.max_hours),
        budget_remaining: None,
    })
}

/// The year a report's privacy loss is charged to, and who pays.
pub fn payer(org_id: Uuid) -> (Uuid, i32) {
    (
        org_id,
        chrono::Datelike::year(&chrono::Utc::now().date_naive()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn the_rows_of_a_period_grouping_come_from_the_bounds_alone() {
        let quarters = Bounds::snap(Period::Quarter, Some(d(2025, 8, 1)), Some(d(2026, 2, 1)));
        assert_eq!(
            periods(&quarters),
            [
                KeyPart::Period(2025, 3),
                KeyPart::Period(2025, 4),
                KeyPart::Period(2026, 1)
            ]
        );
        let years = Bounds::snap(Period::SchoolYear, Some(d(2025, 1, 1)), Some(d(2026, 9, 1)));
        assert_eq!(
            periods(&years),
            [
                KeyPart::Period(2024, 0),
                KeyPart::Period(2025, 0),
                KeyPart::Period(2026, 0)
            ]
        );
        let open = Bounds::snap(Period::Month, None, Some(d(2026, 2, 1)));
        assert!(periods(&open).is_empty());
    }

    #[test]
    fn a_report_computes_the_counts_and_sums_its_metrics_need() {
        let (counts, sums) = needed(&[Metric::CompletionRate, Metric::OjtHours, Metric::Enrolled]);
        assert_eq!(
            counts,
            [Count::Enrolled, Count::Completed, Count::OjtPeople]
        );
        assert_eq!(sums, [Sum::OjtHours]);
        let request = ReportRequest {
            metrics: vec![Metric::MedianHourlyWage],
            ..ReportRequest::default()
        };
        assert_eq!(check(&request).unwrap_err().code(), "BAD_USER_INPUT");
        let request = ReportRequest {
            metrics: vec![Metric::Enrolled],
            group_by: vec![GroupBy::Period],
            from: Some(d(2026, 1, 1)),
            ..ReportRequest::default()
        };
        assert_eq!(check(&request).unwrap_err().code(), "BAD_USER_INPUT");
    }
}
