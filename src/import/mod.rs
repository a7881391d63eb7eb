//! Partners' spreadsheets (CSV) in, from `pathways-hub import` or the
//! authenticated `POST /import` upload. Every line is validated first; when
//! any line is bad, the errors are reported by line and column and nothing
//! is written. Lines whose external id the organization already has are
//! left unchanged (idempotent re-runs). Rows are written in one transaction
//! for the importing organization, each audited.
//!
//! Three kinds of file, each with its own columns:
//! - `participants`: people, through the same identity resolution as
//!   `createParticipant`;
//! - `enrollments`: enrollments in the organization's programs, naming the
//!   participant by the organization's external id;
//! - `hours`: hour logs naming the enrollment by its external id.

mod checks;
mod enrollments;
mod hours;
mod participants;

use std::collections::HashSet;
use std::io::Read;

use csv::StringRecord;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

use crate::audit::Actor;
use crate::auth::Viewer;
use crate::ground::error::Result;

pub use checks::{Checked, check_without_database};
pub use enrollments::ENROLLMENT_COLUMNS;
pub use hours::HOUR_COLUMNS;
pub use participants::PARTICIPANT_COLUMNS;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    Participants,
    Enrollments,
    Hours,
}

impl ImportKind {
    /// Parses the `kind` of an upload (`participants`, `enrollments`, `hours`).
    pub fn parse(text: &str) -> Option<ImportKind> {
        match text {
            "participants" => Some(ImportKind::Participants),
            "enrollments" => Some(ImportKind::Enrollments),
            "hours" => Some(ImportKind::Hours),
            _ => None,
        }
    }
}

/// One bad cell.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    /// 1-based line of the file (the header is line 1).
    pub line: usize,
    pub column: String,
    pub message: String,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub lines: usize,
    pub inserted: usize,
    pub unchanged: usize,
    pub errors: Vec<LineError>,
}

/// Imports a file of `kind` for the viewer's organization, as `actor`.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    db: &DatabaseConnection,
    secret: &[u8],
    viewer: &Viewer,
    actor: &Actor,
    kind: ImportKind,
    data: impl Read,
    dry_run: bool,
    progress: bool,
) -> Result<ImportSummary> {
    let bar = if progress {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("import [{bar:40}] {pos}/{len} lines ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary = match kind {
        ImportKind::Participants => {
            participants::import(db, secret, viewer, actor, data, dry_run, &bar).await?
        }
        ImportKind::Enrollments => {
            enrollments::import_enrollments(db, viewer, actor, data, dry_run, &bar).await?
        }
        ImportKind::Hours => hours::import_hours(db, viewer, actor, data, dry_run, &bar).await?,
    };
    bar.finish_and_clear();
    Ok(summary)
}

/// A CSV file with a header line: the columns it must have, may have, and
/// the lines, each with its 1-based line number.
pub(crate) struct Sheet {
    headers: StringRecord,
    records: Vec<(usize, std::result::Result<StringRecord, csv::Error>)>,
}

impl Sheet {
    /// Reads the file and checks its header; header errors are line 1.
    pub(crate) fn read(
        data: impl Read,
        required: &[&str],
        known: &[&str],
    ) -> std::result::Result<Sheet, Vec<LineError>> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(data);
        let header_error = |column: &str, message: String| LineError {
            line: 1,
            column: column.into(),
            message,
        };
        let headers = match reader.headers() {
            Ok(h) if !h.is_empty() => h.clone(),
            _ => {
                return Err(vec![header_error(
                    "-",
                    "the file is not CSV with a header line".into(),
                )]);
            }
        };
        let mut errors = Vec::new();
        for column in required {
            if !headers.iter().any(|h| h == *column) {
                errors.push(header_error(column, "required column is missing".into()));
            }
        }
        if let Some(unknown) = headers.iter().find(|h| !known.contains(h)) {
            // An empty header cell has no name to report (found by fuzzing).
            errors.push(if unknown.is_empty() {
                header_error("-", "a column of the header line has no name".into())
            } else {
                header_error(
                    unknown,
                    format!("unknown column (known: {})", known.join(", ")),
                )
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let records = reader
            .records()
            .enumerate()
            .map(|(i, r)| (i + 2, r))
            .collect();
        Ok(Sheet { headers, records })
    }

    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// The lines; a line that is not valid CSV is reported into `errors`.
    pub(crate) fn lines<'a>(
        &'a self,
        errors: &'a mut Vec<LineError>,
    ) -> impl Iterator<Item = Line<'a>> + 'a {
        self.records
            .iter()
            .filter_map(move |(line, record)| match record {
                Ok(record) => Some(Line {
                    number: *line,
                    headers: &self.headers,
                    record,
                }),
                Err(_) => {
                    errors.push(LineError {
                        line: *line,
                        column: "-".into(),
                        message: "not a valid CSV line (quotes, field count or encoding)".into(),
                    });
                    None
                }
            })
    }
}

/// One line of a [`Sheet`].
pub(crate) struct Line<'a> {
    pub number: usize,
    headers: &'a StringRecord,
    record: &'a StringRecord,
}

impl<'a> Line<'a> {
    /// The cell of `column`, trimmed; empty when the column is absent.
    pub(crate) fn get(&self, column: &str) -> &'a str {
        self.headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
    }

    /// The cell of `column`, `None` when empty.
    pub(crate) fn optional(&self, column: &str) -> Option<&'a str> {
        Some(self.get(column)).filter(|v| !v.is_empty())
    }

    /// An error about `column` of this line.
    pub(crate) fn error(&self, column: &str, message: impl Into<String>) -> LineError {
        LineError {
            line: self.number,
            column: column.into(),
            message: message.into(),
        }
    }
}

/// A date cell like `2026-04-30`.
pub(crate) fn date(
    line: &Line<'_>,
    column: &str,
) -> std::result::Result<chrono::NaiveDate, LineError> {
    chrono::NaiveDate::parse_from_str(line.get(column), "%Y-%m-%d")
        .map_err(|_| line.error(column, "must be a date like 2026-04-30"))
}

/// An optional date cell.
pub(crate) fn optional_date(
    line: &Line<'_>,
    column: &str,
) -> std::result::Result<Option<chrono::NaiveDate>, LineError> {
    match line.optional(column) {
        None => Ok(None),
        Some(_) => date(line, column).map(Some),
    }
}

/// Rows go to the database this many at a time.
pub(super) const CHUNK: usize = 500;

pub(super) fn header_failed(errors: Vec<LineError>) -> ImportSummary {
    ImportSummary {
        errors,
        ..Default::default()
    }
}

/// An external id cell: present, at most 64 characters, once in the file.
pub(super) fn external_id<'a>(
    line: &Line<'a>,
    column: &str,
    seen: &mut HashSet<String>,
) -> std::result::Result<&'a str, LineError> {
    let value = line.get(column);
    if value.is_empty() {
        return Err(line.error(column, "must not be empty"));
    }
    if value.chars().count() > 64 {
        return Err(line.error(column, "must be at most 64 characters"));
    }
    if !seen.insert(value.to_owned()) {
        return Err(line.error(column, "appears twice in the file"));
    }
    Ok(value)
}
