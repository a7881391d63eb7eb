//! The `pathways-hub` command line (DESIGN.md section 9).

mod args;
mod audit;
mod banner;
pub mod bench;
mod bench_command;
mod export;
mod retention;
pub mod seed;

pub use args::{BenchCommand, Cli, Command, ExportCommand};

use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use figment::Figment;

use crate::auth::{Role, TokenVerifier};
use crate::ground::config::{Config, DEFAULT_CONFIG_FILE, LogFormat, demo_config_toml};
use crate::web::AppState;

/// A failure of a command, printed as one line.
pub(crate) struct Failure(pub(crate) String);

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

pub(crate) fn load(file: Option<&Path>, overrides: Figment) -> Result<Config, Failure> {
    let figment = Config::figment(file).merge(overrides);
    Ok(Config::from_figment(figment)?)
}

/// The exporter of traces, kept to flush it when `serve` stops.
static TRACES: std::sync::OnceLock<opentelemetry_sdk::trace::SdkTracerProvider> =
    std::sync::OnceLock::new();

/// Log lines on standard error and, with `[telemetry] otlp_endpoint`,
/// spans exported over OTLP/HTTP (JSON), continuing a caller's W3C
/// `traceparent`.
fn init_tracing(format: LogFormat, telemetry: &crate::ground::config::TelemetryConfig) {
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_env("PATHWAYS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let lines = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let lines = match format {
        LogFormat::Json => lines.json().boxed(),
        LogFormat::Text => lines.boxed(),
    };
    let traces = telemetry.otlp_endpoint.as_deref().and_then(|url| {
        use opentelemetry::trace::TracerProvider as _;
        use opentelemetry_otlp::{Protocol, WithExportConfig};
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpJson)
            .with_endpoint(url)
            .build();
        let exporter = match exporter {
            Ok(exporter) => exporter,
            Err(err) => {
                eprintln!("warning: traces are not exported: {err}");
                return None;
            }
        };
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(
                opentelemetry_sdk::Resource::builder()
                    .with_service_name(telemetry.service_name.clone())
                    .build(),
            )
            .build();
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        opentelemetry::global::set_tracer_provider(provider.clone());
        let tracer = provider.tracer("pathways-hub");
        let _ = TRACES.set(provider);
        crate::ground::telemetry::enable();
        Some(tracing_opentelemetry::layer().with_tracer(tracer))
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(lines)
        .with(traces)
        .try_init();
}

/// Sends the spans still waiting (when `serve` stops).
async fn flush_traces() {
    if let Some(provider) = TRACES.get().cloned() {
        let _ = tokio::task::spawn_blocking(move || provider.shutdown()).await;
    }
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
            // Without an organization: a youth's own token, no roles.
            let roles = if org.is_some() { roles } else { Vec::new() };
            let token = verifier
                .mint(&sub, org.as_deref().unwrap_or_default(), &roles, ttl)
                .map_err(|e| Failure(e.message()))?;
            println!("{token}");
            Ok(())
        }
        Command::Bench { which } => bench_command::bench(file, which).await,
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
                participant_id: None,
                reach: None,
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
        Command::Retention { action } => retention::run(file, action).await,
        Command::Export { which } => export::run(file, which).await,
        Command::Audit { action } => audit::run(file, action).await,
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
    init_tracing(config.log_format, &config.telemetry);
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
    flush_traces().await;
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
