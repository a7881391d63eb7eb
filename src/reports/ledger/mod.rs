//! The release ledger (DESIGN.md section 11, "Report releases"; issue 32):
//! what each viewer organization has been shown by reports, so that no
//! figure released to it can be subtracted from another released to it to
//! reveal a group of 1 to threshold − 1.
//!
//! A report's rows and total are figures over populations of the fixed
//! grid program × month ([`rules`]). Before a report crosses organizations
//! (an evaluator's), under the organization's lock:
//! 1. populations withheld from the organization before stay withheld;
//! 2. suppression runs (small cells and their complements);
//! 3. every figure still shown is judged against every figure released to
//!    the organization before and every earlier figure of this report
//!    (the total first); one that fails is withheld — its whole row, for
//!    good — and suppression runs again, until nothing changes;
//! 4. the figures shown are recorded (a repeat of an identical release is
//!    not), and so are the withheld populations.
//!
//! An org_admin's report on its own organization's records crosses no
//! organization (its staff read those rows) and is not recorded.

pub(super) mod rules;
mod store;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::labels::Directory;
use super::sql::{KeyPart, regions};
use super::suppress::Hidden;
use super::table::{self, Table};
use super::{Count, Metric, Period, ReportRequest};
use crate::ground::error::Result;
use crate::policy::ReportScope;
use rules::{Atom, Figure, Population, Programs, Relation, Verdict};

pub use store::list;

/// At most this many regions are counted exactly per report; beyond, a
/// figure the grid's cells cannot clear is withheld.
const MEASURES: usize = 32;

/// The counts a shown cell of `metric` discloses (a rate discloses its
/// numerator and denominator; sums and the median disclose no count).
fn counts_of(metric: Metric) -> &'static [Count] {
    match metric {
        Metric::Enrolled => &[Count::Enrolled],
        Metric::Active => &[Count::Active],
        Metric::Completed => &[Count::Completed],
        Metric::CompletionRate => &[Count::Completed, Count::Enrolled],
        Metric::Credentials => &[Count::Credentialed],
        Metric::CredentialAttainment => &[Count::Credentialed, Count::Enrolled],
        Metric::Graduated => &[Count::Graduated],
        Metric::GraduationRate => &[Count::Graduated, Count::Enrolled],
        Metric::OjtRequirementMet => &[Count::OjtMet],
        Metric::RtiRequirementMet => &[Count::RtiMet],
        Metric::StipendEligible => &[Count::StipendEligible],
        Metric::Mentored => &[Count::Mentored],
        Metric::MentorshipCoverage => &[Count::Mentored, Count::Enrolled],
        Metric::Employed => &[Count::Employed],
        Metric::UnionMembership => &[Count::UnionMember],
        Metric::OjtHours
        | Metric::RtiHours
        | Metric::DualUnitsAttempted
        | Metric::DualUnitsEarned
        | Metric::MedianHourlyWage => &[],
    }
}

/// The count a cell of `metric` is shown on (as `table::cells` decides).
fn base_of(metric: Metric) -> &'static [Count] {
    match metric {
        Metric::OjtHours => &[Count::OjtPeople],
        Metric::RtiHours => &[Count::RtiPeople],
        Metric::DualUnitsAttempted | Metric::DualUnitsEarned => &[Count::DualPeople],
        Metric::MedianHourlyWage => &[Count::WageEarners],
        other => counts_of(other),
    }
}

/// The counts a figure is judged on: those its cells disclose, the bases
/// of its sums (people with OJT hours …: if they change by a few, so does
/// the sum by those few's), and ENROLLED always (a population that
/// changed by a few people changes every figure by theirs).
fn judged_on(shown: &[Metric]) -> BTreeSet<Count> {
    let mut counts = BTreeSet::from([Count::Enrolled]);
    for metric in shown {
        counts.extend(counts_of(*metric));
        counts.extend(base_of(*metric));
    }
    counts
}

/// A count's name in the ledger (`ENROLLED`, `OJT_MET` …).
fn name(count: Count) -> String {
    count.column().trim_start_matches("n_").to_uppercase()
}

/// The figure a row shows, or `None` when every requested cell is hidden.
fn figure(
    metrics: &[Metric],
    population: &Population,
    counts: &[i64],
    hidden: &[bool],
) -> Option<Figure> {
    let h = |c: &Count| hidden.get(*c as usize).copied().unwrap_or(true);
    let shown: Vec<Metric> = metrics
        .iter()
        .copied()
        .filter(|m| !base_of(*m).iter().any(h))
        .collect();
    if shown.is_empty() {
        return None;
    }
    let counts = judged_on(&shown)
        .into_iter()
        .map(|c| (name(c), counts.get(c as usize).copied().unwrap_or(0)))
        .collect();
    Some(Figure {
        population: population.clone(),
        counts,
    })
}

/// The programs a report's filter leaves (ids resolved by the caller).
pub(super) fn filter_programs(
    directory: &Directory,
    program_id: Option<Uuid>,
    org_id: Option<Uuid>,
    pathway_id: Option<Uuid>,
) -> Programs {
    let mut programs = Programs::All;
    let only = |keep: &dyn Fn(&entity::program::Model) -> bool| {
        Programs::Only(
            directory
                .programs
                .values()
                .filter(|p| keep(p))
                .map(|p| p.id)
                .collect(),
        )
    };
    if let Some(id) = program_id {
        programs = programs.intersect(Programs::Only(BTreeSet::from([id])));
    }
    if let Some(org) = org_id {
        programs = programs.intersect(only(&|p| p.org_id == org));
    }
    if let Some(pathway) = pathway_id {
        programs = programs.intersect(only(&|p| p.pathway_id == Some(pathway)));
    }
    programs
}

/// The population of a row with group key `key` within the report's
/// `whole` population.
pub(super) fn row_population(
    directory: &Directory,
    whole: &Population,
    key: &[KeyPart],
    period: Period,
) -> Population {
    let mut population = whole.clone();
    let only = |keep: &dyn Fn(&entity::program::Model) -> bool| {
        Programs::Only(
            directory
                .programs
                .values()
                .filter(|p| keep(p))
                .map(|p| p.id)
                .collect(),
        )
    };
    for part in key {
        let programs = match part {
            KeyPart::Program(id) => Programs::Only(id.iter().copied().collect()),
            KeyPart::Organization(org) => only(&|p| Some(p.org_id) == *org),
            KeyPart::Pathway(pathway) => only(&|p| p.pathway_id == *pathway),
            KeyPart::Period(year, sub) => {
                let months = grain_months(period, *year, *sub);
                population.months = population.months.intersect(months);
                continue;
            }
        };
        population.programs = population.programs.intersect(programs);
    }
    population.programs = population.programs.normalize(&universe(directory));
    population
}

fn grain_months(period: Period, year: i64, sub: i64) -> super::grain::MonthRange {
    super::grain::MonthRange::of_period(period, year, sub)
}

/// Every program's id.
pub(super) fn universe(directory: &Directory) -> BTreeSet<Uuid> {
    directory.programs.keys().copied().collect()
}

fn force(hidden: &mut Hidden, index: usize) {
    let row = if index == 0 {
        Some(&mut hidden.total)
    } else {
        hidden.body.get_mut(index - 1)
    };
    if let Some(row) = row {
        row.iter_mut().for_each(|cell| *cell = true);
    }
}

/// What the ledger decides for one report.
pub(super) struct Release<'a> {
    pub scope: &'a ReportScope,
    pub request: &'a ReportRequest,
    pub table: &'a Table,
    /// The total's population first, then each row's.
    pub populations: Vec<Population>,
    /// The same order: names for people (the hub admin's view).
    pub labels: Vec<String>,
    pub universe: BTreeSet<Uuid>,
    pub threshold: i64,
    pub hide_all: bool,
}

/// Suppression of `release.table` with the ledger's rules (see the module
/// documentation), recorded.
pub(super) async fn release(db: &DatabaseConnection, release: Release<'_>) -> Result<Hidden> {
    let Release {
        scope,
        request,
        table,
        populations,
        labels,
        universe,
        threshold,
        hide_all,
    } = release;
    let org_id = scope.org_id();
    // A write transaction from the start (SQLite: BEGIN IMMEDIATE), as it
    // reads the ledger and then writes to it.
    let txn = crate::ground::db::begin_write(db).await?;
    store::lock(&txn, org_id).await?;
    let past = store::load(&txn, org_id, &universe).await?;
    let sticky: HashSet<&str> = past
        .iter()
        .filter(|p| p.suppressed)
        .map(|p| p.key.as_str())
        .collect();
    let released: Vec<&Figure> = past
        .iter()
        .filter(|p| !p.suppressed)
        .map(|p| &p.figure)
        .collect();
    let mut forced = Hidden::all(&table.grid, false);
    for (i, population) in populations.iter().enumerate() {
        if sticky.contains(population.key().as_str()) {
            force(&mut forced, i);
        }
    }
    let mut withheld: BTreeMap<usize, &'static str> = BTreeMap::new();
    let mut atoms: Option<Vec<Atom>> = None;
    let mut measured: HashMap<rules::Region, i64> = HashMap::new();
    let (hidden, figures) = loop {
        let hidden = table::hide(table, threshold, hide_all, &forced);
        let figures: Vec<Option<Figure>> = populations
            .iter()
            .enumerate()
            .map(|(i, population)| {
                let (counts, hidden) = if i == 0 {
                    (&table.grid.total, &hidden.total)
                } else {
                    (&table.grid.body[i - 1], &hidden.body[i - 1])
                };
                figure(&request.metrics, population, counts, hidden)
            })
            .collect();
        let mut fresh = Vec::new();
        for (i, new) in figures.iter().enumerate() {
            let Some(new) = new else { continue };
            let earlier = released
                .iter()
                .copied()
                .chain(figures[..i].iter().flatten());
            for old in earlier {
                let nested = matches!(
                    rules::relation(&new.population, &old.population),
                    Relation::Nested(_)
                );
                if nested && atoms.is_none() {
                    atoms = Some(regions::atoms(&txn, scope).await?);
                }
                let cells = atoms.as_deref().unwrap_or_default();
                let verdict = match rules::judge(new, old, cells, threshold) {
                    Verdict::Measure(region) => match measured.get(&region) {
                        Some(people) => rules::settle(*people, threshold),
                        None if measured.len() >= MEASURES => {
                            Verdict::Unsafe("too many differences to count in one report")
                        }
                        None => {
                            let people = regions::people_in(&txn, scope, &region).await?;
                            measured.insert(region, people);
                            rules::settle(people, threshold)
                        }
                    },
                    other => other,
                };
                if let Verdict::Unsafe(reason) = verdict {
                    fresh.push((i, reason));
                    break;
                }
            }
        }
        if fresh.is_empty() {
            break (hidden, figures);
        }
        for (i, reason) in fresh {
            force(&mut forced, i);
            withheld.insert(i, reason);
        }
    };
    let already: HashSet<(&str, &BTreeMap<String, i64>)> = past
        .iter()
        .filter(|p| !p.suppressed)
        .map(|p| (p.key.as_str(), &p.figure.counts))
        .collect();
    for (i, figure) in figures.iter().enumerate() {
        let Some(figure) = figure else { continue };
        if !already.contains(&(figure.population.key().as_str(), &figure.counts)) {
            store::record(&txn, org_id, figure, &labels[i], None).await?;
        }
    }
    for (i, reason) in withheld {
        let population = &populations[i];
        if sticky.contains(population.key().as_str()) {
            continue;
        }
        let figure = Figure {
            population: population.clone(),
            counts: BTreeMap::new(),
        };
        store::record(&txn, org_id, &figure, &labels[i], Some(reason)).await?;
    }
    txn.commit().await?;
    Ok(hidden)
}
