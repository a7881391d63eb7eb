//! `pathways-hub bench …`: runs a benchmark from its arguments and prints
//! its figures (the benchmarks themselves are in `cli::bench`).

use std::path::{Path, PathBuf};

use figment::Figment;

use super::{BenchCommand, Failure, load};
use crate::auth::{Role, TokenVerifier};
use crate::ground::config::Config;

/// The id of organization `org` and an hour-long token of its staff, for
/// the benchmarks that act as a partner.
async fn partner_staff(
    db: &sea_orm::DatabaseConnection,
    config: &Config,
    org: &str,
) -> Result<(uuid::Uuid, String), Failure> {
    let found = crate::directory::organizations::by_slug(db, org)
        .await
        .map_err(|e| Failure(e.message()))?
        .ok_or_else(|| {
            Failure(format!(
                "no organization `{org}` in the configured database"
            ))
        })?;
    let verifier = TokenVerifier::from_config(&config.auth)?;
    let token = verifier
        .mint(
            &format!("staff@{org}"),
            org,
            &["staff".to_owned()],
            Some(3600),
        )
        .map_err(|e| Failure(e.message()))?;
    Ok((found.id, token))
}

/// A self-contained benchmark's failure, with its detail: the operator
/// runs it on their own machine (the API never shows these details).
fn bench_failure(err: crate::ground::error::Error) -> Failure {
    match err {
        crate::ground::error::Error::Internal(detail)
        | crate::ground::error::Error::DatabaseUnavailable(detail) => Failure(detail),
        other => Failure(other.message()),
    }
}

pub(super) async fn bench(file: Option<&Path>, which: BenchCommand) -> Result<(), Failure> {
    if let BenchCommand::Fanout {
        partners,
        clients,
        seconds,
        delay_ms,
        participants,
        postgres,
    } = which
    {
        // Self-contained: its own partners, hub and temporary database;
        // the configured database is not opened.
        let args = crate::cli::bench::FanoutArgs {
            partners,
            clients,
            seconds,
            delay_ms,
            participants: usize::from(participants),
            postgres,
        };
        return crate::cli::bench::fanout(args)
            .await
            .map(|_| ())
            .map_err(bench_failure);
    }
    if let BenchCommand::Gateway {
        clients,
        seconds,
        router,
        script,
        hive_router,
        url,
        org,
        postgres,
    } = which
    {
        let running = match url {
            None => None,
            Some(url) => {
                let config = load(file, Figment::new())?;
                let verifier = TokenVerifier::from_config(&config.auth)?;
                let tokens = (0..clients.max(1))
                    .map(|n| {
                        let subject = format!("staff{n}@{org}");
                        verifier.mint(&subject, &org, &["staff".to_owned()], Some(3600))
                    })
                    .collect::<crate::ground::error::Result<Vec<_>>>()
                    .map_err(|e| Failure(e.message()))?;
                Some(crate::cli::bench::RunningHub {
                    url: format!("{}/graphql", url.trim_end_matches('/')),
                    tokens,
                })
            }
        };
        let args = crate::cli::bench::GatewayArgs {
            clients,
            seconds,
            router,
            script: script.unwrap_or_else(|| PathBuf::from(router.script())),
            hive_router,
            participants: 200,
            postgres,
            running,
        };
        return crate::cli::bench::gateway(args)
            .await
            .map(|_| ())
            .map_err(bench_failure);
    }
    let config = load(file, Figment::new())?;
    let db = crate::ground::db::connect(&config).await?;
    crate::ground::db::migrate(&db).await?;
    match which {
        BenchCommand::Fanout { .. } | BenchCommand::Gateway { .. } => Ok(()),
        BenchCommand::Seed { participants, seed } => {
            let started = std::time::Instant::now();
            let summary =
                crate::cli::bench::synth_seed(&db, config.match_key_secret(), participants, seed)
                    .await
                    .map_err(|e| Failure(e.message()))?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{{\"bench\":\"seed\",\"participants\":{},\"hour_logs\":{},\"rows\":{},\"seconds\":{secs:.1}}}",
                summary.participants, summary.hour_logs, summary.rows
            );
            Ok(())
        }
        BenchCommand::Graph {
            url,
            clients,
            seconds,
            org,
            shape,
        } => {
            let (viewer_org, token) = partner_staff(&db, &config, &org).await?;
            let args = crate::cli::bench::GraphArgs {
                url,
                clients,
                seconds,
                token,
                viewer_org,
                db,
                shape,
            };
            crate::cli::bench::graph(args)
                .await
                .map(|_| ())
                .map_err(|e| Failure(e.message()))
        }
        BenchCommand::Load {
            url,
            clients,
            seconds,
            org,
            pid,
        } => {
            let (viewer_org, staff) = partner_staff(&db, &config, &org).await?;
            let admin = TokenVerifier::from_config(&config.auth)?
                .mint(
                    &format!("admin@{org}"),
                    &org,
                    &["staff".to_owned(), "org_admin".to_owned()],
                    Some(3600),
                )
                .map_err(|e| Failure(e.message()))?;
            let args = crate::cli::bench::LoadArgs {
                urls: url,
                clients,
                seconds,
                staff,
                admin,
                org: viewer_org,
                db,
                pids: pid,
            };
            crate::cli::bench::load(args)
                .await
                .map(|_| ())
                .map_err(|e| Failure(e.message()))
        }
        BenchCommand::Report {
            runs,
            evaluator,
            org,
        } => {
            let replicas = crate::ground::replicas::Reads::connect_replicas(&config).await?;
            let reads = crate::ground::replicas::Reads::new(
                db.clone(),
                replicas,
                std::time::Duration::from_millis(config.replica_max_wait_ms),
                &std::sync::Arc::default(),
            );
            let args = crate::cli::bench::ReportArgs {
                db,
                reads,
                runs,
                viewers: vec![(evaluator, Role::Evaluator), (org, Role::OrgAdmin)],
                threshold: config.reports.suppression_threshold,
            };
            crate::cli::bench::report_with(args, &config.reports)
                .await
                .map(|_| ())
                .map_err(|e| Failure(e.message()))
        }
        BenchCommand::Writes {
            url,
            clients,
            seconds,
            org,
        } => {
            let (viewer_org, token) = partner_staff(&db, &config, &org).await?;
            let args = crate::cli::bench::WritesArgs {
                url,
                clients,
                seconds,
                token,
                org: viewer_org,
                db,
            };
            crate::cli::bench::writes(args)
                .await
                .map(|_| ())
                .map_err(|e| Failure(e.message()))
        }
    }
}
