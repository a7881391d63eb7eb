//! Operating limits over HTTP: rate limits per subject and per address with
//! `Retry-After`, automatic persisted queries (and no mutation through a
//! GET hash), CORS allow-list, introspection off, `/metrics`, and graceful
//! shutdown with `/readyz` failing while the server drains.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use entity::enums::OrgKind;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

async fn post(app: &TestApp, token: &str, body: Value) -> (u16, Option<String>, Value) {
    let response = reqwest::Client::new()
        .post(&app.url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry, response.json().await.unwrap())
}

hub_test!(
    a_subject_over_its_rate_gets_429_with_retry_after,
    |backend| {
        let app = spawn_app_with(backend, false, |c| {
            c.limits.per_subject_per_minute = 3;
        })
        .await;
        insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
        let staff = app.staff("hola");
        let body = json!({ "query": "{ viewer { subject } }" });
        for _ in 0..3 {
            let (status, _, answer) = post(&app, &staff, body.clone()).await;
            assert_eq!(status, 200, "{answer}");
        }
        let (status, retry, answer) = post(&app, &staff, body.clone()).await;
        assert_eq!(status, 429);
        assert_eq!(codes(&answer), ["RATE_LIMITED"]);
        let secs: u64 = retry.unwrap().parse().unwrap();
        assert!((1..=61).contains(&secs), "{secs}");
        // Another subject of the same organization has its own quota.
        let other = app.token("other@hola", "hola", &["staff"]);
        assert_eq!(post(&app, &other, body).await.0, 200);
        let metrics = app.get("/metrics").await.text().await.unwrap();
        assert!(
            metrics.contains("pathways_rate_limited_total{by=\"subject\"} 1"),
            "{metrics}"
        );
    }
);

hub_test!(an_address_over_its_rate_gets_429, |backend| {
    let app = spawn_app_with(backend, false, |c| {
        c.limits.per_ip_per_minute = 4;
    })
    .await;
    insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
    let mut statuses = Vec::new();
    for n in 0..6 {
        let token = app.token(&format!("user{n}@hola"), "hola", &["staff"]);
        statuses.push(
            post(&app, &token, json!({ "query": "{ viewer { subject } }" }))
                .await
                .0,
        );
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    // Probes are never limited.
    assert_eq!(app.get("/healthz").await.status(), 200);
});

hub_test!(persisted_queries_by_hash, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
    let staff = app.staff("hola");
    let query = "query Me { viewer { subject } }";
    let hash = format!("{:x}", Sha256::digest(query.as_bytes()));
    let apq = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let (_, _, answer) = post(&app, &staff, json!({ "extensions": apq })).await;
    assert_eq!(answer["errors"][0]["message"], "PersistedQueryNotFound");
    let (_, _, answer) = post(&app, &staff, json!({ "query": query, "extensions": apq })).await;
    assert_eq!(answer["data"]["viewer"]["subject"], "staff@hola");
    let (_, _, answer) = post(&app, &staff, json!({ "extensions": apq })).await;
    assert_eq!(
        answer["data"]["viewer"]["subject"], "staff@hola",
        "{answer}"
    );
    // By GET too, as partner apps send them for caching (with Apollo's
    // CSRF-safe header, as Apollo Client sends it).
    let response = reqwest::Client::new()
        .get(&app.url)
        .bearer_auth(&staff)
        .header("apollo-require-preflight", "true")
        .query(&[("extensions", apq.to_string())])
        .send()
        .await
        .unwrap();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer["data"]["viewer"]["subject"], "staff@hola",
        "{answer}"
    );

    // A mutation registered by POST cannot be run by a GET with its hash.
    let admin = app.org_admin("hola");
    let mutation = "mutation { createMentor(input: { name: \"Dana Whitfield\" }) { id } }";
    let mhash = format!("{:x}", Sha256::digest(mutation.as_bytes()));
    let mapq = json!({ "persistedQuery": { "version": 1, "sha256Hash": mhash } });
    let (_, _, answer) = post(
        &app,
        &admin,
        json!({ "query": mutation, "extensions": mapq }),
    )
    .await;
    assert_ok(&answer);
    let response = reqwest::Client::new()
        .get(&app.url)
        .bearer_auth(&admin)
        .header("apollo-require-preflight", "true")
        .query(&[("extensions", mapq.to_string())])
        .send()
        .await
        .unwrap();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(codes(&answer), ["BAD_USER_INPUT"], "{answer}");
    assert_eq!(app.count("mentor").await, 1, "the GET wrote nothing");
});

hub_test!(
    cors_introspection_and_metrics_follow_configuration,
    |backend| {
        let app = spawn_app_with(backend, false, |c| {
            c.limits.cors_allowed_origins = vec!["https://partner.example.org".into()];
            c.limits.introspection = false;
        })
        .await;
        insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
        let client = reqwest::Client::new();
        let preflight = |origin: &'static str| {
            client
                .request(reqwest::Method::OPTIONS, &app.url)
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization,content-type",
                )
                .send()
        };
        let allowed = preflight("https://partner.example.org").await.unwrap();
        assert_eq!(
            allowed.headers()["access-control-allow-origin"],
            "https://partner.example.org"
        );
        let refused = preflight("https://evil.example.com").await.unwrap();
        assert!(
            refused
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );

        let staff = app.staff("hola");
        let (_, _, answer) = post(
            &app,
            &staff,
            json!({ "query": "{ __schema { types { name } } }" }),
        )
        .await;
        assert!(
            answer["data"]["__schema"].is_null(),
            "introspection is off: {answer}"
        );
        let (_, _, answer) = post(&app, &staff, json!({ "query": "query CaseManagerPage { viewer { subject } }", "operationName": "CaseManagerPage" })).await;
        assert_ok(&answer);
        post(
            &app,
            &staff,
            json!({ "query": "{ participants { totalCount } }" }),
        )
        .await;
        let metrics = app.get("/metrics").await.text().await.unwrap();
        for line in [
            "pathways_graphql_operations_total{operation=\"CaseManagerPage\",code=\"OK\"} 1",
            "pathways_http_requests_total{route=\"/graphql\",status=\"200\"}",
            "pathways_http_request_duration_seconds_bucket{route=\"/graphql\",le=\"+Inf\"}",
            "pathways_sql_statements_total",
            "pathways_draining 0",
        ] {
            assert!(metrics.contains(line), "{line} missing:\n{metrics}");
        }
        assert!(!metrics.contains("staff@hola"), "no subjects in metrics");
    }
);

hub_test!(shutdown_drains_with_readyz_failing_first, |backend| {
    let app = spawn_app_with(backend, false, |c| {
        c.limits.shutdown_grace_secs = 2;
    })
    .await;
    insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(pathways_hub::web::serve(
        listener,
        app.state.clone(),
        async {
            let _ = stopped.await;
        },
    ));
    let client = reqwest::Client::new();
    let ready = client
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    stop.send(()).unwrap();
    // While draining: not ready, but requests on the open connection are served.
    let mut draining = false;
    for _ in 0..50 {
        let ready = client
            .get(format!("http://{addr}/readyz"))
            .send()
            .await
            .unwrap();
        if ready.status() == 503 {
            draining = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(draining, "readyz turns 503 while draining");
    let answer: Value = client
        .post(format!("http://{addr}/graphql"))
        .bearer_auth(app.staff("hola"))
        .json(&json!({ "query": "{ viewer { subject } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["data"]["viewer"]["subject"], "staff@hola");
    // Then the server stops.
    tokio::time::timeout(std::time::Duration::from_secs(10), server)
        .await
        .expect("the server stops after the grace period")
        .unwrap()
        .unwrap();
});
