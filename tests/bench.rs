//! The benchmark tools work on both databases: the synthetic dataset, the
//! statement counter behind `/metrics`, the load generator and the
//! hand-written SQL floor (no timing is asserted, only counts).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use serde_json::{Value, json};

hub_test!(bench_seed_and_graph_run_against_a_real_hub, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let summary =
        pathways_hub::cli::bench::synth_seed(&app.db, TEST_MATCH_SECRET.as_bytes(), 300, 7)
            .await
            .unwrap();
    assert_eq!(summary.participants, 300);
    assert_eq!(summary.hour_logs, 3000);
    assert_eq!(
        app.count("participant").await,
        300 + 80,
        "the demo's 80 youth and 300 synthetic ones"
    );
    assert!(app.count("hour_log").await >= 3000);

    // /metrics counts statements: one query costs at least one.
    let metrics = || async { app.get("/metrics").await.text().await.unwrap() };
    let read = |text: String| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix("pathways_sql_statements_total "))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let before = read(metrics().await);
    assert_ok(
        &app.query(
            Some(&app.staff("wlcac")),
            "{ organizations { slug } }",
            json!({}),
        )
        .await,
    );
    assert!(read(metrics().await) > before);

    let org = pathways_hub::directory::organizations::by_slug(&app.db, "alliance-arts2work")
        .await
        .unwrap()
        .unwrap();
    let args = pathways_hub::cli::bench::GraphArgs {
        url: format!("http://{}", app.addr),
        clients: 2,
        seconds: 1,
        token: app.staff("alliance-arts2work"),
        viewer_org: org.id,
        db: app.db.clone(),
        shape: pathways_hub::cli::bench::Shape::Page,
    };
    let report = pathways_hub::cli::bench::graph(args).await.unwrap();
    assert_eq!(report["errors"], 0, "{report}");
    assert!(report["requests"].as_u64().unwrap() > 0, "{report}");
    let statements = report["sql_statements_per_request"].as_u64().unwrap();
    assert!((2..=25).contains(&statements), "{report}");
    assert_eq!(
        report["floor_errors"], 0,
        "the hand-written SQL runs on this database: {report}"
    );
    assert!(report["floor_p50_ms"].as_f64().unwrap() > 0.0, "{report}");
    assert!(
        report["old_floor_p50_ms"].as_f64().unwrap() > 0.0,
        "{report}"
    );

    // The pager (a fragment, cursors, pageInfo, totalCount) against its
    // floor, the page's statement and a hand-written count: both run, and
    // the floor's count is the hub's.
    let pager = pathways_hub::cli::bench::graph(pathways_hub::cli::bench::GraphArgs {
        url: format!("http://{}", app.addr),
        clients: 2,
        seconds: 1,
        token: app.staff("alliance-arts2work"),
        viewer_org: org.id,
        db: app.db.clone(),
        shape: pathways_hub::cli::bench::Shape::Pager,
    })
    .await
    .unwrap();
    assert_eq!(pager["shape"], "pager", "{pager}");
    assert_eq!(pager["errors"], 0, "{pager}");
    assert_eq!(pager["floor_errors"], 0, "{pager}");
    // The page's statement, the count and the disclosures' insert.
    assert_eq!(
        pager["sql_statements_per_request"].as_u64().unwrap(),
        3,
        "the pager is the page, a count and the audit: {pager}"
    );
    let counted = app
        .query(
            Some(&app.staff("alliance-arts2work")),
            pathways_hub::cli::bench::PAGER_QUERY,
            json!({}),
        )
        .await;
    assert_eq!(
        counted["data"]["participants"]["totalCount"]
            .as_i64()
            .unwrap(),
        pathways_hub::cli::bench::floor_count(&app.db, org.id)
            .await
            .unwrap(),
        "{counted}"
    );
    // The pager's floor counts the same grants the hub keeps.
    assert_eq!(
        counted["data"]["participants"]["totalCount"]
            .as_i64()
            .unwrap(),
        pathways_hub::cli::bench::listing_count(&app.db, org.id)
            .await
            .unwrap(),
    );

    // The detail page (`participant(id)` with every profile field, the
    // links and every record kind) against its floor, one hand-written
    // statement for the same participant: both run, in at most 3
    // statements for the hub (the page and the audit's insert).
    let before_detail = app.count("bench_floor_disclosure").await;
    let detail = pathways_hub::cli::bench::graph(pathways_hub::cli::bench::GraphArgs {
        url: format!("http://{}", app.addr),
        clients: 2,
        seconds: 1,
        token: app.staff("alliance-arts2work"),
        viewer_org: org.id,
        db: app.db.clone(),
        shape: pathways_hub::cli::bench::Shape::Detail,
    })
    .await
    .unwrap();
    assert_eq!(detail["shape"], "detail", "{detail}");
    assert_eq!(detail["errors"], 0, "{detail}");
    assert_eq!(detail["floor_errors"], 0, "{detail}");
    // The floors record their disclosures, one row per participant shown,
    // as the hub must: the detail floor added rows to the pages' rows.
    let recorded = app.count("bench_floor_disclosure").await;
    assert!(
        recorded > before_detail && before_detail >= 50,
        "{before_detail} then {recorded} disclosure rows: {detail}"
    );
    assert!(
        (1..=3).contains(&detail["sql_statements_per_request"].as_u64().unwrap()),
        "{detail}"
    );
    // The detail floor reads what the hub answers, participant by
    // participant: the same names and as many rows of every kind.
    let first = app
        .query(
            Some(&app.staff("alliance-arts2work")),
            "{ participants(first: 5) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let mut rows = 0;
    for edge in first["data"]["participants"]["edges"].as_array().unwrap() {
        let id = edge["node"]["id"].as_str().unwrap();
        let hub = app
            .query(
                Some(&app.staff("alliance-arts2work")),
                pathways_hub::cli::bench::DETAIL_QUERY,
                json!({ "id": id }),
            )
            .await;
        let hub = &hub["data"]["participant"];
        let floor = pathways_hub::cli::bench::floor_detail(
            &app.db,
            org.id,
            uuid::Uuid::parse_str(id).unwrap(),
        )
        .await;
        assert_eq!(floor["identity"]["g"], hub["givenName"], "{floor} {hub}");
        for kind in [
            "links",
            "enrollments",
            "mentorships",
            "services",
            "credentials",
            "outcomes",
            "dualEnrollments",
        ] {
            let n = hub[kind].as_array().map(Vec::len);
            assert_eq!(
                floor[kind].as_array().map(Vec::len),
                n,
                "{kind}: {floor} {hub}"
            );
            rows += n.unwrap_or(0);
        }
    }
    assert!(rows > 5, "the detail pages hold rows ({rows})");

    // The floor reads the page the hub answers: the same participants, and
    // for each the same enrollments, approved hours, hour logs and
    // mentorships (one statement, the policy written out by hand).
    let after = uuid::Uuid::nil();
    let floor = pathways_hub::cli::bench::floor_page(&app.db, org.id, after)
        .await
        .unwrap();
    let hub = app
        .query(
            Some(&app.staff("alliance-arts2work")),
            pathways_hub::cli::bench::CASE_MANAGER_QUERY,
            json!({ "after": after.to_string() }),
        )
        .await;
    let edges = hub["data"]["participants"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 50, "{hub}");
    let summary = |id: String, enrollments: &Value, mentorships: &Value, logs: &str| {
        let enrollments = enrollments.as_array().unwrap();
        let mut ojt: Vec<i64> = enrollments
            .iter()
            // Null where the viewer may not read the enrollment's PROGRESS.
            .map(|e| {
                e["ojtHours"]
                    .as_f64()
                    .map_or(-1, |h| (h * 100.0).round() as i64)
            })
            .collect();
        ojt.sort();
        let logs: usize = enrollments
            .iter()
            .map(|e| e[logs].as_array().unwrap().len())
            .sum();
        (
            id.replace('-', "").to_lowercase(),
            ojt,
            logs,
            mentorships.as_array().unwrap().len(),
        )
    };
    let from_hub: Vec<_> = edges
        .iter()
        .map(|e| {
            let n = &e["node"];
            summary(
                n["id"].as_str().unwrap().to_owned(),
                &n["enrollments"],
                &n["mentorships"],
                "hourLogs",
            )
        })
        .collect();
    let from_floor: Vec<_> = floor
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            summary(
                n["id"].as_str().unwrap().to_owned(),
                &n["enrollments"],
                &n["mentorships"],
                "hourLogs",
            )
        })
        .collect();
    assert_eq!(from_floor, from_hub);
    assert!(
        from_hub.iter().any(|(_, _, logs, _)| *logs > 0),
        "the page has hour logs to compare"
    );

    // logHours under load from 8 clients: every write lands, none fails
    // (on SQLite this needs write transactions that begin IMMEDIATE).
    let hours_before = app.count("hour_log").await;
    let args = pathways_hub::cli::bench::WritesArgs {
        url: format!("http://{}", app.addr),
        clients: 8,
        seconds: 2,
        token: app.staff("alliance-arts2work"),
        org: org.id,
        db: app.db.clone(),
    };
    let report = pathways_hub::cli::bench::writes(args).await.unwrap();
    assert_eq!(report["errors"], 0, "{report}");
    let written = report["written"].as_i64().unwrap();
    assert!(written > 0);
    assert_eq!(
        app.count("hour_log").await,
        hours_before + written,
        "no write lost"
    );

    // The mixed load: reads, writes and reports; no error, no lost update.
    let args = pathways_hub::cli::bench::LoadArgs {
        urls: vec![format!("http://{}", app.addr)],
        clients: 4,
        // Long enough for the 15 % of writes to occur on a loaded machine.
        seconds: 4,
        staff: app.staff("alliance-arts2work"),
        admin: app.org_admin("alliance-arts2work"),
        org: org.id,
        db: app.db.clone(),
        pids: vec![std::process::id()],
    };
    let report = pathways_hub::cli::bench::load(args).await.unwrap();
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["lost_updates"], 0, "{report}");
    assert!(report["reads"].as_u64().unwrap() > 0, "{report}");
    assert!(report["writes"].as_u64().unwrap() > 0, "{report}");
    assert!(
        report["peak_rss_mib"][0].as_f64().unwrap() > 0.0,
        "{report}"
    );
});
