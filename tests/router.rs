//! The production topology (issue 33): the hub behind Hive Router, the
//! Rust federation router, composed with a partner subgraph. Every demo
//! partner's page through the router has the data and errors (path, code,
//! category, partner) of the hub's own answer; the client's Authorization
//! reaches the hub; and two organizations sending the same document at the
//! same moment never share an answer, although the router deduplicates
//! identical in-flight subgraph requests (its key includes the propagated
//! Authorization header).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::gateways::{error_keys, first_difference, partner_pages, through_router};
use common::*;
use serde_json::json;

const PAGE: &str = "query { participants(first: 50) { totalCount edges { node {
  id givenName familyName email birthDate priorityPopulations
  enrollments { status program { name } ojtHours rtiHours hourLogs { workedOn kind hours approved } }
  credentials { name kind } mentorships { status mentor { name } } services { kind } outcomes { kind }
} } } }";

hub_test!(
    every_partners_page_is_the_same_through_hive_router,
    |backend| {
        let app = spawn_app(backend).await;
        let admin = app.hub_admin();
        let (slugs, requests, direct) = partner_pages(&app, PAGE).await;
        let hola = slugs.iter().position(|s| s == "hola").unwrap();
        let wlcac = slugs.iter().position(|s| s == "wlcac").unwrap();
        // Worth comparing: HOLA sees youth and is refused some of their fields,
        // and its page is not WLCAC's.
        assert!(!error_keys(&direct[hola]).is_empty(), "{:#}", direct[hola]);
        assert_ne!(direct[hola]["data"], direct[wlcac]["data"]);

        let concurrent = vec![requests[hola].clone(), requests[wlcac].clone()];
        let (answers, together) =
            through_router(&app.url, &admin, &requests, &concurrent, 100).await;
        assert_eq!(answers.len(), requests.len());
        for ((slug, hub), answer) in slugs.iter().zip(&direct).zip(&answers) {
            assert_conforms(&json!({ "query": PAGE }), answer);
            assert_eq!(
                first_difference(&answer["data"], &hub["data"]),
                None,
                "through Hive Router as staff of {slug}: data differs from the hub's"
            );
            assert_eq!(
                error_keys(answer),
                error_keys(hub),
                "through Hive Router as staff of {slug}: errors differ from the hub's"
            );
        }
        // 200 requests of one document from two organizations at once: each
        // answer is its own organization's.
        for (group, expected) in together.iter().zip([&direct[hola], &direct[wlcac]]) {
            assert_eq!(group.len(), 100);
            for answer in group {
                assert_eq!(first_difference(&answer["data"], &expected["data"]), None);
                assert_eq!(error_keys(answer), error_keys(expected));
            }
        }
        // Without a token the router's request reaches the hub without one.
        let (anonymous, _) = through_router(
            &app.url,
            &admin,
            &[(String::new(), PAGE.to_owned(), json!({}))],
            &[],
            0,
        )
        .await;
        assert!(
            codes(&anonymous[0]).contains(&"UNAUTHENTICATED".to_owned()),
            "{}",
            anonymous[0]
        );
    }
);

/// `bench gateway --router hive` runs end to end on SQLite and PostgreSQL:
/// every phase answers without a failed call, and every client sends as
/// its own viewer (with one token, identical in-flight requests share one
/// hub call and the bench measures the router's deduplication, not the
/// router). No timing is asserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bench_gateway_runs_through_hive_router() {
    use pathways_hub::cli::bench::{GatewayArgs, Router, gateway};
    for postgres in [None, Some(pg_server_url())] {
        let report = gateway(GatewayArgs {
            clients: 3,
            seconds: 1,
            router: Router::Hive,
            script: common::gateways::federation_js().join("hive.mjs"),
            hive_router: Some(common::gateways::hive_router()),
            participants: 30,
            postgres,
            running: None,
        })
        .await
        .unwrap();
        assert_eq!(report["router"], "hive", "{report}");
        assert_eq!(report["viewers"], 3, "one token per client: {report}");
        let phases = report["phases"].as_array().unwrap();
        assert_eq!(phases.len(), 3, "{report}");
        for phase in phases {
            assert_eq!(phase["errors"], 0, "{phase}");
            assert!(phase["requests"].as_u64().unwrap() > 0, "{phase}");
        }
        assert!(report["overhead"]["p50_ms"].is_number(), "{report}");
    }
}
