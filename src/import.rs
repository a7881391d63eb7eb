//! `pathways-hub import`: a partner's spreadsheet (CSV) in. Every line is
//! validated first; when any line is bad, the errors are reported by line
//! and column and nothing is written. Lines whose external id the
//! organization already has are left unchanged (idempotent re-runs). The
//! writes go through the same domain functions as the GraphQL mutations, in
//! one transaction, each audited.

use std::collections::HashSet;
use std::io::Read;

use chrono::NaiveDate;
use entity::enums::PriorityPopulation;
use entity::participant_link;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::audit::Actor;
use crate::auth::{Role, Viewer};
use crate::error::{Error, Result};
use crate::registration::{self, CreateParticipantInput};

/// What a file holds (only `participants` is implemented so far).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportKind {
    Participants,
}

/// One bad cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line of the file (the header is line 1).
    pub line: usize,
    pub column: String,
    pub message: String,
}

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub lines: usize,
    pub inserted: usize,
    pub unchanged: usize,
    pub errors: Vec<LineError>,
}

/// The columns of a participants file.
pub const PARTICIPANT_COLUMNS: &[&str] = &[
    "external_id",
    "given_name",
    "family_name",
    "birth_date",
    "email",
    "phone",
    "postal_code",
    "guardian_name",
    "priority_populations",
];

fn column_of(field: &str) -> String {
    let mut out = String::new();
    for c in field.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn optional(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

/// Parses and checks every line; returns the inputs and the errors.
fn parse_participants(
    data: impl Read,
) -> (Vec<(usize, CreateParticipantInput)>, usize, Vec<LineError>) {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(data);
    let mut errors = Vec::new();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(_) => {
            errors.push(LineError {
                line: 1,
                column: "-".into(),
                message: "the file is not CSV with a header line".into(),
            });
            return (Vec::new(), 0, errors);
        }
    };
    for column in ["external_id", "given_name", "family_name", "birth_date"] {
        if !headers.iter().any(|h| h == column) {
            errors.push(LineError {
                line: 1,
                column: column.into(),
                message: "required column is missing".into(),
            });
        }
    }
    if let Some(unknown) = headers.iter().find(|h| !PARTICIPANT_COLUMNS.contains(h)) {
        errors.push(LineError {
            line: 1,
            column: unknown.into(),
            message: format!("unknown column (known: {})", PARTICIPANT_COLUMNS.join(", ")),
        });
    }
    if !errors.is_empty() {
        return (Vec::new(), 0, errors);
    }
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    let mut lines = 0;
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        lines += 1;
        let record = match record {
            Ok(r) => r,
            Err(_) => {
                errors.push(LineError {
                    line,
                    column: "-".into(),
                    message: "not a valid CSV line (quotes, field count or encoding)".into(),
                });
                continue;
            }
        };
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .to_owned()
        };
        let mut bad = |column: &str, message: &str| {
            errors.push(LineError {
                line,
                column: column.into(),
                message: message.into(),
            })
        };
        let external_id = get("external_id");
        if external_id.trim().is_empty() {
            bad("external_id", "must not be empty");
            continue;
        }
        if !seen.insert(external_id.clone()) {
            bad("external_id", "appears twice in the file");
            continue;
        }
        let Ok(birth_date) = NaiveDate::parse_from_str(get("birth_date").trim(), "%Y-%m-%d") else {
            bad("birth_date", "must be a date like 2006-04-30");
            continue;
        };
        let mut populations = Vec::new();
        let mut populations_ok = true;
        for p in get("priority_populations")
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match PriorityPopulation::parse(&p.to_uppercase()) {
                Some(p) => populations.push(p),
                None => populations_ok = false,
            }
        }
        if !populations_ok {
            bad(
                "priority_populations",
                "has an unknown value (FOSTER_YOUTH; JUSTICE_INVOLVED; UNHOUSED; …)",
            );
            continue;
        }
        let input = CreateParticipantInput {
            given_name: get("given_name"),
            family_name: get("family_name"),
            preferred_name: None,
            birth_date,
            email: optional(&get("email")),
            phone: optional(&get("phone")),
            postal_code: optional(&get("postal_code")),
            gender: None,
            race_ethnicity: None,
            priority_populations: populations,
            guardian_name: optional(&get("guardian_name")),
            external_id: Some(external_id),
        };
        match registration::check(&input) {
            Ok(_) => rows.push((line, input)),
            Err(Error::BadUserInput { field, message }) => bad(&column_of(&field), &message),
            Err(other) => bad("-", &other.message()),
        }
    }
    (rows, lines, errors)
}

/// Imports a file for organization `org_slug`.
pub async fn run(
    db: &DatabaseConnection,
    secret: &[u8],
    org_slug: &str,
    kind: ImportKind,
    data: impl Read,
    dry_run: bool,
    progress: bool,
) -> Result<ImportSummary> {
    let org = crate::organizations::by_slug(db, org_slug)
        .await?
        .ok_or_else(|| Error::bad_input("org", "no organization has this slug"))?;
    let ImportKind::Participants = kind;
    let (rows, lines, errors) = parse_participants(data);
    let mut summary = ImportSummary {
        lines,
        errors,
        ..Default::default()
    };
    if !summary.errors.is_empty() {
        return Ok(summary);
    }
    let known: HashSet<String> = participant_link::Entity::find()
        .filter(participant_link::Column::OrgId.eq(org.id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.external_id)
        .collect();
    let viewer = Viewer {
        subject: format!("import@{org_slug}"),
        org_id: org.id,
        org_slug: org.slug.clone(),
        roles: vec![Role::Staff],
    };
    let actor = Actor {
        subject: viewer.subject.clone(),
        org_id: Some(org.id),
        request_id: uuid::Uuid::new_v4().to_string(),
    };
    let bar = if progress {
        ProgressBar::new(rows.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("import [{bar:40}] {pos}/{len} lines ({per_sec})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let txn = crate::db::begin_write(db).await?;
    for (line, input) in rows {
        if input
            .external_id
            .as_ref()
            .is_some_and(|e| known.contains(e))
        {
            summary.unchanged += 1;
        } else if let Err(err) = registration::create(&txn, &viewer, &actor, secret, input).await {
            // A database-level refusal (e.g. the person is already known to
            // this organization under another id): report, write nothing.
            summary.errors.push(LineError {
                line,
                column: "-".into(),
                message: err.message(),
            });
        } else {
            summary.inserted += 1;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    if dry_run || !summary.errors.is_empty() {
        txn.rollback().await?;
        if !summary.errors.is_empty() {
            summary.inserted = 0;
        }
    } else {
        txn.commit().await?;
    }
    Ok(summary)
}
