//! `pathways-hub retention run [--apply] [--on DATE] [--batch N]`.

use std::path::Path;

use figment::Figment;

use super::args::RetentionCommand;
use super::{Failure, load};
use crate::audit::Actor;
use crate::records::retention;

pub(super) async fn run(file: Option<&Path>, action: RetentionCommand) -> Result<(), Failure> {
    let RetentionCommand::Run { apply, on, batch } = action;
    let config = load(file, Figment::new())?;
    let db = crate::ground::db::connect(&config).await?;
    crate::ground::db::migrate(&db).await?;
    let on = on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let plan = retention::plan(&db, &config.retention, on)
        .await
        .map_err(|e| Failure(e.message()))?;
    let summary = plan.summary();
    let orgs: std::collections::HashMap<_, _> = crate::directory::organizations::list(&db)
        .await
        .map_err(|e| Failure(e.message()))?
        .into_iter()
        .map(|o| (o.id, o.slug))
        .collect();
    println!(
        "{:<28} {:<18} {:<16} {:>6}",
        "ORGANIZATION", "CATEGORY", "REASON", "ROWS"
    );
    for ((org, category, reason), rows) in &summary {
        let slug = orgs.get(org).map_or("?", String::as_str);
        println!(
            "{slug:<28} {:<18} {:<16} {rows:>6}",
            category.as_str(),
            reason.as_str()
        );
    }
    let deletions = plan.deletions.len();
    let orders: usize = plan
        .destructions
        .iter()
        .map(|(_, _, rows)| rows.len())
        .sum();
    if !apply {
        println!(
            "dry run on {on}: nothing changed; --apply deletes {deletions} rows and orders {orders} destructions"
        );
        return Ok(());
    }
    let (deleted, ordered) = retention::apply(&db, &Actor::system("retention"), &plan, batch)
        .await
        .map_err(|e| Failure(e.message()))?;
    println!("applied on {on}: deleted {deleted} rows, ordered {ordered} destructions");
    Ok(())
}
