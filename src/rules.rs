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
