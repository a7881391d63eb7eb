//! Business rules of the programs, as plain functions: the attendance
//! percentage, the stipend threshold, the apprenticeship hour requirements.

/// Hours of one enrollment, summed by kind (approved OJT/RTI count towards
/// completion; every logged attendance hour counts towards attendance).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HourTotals {
    pub ojt_approved: f64,
    pub rti_approved: f64,
    pub ojt_logged: f64,
    pub rti_logged: f64,
    pub attendance: f64,
    pub mentoring: f64,
}

/// Attendance as a percentage of the program's scheduled hours, rounded to
/// one decimal; `None` when the program schedules no hours.
pub fn attendance_pct(attended: f64, scheduled: Option<f64>) -> Option<f64> {
    let scheduled = scheduled.filter(|s| *s > 0.0)?;
    Some((attended / scheduled * 1000.0).round() / 10.0)
}

/// Whether attendance reaches the program's stipend threshold (WLCAC: 80 %
/// of the program); `None` when the program has no stipend or no schedule.
pub fn stipend_eligible(attendance_pct: Option<f64>, threshold_pct: Option<f64>) -> Option<bool> {
    Some(attendance_pct? >= threshold_pct?)
}

/// The stipend rule as reports evaluate it in SQL, without rounding:
/// [`attendance_pct`] rounds to one decimal (half away from zero), so for a
/// threshold given to at most one decimal, `attendance_pct >= threshold`
/// exactly when `attended * 1000 / scheduled >= threshold * 10 - 0.5`.
/// `None` when the program has no stipend or no schedule.
pub fn stipend_eligible_unrounded(
    attended: f64,
    scheduled: Option<f64>,
    threshold_pct: Option<f64>,
) -> Option<bool> {
    let scheduled = scheduled.filter(|s| *s > 0.0)?;
    Some(attended * 1000.0 / scheduled >= threshold_pct? * 10.0 - 0.5)
}

/// [`stipend_eligible_unrounded`] as a SQL boolean expression over the
/// given column expressions (portable to SQLite and PostgreSQL: no
/// rounding function, whose half-way behaviour differs between them).
pub fn stipend_eligible_sql(attended: &str, scheduled: &str, threshold_pct: &str) -> String {
    format!(
        "({scheduled} > 0 AND {threshold_pct} IS NOT NULL AND \
         {attended} * 1000.0 / {scheduled} >= {threshold_pct} * 10.0 - 0.5)"
    )
}

/// Whether approved hours meet a program's OJT and RTI requirements (a
/// registered apprenticeship: 2000 h OJT + 144 h RTI). A missing
/// requirement is met.
pub fn hour_requirements_met(
    totals: &HourTotals,
    required_ojt: Option<f64>,
    required_rti: Option<f64>,
) -> bool {
    totals.ojt_approved >= required_ojt.unwrap_or(0.0)
        && totals.rti_approved >= required_rti.unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attendance_and_the_80_percent_stipend() {
        assert_eq!(attendance_pct(192.0, Some(240.0)), Some(80.0));
        assert_eq!(attendance_pct(186.0, Some(240.0)), Some(77.5));
        assert_eq!(attendance_pct(10.0, None), None);
        assert_eq!(attendance_pct(10.0, Some(0.0)), None);
        assert_eq!(stipend_eligible(Some(80.0), Some(80.0)), Some(true));
        assert_eq!(stipend_eligible(Some(79.9), Some(80.0)), Some(false));
        assert_eq!(stipend_eligible(Some(90.0), None), None);
    }

    #[test]
    fn the_unrounded_stipend_rule_agrees_with_the_rounded_one() {
        for scheduled in [240.0, 36.0, 324.0, 7.0] {
            for threshold in [80.0, 75.5, 90.0] {
                for tenth in 0..=4000 {
                    let attended = f64::from(tenth) / 10.0;
                    let rounded = stipend_eligible(
                        attendance_pct(attended, Some(scheduled)),
                        Some(threshold),
                    );
                    let unrounded =
                        stipend_eligible_unrounded(attended, Some(scheduled), Some(threshold));
                    assert_eq!(
                        rounded, unrounded,
                        "{attended} of {scheduled} at {threshold}"
                    );
                }
            }
        }
        assert_eq!(stipend_eligible_unrounded(10.0, None, Some(80.0)), None);
        assert_eq!(stipend_eligible_unrounded(10.0, Some(20.0), None), None);
    }

    #[test]
    fn apprenticeship_needs_both_2000_ojt_and_144_rti() {
        let mut totals = HourTotals {
            ojt_approved: 2000.0,
            rti_approved: 143.5,
            ..Default::default()
        };
        assert!(!hour_requirements_met(&totals, Some(2000.0), Some(144.0)));
        totals.rti_approved = 144.0;
        assert!(hour_requirements_met(&totals, Some(2000.0), Some(144.0)));
        totals.ojt_approved = 1999.0;
        assert!(!hour_requirements_met(&totals, Some(2000.0), Some(144.0)));
        assert!(hour_requirements_met(&HourTotals::default(), None, None));
    }
}
