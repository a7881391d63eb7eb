//! The release ledger's rules as plain functions (no database): when a
//! figure, together with one already released to the same organization,
//! would reveal a group of 1 to threshold − 1.
//!
//! Every population a report names is a rectangle of the fixed grid
//! program × month ([`Population`]). For a new figure `c` and a released
//! figure `k` of the same organization:
//! - **same population** (a re-request, perhaps after new enrollments):
//!   every count released in both must be equal or differ by at least the
//!   threshold;
//! - **nested populations** (`small ⊂ big`: a group and its total, a
//!   filter and the whole, a month and its quarter, adjacent periods): the
//!   counts likewise, and the people with an enrollment in the difference
//!   `big \ small` — everyone whose records can make the two figures
//!   differ — must be nobody or at least threshold people. The grid's
//!   per-cell counts bound that number ([`bounds`]); when they cannot
//!   decide, it is counted exactly in SQL ([`Verdict::Measure`]);
//! - **other pairs** (disjoint or overlapping without nesting) are not a
//!   difference of one group and are left to in-table complementary
//!   suppression.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use crate::reports::grain::MonthRange;

/// Which programs a population covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Programs {
    /// Every program (no program, organization or pathway narrows it).
    All,
    /// These programs only.
    Only(BTreeSet<Uuid>),
}

impl Programs {
    /// The programs in both.
    pub fn intersect(self, other: Programs) -> Programs {
        match (self, other) {
            (Programs::All, x) | (x, Programs::All) => x,
            (Programs::Only(a), Programs::Only(b)) => {
                Programs::Only(a.intersection(&b).copied().collect())
            }
        }
    }

    /// `Only` of every program of `universe` becomes `All`.
    pub fn normalize(self, universe: &BTreeSet<Uuid>) -> Programs {
        match self {
            Programs::Only(set) if !universe.is_empty() && universe.is_subset(&set) => {
                Programs::All
            }
            other => other,
        }
    }

    fn contains(&self, program: Uuid) -> bool {
        match self {
            Programs::All => true,
            Programs::Only(set) => set.contains(&program),
        }
    }

    fn within(&self, other: &Programs) -> bool {
        match (self, other) {
            (_, Programs::All) => true,
            (Programs::All, Programs::Only(_)) => false,
            (Programs::Only(a), Programs::Only(b)) => a.is_subset(b),
        }
    }

    /// As stored: `*` or ids joined by `,` (sorted).
    pub fn to_text(&self) -> String {
        match self {
            Programs::All => "*".to_owned(),
            Programs::Only(set) => set
                .iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// Reads [`Programs::to_text`]; ids that do not parse are dropped.
    pub fn from_text(text: &str) -> Programs {
        if text == "*" {
            return Programs::All;
        }
        Programs::Only(
            text.split(',')
                .filter_map(|id| Uuid::parse_str(id).ok())
                .collect(),
        )
    }
}

/// A set of cells of the grid program × month.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Population {
    pub programs: Programs,
    pub months: MonthRange,
}

impl Population {
    /// Canonical text of the population (the ledger's key; long program
    /// lists are hashed).
    pub fn key(&self) -> String {
        let end = |m: Option<i64>| m.map_or("*".to_owned(), |m| m.to_string());
        let text = format!(
            "p={};m={}..{}",
            self.programs.to_text(),
            end(self.months.lo),
            end(self.months.hi)
        );
        if text.len() <= 200 {
            return text;
        }
        use sha2::Digest;
        format!(
            "sha256:{}",
            hex::encode(sha2::Sha256::digest(text.as_bytes()))
        )
    }

    /// Whether every cell of `self` is a cell of `other`.
    pub fn within(&self, other: &Population) -> bool {
        self.programs.within(&other.programs) && self.months.within(&other.months)
    }

    fn contains(&self, program: Uuid, month: i64) -> bool {
        self.programs.contains(program) && self.months.contains(month)
    }
}

/// People with an enrollment in one cell of the grid (program, month),
/// among the rows that feed the viewer's reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Atom {
    pub program: Uuid,
    pub month: i64,
    pub people: i64,
}

/// The cells of `big` that are not cells of `small` (`small ⊂ big`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region {
    pub big: Population,
    pub small: Population,
}

impl Region {
    /// Whether the cell is in the region.
    pub fn contains(&self, program: Uuid, month: i64) -> bool {
        self.big.contains(program, month) && !self.small.contains(program, month)
    }
}

/// `(at least, at most)` people with an enrollment in `region`, from the
/// grid's cells: at least the largest cell's, at most their sum.
pub fn bounds(atoms: &[Atom], region: &Region) -> (i64, i64) {
    atoms
        .iter()
        .filter(|a| region.contains(a.program, a.month))
        .fold((0, 0), |(lo, hi), a| (lo.max(a.people), hi + a.people))
}

/// A figure: a population and the counts shown of it, by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub population: Population,
    pub counts: BTreeMap<String, i64>,
}

/// How two populations relate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relation {
    Same,
    /// One within the other: the difference, big minus small.
    Nested(Region),
    Unrelated,
}

/// How `a` and `b` relate.
pub fn relation(a: &Population, b: &Population) -> Relation {
    match (a.within(b), b.within(a)) {
        (true, true) => Relation::Same,
        (true, false) => Relation::Nested(Region {
            big: b.clone(),
            small: a.clone(),
        }),
        (false, true) => Relation::Nested(Region {
            big: a.clone(),
            small: b.clone(),
        }),
        (false, false) => Relation::Unrelated,
    }
}

/// What the rules say of a new figure against a released one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Safe,
    /// Withhold the new figure; why, in words.
    Unsafe(&'static str),
    /// Count the people of the region exactly, then [`settle`].
    Measure(Region),
}

/// Whether `value` is a small group: 1 to threshold − 1.
fn small(value: i64, threshold: i64) -> bool {
    value >= 1 && value < threshold
}

/// The rules of this module for figure `new` against `released`; `atoms`
/// are the grid's cells (only read for nested populations).
pub fn judge(new: &Figure, released: &Figure, atoms: &[Atom], threshold: i64) -> Verdict {
    let relation = relation(&new.population, &released.population);
    if relation == Relation::Unrelated {
        return Verdict::Safe;
    }
    let differs = new.counts.iter().any(|(name, value)| {
        released
            .counts
            .get(name)
            .is_some_and(|old| small((value - old).abs(), threshold))
    });
    if differs {
        return Verdict::Unsafe("a count differs by 1 to threshold − 1 from a released one");
    }
    let Relation::Nested(region) = relation else {
        return Verdict::Safe;
    };
    let (at_least, at_most) = bounds(atoms, &region);
    if at_most == 0 || at_least >= threshold {
        Verdict::Safe
    } else if at_most < threshold {
        Verdict::Unsafe("the difference from a released population is a small group")
    } else {
        Verdict::Measure(region)
    }
}

/// A [`Verdict::Measure`] once the region's people are counted.
pub fn settle(people: i64, threshold: i64) -> Verdict {
    if small(people, threshold) {
        Verdict::Unsafe("the difference from a released population is a small group")
    } else {
        Verdict::Safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 11;

    fn programs(ids: &[u128]) -> Programs {
        Programs::Only(ids.iter().map(|i| Uuid::from_u128(*i)).collect())
    }

    fn population(p: Programs, lo: Option<i64>, hi: Option<i64>) -> Population {
        Population {
            programs: p,
            months: MonthRange { lo, hi },
        }
    }

    fn figure(population: Population, enrolled: i64) -> Figure {
        Figure {
            population,
            counts: BTreeMap::from([("ENROLLED".to_owned(), enrolled)]),
        }
    }

    fn atom(program: u128, month: i64, people: i64) -> Atom {
        Atom {
            program: Uuid::from_u128(program),
            month,
            people,
        }
    }

    #[test]
    fn a_group_and_the_total_differing_by_a_few_people_are_not_both_shown() {
        let total = figure(population(Programs::All, None, None), 40);
        let wlcac = figure(population(programs(&[1]), None, None), 34);
        let atoms = [atom(1, 10, 34), atom(2, 10, 6)];
        assert!(matches!(
            judge(&wlcac, &total, &atoms, T),
            Verdict::Unsafe(_)
        ));
        // Twelve people elsewhere: a difference of twelve is fine.
        let atoms = [atom(1, 10, 34), atom(2, 10, 12)];
        let wlcac = figure(population(programs(&[1]), None, None), 28);
        assert_eq!(judge(&wlcac, &total, &atoms, T), Verdict::Safe);
    }

    #[test]
    fn equal_counts_over_a_small_difference_still_count_as_a_difference() {
        // Program 2's three youth are all in program 1 too: ENROLLED is the
        // same, but hours would differ by theirs.
        let both = figure(population(programs(&[1, 2]), None, None), 30);
        let one = figure(population(programs(&[1]), None, None), 30);
        let atoms = [atom(1, 10, 30), atom(2, 10, 3)];
        assert!(matches!(judge(&one, &both, &atoms, T), Verdict::Unsafe(_)));
    }

    #[test]
    fn a_re_request_after_new_enrollments_is_withheld_when_few_arrived() {
        let q1 = population(Programs::All, Some(24312), Some(24314));
        let before = figure(q1.clone(), 300);
        assert!(matches!(
            judge(&figure(q1.clone(), 303), &before, &[], T),
            Verdict::Unsafe(_)
        ));
        assert_eq!(
            judge(&figure(q1.clone(), 300), &before, &[], T),
            Verdict::Safe
        );
        assert_eq!(judge(&figure(q1, 320), &before, &[], T), Verdict::Safe);
    }

    #[test]
    fn when_cells_cannot_decide_the_region_is_measured() {
        let year = figure(population(Programs::All, Some(0), Some(11)), 100);
        let spring = figure(population(Programs::All, Some(0), Some(5)), 60);
        // Forty people over six months, no month with eleven: could be
        // eleven or more people, could be fewer.
        let atoms: Vec<Atom> = (6..12).map(|m| atom(1, m, 7)).collect();
        let Verdict::Measure(region) = judge(&spring, &year, &atoms, T) else {
            panic!("expected a measure");
        };
        assert!(region.contains(Uuid::from_u128(1), 6));
        assert!(!region.contains(Uuid::from_u128(1), 5));
        assert_eq!(settle(40, T), Verdict::Safe);
        assert!(matches!(settle(9, T), Verdict::Unsafe(_)));
        assert_eq!(settle(0, T), Verdict::Safe);
    }

    #[test]
    fn unrelated_populations_are_not_differences() {
        let a = figure(population(programs(&[1]), None, None), 20);
        let b = figure(population(programs(&[2]), None, None), 22);
        assert_eq!(judge(&a, &b, &[], T), Verdict::Safe);
    }

    #[test]
    fn populations_key_and_nest() {
        let universe: BTreeSet<Uuid> = [1, 2].iter().map(|i| Uuid::from_u128(*i)).collect();
        assert_eq!(programs(&[1, 2]).normalize(&universe), Programs::All);
        let p = population(programs(&[1]), Some(3), None);
        assert_eq!(p.key(), format!("p={};m=3..*", Uuid::from_u128(1)));
        assert_eq!(
            Programs::from_text(&programs(&[1, 2]).to_text()),
            programs(&[1, 2])
        );
        assert!(p.within(&population(Programs::All, None, None)));
        assert!(!population(Programs::All, None, None).within(&p));
    }
}
