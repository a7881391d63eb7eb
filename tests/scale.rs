//! Two hub instances in front of one database (as behind a load balancer):
//! the hub keeps nothing between requests that the other would need, so a
//! write through one is read through the other, and conflicting writes
//! across both lose nothing.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use entity::enums::OrgKind;
use serde_json::{Value, json};

/// A second server on the same database, with its own pool and state.
async fn second_instance(app: &TestApp) -> String {
    let config = (*app.state.config).clone();
    let db = pathways_hub::ground::db::connect(&config).await.unwrap();
    let state = pathways_hub::web::AppState::connect(config, db)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(pathways_hub::web::serve(
        listener,
        state,
        std::future::pending(),
    ));
    format!("http://{addr}/graphql")
}

async fn post(url: &str, token: &str, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables });
    let answer = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_conforms(&body, &answer);
    answer
}

hub_test!(
    two_instances_share_one_database_and_lose_nothing,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
        let other = second_instance(&app).await;
        let staff = app.staff("wlcac");

        // Written through one, read through the other.
        let created = post(&app.url, &staff, "mutation { createParticipant(input: { givenName: \"Imani\", familyName: \"Brooks\", birthDate: \"2004-06-02\", postalCode: \"90008\" }) { id version } }", json!({})).await;
        let id = created["data"]["createParticipant"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let read = post(
            &other,
            &staff,
            "query($id: ID!) { participant(id: $id) { givenName postalCode version } }",
            json!({ "id": id }),
        )
        .await;
        assert_eq!(
            read["data"]["participant"],
            json!({ "givenName": "Imani", "postalCode": "90008", "version": 1 })
        );

        // Twenty conflicting updates of version 1, alternating instances: one wins.
        let update = "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { version postalCode } }";
        let mut tasks = Vec::new();
        for n in 0..20 {
            let url = if n % 2 == 0 {
                app.url.clone()
            } else {
                other.clone()
            };
            let (token, id) = (staff.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
            post(&url, &token, update, json!({ "input": { "id": id, "version": 1, "postalCode": format!("900{n:02}") } })).await
        }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            let answer = task.await.unwrap();
            match answer.get("errors") {
                None => winners.push(answer["data"]["updateParticipant"]["postalCode"].clone()),
                Some(_) => assert_eq!(codes(&answer), ["CONFLICT"], "{answer}"),
            }
        }
        assert_eq!(winners.len(), 1);
        // Both instances read the winner's write: nothing lost, nothing mixed.
        for url in [&app.url, &other] {
            let read = post(
                url,
                &staff,
                "query($id: ID!) { participant(id: $id) { postalCode version } }",
                json!({ "id": id }),
            )
            .await;
            assert_eq!(read["data"]["participant"]["postalCode"], winners[0]);
            assert_eq!(read["data"]["participant"]["version"], 2);
        }
        assert_eq!(
            app.count("audit_event WHERE action = 'UPDATE'").await,
            1,
            "one audited update"
        );
    }
);

hub_test!(
    with_redis_rate_limits_and_persisted_queries_span_instances,
    |backend| {
        let namespace = format!("test-{}", uuid::Uuid::new_v4());
        let app = spawn_app_with(backend, false, |c| {
            c.limits.redis_url = Some(
                std::env::var("HUB_TEST_REDIS_URL")
                    .unwrap_or_else(|_| "redis://127.0.0.1:6379".into()),
            );
            c.limits.redis_namespace = namespace.clone();
            c.limits.per_subject_per_minute = 4;
        })
        .await;
        insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
        let other = second_instance(&app).await;
        let staff = app.staff("wlcac");

        // A persisted query registered through one instance runs on the other.
        let query = "query Me { viewer { subject } }";
        let hash = {
            use sha2::Digest;
            format!("{:x}", sha2::Sha256::digest(query.as_bytes()))
        };
        let apq = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
        let client = reqwest::Client::new();
        let send = |url: String, body: Value| {
            let (client, token) = (client.clone(), staff.clone());
            async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let answer = response.json::<Value>().await.unwrap();
                assert_conforms(&body, &answer);
                (status, answer)
            }
        };
        let (_, answer) = send(
            app.url.clone(),
            json!({ "query": query, "extensions": apq }),
        )
        .await;
        assert_eq!(
            answer["data"]["viewer"]["subject"], "staff@wlcac",
            "{answer}"
        );
        let (_, answer) = send(other.clone(), json!({ "extensions": apq })).await;
        assert_eq!(
            answer["data"]["viewer"]["subject"], "staff@wlcac",
            "{answer}"
        );

        // Two requests used; two more fit, alternating instances; then 429 on both.
        let body = json!({ "query": "{ viewer { subject } }" });
        assert_eq!(send(app.url.clone(), body.clone()).await.0, 200);
        assert_eq!(send(other.clone(), body.clone()).await.0, 200);
        let (status, answer) = send(app.url.clone(), body.clone()).await;
        assert_eq!(
            (status, codes(&answer)),
            (429, vec!["RATE_LIMITED".to_owned()])
        );
        assert_eq!(send(other.clone(), body).await.0, 429);
    }
);

/// Every connection to PostgreSQL has Nagle's algorithm off
/// (TCP_NODELAY). sqlx-core 0.9.0 stopped setting it, and a statement
/// larger than its 8 KiB write buffer (a page's audit rows) then waited
/// ~40 ms for a delayed ACK; `vendor/sqlx-core` puts it back. The sockets
/// are read from this test process's own descriptors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_connections_send_without_delay() {
    let app = spawn_app_with(Backend::Postgres, false, |_| {}).await;
    insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
    let port = url::Url::parse(&pg_server_url())
        .unwrap()
        .port()
        .unwrap_or(5432);
    let mut checked = 0;
    for entry in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        let Ok(fd) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if !is_socket {
            continue;
        }
        // SAFETY: only borrowed for two getsockopt calls; a descriptor
        // closed meanwhile makes them fail, and it is skipped.
        let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
        let socket = socket2::SockRef::from(&borrowed);
        let to_postgres = socket
            .peer_addr()
            .ok()
            .and_then(|peer| peer.as_socket())
            .is_some_and(|peer| peer.port() == port);
        if !to_postgres {
            continue;
        }
        if let Ok(nodelay) = socket.tcp_nodelay() {
            assert!(
                nodelay,
                "a connection to PostgreSQL has Nagle's algorithm on"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no connection to PostgreSQL found");
}

hub_test!(
    far_from_its_limit_a_request_is_decided_locally_and_counted_in_redis_after,
    |backend| {
        use redis::AsyncCommands;
        let namespace = format!("test-{}", uuid::Uuid::new_v4());
        let redis_url =
            std::env::var("HUB_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let app = spawn_app_with(backend, false, |c| {
            c.limits.redis_url = Some(redis_url.clone());
            c.limits.redis_namespace = namespace.clone();
            c.limits.per_subject_per_minute = 1000;
        })
        .await;
        insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
        let staff = app.staff("wlcac");
        for _ in 0..6 {
            assert_ok(
                &app.query(Some(&staff), "{ viewer { subject } }", json!({}))
                    .await,
            );
        }
        // The subject's window counter: the first hit asked Redis, the
        // other five were let through here and are added by the
        // background sync (every 100 ms), in a bounded number of tries.
        let key = pathways_hub::ground::shared::rate_key(&namespace, "subject", "staff@wlcac");
        let mut conn = redis::Client::open(redis_url)
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        let mut count: Option<u64> = None;
        for _ in 0..50 {
            count = conn.get(&key).await.unwrap();
            if count == Some(6) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(count, Some(6), "every hit is counted in Redis");
        let ttl: i64 = conn.ttl(&key).await.unwrap();
        assert!((1..=60).contains(&ttl), "a one-minute window: {ttl}");
    }
);
