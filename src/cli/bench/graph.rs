//! `bench graph`: C concurrent clients send the case-manager query to a
//! running hub over loopback for T seconds; then the same pages are read
//! with hand-written SQL (the floor) at the same concurrency.

use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use serde_json::json;
use uuid::Uuid;

use super::{CASE_MANAGER_QUERY, DETAIL_QUERY, PAGER_QUERY, Shape, percentile};

static FAILURE_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What `bench graph` needs.
pub struct GraphArgs {
    /// The hub's base URL, e.g. `http://127.0.0.1:8080`.
    pub url: String,
    pub clients: usize,
    pub seconds: u64,
    /// A token of the partner's staff.
    pub token: String,
    /// The partner's organization (for the SQL floor).
    pub viewer_org: Uuid,
    /// The hub's database (for the SQL floor).
    pub db: DatabaseConnection,
    /// The page sent, and so its floor.
    pub shape: Shape,
}

/// Latencies (ms) of C clients looping `call` until the deadline, and the
/// number of failed calls.
pub(super) async fn load<F, Fut>(clients: usize, seconds: u64, call: F) -> (Vec<f64>, u64, f64)
where
    F: Fn(Uuid) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    load_by_client(clients, seconds, move |_, random| call(random)).await
}

/// [`load`], with each call told which client (0 to C − 1) makes it: a
/// client that sends as its own viewer picks its token by it.
pub(super) async fn load_by_client<F, Fut>(
    clients: usize,
    seconds: u64,
    call: F,
) -> (Vec<f64>, u64, f64)
where
    F: Fn(usize, Uuid) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (client as u64 + 1);
            while Instant::now() < deadline {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let after = uuid::Builder::from_random_bytes(
                    ((state as u128) << 64 | state as u128).to_le_bytes(),
                )
                .into_uuid();
                let t = Instant::now();
                if !call(client, after).await {
                    errors += 1;
                }
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            (latencies, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for task in tasks {
        if let Ok((latencies, failed)) = task.await {
            all.extend(latencies);
            errors += failed;
        }
    }
    all.sort_by(f64::total_cmp);
    (all, errors, started.elapsed().as_secs_f64())
}

async fn statements(client: &reqwest::Client, url: &str) -> Option<u64> {
    let text = client
        .get(format!("{url}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("pathways_sql_statements_total "))
        .and_then(|v| v.trim().parse().ok())
}

/// Runs the benchmark and prints its figures; the last line is one JSON
/// object, which is also returned.
pub async fn run(args: GraphArgs) -> crate::ground::error::Result<serde_json::Value> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()
        .unwrap_or_default();
    let graphql = format!("{}/graphql", args.url.trim_end_matches('/'));
    let query = match args.shape {
        Shape::Page => CASE_MANAGER_QUERY,
        Shape::Pager => PAGER_QUERY,
        Shape::Detail => DETAIL_QUERY,
    };
    // The detail shape asks for participants the viewer may list.
    let listed = std::sync::Arc::new(match args.shape {
        Shape::Detail => super::detail_floor::listed(&args.db, args.viewer_org, 1000).await,
        _ => Vec::new(),
    });
    if args.shape == Shape::Detail && listed.is_empty() {
        return Err(crate::ground::error::Error::Internal(
            "the organization lists no participant to ask for".into(),
        ));
    }
    let call = {
        let (client, graphql, token) = (client.clone(), graphql.clone(), args.token.clone());
        let listed = listed.clone();
        move |after: Uuid| {
            let (client, graphql, token) = (client.clone(), graphql.clone(), token.clone());
            let variables = match listed.len() {
                0 => json!({ "after": after.to_string() }),
                n => json!({ "id": listed[(after.as_u128() % n as u128) as usize].to_string() }),
            };
            async move {
                let body = json!({ "query": query, "variables": variables });
                let answer = match client
                    .post(&graphql)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(r) => r.json::<serde_json::Value>().await.unwrap_or_default(),
                    Err(_) => serde_json::Value::Null,
                };
                // Field-level FORBIDDEN errors are the policy at work, not failures.
                let ok = answer["data"]["participants"]["edges"].is_array()
                    || answer["data"]["participant"]["id"].is_string();
                if !ok && !FAILURE_SHOWN.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    eprintln!(
                        "first failed answer: {}",
                        answer.to_string().chars().take(300).collect::<String>()
                    );
                }
                ok
            }
        }
    };
    // Statements per request: one request alone, read from /metrics.
    let before = statements(&client, &args.url).await;
    let warm = call(Uuid::nil()).await;
    let after = statements(&client, &args.url).await;
    let per_request = match (before, after) {
        (Some(b), Some(a)) => a.saturating_sub(b),
        _ => 0,
    };
    if !warm {
        eprintln!(
            "the first request failed: is the hub running at {} and the token valid?",
            args.url
        );
    }
    let (hub, errors, elapsed) = load(args.clients, args.seconds, call).await;
    use super::floor::{Floor, measure};
    // The floors record their disclosures as the hub does.
    super::disclosures::ensure(&args.db).await?;
    let (floor, floor_errors, floor_elapsed) = match args.shape {
        Shape::Detail => {
            let db = args.db.clone();
            let sql =
                std::sync::Arc::new(super::detail_floor::detail_sql(db.get_database_backend()));
            let viewer = args.viewer_org;
            load(args.clients, args.seconds, move |random: Uuid| {
                let (db, sql) = (db.clone(), sql.clone());
                let id = listed[(random.as_u128() % listed.len() as u128) as usize];
                async move { super::detail_floor::detail(&db, &sql, viewer, id).await }
            })
            .await
        }
        shape => {
            let floor = if shape == Shape::Page {
                Floor::OneStatement
            } else {
                Floor::Pager
            };
            measure(&args.db, floor, args.viewer_org, args.clients, args.seconds).await
        }
    };
    let (old, _, old_elapsed) = measure(
        &args.db,
        Floor::ByKind,
        args.viewer_org,
        args.clients,
        args.seconds,
    )
    .await;
    let rps = hub.len() as f64 / elapsed;
    let floor_rps = floor.len() as f64 / floor_elapsed;
    let old_rps = old.len() as f64 / old_elapsed;
    let (p50, p95, p99) = (
        percentile(&hub, 50.0),
        percentile(&hub, 95.0),
        percentile(&hub, 99.0),
    );
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
    let (f50, f95) = (percentile(&floor, 50.0), percentile(&floor, 95.0));
    let (o50, o95) = (percentile(&old, 50.0), percentile(&old, 95.0));
    println!(
        "{}, {} clients, {} s",
        match args.shape {
            Shape::Page => "case-manager page (50 participants, enrollments, hours, mentorships)",
            Shape::Pager =>
                "case-manager pager (the page in a fragment, cursors, pageInfo, totalCount)",
            Shape::Detail =>
                "detail page (participant(id), every profile field, links, every record kind)",
        },
        args.clients,
        args.seconds
    );
    println!(
        "  hub:   {} requests, {rps:.1} req/s, mean {:.1} ms, p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, errors {errors}",
        hub.len(),
        mean(&hub)
    );
    println!("  SQL statements per request: {per_request}");
    println!(
        "  floor (one prepared JSON statement per page, same policy{}): {floor_rps:.1} pages/s, mean {:.1} ms, p50 {f50:.1} ms, p95 {f95:.1} ms, errors {floor_errors}",
        match args.shape {
            Shape::Pager => ", then a prepared count",
            Shape::Detail => ", the same participant",
            Shape::Page => "",
        },
        mean(&floor)
    );
    println!(
        "  old floor (one unprepared statement per kind): {old_rps:.1} pages/s, mean {:.1} ms, p50 {o50:.1} ms, p95 {o95:.1} ms",
        mean(&old)
    );
    println!(
        "  hub / floor: mean {:.2}x, p50 {:.2}x, p95 {:.2}x; throughput {:.0} % of the floor's",
        mean(&hub) / mean(&floor).max(0.001),
        p50 / f50.max(0.001),
        p95 / f95.max(0.001),
        100.0 * rps / floor_rps.max(0.001)
    );
    let report = json!({
        "bench": "graph", "shape": format!("{:?}", args.shape).to_lowercase(), "clients": args.clients, "seconds": args.seconds, "requests": hub.len(), "errors": errors,
        "rps": rps, "mean_ms": mean(&hub), "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "sql_statements_per_request": per_request,
        "floor_rps": floor_rps, "floor_mean_ms": mean(&floor), "floor_p50_ms": f50, "floor_p95_ms": f95, "floor_errors": floor_errors,
        "old_floor_rps": old_rps, "old_floor_mean_ms": mean(&old), "old_floor_p50_ms": o50, "old_floor_p95_ms": o95,
        "ratio_mean": mean(&hub) / mean(&floor).max(0.001), "ratio_p50": p50 / f50.max(0.001), "ratio_p95": p95 / f95.max(0.001),
        "throughput_share": rps / floor_rps.max(0.001),
    });
    println!("{report}");
    Ok(report)
}
