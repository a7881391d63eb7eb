//! The `pathways-hub` command line (DESIGN.md section 9).

mod banner;
pub mod bench;
pub mod seed;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use figment::Figment;

use crate::auth::{Role, TokenVerifier};
use crate::ground::config::{Config, DEFAULT_CONFIG_FILE, LogFormat, demo_config_toml};
use crate::web::AppState;

/// Pathways Hub: one GraphQL API for LA County's career-pathway partners.
#[derive(Debug, Parser)]
#[command(name = "pathways-hub", version, about)]
pub struct Cli {
    /// Configuration file (default: ./pathways-hub.toml when it exists).
    #[arg(long, global = true, env = "PATHWAYS_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the HTTP server.
    Serve {
        /// Create, migrate and seed a demo SQLite database on first start and
        /// print ready-to-paste demo tokens.
        #[arg(long)]
        demo: bool,
        /// Address to listen on, overriding the configuration (port 0 picks one).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Applies pending database migrations.
    Migrate,
    /// Loads seed data (only the demo data set exists: `--demo`).
    Seed {
        /// The five programs of the demo, with about 80 youth.
        #[arg(long)]
        demo: bool,
    },
    /// Mints an HS256 token with the configured secret (local use).
    Token {
        /// Subject (`sub`), e.g. staff@wlcac.
        #[arg(long)]
        sub: String,
        /// Organization slug (`org`), e.g. wlcac.
        #[arg(long)]
        org: String,
        /// Comma-separated roles: staff, org_admin, hub_admin, evaluator.
        #[arg(long, value_delimiter = ',', default_value = "staff")]
        roles: Vec<String>,
        /// Lifetime in seconds (default: `auth.token_ttl_secs`).
        #[arg(long)]
        ttl: Option<u64>,
    },
    /// Imports a partner's CSV file for an organization: every line is
    /// checked first; if any is bad, errors are listed by line and column
    /// and nothing is written. Re-running skips external ids already known.
    Import {
        /// The organization whose records the file holds.
        #[arg(long)]
        org: String,
        #[arg(long, value_enum)]
        kind: crate::import::ImportKind,
        /// The CSV file (header line first).
        file: PathBuf,
        /// Check and count, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Copies a configured partner's records into the hub's tables for
    /// reporting (idempotent: a second run changes nothing).
    Sync {
        /// The partner's configured `name`.
        #[arg(long)]
        partner: String,
    },
    /// Benchmarks: a synthetic dataset, and load against a running hub.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
    /// Prints the GraphQL schema (SDL), or writes it to `--out`.
    ExportSchema {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Fills the configured database (the demo data, then N synthetic
    /// participants with enrollments, ~10 hour logs each, mentorships and
    /// consents). Reproducible for a seed; use a fresh database.
    Seed {
        #[arg(long)]
        participants: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Runs the case-manager query (50 participants with enrollments, hours
    /// and mentorships) against a running hub, and the same pages with
    /// hand-written SQL (the floor) on the configured database.
    Graph {
        /// The hub's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// The partner whose staff asks.
        #[arg(long, default_value = "alliance-arts2work")]
        org: String,
    },
    /// A mixed load (80 % reads, 15 % writes, 5 % reports) from C clients
    /// against one or more running hubs on the configured database; checks
    /// that no update was lost.
    Load {
        /// The hubs' base URLs, comma-separated (requests alternate).
        #[arg(long, default_value = "http://127.0.0.1:8080", value_delimiter = ',')]
        url: Vec<String>,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value = "alliance-arts2work")]
        org: String,
        /// Hub process ids whose peak RSS to report, comma-separated.
        #[arg(long, value_delimiter = ',')]
        pid: Vec<u32>,
    },
    /// Times the full report (every metric, grouped by program and
    /// quarter) on the configured database, as an evaluator and as an
    /// org_admin (after `bench seed`).
    Report {
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// The evaluator's organization.
        #[arg(long, default_value = "harder-co")]
        evaluator: String,
        /// The org_admin's organization.
        #[arg(long, default_value = "alliance-arts2work")]
        org: String,
    },
    /// Partner fan-out: an in-process hub (temporary SQLite database) in
    /// front of 1, 3 and 6 local partners answering after a fixed delay;
    /// prints the hub's latency and its overhead over the slowest partner.
    Fanout {
        /// Partner counts, comma-separated (0: the page without partners).
        #[arg(long, value_delimiter = ',', default_value = "1,3,6")]
        partners: Vec<usize>,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Each partner's answer delay in milliseconds.
        #[arg(long, default_value_t = 50)]
        delay_ms: u64,
        /// Participants on the page (each known to every partner), 1–50:
        /// 50 is a case manager's list, 1 a participant's own page.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..=50))]
        participants: u16,
        /// A PostgreSQL server (URL without a database) to create a
        /// temporary database on; SQLite otherwise.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// The hub as a federation subgraph behind a real gateway from npm
    /// (`tests/federation-js/serve.mjs`: Apollo Server + Apollo Gateway,
    /// needs `node` and `npm ci` there): an in-process hub on a temporary
    /// SQLite database, measured directly, through the gateway, and with
    /// the gateway resolving participants through `_entities`.
    Gateway {
        #[arg(long, default_value_t = 50)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// The gateway script.
        #[arg(long, default_value = "tests/federation-js/serve.mjs")]
        script: PathBuf,
        /// A PostgreSQL server (URL without a database) to create a
        /// temporary database on; SQLite otherwise.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Sends `logHours` from C concurrent clients to a running hub, on the
    /// partner's ACTIVE enrollments (after `bench seed`).
    Writes {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value = "alliance-arts2work")]
        org: String,
    },
}

/// A failure of a command, printed as one line.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(err: E) -> Self {
        Failure(err.to_string())
    }
}

/// Parses the command line and runs it; the exit code is 0 on success.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn load(file: Option<&Path>, overrides: Figment) -> Result<Config, Failure> {
    let figment = Config::figment(file).merge(overrides);
    Ok(Config::from_figment(figment)?)
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PATHWAYS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn run(cli: Cli) -> Result<(), Failure> {
    crate::init_crypto();
    let file = cli.config.as_deref();
    match cli.command {
        Command::Serve { demo, listen } => serve(file, demo, listen).await,
        Command::Migrate => {
            let config = load(file, Figment::new())?;
            let db = crate::ground::db::connect(&config).await?;
            crate::ground::db::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed { demo } => {
            if !demo {
                return Err(Failure(
                    "only the demo data set exists: use `seed --demo`".into(),
                ));
            }
            let config = load(file, Figment::new())?;
            let db = crate::ground::db::connect(&config).await?;
            crate::ground::db::migrate(&db).await?;
            let summary = crate::cli::seed::seed_demo(&db, config.match_key_secret()).await?;
            println!(
                "demo data: {} organizations, {} participants, {} rows inserted",
                summary.organizations, summary.participants, summary.rows
            );
            Ok(())
        }
        Command::Token {
            sub,
            org,
            roles,
            ttl,
        } => {
            let config = load(file, Figment::new())?;
            if let Some(bad) = roles.iter().find(|r| Role::from_claim(r).is_none()) {
                return Err(Failure(format!(
                    "unknown role `{bad}` (staff, org_admin, hub_admin, evaluator)"
                )));
            }
            let verifier = TokenVerifier::from_config(&config.auth)?;
            let token = verifier
                .mint(&sub, &org, &roles, ttl)
                .map_err(|e| Failure(e.message()))?;
            println!("{token}");
            Ok(())
        }
        Command::Bench { which } => bench(file, which).await,
        Command::Import {
            org,
            kind,
            file: csv,
            dry_run,
        } => {
            let config = load(file, Figment::new())?;
            let db = crate::ground::db::connect(&config).await?;
            crate::ground::db::migrate(&db).await?;
            let data = std::fs::File::open(&csv)
                .map_err(|e| Failure(format!("cannot read {}: {e}", csv.display())))?;
            let org = crate::directory::organizations::by_slug(&db, &org)
                .await
                .map_err(|e| Failure(e.message()))?
                .ok_or_else(|| Failure(format!("no organization has the slug {org:?}")))?;
            // The file is the organization's staff's work, imported under a
            // subject that says where it came from.
            let viewer = crate::auth::Viewer {
                subject: format!("import@{}", org.slug),
                org_id: org.id,
                org_slug: org.slug.clone(),
                roles: vec![Role::Staff],
            };
            let actor = crate::audit::Actor::of(&viewer, &uuid::Uuid::new_v4().to_string());
            let started = std::time::Instant::now();
            let summary = crate::import::run(
                &db,
                config.match_key_secret(),
                &viewer,
                &actor,
                kind,
                std::io::BufReader::new(data),
                dry_run,
                true,
            )
            .await
            .map_err(|e| Failure(e.message()))?;
            for error in &summary.errors {
                eprintln!(
                    "line {}, column {}: {}",
                    error.line, error.column, error.message
                );
            }
            if !summary.errors.is_empty() {
                return Err(Failure(format!(
                    "{} bad line(s) in {} lines; nothing was written",
                    summary.errors.len(),
                    summary.lines
                )));
            }
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{}{} lines: {} inserted, {} unchanged ({:.0} lines/s)",
                if dry_run { "dry run, " } else { "" },
                summary.lines,
                summary.inserted,
                summary.unchanged,
                summary.lines as f64 / secs.max(0.001)
            );
            Ok(())
        }
        Command::Sync { partner } => {
            crate::init_crypto();
            let config = load(file, Figment::new())?;
            let db = crate::ground::db::connect(&config).await?;
            crate::ground::db::migrate(&db).await?;
            let partners = crate::adapters::Partners::from_config(&config.partners)?;
            let found = partners.by_name(&partner).ok_or_else(|| {
                Failure(crate::adapters::sync::unknown_partner(&partner).message())
            })?;
            let started = std::time::Instant::now();
            let summary = crate::adapters::sync::run(&db, found, true)
                .await
                .map_err(|e| Failure(e.message()))?;
            println!(
                "{partner}: {summary} ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::ExportSchema { out } => {
            let sdl = crate::graphql::sdl();
            match out {
                Some(path) => std::fs::write(&path, sdl)?,
                None => print!("{sdl}"),
            }
            Ok(())
        }
    }
}

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
        crate::ground::error::Error::Internal(detail) => Failure(detail),
        other => Failure(other.message()),
    }
}

async fn bench(file: Option<&Path>, which: BenchCommand) -> Result<(), Failure> {
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
        script,
        postgres,
    } = which
    {
        let args = crate::cli::bench::GatewayArgs {
            clients,
            seconds,
            script,
            participants: 200,
            postgres,
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
        } => {
            let (viewer_org, token) = partner_staff(&db, &config, &org).await?;
            let args = crate::cli::bench::GraphArgs {
                url,
                clients,
                seconds,
                token,
                viewer_org,
                db,
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
            let args = crate::cli::bench::ReportArgs {
                db,
                runs,
                viewers: vec![(evaluator, Role::Evaluator), (org, Role::OrgAdmin)],
                threshold: config.reports.suppression_threshold,
            };
            crate::cli::bench::report(args)
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

async fn serve(file: Option<&Path>, demo: bool, listen: Option<String>) -> Result<(), Failure> {
    if demo && file.is_none() && !Path::new(DEFAULT_CONFIG_FILE).exists() {
        std::fs::write(DEFAULT_CONFIG_FILE, demo_config_toml())?;
        println!("Wrote {DEFAULT_CONFIG_FILE} with fresh local secrets (demo mode).");
    }
    let mut overrides = Figment::new();
    if demo {
        overrides = overrides.merge(("demo", true));
    }
    if let Some(listen) = listen {
        overrides = overrides.merge(("listen", listen));
    }
    let config = load(file, overrides)?;
    init_logging(config.log_format);
    let db = crate::ground::db::connect(&config).await?;
    if config.auto_migrate || config.demo {
        crate::ground::db::migrate(&db).await?;
    }
    if config.demo {
        crate::cli::seed::seed_demo(&db, config.match_key_secret()).await?;
    }
    let listener = tokio::net::TcpListener::bind(config.listen_addr()?).await?;
    let addr = listener.local_addr()?;
    let state = AppState::connect(config, db).await?;
    // A partner's records are owned by a hub organization: it must exist.
    for (i, partner) in state.partners.all().iter().enumerate() {
        if partner.org_id(&state.db).await.is_err() {
            return Err(Failure(format!(
                "invalid configuration: `partners[{i}].org` names no organization ({})",
                partner.org_slug()
            )));
        }
    }
    state.verifier.warm_up().await;
    banner::print(&state, addr)?;
    tracing::info!(%addr, "listening");
    crate::web::serve(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM (what a container runtime or systemd sends).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
