//! `pathways-hub bench`: a reproducible synthetic dataset, a load
//! generator for the partner case-manager query, and report timings. Figures are printed, the
//! last line as one JSON object; tests never time anything.

mod detail_floor;
mod disclosures;
mod fanout;
mod floor;
mod gateway;
mod graph;
mod mixed;
mod report;
mod report_floor;
mod synth;
mod temp_hub;
mod writes;

pub use detail_floor::floor_detail;
pub use fanout::{FanoutArgs, run as fanout};
pub use floor::{floor_count, floor_page, listing_count};
pub use gateway::{GatewayArgs, Router, RunningHub, find_hive_router, run as gateway};
pub use graph::{GraphArgs, run as graph};
pub use mixed::{LoadArgs, run as load};
pub use report::{ReportArgs, run as report, run_with as report_with};
pub use synth::{SynthSummary, seed as synth_seed};
pub use writes::{WritesArgs, run as writes};

/// The case manager's page: 50 participants with enrollments, hours and
/// mentorships, as one partner's staff would load it.
pub const CASE_MANAGER_QUERY: &str = "query($after: String) { participants(first: 50, after: $after) { edges { node {
  id givenName familyName
  enrollments { status program { name } ojtHours rtiHours hourLogs { workedOn kind hours approved } }
  mentorships { status mentor { name craft } }
} } } }";

/// The same page as a pager sends it: the node's fields in a named
/// fragment, each edge's `cursor`, `pageInfo` and `totalCount`.
pub const PAGER_QUERY: &str = "query Pager($after: String) { participants(first: 50, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...CaseFile } }
} }
fragment CaseFile on Participant {
  __typename id givenName familyName
  enrollments { status program { name } ojtHours rtiHours hourLogs { workedOn kind hours approved } }
  mentorships { status mentor { name craft } }
}";

/// A detail page as a partner app sends it: `participant(id)` with every
/// profile field, the links and every record kind with the organizations
/// it names.
pub const DETAIL_QUERY: &str = "query Detail($id: ID!) { participant(id: $id) {
  id version givenName familyName preferredName birthDate gender raceEthnicity
  email phone postalCode guardianName priorityPopulations
  links { externalId source organization { id slug name kind } }
  enrollments { id status program { id name } ojtHours rtiHours hourLogs { id workedOn kind hours approved } }
  mentorships { id status mentor { id name craft } }
  services { keptBy { id slug name kind } id kind provider { id slug name kind } providedOn amountCents }
  credentials { keptBy { id slug name kind } id name kind issuerName awardedOn expiresOn }
  outcomes { keptBy { id slug name kind } id kind employerName occupation hourlyWageCents startedOn }
  dualEnrollments { keptBy { id slug name kind } id courseCode courseTitle term unitsEarned grade }
} }";

/// Which page `bench graph` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    /// [`CASE_MANAGER_QUERY`]; its floor is one statement.
    Page,
    /// [`PAGER_QUERY`]; its floor is the page's statement and a count.
    Pager,
    /// [`DETAIL_QUERY`] for participants the viewer may list; its floor
    /// is one statement for the same participant.
    Detail,
}

/// Percentile (0–100) of sorted samples, nearest rank.
pub fn percentile(sorted: &[f64], pct: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(super::percentile(&samples, 50.0), 50.0);
        assert_eq!(super::percentile(&samples, 95.0), 95.0);
        assert_eq!(super::percentile(&samples, 99.0), 99.0);
        assert_eq!(super::percentile(&[], 50.0), 0.0);
    }
}
