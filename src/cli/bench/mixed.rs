//! `bench load`: C concurrent clients for T seconds against one or more hub
//! instances (round robin, as a load balancer would) with a mix of reads
//! (80 %: the case manager's page), writes (15 %: read a participant's
//! version, then `updateParticipant` with it) and reports (5 %). Prints
//! requests per second, p50/p95/p99, errors (must be 0), conflicts (a
//! stale version, expected under contention), lost updates (must be 0:
//! every participant's final version must equal its first plus the updates
//! that succeeded) and the hubs' peak RSS when their pids are given.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use entity::participant_profile;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

use super::graph::load;
use super::{CASE_MANAGER_QUERY, percentile};

/// What `bench load` needs.
pub struct LoadArgs {
    /// The hubs' base URLs.
    pub urls: Vec<String>,
    pub clients: usize,
    pub seconds: u64,
    /// Staff and org_admin tokens of the partner.
    pub staff: String,
    pub admin: String,
    pub org: Uuid,
    pub db: DatabaseConnection,
    /// Hub process ids whose peak RSS to report.
    pub pids: Vec<u32>,
}

const VERSION: &str = "query($id: ID!) { participant(id: $id) { version } }";
const UPDATE: &str =
    "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { version } }";
const REPORT: &str = "{ report(input: { metrics: [ENROLLED, ACTIVE, COMPLETED, COMPLETION_RATE], groupBy: [PROGRAM] }) { rows { cells { metric value suppressed } } } }";

#[derive(Default)]
struct Counts {
    requests: [AtomicU64; 3],
    conflicts: AtomicU64,
    /// Successful updates per participant.
    updates: Mutex<HashMap<Uuid, i64>>,
    failure_shown: std::sync::atomic::AtomicBool,
}

/// Peak resident memory of a process, in MiB (Linux `VmHWM`).
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn versions(
    db: &DatabaseConnection,
    org: Uuid,
    ids: &[Uuid],
) -> crate::ground::error::Result<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i32)> = participant_profile::Entity::find()
        .select_only()
        .column(participant_profile::Column::ParticipantId)
        .column(participant_profile::Column::Version)
        .filter(participant_profile::Column::OrgId.eq(org))
        .filter(participant_profile::Column::ParticipantId.is_in(ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, v)| (id, i64::from(v))).collect())
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> Value {
    match client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
    {
        Ok(r) => r.json::<Value>().await.unwrap_or_default(),
        Err(_) => Value::Null,
    }
}

/// Runs the mixed load; prints its figures, the last line as JSON.
pub async fn run(args: LoadArgs) -> crate::ground::error::Result<Value> {
    let ids: Vec<Uuid> = participant_profile::Entity::find()
        .select_only()
        .column(participant_profile::Column::ParticipantId)
        .filter(participant_profile::Column::OrgId.eq(args.org))
        .limit(200)
        .into_tuple()
        .all(&args.db)
        .await?;
    if ids.is_empty() {
        return Err(crate::ground::error::Error::bad_input(
            "org",
            "the organization keeps no participant profile to update",
        ));
    }
    let before = versions(&args.db, args.org, &ids).await?;
    let urls: Arc<Vec<String>> = Arc::new(
        args.urls
            .iter()
            .map(|u| format!("{}/graphql", u.trim_end_matches('/')))
            .collect(),
    );
    let counts = Arc::new(Counts::default());
    let client = reqwest::Client::new();
    let ids = Arc::new(ids);
    let all_ids = ids.clone();
    let (staff, admin) = (args.staff.clone(), args.admin.clone());
    let c = counts.clone();
    // The mix by request number, not by chance: in every 20 requests 16
    // reads, 3 writes (the 4th, 11th and 18th) and a report (the 14th), so a
    // short run on a slow machine still writes.
    let sequence = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (latencies, errors, elapsed) = load(args.clients, args.seconds, move |random: Uuid| {
        let slot = sequence.fetch_add(1, Ordering::Relaxed) % 20;
        let (client, urls, ids, staff, admin, counts) = (
            client.clone(),
            urls.clone(),
            ids.clone(),
            staff.clone(),
            admin.clone(),
            c.clone(),
        );
        async move {
            let bits = random.as_u128();
            let url = &urls[(bits >> 96) as usize % urls.len()];
            let (kind, ok) = if !matches!(slot, 3 | 10 | 13 | 17) {
                // Pages start at random hub ids, as `bench graph` reads them.
                let answer = post(
                    &client,
                    url,
                    &staff,
                    CASE_MANAGER_QUERY,
                    json!({ "after": random.to_string() }),
                )
                .await;
                // Fields the partner may not read come back FORBIDDEN: an
                // answer, not a failure.
                (0, answer["data"]["participants"]["edges"].is_array())
            } else if slot != 13 {
                let id = ids[(bits >> 16) as usize % ids.len()];
                let read = post(&client, url, &staff, VERSION, json!({ "id": id })).await;
                let version = read["data"]["participant"]["version"].as_i64().unwrap_or(0);
                let postal = format!("9{:04}", (bits >> 40) % 10_000);
                let answer = post(
                    &client,
                    url,
                    &staff,
                    UPDATE,
                    json!({ "input": { "id": id, "version": version, "postalCode": postal } }),
                )
                .await;
                if answer["data"]["updateParticipant"]["version"].is_i64() {
                    if let Ok(mut updates) = counts.updates.lock() {
                        *updates.entry(id).or_default() += 1;
                    }
                    (1, true)
                } else if answer["errors"][0]["extensions"]["code"] == "CONFLICT" {
                    counts.conflicts.fetch_add(1, Ordering::Relaxed);
                    (1, true)
                } else {
                    (1, false)
                }
            } else {
                let answer = post(&client, url, &admin, REPORT, json!({})).await;
                (2, answer["data"]["report"]["rows"].is_array())
            };
            counts.requests[kind].fetch_add(1, Ordering::Relaxed);
            if !ok && !counts.failure_shown.swap(true, Ordering::Relaxed) {
                eprintln!("first failed answer (kind {kind})");
            }
            ok
        }
    })
    .await;
    let ids = all_ids;
    let after = versions(&args.db, args.org, &ids).await?;
    let updates = counts.updates.lock().map(|u| u.clone()).unwrap_or_default();
    let lost: i64 = ids
        .iter()
        .map(|id| {
            let grew = after.get(id).copied().unwrap_or(0) - before.get(id).copied().unwrap_or(0);
            (updates.get(id).copied().unwrap_or(0) - grew).abs()
        })
        .sum();
    let rps = latencies.len() as f64 / elapsed;
    let (p50, p95, p99) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
    );
    let rss: Vec<f64> = args.pids.iter().filter_map(|p| peak_rss_mib(*p)).collect();
    let [reads, writes, reports] = [0, 1, 2].map(|k| counts.requests[k].load(Ordering::Relaxed));
    let conflicts = counts.conflicts.load(Ordering::Relaxed);
    println!(
        "mixed load, {} instance(s), {} clients, {} s: {rps:.1} req/s (reads {reads}, writes {writes}, reports {reports}), p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, errors {errors}, conflicts {conflicts}, lost updates {lost}, peak RSS {rss:?} MiB",
        args.urls.len(),
        args.clients,
        args.seconds
    );
    let report = json!({ "bench": "load", "instances": args.urls.len(), "clients": args.clients, "seconds": args.seconds,
        "requests_per_second": rps, "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "errors": errors,
        "reads": reads, "writes": writes, "reports": reports, "conflicts": conflicts, "lost_updates": lost, "peak_rss_mib": rss });
    println!("{report}");
    Ok(report)
}
