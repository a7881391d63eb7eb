//! `pathways-hub audit verify [--expect-head SEQ:HASH] | seal | head`.

use std::path::Path;

use figment::Figment;

use super::args::AuditCommand;
use super::{Failure, load};
use crate::audit::chain;

pub(super) async fn run(file: Option<&Path>, action: AuditCommand) -> Result<(), Failure> {
    let config = load(file, Figment::new())?;
    let db = crate::ground::db::connect(&config).await?;
    crate::ground::db::migrate(&db).await?;
    let failed = |e: crate::ground::error::Error| Failure(e.message());
    match action {
        AuditCommand::Seal => {
            let n = chain::seal(&db).await.map_err(failed)?;
            let (seq, hash) = chain::head(&db).await.map_err(failed)?;
            println!("sealed {n} events; head {seq}:{hash}");
        }
        AuditCommand::Head => {
            let (seq, hash) = chain::head(&db).await.map_err(failed)?;
            println!("{seq}:{hash}");
        }
        AuditCommand::Verify { expect_head } => {
            let expect = match expect_head.as_deref() {
                None => None,
                Some(text) => Some(
                    text.split_once(':')
                        .and_then(|(seq, hash)| Some((seq.parse::<i64>().ok()?, hash.to_owned())))
                        .ok_or_else(|| {
                            Failure(
                                "--expect-head must be SEQ:HASH (as `audit head` prints)".into(),
                            )
                        })?,
                ),
            };
            let verdict = chain::verify(&db, expect, config.audit.unsealed_alert())
                .await
                .map_err(failed)?;
            let (seq, hash) = &verdict.head;
            if verdict.problems.is_empty() {
                println!(
                    "audit log verifies: {} sealed events, head {seq}:{hash}; {} not sealed yet",
                    verdict.sealed, verdict.unsealed
                );
            } else {
                for problem in &verdict.problems {
                    println!("{problem}");
                }
                return Err(Failure(format!(
                    "audit log does not verify: {} problem(s) in {} sealed events; the first: {}",
                    verdict.problems.len(),
                    verdict.sealed,
                    verdict.problems[0]
                )));
            }
        }
    }
    Ok(())
}
