//! The line checks of every kind of file, without a database: what an
//! import does to a file before it reads or writes any row. Used by
//! fuzzing (`fuzz/fuzz_targets/csv_import.rs`): whatever the bytes, the
//! checks answer with line errors or accepted lines, and never panic.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::enums::{EnrollmentStatus, ProgramApproach, ProgramKind};
use entity::program;
use uuid::Uuid;

use super::{ImportKind, LineError, Sheet, enrollments, hours, participants};

/// The organization the checks run for: participant `P-1`, program
/// `Media Arts` (1 OJT hour required) and program `Workshop` (none), and an
/// active enrollment `E-1` started 2026-01-05.
const KNOWN_PARTICIPANT: &str = "P-1";
const KNOWN_PROGRAMS: [&str; 2] = ["Media Arts", "Workshop"];
const KNOWN_ENROLLMENT: &str = "E-1";

/// What the checks found: accepted lines and line errors.
#[derive(Debug, Default)]
pub struct Checked {
    /// Lines in the file (after the header).
    pub lines: usize,
    /// Lines that passed every check.
    pub accepted: usize,
    pub errors: Vec<LineError>,
}

/// Checks a file of `kind` as an import would, for the fixed organization
/// above and `today`.
pub fn check_without_database(kind: ImportKind, data: &[u8], today: NaiveDate) -> Checked {
    let (required, known) = match kind {
        ImportKind::Participants => (
            &["external_id", "given_name", "family_name", "birth_date"][..],
            participants::PARTICIPANT_COLUMNS,
        ),
        ImportKind::Enrollments => (
            &[
                "external_id",
                "participant_external_id",
                "program",
                "applied_on",
            ][..],
            enrollments::ENROLLMENT_COLUMNS,
        ),
        ImportKind::Hours => (
            &[
                "external_id",
                "enrollment_external_id",
                "kind",
                "worked_on",
                "hours",
            ][..],
            hours::HOUR_COLUMNS,
        ),
    };
    let sheet = match Sheet::read(data, required, known) {
        Ok(sheet) => sheet,
        Err(errors) => {
            return Checked {
                errors,
                ..Checked::default()
            };
        }
    };
    let mut checked = Checked {
        lines: sheet.len(),
        ..Checked::default()
    };
    let mut bad = Vec::new();
    let mut seen = HashSet::new();
    match kind {
        ImportKind::Participants => {
            let (rows, errors) = participants::parse(&sheet);
            checked.accepted = rows.len();
            checked.errors = errors;
        }
        ImportKind::Enrollments => {
            let people = HashMap::from([(KNOWN_PARTICIPANT.to_owned(), Uuid::from_u128(1))]);
            let programs = [
                program(2, KNOWN_PROGRAMS[0], Some(1.0)),
                program(3, KNOWN_PROGRAMS[1], None),
            ];
            for line in sheet.lines(&mut bad) {
                match enrollments::check_enrollment(&line, &mut seen, &people, &programs, today) {
                    Ok(_) => checked.accepted += 1,
                    Err(e) => checked.errors.push(e),
                }
            }
        }
        ImportKind::Hours => {
            let started = NaiveDate::from_ymd_opt(2026, 1, 5);
            let known = hours::Known {
                id: Uuid::from_u128(4),
                participant_id: Uuid::from_u128(1),
                status: EnrollmentStatus::Active,
                started_on: started,
                exited_on: None,
            };
            let enrollments = HashMap::from([(KNOWN_ENROLLMENT.to_owned(), known)]);
            for line in sheet.lines(&mut bad) {
                match hours::check_hours(&line, &mut seen, &enrollments, today) {
                    Ok(_) => checked.accepted += 1,
                    Err(e) => checked.errors.push(e),
                }
            }
        }
    }
    checked.errors.extend(bad);
    checked.errors.sort_by_key(|e| e.line);
    checked
}

fn program(id: u128, name: &str, required_ojt_hours: Option<f64>) -> program::Model {
    let epoch = chrono::DateTime::UNIX_EPOCH;
    program::Model {
        id: Uuid::from_u128(id),
        org_id: Uuid::from_u128(9),
        pathway_id: None,
        name: name.to_owned(),
        kind: ProgramKind::TrainingCohort,
        approach: ProgramApproach::Time,
        required_ojt_hours,
        required_rti_hours: None,
        scheduled_hours: None,
        stipend_threshold_pct: None,
        site: None,
        starts_on: None,
        ends_on: None,
        created_at: epoch,
        updated_at: epoch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date")
    }

    fn columns(checked: &Checked) -> Vec<(usize, &str)> {
        checked
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect()
    }

    #[test]
    fn each_kind_is_checked_line_by_line() {
        let participants = b"external_id,given_name,family_name,birth_date\nP-1,Ana,Lee,2008-04-30\nP-2,Bo,Kim,2009-13-01\nP-1,Cy,Ng,2008-01-01\n";
        let checked = check_without_database(ImportKind::Participants, participants, today());
        assert_eq!((checked.lines, checked.accepted), (3, 1));
        assert_eq!(columns(&checked), [(3, "birth_date"), (4, "external_id")]);

        let enrollments = b"external_id,participant_external_id,program,applied_on,status,started_on,exited_on\nE-9,P-1,media arts,2026-01-02,ACTIVE,2026-01-05,\nE-10,P-1,Media Arts,2026-01-02,COMPLETED,2026-01-05,2026-03-01\nE-11,P-2,Workshop,2026-02-01,,,\n";
        let checked = check_without_database(ImportKind::Enrollments, enrollments, today());
        assert_eq!(checked.accepted, 1);
        assert_eq!(
            columns(&checked),
            [(3, "status"), (4, "participant_external_id")]
        );

        let hours = b"external_id,enrollment_external_id,kind,worked_on,hours\nH-1,E-1,OJT,2026-02-03,8\nH-2,E-1,RTI,2026-02-03,24.5\nH-3,E-1,OJT,2027-01-01,1\nH-4,E-2,OJT,2026-02-03,1\n";
        let checked = check_without_database(ImportKind::Hours, hours, today());
        assert_eq!(checked.accepted, 1);
        assert_eq!(
            columns(&checked),
            [
                (3, "hours"),
                (4, "worked_on"),
                (5, "enrollment_external_id")
            ]
        );
    }

    #[test]
    fn a_bad_header_or_bad_csv_is_reported_not_panicked_on() {
        let checked = check_without_database(ImportKind::Hours, b"", today());
        assert_eq!(columns(&checked), [(1, "-")]);
        let checked = check_without_database(ImportKind::Participants, b"given_name\n", today());
        assert!(checked.errors.iter().all(|e| e.line == 1) && !checked.errors.is_empty());
        // Found by fuzzing: an empty header cell was reported as column "".
        let nameless = b"external_id,given_name,family_name,birth_date, \n";
        let checked = check_without_database(ImportKind::Participants, nameless, today());
        assert_eq!(columns(&checked), [(1, "-")]);
        assert_eq!(
            checked.errors[0].message,
            "a column of the header line has no name"
        );
        let ragged = b"external_id,given_name,family_name,birth_date\nP-1,Ana\n";
        let checked = check_without_database(ImportKind::Participants, ragged, today());
        assert_eq!(columns(&checked), [(2, "-")]);
    }
}
