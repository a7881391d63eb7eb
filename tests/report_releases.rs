//! Report releases (issue 32) over HTTP, as an attacker would try them:
//! an evaluator who subtracts one released figure from another.
//!
//! The story: WLCAC runs Media Career Pathways (30 youth who started in
//! January 2026, six on 2026-03-16, twelve in April), Arts2Work a
//! Registered Apprenticeship (25 apprentices from February 2026, three of
//! them also at WLCAC in January), HOLA a Leadership Enrichment program
//! (four youth from 2026-03-20). Everyone logs approved OJT hours. All
//! three share with the evaluator Harder+Co for EVALUATION without a
//! consent requirement, so the test knows exactly who feeds each figure.
//!
//! Every figure the evaluator is shown is collected; at the end every pair
//! of figures over nested (or equal) populations is subtracted: no
//! difference of ENROLLED, and no group of people behind a difference,
//! may be from 1 to 10.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use common::story::*;
use common::*;
use entity::enums::*;
use pathways_hub::ground::config::{Config, Privacy};
use serde_json::{Value, json};
use uuid::Uuid;

/// One enrollment as the test knows it.
#[derive(Clone)]
struct Enrolled {
    person: Uuid,
    program: Uuid,
    on: NaiveDate,
}

struct World {
    app: TestApp,
    story: Story,
    wlcac: Program,
    programs: Vec<Uuid>,
    truth: Vec<Enrolled>,
}

const SHARED: &str = "ENROLLMENT,PROGRESS,CREDENTIALS,OUTCOMES";

async fn enroll(world: &mut World, person: Uuid, program: &Program, on: NaiveDate, ojt: f64) {
    let e = world
        .story
        .enroll(person, program)
        .applied(on)
        .started(on)
        .await;
    world
        .story
        .hours(&e, HourKind::Ojt, ojt)
        .worked_on(on)
        .approved(true)
        .await;
    world.truth.push(Enrolled {
        person,
        program: program.id,
        on,
    });
}

async fn world(backend: Backend) -> World {
    world_with(backend, |_| {}).await
}

async fn world_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> World {
    let app = spawn_app_with(backend, false, configure).await;
    let s = Story::new(&app.db);
    let wlcac = s.org("wlcac", OrgKind::LeadAgency).await;
    let a2w = s.org("alliance-arts2work", OrgKind::TrainingPartner).await;
    let hola = s.org("hola", OrgKind::CommunityPartner).await;
    let harder = s.org("harder-co", OrgKind::Evaluator).await;
    let w = s.program(wlcac, "Media Career Pathways").await;
    let a = s
        .program(a2w, "Registered Apprenticeship")
        .ojt(2000.0)
        .await;
    let h = s.program(hola, "Leadership Enrichment").await;
    for provider in [wlcac, a2w, hola] {
        s.agreement(provider, harder, SHARED)
            .purpose(SharingPurpose::Evaluation)
            .requires_consent(false)
            .effective(date(2025, 7, 1))
            .await;
    }
    let mut world = World {
        app,
        story: s,
        wlcac: w,
        programs: vec![w.id, a.id, h.id],
        truth: Vec::new(),
    };
    let mut wlcac_january = Vec::new();
    for i in 0..30u32 {
        let p = world.story.participant().await;
        enroll(
            &mut world,
            p,
            &w,
            date(2026, 1, 5 + i % 20),
            100.0 + f64::from(i),
        )
        .await;
        wlcac_january.push(p);
    }
    for i in 0..6u32 {
        let p = world.story.participant().await;
        enroll(&mut world, p, &w, date(2026, 3, 16), 19.0 + f64::from(i)).await;
    }
    for i in 0..12u32 {
        let p = world.story.participant().await;
        enroll(&mut world, p, &w, date(2026, 4, 1 + i), 50.0).await;
    }
    for i in 0..25u32 {
        let p = if i < 3 {
            wlcac_january[i as usize]
        } else {
            world.story.participant().await
        };
        enroll(&mut world, p, &a, date(2026, 2, 2 + i % 20), 300.0).await;
    }
    for _ in 0..4 {
        let p = world.story.participant().await;
        enroll(&mut world, p, &h, date(2026, 3, 20), 7.0).await;
    }
    world
}

/// A released figure: its population (programs × months) and value.
#[derive(Debug, Clone)]
struct Released {
    programs: BTreeSet<Uuid>,
    months: (i64, i64),
    metric: String,
    value: f64,
    asked: String,
}

fn month(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

const QUERY: &str = "query($input: ReportInput!) { report(input: $input) {
  bounds { from to period }
  rows { group { parts { dimension key } } cells { metric value suppressed } }
  total { cells { metric value suppressed } } } }";

const OPEN: (i64, i64) = (i64::MIN, i64::MAX);

impl World {
    fn evaluator(&self) -> String {
        self.app
            .token("analyst@harder-co", "harder-co", &["evaluator"])
    }

    /// Asks for a report and collects every figure shown.
    async fn ask(&self, input: Value, seen: &mut Vec<Released>) -> Value {
        let answer = self
            .app
            .query(Some(&self.evaluator()), QUERY, json!({ "input": input }))
            .await;
        assert_ok(&answer);
        let report = answer["data"]["report"].clone();
        let bound = |v: &Value, open: i64| v.as_str().map_or(open, |d| month(d.parse().unwrap()));
        let months = (
            bound(&report["bounds"]["from"], OPEN.0),
            bound(&report["bounds"]["to"], OPEN.1),
        );
        let all: BTreeSet<Uuid> = self.programs.iter().copied().collect();
        let filter = &input["filter"];
        let programs = match (filter["programId"].as_str(), filter["orgSlug"].as_str()) {
            (Some(id), _) => BTreeSet::from([id.parse().unwrap()]),
            (None, Some(slug)) => {
                let index = ["wlcac", "alliance-arts2work", "hola"]
                    .iter()
                    .position(|s| *s == slug)
                    .unwrap();
                BTreeSet::from([self.programs[index]])
            }
            (None, None) => all,
        };
        let mut collect = |row: &Value, programs: BTreeSet<Uuid>, months: (i64, i64)| {
            for cell in row["cells"].as_array().unwrap() {
                if let Some(value) = cell["value"].as_f64() {
                    assert_eq!(cell["suppressed"], false);
                    seen.push(Released {
                        programs: programs.clone(),
                        months,
                        metric: cell["metric"].as_str().unwrap().to_owned(),
                        value,
                        asked: input.to_string(),
                    });
                }
            }
        };
        collect(&report["total"], programs.clone(), months);
        for row in report["rows"].as_array().unwrap() {
            let mut p = programs.clone();
            let mut m = months;
            for part in row["group"]["parts"].as_array().unwrap() {
                let key = part["key"].as_str().unwrap();
                match part["dimension"].as_str().unwrap() {
                    "PROGRAM" => {
                        let id: Uuid = key.parse().unwrap();
                        p.retain(|x| *x == id);
                    }
                    "PERIOD" => {
                        let year: i64 = key[..4].parse().unwrap();
                        let (lo, hi) = match key.split_once("-Q") {
                            Some((_, q)) => {
                                let q: i64 = q.parse().unwrap();
                                (year * 12 + (q - 1) * 3, year * 12 + (q - 1) * 3 + 2)
                            }
                            None => {
                                let mo: i64 = key[5..].parse().unwrap();
                                (year * 12 + mo - 1, year * 12 + mo - 1)
                            }
                        };
                        m = (m.0.max(lo), m.1.min(hi));
                    }
                    other => panic!("not in this suite: {other}"),
                }
            }
            collect(row, p, m);
        }
        report
    }

    /// People with an enrollment in `big` but not in `small`.
    fn people_between(&self, big: &Released, small: &Released) -> usize {
        let inside = |r: &Released, e: &Enrolled| {
            r.programs.contains(&e.program) && (r.months.0..=r.months.1).contains(&month(e.on))
        };
        self.truth
            .iter()
            .filter(|e| inside(big, e) && !inside(small, e))
            .map(|e| e.person)
            .collect::<BTreeSet<_>>()
            .len()
    }
}

fn within(a: &Released, b: &Released) -> bool {
    a.programs.is_subset(&b.programs) && a.months.0 >= b.months.0 && a.months.1 <= b.months.1
}

/// Subtracts every pair of figures of one metric over nested or equal
/// populations; returns how many pairs were tried.
fn attempt_every_difference(world: &World, seen: &[Released]) -> usize {
    let mut tried = 0;
    for (i, a) in seen.iter().enumerate() {
        for b in &seen[i + 1..] {
            if a.metric != b.metric {
                continue;
            }
            let (small, big) = if within(a, b) {
                (a, b)
            } else if within(b, a) {
                (b, a)
            } else {
                continue;
            };
            tried += 1;
            if a.metric == "ENROLLED" {
                let d = (a.value - b.value).abs();
                assert!(
                    d == 0.0 || d >= 11.0,
                    "ENROLLED differs by {d}:\n {a:?}\n {b:?}"
                );
            }
            let people = world.people_between(big, small);
            assert!(
                people == 0 || people >= 11,
                "{people} people behind a difference of {}:\n {small:?}\n {big:?}",
                a.metric
            );
        }
    }
    tried
}

hub_test!(
    nothing_under_the_threshold_is_recoverable_by_subtraction,
    |backend| {
        let mut w = world(backend).await;
        let mut seen = Vec::new();
        let metrics = json!(["ENROLLED", "OJT_HOURS"]);
        // Adjacent date windows: `to` a day at a time through March and
        // April (the attack: the six who started on 2026-03-16).
        let mut day = date(2026, 3, 1);
        while day <= date(2026, 4, 30) {
            let r = w
                .ask(
                    json!({ "metrics": metrics, "to": day.to_string() }),
                    &mut seen,
                )
                .await;
            assert_eq!(r["bounds"]["period"], "QUARTER");
            day = day.succ_opt().unwrap();
        }
        // A filter against the whole, a group against the total.
        w.ask(json!({ "metrics": metrics }), &mut seen).await;
        for slug in ["wlcac", "alliance-arts2work", "hola"] {
            w.ask(
                json!({ "metrics": metrics, "filter": { "orgSlug": slug } }),
                &mut seen,
            )
            .await;
        }
        w.ask(
            json!({ "metrics": metrics, "groupBy": ["PROGRAM"] }),
            &mut seen,
        )
        .await;
        // The same request at two grains.
        for period in ["MONTH", "QUARTER"] {
            w.ask(
                json!({ "metrics": metrics, "groupBy": ["PERIOD"], "period": period }),
                &mut seen,
            )
            .await;
            w.ask(
                json!({ "metrics": metrics, "to": "2026-02-20", "period": period }),
                &mut seen,
            )
            .await;
        }
        // The same again after three more youth enroll at WLCAC in January.
        let wlcac = w.wlcac;
        for i in 0..3 {
            let p = w.story.participant().await;
            enroll(&mut w, p, &wlcac, date(2026, 1, 25 + i), 40.0).await;
        }
        let asked_before: BTreeSet<String> = seen.iter().map(|r| r.asked.clone()).collect();
        for input in &asked_before {
            w.ask(serde_json::from_str(input).unwrap(), &mut seen).await;
        }
        assert!(seen.len() > 100, "{}", seen.len());
        let tried = attempt_every_difference(&w, &seen);
        assert!(tried > 1000, "{tried}");
        // Figures were shown nonetheless: the total, WLCAC, the quarters.
        assert!(
            seen.iter()
                .any(|r| r.metric == "ENROLLED" && r.programs.len() == 3)
        );
        assert!(
            seen.iter()
                .any(|r| r.programs == BTreeSet::from([w.programs[0]]))
        );
        println!(
            "{} figures released, {tried} differences attempted, none recovers a small group",
            seen.len()
        );
    }
);

hub_test!(
    a_withheld_population_stays_withheld_and_the_hub_admin_reads_the_ledger,
    |backend| {
        let mut w = world(backend).await;
        let mut seen = Vec::new();
        let q1 = json!({ "metrics": ["ENROLLED"], "from": "2026-01-01", "to": "2026-03-31" });
        let before = w.ask(q1.clone(), &mut seen).await;
        // 30 + 6 + 22 + 4 (three apprentices are WLCAC youth too).
        assert_eq!(before["total"]["cells"][0]["value"], 62.0);
        let wlcac = w.wlcac;
        for i in 0..3 {
            let p = w.story.participant().await;
            enroll(&mut w, p, &wlcac, date(2026, 2, 1 + i), 40.0).await;
        }
        let after = w.ask(q1.clone(), &mut seen).await;
        assert_eq!(after["total"]["cells"][0]["suppressed"], true, "{after:#}");
        // Twenty more later: 85 would differ from 62 by 23, but the
        // population stays withheld from Harder+Co.
        for i in 0..20 {
            let p = w.story.participant().await;
            enroll(&mut w, p, &wlcac, date(2026, 2, 5 + i % 20), 40.0).await;
        }
        let later = w.ask(q1, &mut seen).await;
        assert_eq!(later["total"]["cells"][0]["suppressed"], true, "{later:#}");
        // The ledger, to the hub admin only.
        let ledger = "{ reportReleases(orgSlug: \"harder-co\") { orgSlug label population counts { name value } suppressed reason at } }";
        let answer = w
            .app
            .query(Some(&w.app.hub_admin()), ledger, json!({}))
            .await;
        assert_ok(&answer);
        let rows = answer["data"]["reportReleases"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{answer:#}");
        assert_eq!(rows[0]["suppressed"], true);
        assert!(rows[0]["counts"].as_array().unwrap().is_empty());
        assert_eq!(rows[1]["suppressed"], false);
        assert_eq!(
            rows[1]["counts"],
            json!([{ "name": "ENROLLED", "value": 62 }])
        );
        assert_eq!(rows[1]["orgSlug"], "harder-co");
        let denied = w.app.query(Some(&w.evaluator()), ledger, json!({})).await;
        one_error(&denied, "FORBIDDEN");
        // … and in the console.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let base = format!("http://{}", w.app.addr);
        let session = |token: String| {
            let (client, base) = (client.clone(), base.clone());
            async move {
                let response = console_sign_in(&client, &base, &token).await;
                let cookie = response.headers()["set-cookie"].to_str().unwrap();
                let cookie = cookie.split(';').next().unwrap().to_owned();
                client
                    .get(format!("{base}/admin/releases"))
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let page = session(w.app.hub_admin()).await;
        assert!(page.contains("ENROLLED 62"), "{page}");
        assert!(page.contains("withheld: "), "{page}");
        let page = session(w.evaluator()).await;
        assert!(
            page.contains("FORBIDDEN") && !page.contains("ENROLLED 62"),
            "{page}"
        );
    }
);

/// `[reports] privacy = "differential"`, ε 0.5 per report, a yearly
/// budget of 2: four reports a year.
fn differential(config: &mut Config) {
    config.reports.privacy = Privacy::Differential;
    config.reports.epsilon = 0.5;
    config.reports.yearly_budget = 2.0;
}

const PRIVATE: &str = "query($input: ReportInput!) { report(input: $input) {
  privacy { mode mechanism epsilon figures countScale hoursScale maxHoursPerPerson budgetRemaining description }
  total { cells { metric value suppressed } } } }";

hub_test!(
    differential_answers_name_their_noise_and_the_budget_runs_out_first,
    |backend| {
        let w = world_with(backend, differential).await;
        let token = w.evaluator();
        let input = json!({ "input": { "metrics": ["ENROLLED", "OJT_HOURS"] } });
        // A request the hub cannot answer costs nothing.
        let unknown =
            json!({ "input": { "metrics": ["ENROLLED"], "filter": { "orgSlug": "nope" } } });
        let answer = w.app.query(Some(&token), PRIVATE, unknown).await;
        assert_eq!(
            one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
            "filter.orgSlug"
        );
        let mut answers = Vec::new();
        for _ in 0..3 {
            let answer = w.app.query(Some(&token), PRIVATE, input.clone()).await;
            assert_ok(&answer);
            answers.push(answer["data"]["report"].clone());
        }
        let privacy = &answers[0]["privacy"];
        assert_eq!(privacy["mode"], "DIFFERENTIAL");
        assert_eq!(privacy["mechanism"], "DISCRETE_LAPLACE");
        assert_eq!(privacy["epsilon"], 0.5);
        // One row (the total) × (ENROLLED, people with OJT hours, OJT hours).
        assert_eq!(privacy["figures"], 3);
        assert_eq!(privacy["countScale"], 6.0);
        assert_eq!(privacy["hoursScale"], 6000.0);
        assert_eq!(privacy["maxHoursPerPerson"], 1000.0);
        assert_eq!(answers[2]["privacy"]["budgetRemaining"], 0.5);
        // The CSV is a report too: it names the noise, and pays.
        let csv = reqwest::Client::new()
            .get(format!(
                "http://{}/reports/summary.csv?metrics=ENROLLED",
                w.app.addr
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        let body = csv.text().await.unwrap();
        assert!(
            body.contains("# privacy: differential privacy: discrete Laplace noise, epsilon=0.5"),
            "{body}"
        );
        // The fifth report of the year is refused, on both paths.
        let refused = w.app.query(Some(&token), PRIVATE, input.clone()).await;
        let error = one_error(&refused, "PRIVACY_BUDGET_EXHAUSTED");
        assert_eq!(error["extensions"]["remainingEpsilon"], 0.0);
        assert!(
            !error["message"]
                .as_str()
                .unwrap()
                .contains("privacy_budget")
        );
        let csv = reqwest::Client::new()
            .get(format!(
                "http://{}/reports/summary.csv?metrics=ENROLLED",
                w.app.addr
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 429);
        // Averaging every answer the year allows (four, at count scale 6)
        // leaves a standard error of more than one person: the noise is
        // not averaged away before the budget runs out.
        let q: f64 = (-1.0f64 / 6.0).exp();
        let variance = 2.0 * q / (1.0 - q).powi(2);
        let standard_error = (variance / 4.0).sqrt();
        assert!(standard_error > 1.0, "{standard_error}");
        // An org_admin's report on its own records stays exact and free.
        let own = w
            .app
            .query(Some(&w.app.org_admin("wlcac")), PRIVATE, input.clone())
            .await;
        assert_ok(&own);
        assert_eq!(own["data"]["report"]["privacy"]["mode"], "EXACT");
        assert_eq!(own["data"]["report"]["total"]["cells"][0]["value"], 48.0);
        // Rates come from the noisy counts; wages are not offered.
        let wage = w
            .app
            .query(
                Some(&token),
                PRIVATE,
                json!({ "input": { "metrics": ["MEDIAN_HOURLY_WAGE"] } }),
            )
            .await;
        assert_eq!(
            one_error(&wage, "BAD_USER_INPUT")["extensions"]["field"],
            "metrics"
        );
    }
);

hub_test!(
    sixteen_requests_on_two_hub_instances_never_overspend,
    |backend| {
        let w = world_with(backend, differential).await;
        // A second hub on the same database, as in a two-instance deployment.
        let config = (*w.app.state.config).clone();
        let db = pathways_hub::ground::db::connect(&config).await.unwrap();
        let state = pathways_hub::web::AppState::connect(config, db)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let second = listener.local_addr().unwrap();
        tokio::spawn(pathways_hub::web::serve(
            listener,
            state,
            std::future::pending(),
        ));
        let token = w.evaluator();
        let client = reqwest::Client::new();
        let mut requests = Vec::new();
        for i in 0..16 {
            let addr = if i % 2 == 0 { w.app.addr } else { second };
            let request = client
                .post(format!("http://{addr}/graphql"))
                .bearer_auth(&token)
                .json(&json!({ "query": PRIVATE, "variables": { "input": { "metrics": ["ENROLLED"] } } }))
                .send();
            requests.push(async move { request.await.unwrap().json::<Value>().await.unwrap() });
        }
        let answers = async_graphql::futures_util::future::join_all(requests).await;
        let answered = answers.iter().filter(|a| a["errors"].is_null()).count();
        let refused = answers
            .iter()
            .filter(|a| a["errors"][0]["extensions"]["code"] == "PRIVACY_BUDGET_EXHAUSTED")
            .count();
        assert_eq!((answered, refused), (4, 12), "{answers:#?}");
        assert_eq!(
            w.app
                .count("privacy_budget WHERE spent = 2.0 AND budget = 2.0")
                .await,
            1
        );
        assert_eq!(w.app.count("privacy_budget").await, 1);
    }
);
