//! `bench gateway`: the hub as an Apollo Federation subgraph behind a real
//! gateway from npm (Apollo Server 5 + Apollo Gateway 2,
//! `tests/federation-js/serve.mjs`), next to a small "county" subgraph
//! that refers to hub participants. An in-process hub on a temporary
//! SQLite database; C clients run, one phase after the other:
//!
//! - `hub`: a 20-participant page sent to the hub directly (the baseline);
//! - `gateway`: the same page through the gateway (one hub call each);
//! - `entities`: the county's 20 referrals with their participants, which
//!   the gateway resolves through the hub's `_entities` (a county call,
//!   then one batched hub call).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use uuid::Uuid;

use super::graph::load;
use super::percentile;
use super::temp_hub::TempHub;
use crate::ground::error::{Error, Result};

/// What `bench gateway` needs.
pub struct GatewayArgs {
    pub clients: usize,
    pub seconds: u64,
    /// The gateway script (`tests/federation-js/serve.mjs`), run by `node`.
    pub script: PathBuf,
    /// Participants in the hub, on the page and among the referrals.
    pub participants: usize,
    /// A PostgreSQL server to create the hub's database on (SQLite
    /// otherwise), e.g. `postgres://postgres@127.0.0.1:5432`.
    pub postgres: Option<String>,
}

const PAGE: &str =
    "query Page { participants(first: 20) { edges { node { id givenName familyName } } } }";
const REFERRALS: &str =
    "query Referrals { countyReferrals { id participant { id givenName familyName } } }";

/// The gateway process; killed when dropped.
struct Gateway(Child);

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How long the gateway may take to compose and listen.
const STARTUP: std::time::Duration = std::time::Duration::from_secs(60);

/// Starts `node script` and waits for the line with its URL.
async fn start_gateway(
    script: &PathBuf,
    hub_url: &str,
    token: &str,
    ids: &[Uuid],
) -> Result<(Gateway, String)> {
    let script = std::fs::canonicalize(script)
        .map_err(|_| Error::Internal(format!("no gateway script at {}", script.display())))?;
    let dir = script
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    if !dir.join("node_modules/@apollo/server").exists() {
        return Err(Error::Internal(format!(
            "the gateway's npm packages are missing: run `npm ci` in {}",
            dir.display()
        )));
    }
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let mut child = Command::new("node")
        .arg(&script)
        .current_dir(&dir)
        .env("HUB_URL", hub_url)
        .env("HUB_TOKEN", token)
        .env("PARTICIPANT_IDS", ids.join(","))
        // No cloud metadata lookups from the npm packages' telemetry.
        .env("METADATA_SERVER_DETECTION", "none")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
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

/// One phase: C clients sending `query` to `url`; a call counts as failed
/// unless it answers without errors and with `expected` participants.
async fn phase(
    name: &str,
    args: &GatewayArgs,
    url: &str,
    token: &str,
    query: &'static str,
    expected: usize,
) -> Value {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()
        .unwrap_or_default();
    let (url, token) = (url.to_owned(), token.to_owned());
    let reported = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let call = move |_: Uuid| {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        let reported = reported.clone();
        async move {
            let answer: Value = match client
                .post(&url)
                .bearer_auth(&token)
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
            let ok = answer.get("errors").is_none() && people == Some(expected);
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
        call(Uuid::nil()).await; // warm-up (the gateway plans the query once)
    }
    let (latencies, errors, elapsed) = load(args.clients, args.seconds, call).await;
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

/// Runs the three phases and prints the figures; the last line is one
/// JSON object, which is also returned.
pub async fn run(args: GatewayArgs) -> Result<Value> {
    crate::init_crypto();
    let mut hub = TempHub::open(Vec::new(), args.postgres.as_deref()).await?;
    let ids = super::fanout::fill(&hub.db, 0, args.participants).await?;
    let token = hub.serve("bench-viewer").await?;
    let shown = args.participants.min(20);
    let started = start_gateway(&args.script, &hub.url, &token, &ids[..shown]).await;
    let (gateway, gateway_url) = match started {
        Ok(started) => started,
        Err(err) => {
            hub.stop().await;
            return Err(err);
        }
    };
    println!(
        "gateway: Apollo Server 5 + Apollo Gateway 2 (node) in front of the hub and a county subgraph, {} clients, {} s per phase",
        args.clients, args.seconds
    );
    let phases = vec![
        phase("hub", &args, &hub.url, &token, PAGE, shown).await,
        phase("gateway", &args, &gateway_url, &token, PAGE, shown).await,
        phase("entities", &args, &gateway_url, &token, REFERRALS, shown).await,
    ];
    drop(gateway);
    hub.stop().await;
    let report = json!({
        "bench": "gateway", "clients": args.clients, "seconds": args.seconds, "phases": phases,
    });
    println!("{report}");
    Ok(report)
}
