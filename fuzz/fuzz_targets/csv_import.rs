//! A CSV file of each kind (participants, enrollments, hours; the first
//! byte picks the kind) through the import's header and line checks,
//! without a database. Nothing may panic; every error names a line of the
//! file and says something.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pathways_hub::import::{self, ImportKind};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let kind = [
        ImportKind::Participants,
        ImportKind::Enrollments,
        ImportKind::Hours,
    ][usize::from(selector) % 3];
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).expect("a date");
    let checked = import::check_without_database(kind, file, today);
    assert!(checked.accepted <= checked.lines);
    for error in &checked.errors {
        assert!(
            (1..=checked.lines + 1).contains(&error.line),
            "line {} of a file of {} lines",
            error.line,
            checked.lines
        );
        assert!(!error.message.is_empty() && !error.column.is_empty());
    }
});
