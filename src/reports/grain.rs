//! Fixed reporting grains (DESIGN.md section 11, "Report releases"): a
//! report's date bounds snap outward to whole periods, so that two requests
//! whose dates differ by less than a period ask about the same population
//! and cannot be subtracted from each other.
//!
//! Every population a report can name is then a set of cells of one fixed
//! grid, program × calendar month (months are the finest period; quarters
//! and school years are unions of months; pathways and organizations are
//! sets of programs). [`MonthRange`] is the month side of such a set.

use async_graphql::SimpleObject;
use chrono::{Datelike, NaiveDate};

use super::Period;

/// The date bounds a report used: the asked `from` and `to` widened to
/// whole periods of `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, SimpleObject)]
#[graphql(name = "ReportBounds")]
pub struct Bounds {
    /// The first day of the first period counted (`null`: no lower bound).
    pub from: Option<NaiveDate>,
    /// The last day of the last period counted (`null`: no upper bound).
    pub to: Option<NaiveDate>,
    /// The grain the bounds were snapped to (the report's `period`).
    pub period: Period,
}

impl Bounds {
    /// Snaps `from` back to the start of its period and `to` forward to the
    /// end of its period.
    pub fn snap(period: Period, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Bounds {
        Bounds {
            from: from.map(|d| start_of(period, d)),
            to: to.map(|d| end_of(period, d)),
            period,
        }
    }

    /// The months these bounds cover.
    pub fn months(&self) -> MonthRange {
        MonthRange {
            lo: self.from.map(month_index),
            hi: self.to.map(month_index),
        }
    }
}

/// A month as one number: `year × 12 + month − 1`.
pub fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

fn first_of(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

/// The first day of the period `date` falls in.
pub fn start_of(period: Period, date: NaiveDate) -> NaiveDate {
    let (year, month) = (date.year(), date.month());
    match period {
        Period::Month => first_of(year, month),
        Period::Quarter => first_of(year, (month - 1) / 3 * 3 + 1),
        Period::SchoolYear if month >= 7 => first_of(year, 7),
        Period::SchoolYear => first_of(year - 1, 7),
    }
}

/// The last day of the period `date` falls in.
pub fn end_of(period: Period, date: NaiveDate) -> NaiveDate {
    let start = start_of(period, date);
    let months = match period {
        Period::Month => 1,
        Period::Quarter => 3,
        Period::SchoolYear => 12,
    };
    start
        .checked_add_months(chrono::Months::new(months))
        .and_then(|next| next.pred_opt())
        .unwrap_or(NaiveDate::MAX)
}

/// An interval of months, either end open (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MonthRange {
    pub lo: Option<i64>,
    pub hi: Option<i64>,
}

impl MonthRange {
    /// The months of a PERIOD group `(year, sub)` as SQL keys it.
    pub fn of_period(period: Period, year: i64, sub: i64) -> MonthRange {
        let (lo, len) = match period {
            Period::Month => (year * 12 + sub - 1, 1),
            Period::Quarter => (year * 12 + (sub - 1) * 3, 3),
            Period::SchoolYear => (year * 12 + 6, 12),
        };
        MonthRange {
            lo: Some(lo),
            hi: Some(lo + len - 1),
        }
    }

    /// The months in both ranges.
    pub fn intersect(self, other: MonthRange) -> MonthRange {
        let lo = match (self.lo, other.lo) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let hi = match (self.hi, other.hi) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        MonthRange { lo, hi }
    }

    /// Whether the month is in the range.
    pub fn contains(&self, month: i64) -> bool {
        self.lo.is_none_or(|lo| lo <= month) && self.hi.is_none_or(|hi| month <= hi)
    }

    /// Whether every month of `self` is in `other`.
    pub fn within(&self, other: &MonthRange) -> bool {
        let lo_ok = match (self.lo, other.lo) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => a >= b,
        };
        let hi_ok = match (self.hi, other.hi) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(a), Some(b)) => a <= b,
        };
        lo_ok && hi_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn adjacent_days_snap_to_the_same_quarter() {
        let a = Bounds::snap(Period::Quarter, None, Some(d(2026, 3, 15)));
        let b = Bounds::snap(Period::Quarter, None, Some(d(2026, 3, 16)));
        assert_eq!(a, b);
        assert_eq!(a.to, Some(d(2026, 3, 31)));
        let c = Bounds::snap(Period::Quarter, Some(d(2026, 2, 17)), Some(d(2026, 11, 2)));
        assert_eq!((c.from, c.to), (Some(d(2026, 1, 1)), Some(d(2026, 12, 31))));
    }

    #[test]
    fn months_and_school_years_snap_too() {
        let m = Bounds::snap(Period::Month, Some(d(2024, 2, 10)), Some(d(2024, 2, 10)));
        assert_eq!((m.from, m.to), (Some(d(2024, 2, 1)), Some(d(2024, 2, 29))));
        let s = Bounds::snap(Period::SchoolYear, Some(d(2026, 3, 1)), Some(d(2026, 8, 1)));
        assert_eq!((s.from, s.to), (Some(d(2025, 7, 1)), Some(d(2027, 6, 30))));
        // The snapped months are exactly the grid's months of the periods.
        let (first, last) = (
            MonthRange::of_period(Period::SchoolYear, 2025, 0),
            MonthRange::of_period(Period::SchoolYear, 2026, 0),
        );
        assert_eq!(
            s.months(),
            MonthRange {
                lo: first.lo,
                hi: last.hi
            }
        );
    }

    #[test]
    fn ranges_nest() {
        let q1 = MonthRange::of_period(Period::Quarter, 2026, 1);
        let jan = MonthRange::of_period(Period::Month, 2026, 1);
        let all = MonthRange { lo: None, hi: None };
        assert!(jan.within(&q1) && q1.within(&all) && !all.within(&q1));
        assert!(!q1.within(&jan));
        assert!(q1.contains(month_index(d(2026, 3, 31))));
        assert!(!q1.contains(month_index(d(2026, 4, 1))));
    }
}
