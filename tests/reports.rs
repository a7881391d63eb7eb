//! Reports (issue 10) over HTTP: unduplicated counts, small-cell and
//! complementary suppression, filters that cannot single anyone out, who
//! may run a report, the CSV twin of the GraphQL answer, and the audit.
//!
//! The story: WLCAC (20 youth), Arts2Work (14 apprentices, two of them also
//! at WLCAC) and HOLA (3 youth, one of whom is known to all three partners)
//! share with the evaluator Harder+Co for EVALUATION (Arts2Work with the
//! youth's consent, which two apprentices did not give). SpaceLA shares
//! with Harder+Co for SERVICE_COORDINATION only, which never feeds a
//! report. A funder (CFC) has no agreement at all.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::story::*;
use common::*;
use entity::enums::*;
use serde_json::{Value, json};
use uuid::Uuid;

struct World {
    app: TestApp,
    wlcac_program: Uuid,
    a2w_program: Uuid,
    hola_program: Uuid,
}

/// What the partners share with Harder+Co, and what Arts2Work's youth
/// consented to.
const SHARED: &str = "ENROLLMENT,PROGRESS,CREDENTIALS,OUTCOMES";

/// Builds the story (see the file's doc comment). People p0…p33:
/// WLCAC p0–p19 (p0–p14 ACTIVE, p15–p19 COMPLETED; attendance 200 h of 240
/// for p0–p11, 191.9 h for p12 — 79.96 %, which rounds to 80.0 % —, 100 h
/// for the rest); Arts2Work p0, p1, p20–p31 (p28–p31 COMPLETED; p20–p31
/// have 2000 h OJT and 144 h RTI approved, a credential and a job at
/// $20.00 + $1.00 × (i − 20), a mentor and a 3-unit college course,
/// earned by p20–p25; p0 and p1 10 h OJT not approved; p30 and p31 gave no
/// consent); HOLA p0, p32, p33 (p33 enrolled in January 2025, everyone
/// else in February 2026).
async fn story(backend: Backend) -> World {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let s = Story::new(&app.db);
    let wlcac = s.org("wlcac", OrgKind::LeadAgency).await;
    let a2w = s.org("alliance-arts2work", OrgKind::TrainingPartner).await;
    let hola = s.org("hola", OrgKind::CommunityPartner).await;
    let spacela = s.org("spacela", OrgKind::TrainingPartner).await;
    let harder = s.org("harder-co", OrgKind::Evaluator).await;
    s.org("cfc", OrgKind::Funder).await;
    let wlcac_program = s
        .program(wlcac, "Media Career Pathways")
        .scheduled(240.0)
        .stipend_pct(80.0)
        .await;
    let a2w_program = s
        .program(a2w, "Registered Apprenticeship")
        .ojt(2000.0)
        .rti(144.0)
        .await;
    let hola_program = s
        .program(hola, "Leadership Enrichment")
        .scheduled(36.0)
        .await;
    let spacela_program = s.program(spacela, "Paid Internship").await;
    let feb = date(2026, 2, 2);
    let worked = date(2026, 3, 2);
    let mentor = s.mentor(a2w, "Tasha Greene").craft("Post-Production").await;
    let mut people = Vec::new();
    for _ in 0..34 {
        people.push(s.participant().await);
    }
    for (i, p) in people.iter().enumerate().take(20) {
        let status = if i < 15 {
            EnrollmentStatus::Active
        } else {
            EnrollmentStatus::Completed
        };
        let e = s
            .enroll(*p, &wlcac_program)
            .status(status)
            .applied(feb)
            .started(feb)
            .await;
        let attended = match i {
            0..=11 => 200.0,
            12 => 191.9,
            _ => 100.0,
        };
        s.hours(&e, HourKind::Attendance, attended)
            .worked_on(worked)
            .await;
    }
    for i in [0, 1].into_iter().chain(20..32) {
        let p = people[i];
        let status = if i >= 28 {
            EnrollmentStatus::Completed
        } else {
            EnrollmentStatus::Active
        };
        let e = s
            .enroll(p, &a2w_program)
            .status(status)
            .applied(feb)
            .started(feb)
            .await;
        if i >= 20 {
            for (kind, hours) in [(HourKind::Ojt, 2000.0), (HourKind::Rti, 144.0)] {
                s.hours(&e, kind, hours)
                    .worked_on(worked)
                    .approved(true)
                    .await;
            }
            let adobe = "Adobe Certified Professional";
            s.credential(p, a2w, adobe, date(2026, 5, 1)).await;
            let wage = 2000 + 100 * (i as i64 - 20);
            s.employed(p, a2w, "Editor", wage, date(2026, 6, 1)).await;
            s.mentorship(p, mentor, a2w, date(2026, 3, 1)).await;
            s.dual_enrollment(p, a2w)
                .earned((i < 26).then_some(3.0))
                .await;
        } else {
            s.hours(&e, HourKind::Ojt, 10.0).worked_on(worked).await;
        }
        if i < 30 {
            s.consent(p, a2w, SHARED)
                .purpose(SharingPurpose::Evaluation)
                .signed(date(2025, 8, 1))
                .await;
        }
    }
    for (i, started) in [(0, feb), (32, feb), (33, date(2025, 1, 10))] {
        s.enroll(people[i], &hola_program)
            .applied(started)
            .started(started)
            .await;
    }
    // SpaceLA's interns (twelve of them) are shared for coordination only.
    for _ in 0..12 {
        let p = s.participant().await;
        s.enroll(p, &spacela_program)
            .applied(feb)
            .started(feb)
            .await;
    }
    for (provider, purpose, requires_consent) in [
        (wlcac, SharingPurpose::Evaluation, false),
        (a2w, SharingPurpose::Evaluation, true),
        (hola, SharingPurpose::Reporting, false),
        (spacela, SharingPurpose::ServiceCoordination, false),
    ] {
        s.agreement(provider, harder, SHARED)
            .purpose(purpose)
            .requires_consent(requires_consent)
            .effective(date(2025, 7, 1))
            .await;
    }
    World {
        app,
        wlcac_program: wlcac_program.id,
        a2w_program: a2w_program.id,
        hola_program: hola_program.id,
    }
}

const REPORT: &str = "query($input: ReportInput!) { report(input: $input) {
  threshold metrics groupBy
  rows { group { key label parts { dimension key label } } cells { metric value suppressed } targets { metric target met } }
  total { group { key } cells { metric value suppressed } targets { metric target met } }
} }";

fn evaluator(app: &TestApp) -> String {
    app.token("analyst@harder-co", "harder-co", &["evaluator"])
}

async fn report(app: &TestApp, token: &str, input: Value) -> Value {
    let answer = app
        .query(Some(token), REPORT, json!({ "input": input }))
        .await;
    assert_ok(&answer);
    answer["data"]["report"].clone()
}

/// `(value, suppressed)` of a row's cell for `metric`.
fn cell(row: &Value, metric: &str) -> (Option<f64>, bool) {
    let cell = row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["metric"] == metric)
        .unwrap_or_else(|| panic!("no {metric} in {row:#}"));
    (
        cell["value"].as_f64(),
        cell["suppressed"].as_bool().unwrap(),
    )
}

fn row<'a>(report: &'a Value, label: &str) -> &'a Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["group"]["label"] == label)
        .unwrap_or_else(|| panic!("no row {label} in {report:#}"))
}

const SHOWN: bool = false;
const HIDDEN: bool = true;

hub_test!(
    a_youth_known_to_three_partners_counts_once_and_small_cells_are_hidden,
    |backend| {
        let s = story(backend).await;
        let r = report(
            &s.app,
            &evaluator(&s.app),
            json!({ "metrics": ["ENROLLED"], "groupBy": ["PROGRAM"] }),
        )
        .await;
        assert_eq!(r["threshold"], 11);
        // SpaceLA's coordination-only agreement feeds nothing: three rows.
        assert_eq!(r["rows"].as_array().unwrap().len(), 3, "{r:#}");
        assert_eq!(
            cell(row(&r, "Media Career Pathways"), "ENROLLED"),
            (Some(20.0), SHOWN)
        );
        // HOLA's 3 is a small cell; Arts2Work's 12 (the two without consent are
        // not there) is its complement, else 32 - 20 - x would reveal it.
        assert_eq!(
            cell(row(&r, "Leadership Enrichment"), "ENROLLED"),
            (None, HIDDEN)
        );
        assert_eq!(
            cell(row(&r, "Registered Apprenticeship"), "ENROLLED"),
            (None, HIDDEN)
        );
        // p0 is at WLCAC, Arts2Work and HOLA and counts once: 20 + 10 + 2.
        assert_eq!(cell(&r["total"], "ENROLLED"), (Some(32.0), SHOWN));
        assert_eq!(r["total"]["group"]["key"], "TOTAL");
        assert_eq!(
            row(&r, "Media Career Pathways")["group"]["key"],
            s.wlcac_program.to_string()
        );
    }
);

hub_test!(
    periods_by_school_year_hide_the_lonely_cohort_and_its_complement,
    |backend| {
        let s = story(backend).await;
        let r = report(
            &s.app,
            &evaluator(&s.app),
            json!({ "metrics": ["ENROLLED"], "groupBy": ["PERIOD"], "period": "SCHOOL_YEAR" }),
        )
        .await;
        let keys: Vec<&str> = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["group"]["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["2024-25", "2025-26"]);
        for r in r["rows"].as_array().unwrap() {
            assert_eq!(cell(r, "ENROLLED"), (None, HIDDEN), "{r:#}");
        }
        assert_eq!(cell(&r["total"], "ENROLLED"), (Some(32.0), SHOWN));
    }
);

hub_test!(
    narrowing_a_filter_to_one_person_reveals_nothing,
    |backend| {
        let s = story(backend).await;
        let token = evaluator(&s.app);
        let metrics = json!(["ENROLLED", "ACTIVE", "EMPLOYED", "MEDIAN_HOURLY_WAGE"]);
        let all = report(&s.app, &token, json!({ "metrics": metrics })).await;
        assert_eq!(cell(&all["total"], "ENROLLED"), (Some(32.0), SHOWN));
        // Only p33 enrolled before July 2025: a population of one.
        let one = report(
            &s.app,
            &token,
            json!({ "metrics": metrics, "to": "2025-06-30" }),
        )
        .await;
        // Everyone but p33: the left-out group is one person.
        let rest = report(
            &s.app,
            &token,
            json!({ "metrics": metrics, "from": "2025-07-01" }),
        )
        .await;
        // HOLA's program: three people.
        let hola = report(
            &s.app,
            &token,
            json!({ "metrics": metrics, "filter": { "programId": s.hola_program.to_string() } }),
        )
        .await;
        for narrowed in [&one, &rest, &hola] {
            for c in narrowed["total"]["cells"].as_array().unwrap() {
                assert_eq!(c["suppressed"], true, "{narrowed:#}");
                assert!(c["value"].is_null(), "{narrowed:#}");
            }
            assert_eq!(narrowed["rows"], json!([]));
        }
        // A filter that leaves out a large group is answered.
        let wlcac = report(
            &s.app,
            &token,
            json!({ "metrics": ["ENROLLED"], "filter": { "orgSlug": "wlcac" } }),
        )
        .await;
        assert_eq!(cell(&wlcac["total"], "ENROLLED"), (Some(20.0), SHOWN));
    }
);

hub_test!(
    an_org_admin_reports_on_its_own_records_with_exact_figures,
    |backend| {
        let s = story(backend).await;
        let admin = s.app.org_admin("alliance-arts2work");
        let r = report(
        &s.app,
        &admin,
        json!({ "metrics": ["ENROLLED", "ACTIVE", "COMPLETED", "COMPLETION_RATE", "OJT_HOURS", "RTI_HOURS",
            "OJT_REQUIREMENT_MET", "RTI_REQUIREMENT_MET", "CREDENTIALS", "CREDENTIAL_ATTAINMENT", "EMPLOYED",
            "MEDIAN_HOURLY_WAGE", "UNION_MEMBERSHIP", "MENTORED", "MENTORSHIP_COVERAGE",
            "DUAL_UNITS_ATTEMPTED", "DUAL_UNITS_EARNED"],
            "filter": { "programId": s.a2w_program.to_string() } }),
    )
    .await;
        let t = &r["total"];
        assert_eq!(cell(t, "ENROLLED"), (Some(14.0), SHOWN));
        // COMPLETED is 4 (small); ACTIVE (10) is small too; the rate is hidden.
        assert_eq!(cell(t, "COMPLETED"), (None, HIDDEN));
        assert_eq!(cell(t, "ACTIVE"), (None, HIDDEN));
        assert_eq!(cell(t, "COMPLETION_RATE"), (None, HIDDEN));
        // Approved hours only: p0 and p1's 10 h are not approved.
        assert_eq!(cell(t, "OJT_HOURS"), (Some(24000.0), SHOWN));
        assert_eq!(cell(t, "RTI_HOURS"), (Some(1728.0), SHOWN));
        assert_eq!(cell(t, "OJT_REQUIREMENT_MET"), (Some(12.0), SHOWN));
        assert_eq!(cell(t, "RTI_REQUIREMENT_MET"), (Some(12.0), SHOWN));
        assert_eq!(cell(t, "CREDENTIALS"), (Some(12.0), SHOWN));
        assert_eq!(cell(t, "CREDENTIAL_ATTAINMENT"), (Some(0.8571), SHOWN));
        assert_eq!(cell(t, "EMPLOYED"), (Some(12.0), SHOWN));
        // Wages $20…$31: the median of twelve is ($25 + $26) / 2.
        assert_eq!(cell(t, "MEDIAN_HOURLY_WAGE"), (Some(25.5), SHOWN));
        assert_eq!(cell(t, "UNION_MEMBERSHIP"), (Some(0.0), SHOWN));
        assert_eq!(cell(t, "MENTORED"), (Some(12.0), SHOWN));
        assert_eq!(cell(t, "MENTORSHIP_COVERAGE"), (Some(0.8571), SHOWN));
        // Twelve people with a college course: 12 × 3 units attempted,
        // six of them earned 3.
        assert_eq!(cell(t, "DUAL_UNITS_ATTEMPTED"), (Some(36.0), SHOWN));
        assert_eq!(cell(t, "DUAL_UNITS_EARNED"), (Some(18.0), SHOWN));
        // The apprenticeship's hour requirements are its targets.
        assert_eq!(
            t["targets"],
            json!([{ "metric": "OJT_REQUIREMENT_MET", "target": 2000.0, "met": null },
               { "metric": "RTI_REQUIREMENT_MET", "target": 144.0, "met": null }])
        );
        // WLCAC's admin: the 80 % stipend (p0–p11, and p12 at 79.96 % → 80.0 %).
        let r = report(
            &s.app,
            &s.app.org_admin("wlcac"),
            json!({ "metrics": ["ENROLLED", "STIPEND_ELIGIBLE"], "groupBy": ["PROGRAM"] }),
        )
        .await;
        let w = row(&r, "Media Career Pathways");
        assert_eq!(cell(w, "ENROLLED"), (Some(20.0), SHOWN));
        assert_eq!(cell(w, "STIPEND_ELIGIBLE"), (Some(13.0), SHOWN));
        assert_eq!(
            w["targets"],
            json!([{ "metric": "STIPEND_ELIGIBLE", "target": 80.0, "met": null }])
        );
        // HOLA's admin: its own three youth are a small population.
        let r = report(
            &s.app,
            &s.app.org_admin("hola"),
            json!({ "metrics": ["ENROLLED"] }),
        )
        .await;
        assert_eq!(cell(&r["total"], "ENROLLED"), (None, HIDDEN));
    }
);

hub_test!(who_may_run_a_report, |backend| {
    let s = story(backend).await;
    let input = json!({ "input": { "metrics": ["ENROLLED"], "groupBy": ["PROGRAM"] } });
    for token in [s.app.staff("wlcac"), s.app.hub_admin()] {
        let answer = s.app.query(Some(&token), REPORT, input.clone()).await;
        one_error(&answer, "FORBIDDEN");
        assert!(answer["data"].is_null(), "{answer:#}");
    }
    assert_eq!(
        s.app
            .count("audit_event WHERE action = 'DENY' AND entity = 'report'")
            .await,
        2
    );
    let answer = s.app.query(None, REPORT, input.clone()).await;
    one_error(&answer, "UNAUTHENTICATED");
    // A funder without an EVALUATION or REPORTING agreement gets nothing.
    let funder = s.app.token("analyst@cfc", "cfc", &["evaluator"]);
    let r = report(
        &s.app,
        &funder,
        json!({ "metrics": ["ENROLLED", "COMPLETION_RATE"], "groupBy": ["PROGRAM"] }),
    )
    .await;
    assert_eq!(r["rows"], json!([]));
    assert_eq!(cell(&r["total"], "ENROLLED"), (Some(0.0), SHOWN));
    assert_eq!(cell(&r["total"], "COMPLETION_RATE"), (None, SHOWN));
    // Bad input names the field.
    let answer = s
        .app
        .query(
            Some(&evaluator(&s.app)),
            REPORT,
            json!({ "input": { "metrics": [] } }),
        )
        .await;
    assert_eq!(
        one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
        "metrics"
    );
});

hub_test!(
    the_csv_matches_the_graphql_answer_and_every_run_is_audited,
    |backend| {
        let s = story(backend).await;
        let token = evaluator(&s.app);
        let r = report(
            &s.app,
            &token,
            json!({ "metrics": ["ENROLLED", "COMPLETED"], "groupBy": ["PROGRAM"] }),
        )
        .await;
        let response = reqwest::Client::new()
            .get(format!(
                "http://{}/reports/summary.csv?groupBy=PROGRAM&metrics=ENROLLED,COMPLETED",
                s.app.addr
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        let body = response.text().await.unwrap();
        let mut expected = vec!["group_key,group_label,PROGRAM,ENROLLED,COMPLETED".to_owned()];
        for row in r["rows"].as_array().unwrap().iter().chain([&r["total"]]) {
            let label = if row["group"]["key"] == "TOTAL" {
                "Total".to_owned()
            } else {
                row["group"]["label"].as_str().unwrap().to_owned()
            };
            let program = if row["group"]["key"] == "TOTAL" {
                String::new()
            } else {
                label.clone()
            };
            let cells: Vec<String> = row["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    if c["suppressed"] == true {
                        "suppressed".to_owned()
                    } else {
                        format!("{}", c["value"].as_f64().unwrap() as i64)
                    }
                })
                .collect();
            expected.push(format!(
                "{},{label},{program},{}",
                row["group"]["key"].as_str().unwrap(),
                cells.join(",")
            ));
        }
        // The first lines are `# ` comments saying which bounds the figures
        // are over (issue 32: fixed grains); the table follows.
        assert!(
            body.starts_with("# bounds: from=open to=open period=QUARTER"),
            "{body}"
        );
        let table: Vec<&str> = body.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(table, expected, "{body}");
        assert!(
            body.contains("Media Career Pathways,Media Career Pathways,20,suppressed"),
            "{body}"
        );
        assert!(body.contains("TOTAL,Total,,32,suppressed"), "{body}");
        // One EXPORT per run, GraphQL and CSV, without participant ids.
        assert_eq!(s.app.count("audit_event WHERE action = 'EXPORT' AND actor_subject = 'analyst@harder-co' AND participant_id IS NULL").await, 2);
        assert_eq!(s.app.count("audit_event WHERE action = 'EXPORT' AND detail LIKE 'format=csv;metrics=ENROLLED,COMPLETED;groupBy=PROGRAM%'").await, 1);
        // The CSV refuses the same viewers, with HTTP statuses.
        let refused = reqwest::Client::new()
            .get(format!(
                "http://{}/reports/summary.csv?metrics=ENROLLED",
                s.app.addr
            ))
            .bearer_auth(s.app.staff("wlcac"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
        let anonymous = s.app.get("/reports/summary.csv?metrics=ENROLLED").await;
        assert_eq!(anonymous.status(), 401);
        let bad = reqwest::Client::new()
            .get(format!(
                "http://{}/reports/summary.csv?metrics=ENROLLED&groupBy=SHOE",
                s.app.addr
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
        let _ = (s.wlcac_program, s.a2w_program);
    }
);

hub_test!(
    lachsa_targets_on_the_demo_data_and_bench_report_runs,
    |backend| {
        let app = spawn_app(backend).await;
        let r = report(
        &app,
        &app.org_admin("lachsa"),
        json!({ "metrics": ["ENROLLED", "COMPLETION_RATE", "GRADUATION_RATE", "CREDENTIAL_ATTAINMENT"], "groupBy": ["PROGRAM"] }),
    )
    .await;
        let rows = r["rows"].as_array().unwrap();
        assert!(!rows.is_empty(), "{r:#}");
        for row in rows {
            let targets: Vec<(String, f64)> = row["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["metric"].as_str().unwrap().to_owned(),
                        t["target"].as_f64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                targets,
                [
                    ("COMPLETION_RATE".to_owned(), 0.95),
                    ("CREDENTIAL_ATTAINMENT".to_owned(), 0.95),
                    ("GRADUATION_RATE".to_owned(), 1.0)
                ],
                "{row:#}"
            );
        }
        // The benchmark's report (every metric, by program and quarter) runs
        // as the demo's evaluator and as an org_admin.
        let summary = pathways_hub::cli::bench::report(pathways_hub::cli::bench::ReportArgs {
            db: app.db.clone(),
            reads: app.state.reads.clone(),
            runs: 1,
            viewers: vec![
                ("harder-co".into(), pathways_hub::auth::Role::Evaluator),
                (
                    "alliance-arts2work".into(),
                    pathways_hub::auth::Role::OrgAdmin,
                ),
            ],
            threshold: 11,
        })
        .await
        .unwrap();
        let results = summary["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);
        assert!(
            results.iter().all(|r| r["rows"].as_u64().unwrap() > 0),
            "{summary}"
        );
    }
);

hub_test!(
    date_bounds_snap_to_whole_quarters_and_every_answer_says_so,
    |backend| {
        let s = story(backend).await;
        let token = evaluator(&s.app);
        let query = "query($input: ReportInput!) { report(input: $input) {
            bounds { from to period } total { cells { metric value suppressed } } } }";
        let ask = |to: &str| {
            let vars =
                json!({ "input": { "metrics": ["ENROLLED"], "from": "2025-02-14", "to": to } });
            let app = &s.app;
            let token = token.clone();
            async move {
                let answer = app.query(Some(&token), query, vars).await;
                assert_ok(&answer);
                answer["data"]["report"].clone()
            }
        };
        // A day apart, the same quarter: the same population, the same figure.
        let a = ask("2026-03-15").await;
        let b = ask("2026-03-16").await;
        assert_eq!(
            a["bounds"],
            json!({ "from": "2025-01-01", "to": "2026-03-31", "period": "QUARTER" })
        );
        assert_eq!(a, b);
        // p33 started on 2025-01-10, inside the snapped quarter.
        assert_eq!(cell(&a["total"], "ENROLLED"), (Some(32.0), SHOWN));
        let csv = reqwest::Client::new()
            .get(format!(
                "http://{}/reports/summary.csv?metrics=ENROLLED&from=2025-08-14&to=2026-03-16&period=MONTH",
                s.app.addr
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            csv.starts_with("# bounds: from=2025-08-01 to=2026-03-31 period=MONTH"),
            "{csv}"
        );
    }
);

hub_test!(the_demo_evaluator_sees_figures, |backend| {
    // Issue 32: a newcomer signing in as the demo's evaluator sees figures
    // (the console's default report: by program), not only "suppressed".
    let app = spawn_app(backend).await;
    let token = app.token("evaluator@harder-co", "harder-co", &["evaluator"]);
    let r = report(
        &app,
        &token,
        json!({ "metrics": ["ENROLLED", "COMPLETED", "COMPLETION_RATE"], "groupBy": ["PROGRAM"] }),
    )
    .await;
    let (enrolled, hidden) = cell(&r["total"], "ENROLLED");
    assert!(!hidden && enrolled.unwrap() >= 11.0, "{r:#}");
    assert_eq!(cell(&r["total"], "COMPLETION_RATE").1, SHOWN, "{r:#}");
});
