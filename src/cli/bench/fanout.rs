//! `bench fanout`: the cost of partner adapters. For 1, 3 and 6 partners
//! (local HTTP servers started here, each answering after a fixed delay),
//! C clients ask an in-process hub for a 50-participant page with every
//! partner's hour logs; the hub's p95 is compared with the slowest
//! partner's delay. Each round uses its own temporary SQLite database, so
//! the configured one is never touched.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use entity::enums::{AgreementStatus, OrgKind, SharingPurpose};
use entity::{organization, participant, participant_link, participant_profile, sharing_agreement};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use super::graph::load;
use super::percentile;
use super::temp_hub::TempHub;
use crate::adapters::PartnerConfig;
use crate::ground::error::{Error, Result};

/// What `bench fanout` needs.
pub struct FanoutArgs {
    /// Partner counts to measure, e.g. `[1, 3, 6]` (0: the page alone).
    pub partners: Vec<usize>,
    pub clients: usize,
    pub seconds: u64,
    /// Each partner's answer delay.
    pub delay_ms: u64,
    /// Participants on the page (each known to every partner).
    pub participants: usize,
    /// A PostgreSQL server to create the round's database on (SQLite
    /// otherwise), e.g. `postgres://postgres@127.0.0.1:5432`.
    pub postgres: Option<String>,
}

const QUERY: &str =
    "{ participants(first: 50) { edges { node { id partnerHourLogs { source hours } } } } }";

async fn partner_hours(
    State(delay): State<Duration>,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Value> {
    tokio::time::sleep(delay).await;
    let items: Vec<Value> = q
        .get("ids")
        .map(|ids| ids.split(',').collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|id| json!({ "id": format!("H-{id}"), "p": id, "kind": "OJT", "on": "2026-03-02", "hours": 4 }))
        .collect();
    Json(json!({ "items": items }))
}

/// A partner on 127.0.0.1 answering hour logs after `delay`.
async fn start_partner(delay: Duration) -> Result<String> {
    let app = Router::new()
        .route("/hours", get(partner_hours))
        .with_state(delay);
    let (listener, addr) = super::temp_hub::bind_local().await?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(format!("http://{addr}"))
}

fn partner_config(i: usize, url: &str) -> Result<PartnerConfig> {
    serde_json::from_value(json!({
        "name": format!("partner-{i}"), "org": format!("bench-partner-{i}"), "kind": "rest_json",
        "base_url": url, "timeout_ms": 5000, "retries": 0, "cache_ttl_ms": 0,
        "breaker_failures": 1000,
        "records": { "hour_logs": { "path": "/hours", "items": "items", "fields": {
            "participant": "p", "external_id": "id", "kind": "kind", "worked_on": "on", "hours": "hours"
        }}}
    }))
    .map_err(|e| Error::Internal(format!("bench partner config: {e}")))
}

fn org(slug: &str, kind: OrgKind) -> organization::ActiveModel {
    let now = Utc::now();
    organization::ActiveModel {
        id: Set(Uuid::new_v4()),
        slug: Set(slug.to_owned()),
        name: Set(slug.to_owned()),
        kind: Set(kind),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// The viewer organization, `n` partner organizations sharing PROGRESS
/// with it, and `people` participants every partner knows.
pub(super) async fn fill(db: &DatabaseConnection, n: usize, people: usize) -> Result<Vec<Uuid>> {
    let now = Utc::now();
    let viewer = org("bench-viewer", OrgKind::LeadAgency);
    let viewer_id = *viewer.id.as_ref();
    organization::Entity::insert(viewer)
        .exec_without_returning(db)
        .await?;
    let mut partners = Vec::new();
    for i in 0..n {
        let o = org(&format!("bench-partner-{i}"), OrgKind::TrainingPartner);
        partners.push(*o.id.as_ref());
        organization::Entity::insert(o)
            .exec_without_returning(db)
            .await?;
    }
    let agreements = partners.iter().map(|p| sharing_agreement::ActiveModel {
        id: Set(Uuid::new_v4()),
        provider_org_id: Set(*p),
        recipient_org_id: Set(viewer_id),
        categories: Set("IDENTITY,PROGRESS".into()),
        purpose: Set(SharingPurpose::ServiceCoordination),
        requires_consent: Set(false),
        status: Set(AgreementStatus::Active),
        effective_on: Set(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()),
        expires_on: Set(None),
        destroy_by: Set(None),
        destroyed_at: Set(None),
        lapse_settled_on: Set(None),
        proposed_by: Set("bench".into()),
        accepted_by: Set(None),
        accepted_at: Set(None),
        approved_by: Set(None),
        approved_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    });
    sharing_agreement::Entity::insert_many(agreements)
        .exec_without_returning(db)
        .await?;
    let ids: Vec<Uuid> = (0..people).map(|_| Uuid::new_v4()).collect();
    participant::Entity::insert_many(ids.iter().map(|id| participant::ActiveModel {
        id: Set(*id),
        match_key: Set(format!("bench-{id}")),
        created_at: Set(now),
        updated_at: Set(now),
    }))
    .exec_without_returning(db)
    .await?;
    participant_profile::Entity::insert_many(ids.iter().enumerate().map(|(i, id)| {
        participant_profile::ActiveModel {
            id: Set(Uuid::new_v4()),
            participant_id: Set(*id),
            org_id: Set(viewer_id),
            given_name: Set(format!("Youth{i}")),
            family_name: Set("Bench".into()),
            preferred_name: Set(None),
            birth_date: Set(None),
            email: Set(None),
            phone: Set(None),
            postal_code: Set(None),
            gender: Set(None),
            race_ethnicity: Set(None),
            priority_populations: Set(String::new()),
            guardian_name: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
    }))
    .exec_without_returning(db)
    .await?;
    let links = partners.iter().enumerate().flat_map(|(k, p)| {
        ids.iter()
            .enumerate()
            .map(move |(i, id)| participant_link::ActiveModel {
                id: Set(Uuid::new_v4()),
                participant_id: Set(*id),
                org_id: Set(*p),
                external_id: Set(format!("P{k}-{i}")),
                source: Set("bench".into()),
                created_at: Set(now),
                updated_at: Set(now),
            })
    });
    participant_link::Entity::insert_many(links)
        .exec_without_returning(db)
        .await?;
    crate::policy::listing::refresh(db, crate::policy::listing::Touched::Everyone).await?;
    Ok(ids)
}

/// One round: `n` partners, a fresh database and hub; returns the report.
async fn round(args: &FanoutArgs, n: usize) -> Result<Value> {
    let delay = Duration::from_millis(args.delay_ms);
    let mut partners = Vec::new();
    for i in 0..n {
        partners.push(partner_config(i, &start_partner(delay).await?)?);
    }
    let mut hub = TempHub::open(partners, args.postgres.as_deref()).await?;
    fill(&hub.db, n, args.participants).await?;
    let token = hub.serve("bench-viewer").await?;
    let database = hub.database();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .build()
        .unwrap_or_default();
    let url = hub.url.clone();
    let expected = args.participants.min(50) * n;
    let call = move |_: Uuid| {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        async move {
            let answer: Value = match client
                .post(&url)
                .bearer_auth(&token)
                .json(&json!({ "query": QUERY }))
                .send()
                .await
            {
                Ok(r) => r.json().await.unwrap_or_default(),
                Err(_) => Value::Null,
            };
            let logs: usize = answer["data"]["participants"]["edges"]
                .as_array()
                .map(|edges| {
                    edges
                        .iter()
                        .filter_map(|e| e["node"]["partnerHourLogs"].as_array())
                        .map(Vec::len)
                        .sum()
                })
                .unwrap_or(0);
            answer.get("errors").is_none() && logs == expected
        }
    };
    call(Uuid::nil()).await; // warm-up
    let (latencies, errors, elapsed) = load(args.clients, args.seconds, call).await;
    hub.stop().await;
    let (p50, p95, p99) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
    );
    let rps = latencies.len() as f64 / elapsed;
    let head = format!(
        "{} requests, {rps:.1} req/s, p50 {p50:.1} ms, p95 {p95:.1} ms, p99 {p99:.1} ms, errors {errors}",
        latencies.len()
    );
    // With no partner the round is the page alone: there is no overhead.
    let overhead = (n > 0).then_some(p95 - args.delay_ms as f64);
    match overhead {
        Some(o) => {
            println!("  {n} partner(s): {head}, overhead over the slowest partner at p95 {o:.1} ms")
        }
        None => println!("  no partner (the page alone): {head}"),
    }
    Ok(json!({
        "partners": n, "database": database, "requests": latencies.len(), "errors": errors, "rps": rps,
        "p50_ms": p50, "p95_ms": p95, "p99_ms": p99, "overhead_p95_ms": overhead,
    }))
}

/// Runs every round and prints the figures; the last line is one JSON
/// object, which is also returned.
pub async fn run(args: FanoutArgs) -> Result<Value> {
    crate::init_crypto();
    println!(
        "fan-out: {} participants with every partner's hour logs, partners answer after {} ms, {} clients, {} s per round",
        args.participants.min(50),
        args.delay_ms,
        args.clients,
        args.seconds
    );
    let mut rounds = Vec::new();
    for n in args.partners.clone() {
        rounds.push(round(&args, n).await?);
    }
    let report = json!({
        "bench": "fanout", "clients": args.clients, "seconds": args.seconds,
        "partner_delay_ms": args.delay_ms, "rounds": rounds,
    });
    println!("{report}");
    Ok(report)
}
