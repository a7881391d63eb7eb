//! `bench gateway`: the hub as an Apollo Federation subgraph behind a real
//! router, next to a small "county" subgraph that refers to hub
//! participants. The router is Apollo Server 5 + Apollo Gateway 2 from npm
//! (`--router apollo`, `tests/federation-js/serve.mjs`) or Hive Router, the
//! Rust router from crates.io (`--router hive`, `tests/federation-js/hive.mjs`).
//! An in-process hub on a temporary database; C clients run, one phase
//! after the other:
//!
//! - `hub`: a 20-participant page sent to the hub directly (the baseline);
//! - `router`: the same page through the router (one hub call each);
//! - `entities`: the county's 20 referrals with their participants, which
//!   the router resolves through the hub's `_entities` (a county call,
//!   then one batched hub call).
//!
//! Each client sends as its own viewer (its own token): routers
//! deduplicate identical in-flight requests, and with one token for every
//! client 16 clients through Hive Router shared subgraph calls and
//! measured the deduplication, not the router.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use serde_json::{Value, json};
use uuid::Uuid;

use super::graph::load_by_client;
use super::percentile;
use super::temp_hub::TempHub;
use crate::ground::error::{Error, Result};

/// Which router stands in front of the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Router {
    /// Apollo Server 5 + Apollo Gateway 2 (node).
    Apollo,
    /// Hive Router (the `hive_router` binary of the crate `hive-router`).
    Hive,
}

impl Router {
    /// The script that serves it, in `tests/federation-js`.
    pub fn script(self) -> &'static str {
        match self {
            Router::Apollo => "tests/federation-js/serve.mjs",
            Router::Hive => "tests/federation-js/hive.mjs",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Router::Apollo => "Apollo Server 5 + Apollo Gateway 2 (node)",
            Router::Hive => "Hive Router (Rust)",
        }
    }
}

/// What `bench gateway` needs.
pub struct GatewayArgs {
    pub clients: usize,
    pub seconds: u64,
    pub router: Router,
    /// The script serving the router (see [`Router::script`]), run by `node`.
    pub script: PathBuf,
    /// Hive Router's binary (`--router hive`).
    pub hive_router: Option<PathBuf>,
    /// Participants in the hub, on the page and among the referrals.
    pub participants: usize,
    /// A PostgreSQL server to create the hub's database on (SQLite
    /// otherwise), e.g. `postgres://postgres@127.0.0.1:5432`.
    pub postgres: Option<String>,
    /// A running hub to measure instead of a temporary one: the case
    /// manager's page on its data (`bench seed`).
    pub running: Option<RunningHub>,
}

/// A running hub and one staff token per client, of one organization.
pub struct RunningHub {
    /// Its GraphQL endpoint, e.g. `http://127.0.0.1:8080/graphql`.
    pub url: String,
    pub tokens: Vec<String>,
}

/// Hive Router's binary: `hive_router` on the PATH or in cargo's bin folder
/// (where `cargo install hive-router` puts it).
pub fn find_hive_router() -> Option<PathBuf> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin"));
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(cargo_bin)
        .map(|dir| dir.join("hive_router"))
        .find(|path| path.is_file())
}

const PAGE: &str =
    "query Page { participants(first: 20) { edges { node { id givenName familyName } } } }";
const REFERRALS: &str =
    "query Referrals { countyReferrals { id participant { id givenName familyName } } }";

/// The router's node process. Dropping it closes its standard input,
/// which stops a Hive Router it started, then ends it.
struct Gateway(Child);

impl Drop for Gateway {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        for _ in 0..50 {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How long the gateway may take to compose and listen.
const STARTUP: std::time::Duration = std::time::Duration::from_secs(60);

/// Starts `node script` and waits for the line with its URL.
async fn start_gateway(
    args: &GatewayArgs,
    hub_url: &str,
    token: &str,
    ids: &[Uuid],
) -> Result<(Gateway, String)> {
    let script = std::fs::canonicalize(&args.script)
        .map_err(|_| Error::Internal(format!("no router script at {}", args.script.display())))?;
    let dir = script
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    let hive = match args.router {
        Router::Apollo => None,
        Router::Hive => Some(
            args.hive_router
                .clone()
                .or_else(find_hive_router)
                .ok_or_else(|| {
                    Error::Internal(
                        "Hive Router is not installed: `cargo install hive-router --version 0.2.19 --locked --features graphiql`, or pass --hive-router".into(),
                    )
                })?,
        ),
    };
    if !dir.join("node_modules/@apollo/server").exists() {
        return Err(Error::Internal(format!(
            "the gateway's npm packages are missing: run `npm ci` in {}",
            dir.display()
        )));
    }
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let mut command = Command::new("node");
    command
        .arg(&script)
        .current_dir(&dir)
        .env("HUB_URL", hub_url)
        .env("HUB_TOKEN", token)
        .env("PARTICIPANT_IDS", ids.join(","))
        // No cloud metadata lookups from the npm packages' telemetry.
        .env("METADATA_SERVER_DETECTION", "none")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(hive) = hive {
        command.env("HIVE_ROUTER", hive);
    }
    let mut child = command
        .spawn()
        .map_err(|e| Error::Internal(format!("cannot run node: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::Internal("no gateway output".into()))?;
    let gateway = Gateway(child);
    // Read off the runtime's threads: the hub answering the gateway's
    // schema request runs on them meanwhile.
    let first_line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = match tokio::time::timeout(STARTUP, first_line).await {
        Ok(Ok(Ok(line))) => line,
        Ok(_) => {
            return Err(Error::Internal(
                "the gateway's output could not be read".into(),
            ));
        }
        // Dropping `gateway` stops the process, which ends the read.
        Err(_) => {
            return Err(Error::Internal(format!(
                "the gateway did not start within {} s",
                STARTUP.as_secs()
            )));
        }
    };
    let url = serde_json::from_str::<Value>(&line)
        .ok()
        .and_then(|v| v["url"].as_str().map(str::to_owned))
        .ok_or_else(|| {
            Error::Internal("the gateway did not start (see its output above)".into())
        })?;
    Ok((gateway, url))
}

/// One phase: C clients sending `query` to `url`, client i with
/// `tokens[i]`; a call counts as failed unless it answers without errors
/// and with `expected` participants.
async fn phase(
    name: &str,
    args: &GatewayArgs,
    url: &str,
    tokens: &Arc<Vec<String>>,
    query: &'static str,
    expected: usize,
) -> Value {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()
        .unwrap_or_default();
    let (url, tokens) = (url.to_owned(), tokens.clone());
    let reported = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let call = move |viewer: usize, _: Uuid| {
        let (client, url, tokens) = (client.clone(), url.clone(), tokens.clone());
        let reported = reported.clone();
        async move {
            let answer: Value = match client
                .post(&url)
                .bearer_auth(&tokens[viewer % tokens.len()])
                .json(&json!({ "query": query }))
                .send()
                .await
            {
                Ok(r) => r.json().await.unwrap_or_default(),
                Err(_) => Value::Null,
            };
            let people = match &answer["data"] {
                Value::Object(data) if data.contains_key("participants") => {
                    data["participants"]["edges"].as_array().map(|e| {
                        e.iter()
                            .filter(|e| e["node"]["givenName"].is_string())
                            .count()
                    })
                }
                Value::Object(data) => data["countyReferrals"].as_array().map(|r| {
                    r.iter()
                        .filter(|r| r["participant"]["givenName"].is_string())
                        .count()
                }),
                _ => None,
            };
            // A field refused by the policy (`FORBIDDEN`, null) is the
            // answer working, not a failure.
            let refusals_only = answer["errors"].as_array().is_none_or(|errors| {
                errors
                    .iter()
                    .all(|e| e["extensions"]["code"] == "FORBIDDEN")
            });
            let ok = refusals_only && people == Some(expected);
            if !ok && !reported.swap(true, std::sync::atomic::Ordering::Relaxed) {
                // The first failure's errors (synthetic data only).
                eprintln!(
                    "  first failure: {}",
                    answer.get("errors").unwrap_or(&answer)
                );
            }
            ok
        }
    };
    for _ in 0..20 {
        call(0, Uuid::nil()).await; // warm-up (the router plans the query once)
    }
    let (latencies, errors, elapsed) = load_by_client(args.clients, args.seconds, call).await;
    let (p50, p95, p99) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
    );
    let rps = latencies.len() as f64 / elapsed;
    println!(
        "  {name}: {} requests, {rps:.1} req/s, p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, errors {errors}",
        latencies.len()
    );
    json!({
        "phase": name, "requests": latencies.len(), "errors": errors, "rps": rps,
        "p50_ms": p50, "p95_ms": p95, "p99_ms": p99,
    })
}

/// Runs the three phases and prints the figures and the router's
/// overhead over the hub; the last line is one JSON object, which is also
/// returned.
pub async fn run(args: GatewayArgs) -> Result<Value> {
    crate::init_crypto();
    if args.running.is_some() {
        return run_against_running(args).await;
    }
    let mut hub = TempHub::open(Vec::new(), args.postgres.as_deref()).await?;
    let ids = super::fanout::fill(&hub.db, 0, args.participants).await?;
    let token = hub.serve("bench-viewer").await?;
    // One viewer per client: distinct Authorization headers, so the router
    // cannot answer one client with another's subgraph call.
    let tokens = (0..args.clients.max(1))
        .map(|n| hub.mint("bench-viewer", &format!("staff{n}@bench-viewer")))
        .collect::<Result<Vec<_>>>();
    let tokens = match tokens {
        Ok(tokens) => Arc::new(tokens),
        Err(err) => {
            hub.stop().await;
            return Err(err);
        }
    };
    let shown = args.participants.min(20);
    let page = Page {
        query: PAGE,
        expected: shown,
    };
    let url = hub.url.clone();
    let report = measure(&args, &url, &token, &tokens, &ids[..shown], page).await;
    hub.stop().await;
    report
}

/// The page the `hub` and `router` phases send, and how many
/// participants with a readable name its answer holds.
struct Page {
    query: &'static str,
    expected: usize,
}

/// [`run`] against a running hub: the case manager's page (50
/// participants with enrollments, hours and mentorships) on its data.
async fn run_against_running(args: GatewayArgs) -> Result<Value> {
    let Some(running) = &args.running else {
        return Err(Error::Internal("no running hub".into()));
    };
    let (url, tokens) = (running.url.clone(), Arc::new(running.tokens.clone()));
    let first = tokens
        .first()
        .cloned()
        .ok_or_else(|| Error::Internal("no token".into()))?;
    let answer: Value = reqwest::Client::new()
        .post(&url)
        .bearer_auth(&first)
        .json(&json!({ "query": super::CASE_MANAGER_QUERY }))
        .send()
        .await
        .map_err(|_| Error::Internal(format!("the hub at {url} does not answer")))?
        .json()
        .await
        .unwrap_or_default();
    let nodes: Vec<&Value> = answer["data"]["participants"]["edges"]
        .as_array()
        .map(|edges| edges.iter().map(|e| &e["node"]).collect())
        .unwrap_or_default();
    let ids: Vec<Uuid> = nodes
        .iter()
        .filter_map(|n| n["id"].as_str().and_then(|id| Uuid::parse_str(id).ok()))
        .take(20)
        .collect();
    if ids.is_empty() {
        return Err(Error::Internal(format!(
            "the hub at {url} lists no participant to this token: {}",
            answer.to_string().chars().take(300).collect::<String>()
        )));
    }
    let page = Page {
        query: super::CASE_MANAGER_QUERY,
        expected: nodes.iter().filter(|n| n["givenName"].is_string()).count(),
    };
    measure(&args, &url, &first, &tokens, &ids, page).await
}

/// Starts the router in front of the hub at `hub_url` (its schema read
/// with `token`; the county refers to `ids`) and runs the three phases.
async fn measure(
    args: &GatewayArgs,
    hub_url: &str,
    token: &str,
    tokens: &Arc<Vec<String>>,
    ids: &[Uuid],
    page: Page,
) -> Result<Value> {
    let shown = ids.len();
    let (gateway, gateway_url) = start_gateway(args, hub_url, token, ids).await?;
    println!(
        "gateway: {} in front of the hub and a county subgraph, {} clients (one token each), {} s per phase",
        args.router.describe(),
        args.clients,
        args.seconds
    );
    let phases = vec![
        phase("hub", args, hub_url, tokens, page.query, page.expected).await,
        phase(
            "router",
            args,
            &gateway_url,
            tokens,
            page.query,
            page.expected,
        )
        .await,
        phase("entities", args, &gateway_url, tokens, REFERRALS, shown).await,
    ];
    drop(gateway);
    let ms = |phase: &Value, key: &str| phase[key].as_f64().unwrap_or(f64::NAN);
    let overhead = json!({
        "p50_ms": ms(&phases[1], "p50_ms") - ms(&phases[0], "p50_ms"),
        "p95_ms": ms(&phases[1], "p95_ms") - ms(&phases[0], "p95_ms"),
        "rps_ratio": ms(&phases[1], "rps") / ms(&phases[0], "rps"),
    });
    println!(
        "  router overhead on the page: p50 {:+.1} ms, p95 {:+.1} ms, throughput {:.0} % of direct",
        ms(&overhead, "p50_ms"),
        ms(&overhead, "p95_ms"),
        ms(&overhead, "rps_ratio") * 100.0
    );
    let router = match args.router {
        Router::Apollo => "apollo",
        Router::Hive => "hive",
    };
    let report = json!({
        "bench": "gateway", "router": router, "clients": args.clients, "viewers": tokens.len(),
        "seconds": args.seconds, "phases": phases, "overhead": overhead,
    });
    println!("{report}");
    Ok(report)
}
