//! Past one machine (PostgreSQL only: replicas and PgBouncer are
//! PostgreSQL's): reports, the change feed and the audit log read from a
//! streaming replica only once it holds what the primary had committed
//! (`ground::replicas`), and the hub works behind PgBouncer in transaction
//! mode. `cargo xtask test` starts a throwaway primary with a streaming
//! replica (`pg_basebackup -R`) and PgBouncer in front of the primary, and
//! names them in `HUB_TEST_REPL_PRIMARY_URL`, `HUB_TEST_REPLICA_URL` and
//! `HUB_TEST_PGBOUNCER_URL`.
//!
//! The tests run one at a time: one of them pauses the replica's replay.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeSet;

use std::time::Duration;

use common::story::{PartnerStory, Story, days};
use common::{Backend, TestApp, fresh_database_on, spawn_app_on};
use entity::enums::HourKind;
use entity::{consent, enrollment};
use pathways_hub::ground::config::Pooler;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn server(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run `cargo xtask test`, which starts a primary with a streaming replica and PgBouncer")
    })
}

const CHANGES: &str = "query($since: Int!, $first: Int) {
  changes(since: $since, first: $first) {
    nodes { kind id participantId changeVersion operation }
    maxChangeVersion hasMore
  }
}";

const REVOKE_CONSENT: &str =
    "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { id status } }";

/// A hub on a fresh database of the test primary, reading from its replica.
async fn hub_with_replica(seed: bool) -> (TestApp, DatabaseConnection, DatabaseConnection) {
    let primary = server("HUB_TEST_REPL_PRIMARY_URL");
    let replica = server("HUB_TEST_REPLICA_URL");
    let (url, cleanup) = fresh_database_on(&primary).await;
    let name = url.rsplit('/').next().unwrap().to_owned();
    let read_url = format!("{replica}/{name}");
    let app = spawn_app_on(Backend::Postgres, url.clone(), cleanup, seed, |c| {
        c.database_read_urls = vec![read_url.clone()];
        c.replica_max_wait_ms = 50;
    })
    .await;
    let primary_db = sea_orm::Database::connect(&url).await.unwrap();
    let replica_db = sea_orm::Database::connect(&read_url).await.unwrap();
    (app, primary_db, replica_db)
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> String {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap()
}

/// Waits until the replica has replayed everything the primary wrote.
async fn caught_up(primary: &DatabaseConnection, replica: &DatabaseConnection) {
    let target = scalar(primary, "SELECT pg_current_wal_insert_lsn()::text").await;
    for _ in 0..500 {
        let sql = format!("SELECT (pg_last_wal_replay_lsn() >= '{target}'::pg_lsn)::text");
        if scalar(replica, &sql).await == "true" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the replica did not catch up in 5 s");
}

/// (served by the replica, served by the primary) from `/metrics`.
async fn replica_reads(app: &TestApp) -> (u64, u64) {
    let text = app.get("/metrics").await.text().await.unwrap();
    let figure = |by: &str| {
        text.lines()
            .find_map(|l| {
                l.strip_prefix(&format!(
                    "pathways_replica_reads_total{{served_by=\"{by}\"}} "
                ))
            })
            .unwrap_or_else(|| panic!("no replica figure for {by} in {text}"))
            .parse()
            .unwrap()
    };
    (figure("replica"), figure("primary"))
}

/// Every change after `since` for `token`, and where the feed stands.
async fn drain(app: &TestApp, token: &str, since: i64) -> (Vec<Value>, i64) {
    let mut since = since;
    let mut nodes = Vec::new();
    loop {
        let answer = app
            .query(Some(token), CHANGES, json!({ "since": since, "first": 3 }))
            .await;
        assert!(answer["errors"].is_null(), "{answer}");
        let page = &answer["data"]["changes"];
        nodes.extend(page["nodes"].as_array().unwrap().iter().cloned());
        since = page["maxChangeVersion"].as_i64().unwrap();
        if !page["hasMore"].as_bool().unwrap() {
            return (nodes, since);
        }
    }
}

fn versions(nodes: &[Value]) -> Vec<i64> {
    nodes
        .iter()
        .map(|n| n["changeVersion"].as_i64().unwrap())
        .collect()
}

async fn shared_apprentice(app: &TestApp) -> (PartnerStory, Uuid, Uuid) {
    Story::new(&app.db).shared_apprentice().await
}

/// One more approved OJT day on an enrollment of the owner's.
async fn log_hours(app: &TestApp, enrollment: &enrollment::Model, day: i64) {
    let s = Story::new(&app.db);
    let e = common::story::Enrollment {
        id: enrollment.id,
        owner: enrollment.owner_org_id,
    };
    s.hours(&e, HourKind::Ojt, 4.0)
        .with(|h| h.worked_on = sea_orm::Set(days(-day)))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_replica_serves_nothing_the_primary_would_refuse() {
    let _serial = SERIAL.lock().await;
    let (app, primary, replica) = hub_with_replica(false).await;
    let (story, p, consent_id) = shared_apprentice(&app).await;
    let hola = app.staff("hola");
    let a2w = app.staff("alliance-arts2work");
    caught_up(&primary, &replica).await;

    // A replica that has caught up serves the feed.
    let (before, hola_at) = drain(&app, &hola, 0).await;
    assert!(before.len() >= 7, "{before:?}");
    assert!(before.iter().all(|n| n["operation"] == "UPSERT"));
    let (own, a2w_at) = drain(&app, &a2w, 0).await;
    let (served, _) = replica_reads(&app).await;
    assert!(served >= 2, "the replica served {served} reads");

    // The replica stops replaying; the consent is revoked on the primary.
    replica
        .execute_unprepared("SELECT pg_wal_replay_pause()")
        .await
        .unwrap();
    for _ in 0..200 {
        if scalar(&replica, "SELECT pg_get_wal_replay_pause_state()").await == "paused" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let version = consent::Entity::find_by_id(consent_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .version;
    let revoked = app
        .query(
            Some(&app.org_admin("alliance-arts2work")),
            REVOKE_CONSENT,
            json!({ "input": { "id": consent_id, "version": version } }),
        )
        .await;
    assert_eq!(
        revoked["data"]["revokeConsent"]["status"], "REVOKED",
        "{revoked}"
    );
    // The owner logs a day meanwhile.
    let enrollment = entity::enrollment::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.participant_id == p && e.owner_org_id == story.owner)
        .unwrap();
    log_hours(&app, &enrollment, 3).await;
    // The replica still holds the consent as it was: had it served, HOLA
    // would have read the apprentice's rows again.
    let on_replica = scalar(
        &replica,
        &format!("SELECT status FROM consent WHERE id = '{consent_id}'"),
    )
    .await;
    assert_eq!(on_replica, "ACTIVE");

    // HOLA reads only its tombstones, from either database.
    let (_, fallbacks_before) = replica_reads(&app).await;
    let (after, _) = drain(&app, &hola, hola_at).await;
    assert!(!after.is_empty());
    assert!(
        after.iter().all(|n| n["operation"] == "DELETE"),
        "{after:?}"
    );
    let (replay, _) = drain(&app, &hola, 0).await;
    assert!(
        replay.iter().all(|n| n["operation"] == "DELETE"),
        "{replay:?}"
    );
    let (_, fallbacks) = replica_reads(&app).await;
    assert!(
        fallbacks > fallbacks_before,
        "the stalled replica must not have served"
    );
    // The owner's feed has the new day, read from the primary.
    let (stalled, a2w_stalled_at) = drain(&app, &a2w, a2w_at).await;
    assert_eq!(stalled.len(), 1, "{stalled:?}");
    assert_eq!(stalled[0]["kind"], "HOUR_LOG");

    // Replay resumes: the replica serves again, and the owner's feed goes
    // on from where it stood, missing and repeating nothing.
    replica
        .execute_unprepared("SELECT pg_wal_replay_resume()")
        .await
        .unwrap();
    log_hours(&app, &enrollment, 2).await;
    caught_up(&primary, &replica).await;
    // A replica that fell behind is skipped for a while.
    tokio::time::sleep(Duration::from_millis(
        pathways_hub::ground::replicas::SKIP_MS + 100,
    ))
    .await;
    let (served_before, _) = replica_reads(&app).await;
    let (resumed, _) = drain(&app, &a2w, a2w_stalled_at).await;
    assert_eq!(resumed.len(), 1, "{resumed:?}");
    let (served, _) = replica_reads(&app).await;
    assert!(served > served_before, "the replica serves again");
    let (everything, _) = drain(&app, &a2w, 0).await;
    let incremental: BTreeSet<i64> = versions(&own)
        .into_iter()
        .chain(versions(&stalled))
        .chain(versions(&resumed))
        .collect();
    let whole: BTreeSet<i64> = versions(&everything).into_iter().collect();
    assert_eq!(incremental, whole);
}

const REPORT: &str =
    "{ report(input: { metrics: [ENROLLED, ACTIVE, COMPLETED, OJT_HOURS], groupBy: [PROGRAM] }) {
  rows { group { key } cells { metric value suppressed } }
  total { cells { metric value suppressed } }
} }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_and_the_audit_log_read_from_a_replica_that_has_caught_up() {
    let _serial = SERIAL.lock().await;
    let (app, primary, replica) = hub_with_replica(true).await;
    caught_up(&primary, &replica).await;
    let evaluator = app.token("analyst@harder-co", "harder-co", &["evaluator"]);
    let (served_before, _) = replica_reads(&app).await;
    let answer = app.query(Some(&evaluator), REPORT, json!({})).await;
    assert!(answer["errors"].is_null(), "{answer}");
    let (served, _) = replica_reads(&app).await;
    assert!(served > served_before, "the report was read on the replica");

    // The same figures as the primary's own: a hub without replicas on
    // the same database.
    let url = app.state.config.database_url.clone();
    let primary_only = spawn_app_on(
        Backend::Postgres,
        url,
        common::Cleanup::none(),
        false,
        |_| {},
    )
    .await;
    let direct = primary_only
        .query(Some(&evaluator), REPORT, json!({}))
        .await;
    assert_eq!(answer["data"], direct["data"]);
    assert!(
        answer["data"]["report"]["total"]["cells"][0]["value"]
            .as_f64()
            .unwrap()
            > 0.0
    );

    // The audit log: the report's EXPORT is there, read on the replica.
    caught_up(&primary, &replica).await;
    let audit = app
        .query(
            Some(&app.hub_admin()),
            "{ auditEvents(first: 50, filter: { action: EXPORT }) { edges { node { action } } totalCount } }",
            json!({}),
        )
        .await;
    assert!(audit["errors"].is_null(), "{audit}");
    assert!(audit["data"]["auditEvents"]["totalCount"].as_u64().unwrap() >= 2);
    let (after_audit, _) = replica_reads(&app).await;
    assert!(after_audit >= served + 2, "list and count on the replica");
}

const PAGE: &str = "{ participants(first: 20) { edges { node { id givenName enrollments { status program { name } } mentorships { status } } } } }";
const VERSION: &str = "query($id: ID!) { participant(id: $id) { version } }";
const UPDATE: &str =
    "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { version } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_works_behind_pgbouncer_in_transaction_mode() {
    let _serial = SERIAL.lock().await;
    let primary = server("HUB_TEST_REPL_PRIMARY_URL");
    let bouncer = server("HUB_TEST_PGBOUNCER_URL");
    let replica = server("HUB_TEST_REPLICA_URL");
    let (url, cleanup) = fresh_database_on(&primary).await;
    let name = url.rsplit('/').next().unwrap().to_owned();

    // Without the setting the driver sends a startup parameter PgBouncer
    // refuses: the hub says so at start instead of failing later.
    let mut plain = common::test_config(format!("{bouncer}/{name}"));
    plain.database_pooler = Pooler::None;
    assert!(pathways_hub::ground::db::connect(&plain).await.is_err());

    let app = spawn_app_on(
        Backend::Postgres,
        format!("{bouncer}/{name}"),
        cleanup,
        true,
        |c| {
            c.database_pooler = Pooler::Transaction;
            c.database_read_urls = vec![format!("{replica}/{name}")];
            c.db_max_connections = 20;
        },
    )
    .await;
    let staff = app.staff("alliance-arts2work");
    let admin = app.org_admin("alliance-arts2work");
    let evaluator = app.token("analyst@harder-co", "harder-co", &["evaluator"]);
    let page = app.query(Some(&staff), PAGE, json!({})).await;
    assert!(page["errors"].is_null(), "{page}");
    // Participants Arts2Work keeps a profile of (it can update those).
    let ids: Vec<String> = page["data"]["participants"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    let mut own = Vec::new();
    for id in ids {
        let v = app.query(Some(&admin), VERSION, json!({ "id": id })).await;
        if v["data"]["participant"]["version"].is_i64() {
            own.push(id);
        }
    }
    let ids = own;
    assert!(ids.len() >= 5);

    // 12 clients at once: pages, writes, reports and the feed, many
    // statements in and out of transactions over PgBouncer's 20 server
    // connections; nothing may fail but a stale version.
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for client in 0..12 {
        let app = app.clone();
        let (staff, admin, evaluator) = (staff.clone(), admin.clone(), evaluator.clone());
        let id = ids[client % ids.len()].clone();
        tasks.push(tokio::spawn(async move {
            let mut conflicts = 0;
            for round in 0..8 {
                let answer = match (client + round) % 4 {
                    0 => app.query(Some(&staff), PAGE, json!({})).await,
                    1 => app.query(Some(&evaluator), REPORT, json!({})).await,
                    2 => app.query(Some(&staff), CHANGES, json!({ "since": 0, "first": 50 })).await,
                    _ => {
                        let v = app.query(Some(&admin), VERSION, json!({ "id": id })).await;
                        assert!(v["errors"].is_null(), "{v}");
                        let version = v["data"]["participant"]["version"].as_i64().unwrap();
                        let input = json!({ "input": { "id": id, "version": version, "preferredName": format!("R{round}") } });
                        let answer = app.query(Some(&admin), UPDATE, input).await;
                        if answer["errors"][0]["extensions"]["code"] == "CONFLICT" {
                            conflicts += 1;
                            continue;
                        }
                        answer
                    }
                };
                assert!(answer["errors"].is_null(), "{answer}");
            }
            conflicts
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let (served, _) = replica_reads(&app).await;
    assert!(served > 0, "reads went to the replica behind PgBouncer too");
}
