//! Faults (issue 20, "Trust in production"): a chaos proxy between the hub
//! and PostgreSQL (or Redis) cuts or stalls the connections. While the
//! database is away a request answers soon with `503`, `Retry-After` and
//! `INTERNAL` (nothing internal in the message) and one "database
//! unavailable" log line, `/readyz` answers `503`; once it is back the hub
//! answers again without a restart; a write committed before the cut is
//! still there and a write cut in the middle leaves nothing. While Redis is
//! away, rate limits and persisted queries fall back to the process's own
//! (docs/operators.md, `limits.redis_url`).
//!
//! SQLite has no network to cut: the database tests run on PostgreSQL.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::chaos::{ChaosProxy, redis_url};
use common::logs::{Logs, with_own_logs};
use common::story::{PartnerStory, Story, days};
use common::{Backend, TestApp, assert_conforms, insert_org, one_error, spawn_app_with};
use entity::enums::OrgKind;
use entity::{enrollment, hour_log};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, Statement,
    TransactionTrait,
};
use serde_json::{Value, json};

/// How long a test request waits for the hub's database: short, so the
/// tests do not wait 3 s per refused request.
const ACQUIRE_MS: u64 = 1000;

/// A request that has not answered by then hangs: the test fails. Not a
/// measure of speed, only a guard.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// Requests tried while waiting for the hub to recover, 200 ms apart.
const RECOVERY_TRIES: usize = 100;

/// Who the viewer is (from the token; a token's organization id is kept
/// in the process once looked up) and the directory (read from the
/// database on every request, so the query notices the database away).
const VIEWER: &str = "query Me { viewer { subject } organizations { slug } }";
const LOG_HOURS: &str = "mutation($input: LogHoursInput!) { logHours(input: $input) { id } }";

/// Two tests logging at the same time each see only their own lines,
/// also those written by a task on another of their runtime's threads.
#[test]
fn each_test_sees_only_its_own_logs() {
    let both = Arc::new(std::sync::Barrier::new(2));
    let run = |marker: &'static str, both: Arc<std::sync::Barrier>| {
        std::thread::spawn(move || {
            with_own_logs(|logs| async move {
                tokio::spawn(async move { tracing::warn!(target: "pathways_hub", "{marker}") })
                    .await
                    .unwrap();
                tokio::task::spawn_blocking(move || both.wait())
                    .await
                    .unwrap();
                assert_eq!(logs.count("marker-"), 1, "{}", logs.text());
                assert_eq!(logs.count(marker), 1, "{}", logs.text());
            })
        })
    };
    let a = run("marker-a", both.clone());
    let b = run("marker-b", both);
    a.join().unwrap();
    b.join().unwrap();
}

/// An answer with its status and `Retry-After`.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

/// POSTs `body` to `/graphql` (failing the test if it hangs).
async fn send(app: &TestApp, token: Option<&str>, body: Value) -> Answer {
    let client = reqwest::Client::new();
    let mut request = client.post(&app.url).json(&body);
    let sent = body;
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = tokio::time::timeout(HANG_GUARD, request.send())
        .await
        .expect("the hub answers instead of hanging")
        .expect("request");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = response.json().await.expect("JSON answer");
    assert_conforms(&sent, &body);
    Answer {
        status,
        retry_after,
        body,
    }
}

async fn query(app: &TestApp, token: &str, query: &str, variables: Value) -> Answer {
    send(
        app,
        Some(token),
        json!({ "query": query, "variables": variables }),
    )
    .await
}

/// The status of `/readyz` (failing the test if it hangs).
async fn readyz(app: &TestApp) -> u16 {
    tokio::time::timeout(HANG_GUARD, app.get("/readyz"))
        .await
        .expect("/readyz answers instead of hanging")
        .status()
        .as_u16()
}

/// Asserts the answer of a request while the database is away.
#[track_caller]
fn assert_database_away(answer: &Answer) {
    assert_eq!(answer.status, 503, "{:#}", answer.body);
    let wait: u64 = answer
        .retry_after
        .as_deref()
        .expect("a Retry-After header")
        .parse()
        .expect("Retry-After in seconds");
    assert!(wait > 0);
    let error = one_error(&answer.body, "INTERNAL");
    assert_eq!(error["extensions"]["retryAfter"], wait);
    let message = error["message"].as_str().unwrap().to_lowercase();
    for internal in [
        "postgres",
        "hub_test",
        "127.0.0.1",
        "select",
        "insert",
        "pool",
        "sqlx",
        "connection",
    ] {
        assert!(
            !message.contains(internal),
            "the message leaks {internal:?}: {message}"
        );
    }
}

/// Asks until the hub answers `VIEWER` without an error; how many tries it
/// took. Fails the test after [`RECOVERY_TRIES`].
async fn until_recovered(app: &TestApp, token: &str) -> usize {
    for attempt in 1..=RECOVERY_TRIES {
        let answer = query(app, token, VIEWER, json!({})).await;
        if answer.status == 200 && answer.body["errors"].is_null() {
            assert_eq!(answer.body["data"]["viewer"]["subject"], "staff@hola");
            return attempt;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the hub did not recover in {RECOVERY_TRIES} tries");
}

/// A hub on a fresh PostgreSQL database reached through a chaos proxy,
/// with the partners' story and one apprentice.
struct World {
    app: TestApp,
    proxy: ChaosProxy,
    /// The same database, not through the proxy.
    direct: DatabaseConnection,
    story: PartnerStory,
    participant: uuid::Uuid,
    enrollment: uuid::Uuid,
}

async fn hub_behind_proxy() -> World {
    hub_behind_proxy_with(|_| {}).await
}

async fn hub_behind_proxy_with(
    configure: impl FnOnce(&mut pathways_hub::ground::config::Config),
) -> World {
    let proxy = ChaosProxy::postgres().await;
    let mut direct_url = String::new();
    let app = spawn_app_with(Backend::Postgres, false, |c| {
        direct_url = c.database_url.clone();
        c.database_url = proxy.url_through(&c.database_url);
        c.limits.db_acquire_timeout_ms = ACQUIRE_MS;
        configure(c);
    })
    .await;
    let s = Story::new(&app.db);
    let story = s.partners().await;
    let participant = s.apprentice(&story, 1).await;
    let enrollment = enrollment::Entity::find()
        .filter(enrollment::Column::ParticipantId.eq(participant))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let direct = sea_orm::Database::connect(direct_url).await.unwrap();
    World {
        app,
        proxy,
        direct,
        story,
        participant,
        enrollment,
    }
}

fn log_hours(enrollment: uuid::Uuid, days_ago: i64) -> Value {
    json!({ "input": { "enrollmentId": enrollment, "kind": "OJT",
        "workedOn": days(-days_ago).to_string(), "hours": 2.0 } })
}

#[test]
fn database_cut_answers_503_and_the_hub_recovers_by_itself() {
    with_own_logs(database_cut);
}

async fn database_cut(logs: Logs) {
    let World { app, proxy, .. } = hub_behind_proxy().await;
    let hola = app.staff("hola");
    assert_eq!(query(&app, &hola, VIEWER, json!({})).await.status, 200);
    assert_eq!(readyz(&app).await, 200);

    proxy.cut();
    // Twice: the first finds the pool's connections dead, the second
    // finds no connection to open.
    for n in 1..=2 {
        assert_database_away(&query(&app, &hola, VIEWER, json!({})).await);
        // One line per refused request, this test's own.
        assert_eq!(logs.count("database unavailable"), n, "{}", logs.text());
    }
    assert_eq!(readyz(&app).await, 503);
    // A GET query and the CSV report answer the same way.
    let client = reqwest::Client::new();
    for (path, header) in [
        (
            "/graphql?query=%7Bviewer%7Bsubject%7Dorganizations%7Bslug%7D%7D",
            "apollo-require-preflight",
        ),
        ("/reports/summary.csv?metrics=ENROLLED", "x-unused"),
    ] {
        let response = tokio::time::timeout(
            HANG_GUARD,
            client
                .get(format!("http://{}{path}", app.addr))
                .bearer_auth(&hola)
                .header(header, "true")
                .send(),
        )
        .await
        .expect("an answer")
        .unwrap();
        assert_eq!(response.status().as_u16(), 503, "{path}");
        assert!(response.headers().contains_key("retry-after"), "{path}");
    }
    let accepted = proxy.accepted();
    proxy.restore();
    let tries = until_recovered(&app, &hola).await;
    assert!(
        proxy.accepted() > accepted,
        "the pool opened a new connection"
    );
    assert_eq!(readyz(&app).await, 200);
    eprintln!("recovered after a cut in {tries} tries");
}

/// Stalled: the pool's ping of an idle connection never answers, so the
/// request waits the whole acquire timeout — no less (a lower bound, not
/// a wall-clock race) — and is then refused as the database away, not by
/// the request timeout (30 s).
#[test]
fn database_stalled_answers_503_at_the_acquire_timeout() {
    with_own_logs(|logs| async move {
        let World { app, proxy, .. } = hub_behind_proxy().await;
        let hola = app.staff("hola");
        assert_eq!(query(&app, &hola, VIEWER, json!({})).await.status, 200);

        proxy.stall();
        let started = std::time::Instant::now();
        let answer = query(&app, &hola, VIEWER, json!({})).await;
        let elapsed = started.elapsed();
        assert_database_away(&answer);
        assert!(
            elapsed >= Duration::from_millis(ACQUIRE_MS),
            "answered in {elapsed:?}, before the {ACQUIRE_MS} ms acquire timeout"
        );
        let message = answer.body["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("temporarily unavailable"),
            "not the database-away answer: {message}"
        );
        assert_eq!(logs.count("database unavailable"), 1, "{}", logs.text());
        assert_eq!(readyz(&app).await, 503);

        proxy.restore();
        until_recovered(&app, &hola).await;
        assert_eq!(readyz(&app).await, 200);
    });
}

/// Rows of `hour_log`, read past the proxy.
async fn hour_logs(db: &DatabaseConnection) -> usize {
    hour_log::Entity::find().all(db).await.unwrap().len()
}

/// Waiting lock requests in the current database (the hub's transaction
/// blocked behind the test's lock).
async fn waiting_locks(db: &DatabaseConnection) -> i64 {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
         WHERE NOT l.granted AND d.datname = current_database()",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

/// Transactions that wait for a lock while holding a row lock on
/// `hour_log` (taken by their insert, not yet committed).
async fn half_written(db: &DatabaseConnection) -> i64 {
    db.query_one_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT COUNT(DISTINCT l.pid) AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
         WHERE c.relname = 'hour_log' AND l.mode = 'RowExclusiveLock' AND l.granted \
         AND l.pid IN (SELECT pid FROM pg_locks WHERE NOT granted)",
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_committed_write_is_lost_and_no_half_write_stays() {
    let world = hub_behind_proxy().await;
    let World {
        app,
        proxy,
        direct,
        enrollment,
        ..
    } = &world;
    let enrollment = *enrollment;
    let a2w = app.staff("alliance-arts2work");
    let hola = app.staff("hola");

    // Committed before the cut.
    let logged = query(app, &a2w, LOG_HOURS, log_hours(enrollment, 2)).await;
    assert_eq!(logged.status, 200, "{:#}", logged.body);
    let kept = logged.body["data"]["logHours"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = common::database_fingerprint(direct).await;
    let rows = hour_logs(direct).await;

    // Attempted while the database is away: refused before it starts.
    proxy.cut();
    let refused = query(app, &a2w, LOG_HOURS, log_hours(enrollment, 3)).await;
    assert_database_away(&refused);
    proxy.restore();
    until_recovered(app, &hola).await;
    assert_eq!(common::database_fingerprint(direct).await, before);

    // Cut in the middle: the hub's transaction has inserted its hour log
    // and waits behind the test's lock on the audit trail when the
    // connection goes.
    let (write, lock) = write_held_at_the_audit(&world, &a2w, 4).await;
    proxy.cut();
    lock.rollback().await.unwrap();
    let (status, answer, _) = tokio::time::timeout(HANG_GUARD, write)
        .await
        .expect("the cut write answers")
        .unwrap();
    assert_eq!(status, 503, "{answer:#}");
    one_error(&answer, "INTERNAL");
    assert!(answer["data"].is_null(), "{answer:#}");

    proxy.restore();
    until_recovered(app, &hola).await;
    assert_eq!(hour_logs(direct).await, rows, "no half-written hour log");
    assert_eq!(
        common::database_fingerprint(direct).await,
        before,
        "nothing of the cut writes stays, nothing committed is lost"
    );
    let found = hour_log::Entity::find_by_id(kept.parse::<uuid::Uuid>().unwrap())
        .one(&app.db)
        .await
        .unwrap();
    assert!(found.is_some(), "the write committed before the cut");
}

/// Sends `logHours` in the background and waits until its transaction
/// has inserted the hour log and waits behind the test's lock on the
/// audit trail; answers the pending request and the lock.
async fn write_held_at_the_audit(
    world: &World,
    token: &str,
    days_ago: i64,
) -> (
    tokio::task::JoinHandle<(u16, Value, Duration)>,
    sea_orm::DatabaseTransaction,
) {
    let lock = world.direct.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE audit_event IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let url = world.app.url.clone();
    let token = token.to_owned();
    let body = json!({ "query": LOG_HOURS, "variables": log_hours(world.enrollment, days_ago) });
    let write = tokio::spawn(async move {
        let started = std::time::Instant::now();
        let response = reqwest::Client::new()
            .post(url)
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
            started.elapsed(),
        )
    });
    // Another of the hub's connections (a background task) may wait on
    // the audit trail first: wait for the write's own transaction, with
    // its hour log inserted, to wait there.
    let mut polls = 0;
    while half_written(&world.direct).await == 0 {
        polls += 1;
        assert!(
            polls < 500,
            "the hub's write never reached the lock with its hour log inserted ({} waiting)",
            waiting_locks(&world.direct).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        half_written(&world.direct).await,
        1,
        "one waiting transaction has inserted its hour log"
    );
    (write, lock)
}

/// Stalled in the middle of a write (the connection taken, the
/// transaction begun and its hour log inserted): the request answers at
/// the GraphQL request timeout (its answer, and no sooner than it), and
/// the transaction never commits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_stalled_mid_transaction_times_out_and_leaves_nothing() {
    const TIMEOUT_SECS: u64 = 2;
    let world = hub_behind_proxy_with(|c| c.limits.request_timeout_secs = TIMEOUT_SECS).await;
    let a2w = world.app.staff("alliance-arts2work");
    let before = common::database_fingerprint(&world.direct).await;
    let (write, lock) = write_held_at_the_audit(&world, &a2w, 5).await;
    world.proxy.stall();
    lock.rollback().await.unwrap();
    let (status, answer, elapsed) = tokio::time::timeout(HANG_GUARD, write)
        .await
        .expect("the stalled write answers")
        .unwrap();
    assert_eq!(status, 503, "{answer:#}");
    let error = one_error(&answer, "INTERNAL");
    assert_eq!(error["extensions"]["retryAfter"], 5, "{answer:#}");
    // The request timeout's answer, not the database-away one, and not
    // before the timeout.
    assert_eq!(
        error["message"],
        format!("no answer within {TIMEOUT_SECS} s; retry after 5 s"),
        "{answer:#}"
    );
    assert!(
        elapsed >= Duration::from_secs(TIMEOUT_SECS),
        "answered in {elapsed:?}, before the {TIMEOUT_SECS} s request timeout"
    );
    world.proxy.restore();
    until_recovered(&world.app, &world.app.staff("hola")).await;
    assert_eq!(
        common::database_fingerprint(&world.direct).await,
        before,
        "nothing of the stalled write stays"
    );
}

/// A read of another organization's data is answered only once its
/// disclosure is in the audit trail: when the database goes while that
/// write waits, the answer is `503` without the data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_whose_audit_is_cut_answers_503_without_the_data() {
    let World {
        app,
        proxy,
        direct,
        story,
        participant,
        ..
    } = hub_behind_proxy().await;
    Story::new(&direct)
        .agreement(story.owner, story.viewer, "IDENTITY")
        .await;
    let hola = app.staff("hola");
    let read = "query($id: ID!) { participant(id: $id) { givenName } }";
    let answer = query(&app, &hola, read, json!({ "id": participant })).await;
    assert_eq!(
        answer.body["data"]["participant"]["givenName"], "Marisol1",
        "{:#}",
        answer.body
    );

    let lock = direct.begin().await.unwrap();
    lock.execute_unprepared("LOCK TABLE audit_event IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let pending = {
        let url = app.url.clone();
        let body = json!({ "query": read, "variables": { "id": participant } });
        tokio::spawn(async move {
            let response = reqwest::Client::new()
                .post(url)
                .bearer_auth(hola)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        })
    };
    let mut polls = 0;
    while waiting_locks(&direct).await == 0 {
        polls += 1;
        assert!(polls < 500, "the read's audit never reached the lock");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    proxy.cut();
    lock.rollback().await.unwrap();
    let (status, text) = tokio::time::timeout(HANG_GUARD, pending)
        .await
        .expect("the read answers")
        .unwrap();
    assert_eq!(status, 503, "{text}");
    assert!(!text.contains("Marisol"), "data without its audit: {text}");
    let answer: Value = serde_json::from_str(&text).unwrap();
    one_error(&answer, "INTERNAL");
    proxy.restore();
}

/// How Redis goes away in a test.
#[derive(Clone, Copy)]
enum Fault {
    Cut,
    Stall,
}

/// A hub whose shared Redis is reached through a chaos proxy, with its
/// Redis namespace; subjects may make 3 requests a minute.
async fn hub_with_redis(backend: Backend) -> (TestApp, ChaosProxy, String) {
    let proxy = ChaosProxy::redis().await;
    let namespace = format!("test-{}", uuid::Uuid::new_v4());
    let app = spawn_app_with(backend, false, |c| {
        c.limits.redis_url = Some(proxy.url_through(&redis_url()));
        c.limits.redis_namespace = namespace.clone();
        c.limits.per_subject_per_minute = 3;
    })
    .await;
    insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
    (app, proxy, namespace)
}

/// The sha256 of a query, as automatic persisted queries name it.
fn hash(query: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(query.as_bytes()))
}

/// Registers `query` as a persisted query (anonymous: no subject limit).
async fn register(app: &TestApp, query: &str) -> Answer {
    let apq = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash(query) } });
    send(app, None, json!({ "query": query, "extensions": apq })).await
}

/// Runs a persisted query by its hash alone.
async fn by_hash(app: &TestApp, query: &str) -> Answer {
    let apq = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash(query) } });
    send(app, None, json!({ "extensions": apq })).await
}

/// What the shared Redis holds under `key`, read directly.
async fn in_redis(key: &str) -> Option<String> {
    use redis::AsyncCommands;
    let client = redis::Client::open(redis_url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    conn.get(key).await.unwrap()
}

async fn redis_away(backend: Backend, fault: Fault, logs: Logs) {
    let (app, proxy, namespace) = hub_with_redis(backend).await;
    let staff = app.staff("wlcac");
    let before = "query Before { __typename }";
    assert_eq!(register(&app, before).await.status, 200);
    assert!(
        in_redis(&format!("{namespace}:apq:{}", hash(before)))
            .await
            .is_some()
    );
    // One of the subject's 3 counted in Redis.
    assert_eq!(query(&app, &staff, VIEWER, json!({})).await.status, 200);

    match fault {
        Fault::Cut => proxy.cut(),
        Fault::Stall => proxy.stall(),
    }
    // Rate limits fall back to the process's own, which still refuse: 3
    // more requests, then 429.
    for n in 1..=3 {
        let answer = query(&app, &staff, VIEWER, json!({})).await;
        assert_eq!(answer.status, 200, "request {n}: {:#}", answer.body);
        assert_eq!(answer.body["data"]["viewer"]["subject"], "staff@wlcac");
    }
    let refused = query(&app, &staff, VIEWER, json!({})).await;
    assert_eq!(refused.status, 429, "{:#}", refused.body);
    assert!(refused.retry_after.is_some());
    one_error(&refused.body, "RATE_LIMITED");
    // Persisted queries: registered before (kept here too) and now.
    let answer = by_hash(&app, before).await;
    assert_eq!(
        answer.body["data"]["__typename"], "Query",
        "{:#}",
        answer.body
    );
    let during = "query During { __typename }";
    assert_eq!(register(&app, during).await.status, 200);
    let answer = by_hash(&app, during).await;
    assert_eq!(
        answer.body["data"]["__typename"], "Query",
        "{:#}",
        answer.body
    );
    assert!(
        logs.count("shared Redis unavailable") > 0,
        "{}",
        logs.text()
    );

    // Back: shared again (on a new connection), within a bounded number of
    // tries.
    proxy.restore();
    let after = format!(
        "query After{} {{ __typename }}",
        uuid::Uuid::new_v4().simple()
    );
    let key = format!("{namespace}:apq:{}", hash(&after));
    let mut tries = 0;
    loop {
        tries += 1;
        assert!(tries <= RECOVERY_TRIES, "Redis was not used again");
        assert_eq!(register(&app, &after).await.status, 200);
        if in_redis(&key).await.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("Redis shared again after {tries} tries");
}

logged_hub_test!(
    redis_cut_falls_back_to_per_process_limits_and_queries,
    |backend, logs| {
        redis_away(backend, Fault::Cut, logs).await;
    }
);

logged_hub_test!(
    redis_stalled_falls_back_to_per_process_limits_and_queries,
    |backend, logs| {
        redis_away(backend, Fault::Stall, logs).await;
    }
);

/// Nothing personal or internal in what the hub logged while the database
/// was away: its one line, at WARN.
#[test]
fn database_unavailable_logs_no_personal_data_or_connection_string() {
    with_own_logs(|logs| async move {
        let World { app, proxy, .. } = hub_behind_proxy().await;
        let hola = app.staff("hola");
        proxy.cut();
        assert_database_away(&query(&app, &hola, VIEWER, json!({})).await);
        proxy.restore();
        let text = logs.text();
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("database unavailable"))
            .collect();
        assert_eq!(lines.len(), 1, "{text}");
        assert!(lines[0].contains("WARN"), "{}", lines[0]);
        for private in ["Marisol", "marisol", "555-0142", "hub_test_", "postgres://"] {
            assert!(!text.contains(private), "the log has {private:?}: {text}");
        }
    });
}
