//! Participants files: people, through the same identity resolution as
//! `createParticipant` (a person another partner knows joins their hub id).

use std::collections::HashSet;
use std::io::Read;

use entity::enums::PriorityPopulation;
use entity::participant_link;
use indicatif::ProgressBar;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait};

use super::{ImportSummary, LineError, Sheet, date};
use crate::audit::Actor;
use crate::auth::Viewer;
use crate::ground::error::{Error, Result};
use crate::people::registration::{self, CreateParticipantInput};

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

/// Parses and checks every line; returns the inputs and the errors.
pub(super) fn parse(sheet: &Sheet) -> (Vec<(usize, CreateParticipantInput)>, Vec<LineError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut bad = Vec::new();
    let mut seen = HashSet::new();
    for line in sheet.lines(&mut bad) {
        let external_id = line.get("external_id");
        if external_id.is_empty() {
            errors.push(line.error("external_id", "must not be empty"));
            continue;
        }
        if !seen.insert(external_id.to_owned()) {
            errors.push(line.error("external_id", "appears twice in the file"));
            continue;
        }
        let birth_date = match date(&line, "birth_date") {
            Ok(d) => d,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut populations = Vec::new();
        let mut populations_ok = true;
        for p in line
            .get("priority_populations")
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
            errors.push(line.error(
                "priority_populations",
                "has an unknown value (FOSTER_YOUTH; JUSTICE_INVOLVED; UNHOUSED; …)",
            ));
            continue;
        }
        let input = CreateParticipantInput {
            given_name: line.get("given_name").to_owned(),
            family_name: line.get("family_name").to_owned(),
            preferred_name: None,
            birth_date,
            email: line.optional("email").map(str::to_owned),
            phone: line.optional("phone").map(str::to_owned),
            postal_code: line.optional("postal_code").map(str::to_owned),
            gender: None,
            race_ethnicity: None,
            priority_populations: populations,
            guardian_name: line.optional("guardian_name").map(str::to_owned),
            external_id: Some(external_id.to_owned()),
        };
        match registration::check(&input) {
            Ok(_) => rows.push((line.number, input)),
            Err(Error::BadUserInput { field, message }) => {
                errors.push(line.error(&column_of(&field), message))
            }
            Err(other) => errors.push(line.error("-", other.message())),
        }
    }
    errors.extend(bad);
    errors.sort_by_key(|e| e.line);
    (rows, errors)
}

/// Imports a participants file for the viewer's organization.
pub(super) async fn import(
    db: &DatabaseConnection,
    secret: &[u8],
    viewer: &Viewer,
    actor: &Actor,
    data: impl Read,
    dry_run: bool,
    bar: &ProgressBar,
) -> Result<ImportSummary> {
    let sheet = match Sheet::read(
        data,
        &["external_id", "given_name", "family_name", "birth_date"],
        PARTICIPANT_COLUMNS,
    ) {
        Ok(sheet) => sheet,
        Err(errors) => {
            return Ok(ImportSummary {
                errors,
                ..Default::default()
            });
        }
    };
    let (rows, errors) = parse(&sheet);
    let mut summary = ImportSummary {
        lines: sheet.len(),
        errors,
        ..Default::default()
    };
    if !summary.errors.is_empty() {
        return Ok(summary);
    }
    let known: HashSet<String> = participant_link::Entity::find()
        .filter(participant_link::Column::OrgId.eq(viewer.org_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.external_id)
        .collect();
    bar.set_length(rows.len() as u64);
    let txn = crate::ground::db::begin_write(db).await?;
    let (old, new): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, input)| {
        input
            .external_id
            .as_ref()
            .is_some_and(|e| known.contains(e))
    });
    summary.unchanged = old.len();
    bar.inc(old.len() as u64);
    // Set-based first, in a savepoint; should the database refuse a row no
    // check foresaw, line by line again for that line's own message.
    let bulk = txn.begin().await?;
    match crate::people::bulk::create_many(&bulk, viewer, actor, secret, new.clone()).await {
        Ok(errors) => {
            bulk.commit().await?;
            summary.inserted = new.len() - errors.len();
            summary
                .errors
                .extend(errors.into_iter().map(|(line, err)| LineError {
                    line,
                    column: "-".into(),
                    message: err.message(),
                }));
            bar.inc(new.len() as u64);
        }
        Err(_) => {
            bulk.rollback().await?;
            for (line, input) in new {
                if let Err(err) = registration::create(&txn, viewer, actor, secret, input).await {
                    // A database-level refusal (e.g. the person is already
                    // known to this organization under another id):
                    // report, write nothing.
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
        }
    }
    summary.errors.sort_by_key(|e| e.line);
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
