//! `bench writes`: C concurrent clients send `logHours` (half an hour on a
//! random ACTIVE enrollment of the partner, on a random day since it
//! started) to a running hub for T seconds.

use chrono::{Days, NaiveDate, Utc};
use entity::enrollment;
use entity::enums::EnrollmentStatus;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::graph::load;
use super::percentile;

static REJECTED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static FAILURE_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What `bench writes` needs.
pub struct WritesArgs {
    pub url: String,
    pub clients: usize,
    pub seconds: u64,
    pub token: String,
    pub org: Uuid,
    pub db: DatabaseConnection,
}

/// Runs the write benchmark; prints its figures, the last line as JSON.
pub async fn run(args: WritesArgs) -> crate::ground::error::Result<serde_json::Value> {
    let targets: Vec<(Uuid, Option<NaiveDate>)> = enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::Id)
        .column(enrollment::Column::StartedOn)
        .filter(enrollment::Column::OwnerOrgId.eq(args.org))
        .filter(enrollment::Column::Status.eq(EnrollmentStatus::Active))
        .limit(5000)
        .into_tuple()
        .all(&args.db)
        .await?;
    let targets: std::sync::Arc<Vec<(Uuid, NaiveDate)>> = std::sync::Arc::new(
        targets
            .into_iter()
            .filter_map(|(id, s)| s.map(|s| (id, s)))
            .collect(),
    );
    if targets.is_empty() {
        return Err(crate::ground::error::Error::bad_input(
            "org",
            "the organization has no ACTIVE enrollment to log hours on",
        ));
    }
    let client = reqwest::Client::new();
    let graphql = format!("{}/graphql", args.url.trim_end_matches('/'));
    let query = "mutation($input: LogHoursInput!) { logHours(input: $input) { id } }";
    let today = Utc::now().date_naive();
    let (token, t) = (args.token.clone(), targets.clone());
    let (latencies, errors, elapsed) = load(args.clients, args.seconds, move |random: Uuid| {
        let (client, graphql, token, t) = (client.clone(), graphql.clone(), token.clone(), t.clone());
        async move {
            let bits = random.as_u128();
            let (id, started) = t[(bits % t.len() as u128) as usize];
            let span = (today - started).num_days().max(1) as u64;
            let day = started.checked_add_days(Days::new((bits >> 64) as u64 % span)).unwrap_or(started);
            let body = json!({ "query": query, "variables": { "input": { "enrollmentId": id, "kind": "OJT", "workedOn": day, "hours": 0.5 } } });
            let answer = match client.post(&graphql).bearer_auth(&token).json(&body).send().await {
                Ok(r) => r.json::<serde_json::Value>().await.unwrap_or_default(),
                Err(_) => serde_json::Value::Null,
            };
            // A day that already holds 24 h is refused by the rule: counted
            // apart, not as an error.
            if answer["errors"][0]["extensions"]["field"] == "hours" {
                REJECTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return true;
            }
            let ok = answer["data"]["logHours"]["id"].is_string();
            if !ok && !FAILURE_SHOWN.swap(true, std::sync::atomic::Ordering::Relaxed) {
                eprintln!("first failed answer: {}", answer.to_string().chars().take(300).collect::<String>());
            }
            ok
        }
    })
    .await;
    let rejected = REJECTED.swap(0, std::sync::atomic::Ordering::Relaxed);
    let written = latencies.len() as u64 - errors - rejected;
    let wps = written as f64 / elapsed;
    let (p50, p95, p99) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
    );
    println!(
        "logHours, {} clients, {} s: {wps:.1} writes/s, p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, errors {errors}, refused by the 24 h rule {rejected}",
        args.clients, args.seconds
    );
    let report = json!({ "bench": "writes", "clients": args.clients, "seconds": args.seconds, "writes_per_second": wps,
                         "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "errors": errors, "requests": latencies.len(), "written": written, "rejected_by_rule": rejected });
    println!("{report}");
    Ok(report)
}
