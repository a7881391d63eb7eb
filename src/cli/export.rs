//! `pathways-hub export rapids --org SLUG [--out FILE]`.

use std::path::Path;

use figment::Figment;

use super::{ExportCommand, Failure, load};
use crate::auth::{Role, Viewer};
use crate::records::rapids;

/// Runs an export.
pub(super) async fn run(file: Option<&Path>, which: ExportCommand) -> Result<(), Failure> {
    let ExportCommand::Rapids { org, out } = which;
    let config = load(file, Figment::new())?;
    let db = crate::ground::db::connect(&config).await?;
    crate::ground::db::migrate(&db).await?;
    let org = crate::directory::organizations::by_slug(&db, &org)
        .await
        .map_err(|e| Failure(e.message()))?
        .ok_or_else(|| Failure(format!("no organization has the slug {org:?}")))?;
    // The file is what the organization's staff may read, exported under
    // a subject that says where it went.
    let viewer = Viewer {
        subject: format!("export@{}", org.slug),
        org_id: org.id,
        org_slug: org.slug.clone(),
        roles: vec![Role::Staff],
        participant_id: None,
        reach: None,
    };
    let scopes = crate::policy::Scopes::new(&viewer, chrono::Utc::now().date_naive());
    // The read may go to a replica that has caught up (`database_read_urls`).
    let replicas = crate::ground::replicas::Reads::connect_replicas(&config).await?;
    let counter = std::sync::Arc::default();
    let reads = crate::ground::replicas::Reads::new(
        db.clone(),
        replicas,
        std::time::Duration::from_millis(config.replica_max_wait_ms),
        &counter,
    );
    let reader = reads.reader().await?;
    let apprentices = rapids::apprentices(&reader, &scopes)
        .await
        .map_err(|e| Failure(e.message()))?;
    let lines = match rapids::lines(&apprentices) {
        Ok(lines) => lines,
        Err(errors) => {
            for error in &errors {
                eprintln!(
                    "line {}, column {}: required, and the hub holds no value",
                    error.line, error.column
                );
            }
            return Err(Failure(format!(
                "{} missing value(s) in {} apprentice line(s); nothing was written",
                errors.len(),
                apprentices.len()
            )));
        }
    };
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(rapids::header())?;
    for line in &lines {
        csv.write_record(line)?;
    }
    let bytes = csv.into_inner().map_err(|e| Failure(e.to_string()))?;
    let actor = crate::audit::Actor::of(&viewer, &uuid::Uuid::new_v4().to_string());
    rapids::audit_export(&db, &actor, &apprentices)
        .await
        .map_err(|e| Failure(e.message()))?;
    let left = rapids::LAYOUT
        .iter()
        .filter(|c| c.required && matches!(c.source, rapids::Source::Sponsor))
        .count();
    match out {
        Some(path) => {
            std::fs::write(&path, bytes)?;
            println!(
                "{} apprentice line(s) written to {}; {left} required column(s) are left for the sponsor to complete before upload",
                lines.len(),
                path.display()
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(())
}
