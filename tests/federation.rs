//! Partner adapters at query time (DESIGN.md section 5) against real HTTP
//! partners on 127.0.0.1 (wiremock), and the hub as an Apollo Federation
//! subgraph.
//!
//! The story: WLCAC staff follow a youth whose OJT hours live in
//! Arts2Work's tracker ("apprentiscope") and whose college courses live in
//! East LA College's student system ("elac-sis"). Arts2Work shares
//! PROGRESS with WLCAC under an agreement; HOLA has no agreement.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use common::story::{Participant, Story, date};
use common::*;
use entity::enums::*;
use pathways_hub::adapters::PartnerConfig;
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A tracker answering one hour log per asked id, after `delay`; with a
/// gate, each answer waits for the gate to open.
#[derive(Clone)]
struct Tracker {
    delay: Duration,
    gate: Option<Gate>,
}

impl Tracker {
    fn new(delay_ms: u64) -> Tracker {
        Tracker {
            delay: Duration::from_millis(delay_ms),
            gate: None,
        }
    }

    fn gated(gate: &Gate) -> Tracker {
        Tracker {
            delay: Duration::ZERO,
            gate: Some(gate.clone()),
        }
    }
}

/// How long a gate that nobody opens holds its calls: only a hub that does
/// not do what a test expects waits this long, and then fails the test
/// instead of hanging it.
const GATE_LIMIT: Duration = Duration::from_secs(5);

/// Holds partners' answers back until it opens, and records when each held
/// call arrived and when its answer was let go. It opens by itself once
/// `opens_after` calls have arrived, or when the test calls `open`.
/// (wiremock runs each server on its own thread, so a responder may block.)
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<GateState>, Condvar)>);

#[derive(Default)]
struct GateState {
    opens_after: Option<usize>,
    arrived: usize,
    open: bool,
    /// (arrived, let go) of every call that went through.
    calls: Vec<(Instant, Instant)>,
}

impl Gate {
    /// A gate that opens when `calls` calls are waiting at it.
    fn after(calls: usize) -> Gate {
        let gate = Gate::default();
        gate.0.0.lock().unwrap().opens_after = Some(calls);
        gate
    }

    fn open(&self) {
        let (state, changed) = &*self.0;
        state.lock().unwrap().open = true;
        changed.notify_all();
    }

    /// Called by a responder: waits until the gate opens (at most
    /// `GATE_LIMIT`), then records the call.
    fn pass(&self) {
        let arrived = Instant::now();
        let (state, changed) = &*self.0;
        let mut s = state.lock().unwrap();
        s.arrived += 1;
        if s.opens_after.is_some_and(|n| s.arrived >= n) {
            s.open = true;
        }
        changed.notify_all();
        let (mut s, _) = changed
            .wait_timeout_while(s, GATE_LIMIT, |s| !s.open)
            .unwrap();
        s.calls.push((arrived, Instant::now()));
        changed.notify_all();
    }

    /// The first `n` calls' (arrived, let go) instants, once they went through.
    async fn calls(&self, n: usize) -> Vec<(Instant, Instant)> {
        let gate = self.clone();
        tokio::task::spawn_blocking(move || {
            let (state, changed) = &*gate.0;
            let (s, _) = changed
                .wait_timeout_while(state.lock().unwrap(), 2 * GATE_LIMIT, |s| s.calls.len() < n)
                .unwrap();
            assert!(
                s.calls.len() >= n,
                "{} of {n} calls went through",
                s.calls.len()
            );
            s.calls[..n].to_vec()
        })
        .await
        .unwrap()
    }
}

/// A partner answering `template` once `gate` lets it.
struct Held {
    gate: Gate,
    template: ResponseTemplate,
}

impl Respond for Held {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.gate.pass();
        self.template.clone()
    }
}

/// The comma-separated ids a partner was asked for in query parameter `param`.
fn asked_in(request: &Request, param: &str) -> Vec<String> {
    request
        .url
        .query_pairs()
        .find(|(k, _)| k == param)
        .map(|(_, v)| v.split(',').map(str::to_owned).collect())
        .unwrap_or_default()
}

fn asked_ids(request: &Request) -> Vec<String> {
    asked_in(request, "ids")
}

impl Respond for Tracker {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if let Some(gate) = &self.gate {
            gate.pass();
        }
        let items: Vec<Value> = asked_ids(request)
            .iter()
            .map(|id| {
                json!({
                    "id": format!("H-{id}"),
                    "apprentice": { "id": id },
                    "type": "On the job",
                    "date": "2026-03-02",
                    "hours": "6.5",
                    "approved": true
                })
            })
            .collect();
        ResponseTemplate::new(200)
            .set_body_json(json!({ "data": { "hours": items } }))
            .set_delay(self.delay)
    }
}

/// A college's student system answering one course per asked id.
struct College;

impl Respond for College {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let items: Vec<Value> = asked_ids(request)
            .iter()
            .map(|id| {
                json!({
                    "sectionId": format!("C-{id}"), "student": id, "course": "FILM 101",
                    "title": "Intro to Film Production", "term": "2026SP",
                    "units": 3, "earned": 3, "grade": "A", "status": "C", "hs": "lachsa"
                })
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!(items))
    }
}

/// The tracker's declaration.
fn tracker_config(name: &str, org: &str, url: &str) -> PartnerConfig {
    serde_json::from_value(json!({
        "name": name, "org": org, "kind": "rest_json", "base_url": url,
        "timeout_ms": 1000, "retries": 0, "cache_ttl_ms": 0,
        "records": { "hour_logs": {
            "path": "/hours", "items": "data.hours",
            "fields": {
                "participant": "apprentice.id", "external_id": "id", "kind": "type",
                "worked_on": "date", "hours": "hours", "approved": "approved"
            },
            "values": { "kind": { "On the job": "OJT", "Class": "RTI" } }
        }}
    }))
    .unwrap()
}

/// The college's declaration.
fn college_config(url: &str) -> PartnerConfig {
    serde_json::from_value(json!({
        "name": "elac-sis", "org": "elac", "kind": "rest_json", "base_url": url,
        "timeout_ms": 1000, "retries": 0,
        "records": { "dual_enrollments": {
            "path": "/courses", "ids_param": "ids", "items": "$",
            "fields": {
                "participant": "student", "external_id": "sectionId", "course_code": "course",
                "course_title": "title", "term": "term", "units_attempted": "units",
                "units_earned": "earned", "grade": "grade", "status": "status",
                "high_school_org": "hs"
            },
            "values": { "status": { "C": "COMPLETED", "E": "ENROLLED" } }
        }}
    }))
    .unwrap()
}

struct World {
    app: TestApp,
    story: Story,
    wlcac: Uuid,
    hola: Uuid,
    people: Vec<Uuid>,
}

/// WLCAC and HOLA each know `n` youth; every partner org in `partners`
/// knows them as `<slug>-<i>`; each partner org shares `categories` with
/// WLCAC without needing consent.
async fn world(
    backend: Backend,
    n: usize,
    partner_orgs: &[(&str, OrgKind)],
    categories: &str,
    configs: Vec<PartnerConfig>,
) -> World {
    let app = spawn_app_with(backend, false, move |config| config.partners = configs).await;
    let story = Story::new(&app.db);
    let wlcac = story.org("wlcac", OrgKind::LeadAgency).await;
    let hola = story.org("hola", OrgKind::CommunityPartner).await;
    let mut orgs = Vec::new();
    for (slug, kind) in partner_orgs {
        let id = story.org(slug, *kind).await;
        story
            .agreement(id, wlcac, categories)
            .effective(date(2020, 1, 1))
            .await;
        orgs.push((id, *slug));
    }
    let mut people = Vec::new();
    for i in 0..n {
        let p = person(&story, &[wlcac, hola], i).await;
        for (org, slug) in &orgs {
            story.link(p, *org, &format!("{slug}-{i}")).await;
        }
        people.push(p);
    }
    World {
        app,
        story,
        wlcac,
        hola,
        people,
    }
}

/// Youth number `n`, Dani`n` Reyes, known to each of `orgs`.
fn person(s: &Story, orgs: &[Uuid], n: usize) -> Participant {
    s.participant()
        .known_to(orgs, &format!("Dani{n}"), "Reyes")
        .born(date(2005, 1, 9))
}

const ONE: &str = "query($id: ID!) { participant(id: $id) { givenName
    partnerHourLogs { source externalId kind workedOn hours approved }
    partnerDualEnrollments { source courseCode status unitsEarned } } }";

const PAGE: &str = "{ participants(first: 50) { edges { node { id givenName
    partnerHourLogs { source externalId hours }
    partnerDualEnrollments { source courseCode } } } } }";

async fn tracker(responder: impl Respond + 'static) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/hours"))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

fn api(server: &MockServer) -> String {
    format!("{}/api", server.uri())
}

async fn calls(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

fn partner_errors(answer: &Value) -> Vec<(String, String)> {
    answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["extensions"]["code"].as_str().unwrap_or("").to_owned(),
                        e["extensions"]["partner"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A world of `n` youth known to three training partners' hour trackers,
/// one per server of `servers`, each declaration adjusted by `adjust`.
async fn three_trackers(
    backend: Backend,
    n: usize,
    servers: &[MockServer],
    adjust: impl Fn(&mut PartnerConfig),
) -> World {
    let orgs = [
        ("alliance-arts2work", OrgKind::TrainingPartner),
        ("spacela", OrgKind::TrainingPartner),
        ("hollywood-cpr", OrgKind::TrainingPartner),
    ];
    let configs = orgs
        .iter()
        .zip(servers)
        .map(|((slug, _), s)| {
            let mut config = tracker_config(&format!("{slug}-tracker"), slug, &api(s));
            adjust(&mut config);
            config
        })
        .collect();
    world(backend, n, &orgs, "PROGRESS", configs).await
}

/// A world of `n` youth known to Arts2Work's tracker (`apprentiscope`,
/// hour logs) and ELAC's student system (`elac-sis`, dual enrollments),
/// both sharing with WLCAC; the two partners' servers are returned.
async fn tracker_and_college(backend: Backend, n: usize) -> (World, MockServer, MockServer) {
    let hours = tracker(Tracker::new(0)).await;
    let college = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/courses"))
        .respond_with(College)
        .mount(&college)
        .await;
    let w = world(
        backend,
        n,
        &[
            ("alliance-arts2work", OrgKind::TrainingPartner),
            ("elac", OrgKind::College),
        ],
        "PROGRESS,EDUCATION_RECORDS",
        vec![
            tracker_config("apprentiscope", "alliance-arts2work", &api(&hours)),
            college_config(&college.uri()),
        ],
    )
    .await;
    (w, hours, college)
}

hub_test!(
    partner_records_join_the_participant_with_their_source,
    |backend| {
        let (w, hours, _college) = tracker_and_college(backend, 1).await;
        let token = w.app.staff("wlcac");
        let answer = w
            .app
            .query(Some(&token), ONE, json!({ "id": w.people[0] }))
            .await;
        assert_ok(&answer);
        let p = &answer["data"]["participant"];
        assert_eq!(p["givenName"], "Dani0");
        assert_eq!(
            p["partnerHourLogs"],
            json!([{ "source": "apprentiscope", "externalId": "H-alliance-arts2work-0", "kind": "OJT",
                 "workedOn": "2026-03-02", "hours": 6.5, "approved": true }])
        );
        assert_eq!(
            p["partnerDualEnrollments"],
            json!([{ "source": "elac-sis", "courseCode": "FILM 101", "status": "COMPLETED", "unitsEarned": 3.0 }])
        );
        // The partner saw only its own id, with the credential-free GET.
        let request = &hours.received_requests().await.unwrap()[0];
        assert_eq!(asked_ids(request), vec!["alliance-arts2work-0".to_owned()]);
        // Disclosed as the partner organization's data, like hub rows.
        let reads = w.app.count("audit_event WHERE action = 'READ'").await;
        assert!(reads >= 2, "partner reads are audited: {reads}");
        assert!(w.wlcac != w.hola);
    }
);

/// A world of `n` youth known to Arts2Work's tracker (`apprentiscope`),
/// which answers 500, and SpaceLA's (`spacela-tracker`), which answers;
/// the two partners' servers are returned, the broken one first.
async fn broken_and_good(backend: Backend, n: usize) -> (World, MockServer, MockServer) {
    let broken = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&broken)
        .await;
    let good = tracker(Tracker::new(0)).await;
    let w = world(
        backend,
        n,
        &[
            ("alliance-arts2work", OrgKind::TrainingPartner),
            ("spacela", OrgKind::TrainingPartner),
        ],
        "PROGRESS",
        vec![
            tracker_config("apprentiscope", "alliance-arts2work", &api(&broken)),
            tracker_config("spacela-tracker", "spacela", &api(&good)),
        ],
    )
    .await;
    (w, broken, good)
}

hub_test!(
    a_failing_partner_leaves_its_field_empty_with_partner_unavailable,
    |backend| {
        let (w, broken, _good) = broken_and_good(backend, 1).await;
        let answer = w
            .app
            .query(
                Some(&w.app.staff("wlcac")),
                ONE,
                json!({ "id": w.people[0] }),
            )
            .await;
        assert_eq!(
            partner_errors(&answer),
            vec![("PARTNER_UNAVAILABLE".to_owned(), "apprentiscope".to_owned())],
            "{answer:#}"
        );
        let error = &answer["errors"][0];
        assert_eq!(error["path"], json!(["participant", "partnerHourLogs"]));
        let p = &answer["data"]["participant"];
        assert_eq!(p["givenName"], "Dani0");
        let logs = p["partnerHourLogs"].as_array().unwrap();
        assert_eq!(
            logs.len(),
            1,
            "the other partner's records still come: {answer:#}"
        );
        assert_eq!(logs[0]["source"], "spacela-tracker");
        // The failure is kept for the request: the broken partner was called once.
        assert_eq!(calls(&broken).await, 1);
    }
);

/// Answers that do not fit: each one is PARTNER_UNAVAILABLE, never a failed
/// request. With `held`, the partner holds its answer until the hub has
/// answered the test: the hub must give up at its timeout.
async fn unavailable_with(
    backend: Backend,
    template: ResponseTemplate,
    items: &str,
    timeout_ms: u64,
    held: bool,
) {
    let server = MockServer::start().await;
    let gate = Gate::default();
    let mock = Mock::given(method("GET"));
    let mock = if held {
        mock.respond_with(Held {
            gate: gate.clone(),
            template,
        })
    } else {
        mock.respond_with(template)
    };
    mock.mount(&server).await;
    let mut config = tracker_config("apprentiscope", "alliance-arts2work", &api(&server));
    config.timeout_ms = timeout_ms;
    config
        .records
        .values_mut()
        .for_each(|m| m.items = items.to_owned());
    let w = world(
        backend,
        1,
        &[("alliance-arts2work", OrgKind::TrainingPartner)],
        "PROGRESS",
        vec![config],
    )
    .await;
    let answer = w
        .app
        .query(
            Some(&w.app.staff("wlcac")),
            ONE,
            json!({ "id": w.people[0] }),
        )
        .await;
    if held {
        let answered = Instant::now();
        gate.open();
        let (_, let_go) = gate.calls(1).await[0];
        assert!(
            answered < let_go,
            "the hub answered before the partner let its answer go"
        );
    }
    assert_eq!(
        calls(&server).await,
        1,
        "one call per request, failed or not"
    );
    let error = one_error(&answer, "PARTNER_UNAVAILABLE");
    assert_eq!(error["extensions"]["partner"], "apprentiscope");
    assert_eq!(error["message"], "partner apprentiscope is unavailable");
    assert_eq!(answer["data"]["participant"]["givenName"], "Dani0");
    // No partner answered: the field is null, the error says why.
    assert_eq!(
        answer["data"]["participant"]["partnerHourLogs"],
        Value::Null
    );
}

hub_test!(
    a_partner_outage_keeps_its_code_and_partner_through_both_gateways,
    |backend| {
        use common::gateways::{Gateway, error_keys, first_difference, through};
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;
        let w = world(
            backend,
            2,
            &[("alliance-arts2work", OrgKind::TrainingPartner)],
            "PROGRESS",
            vec![tracker_config(
                "apprentiscope",
                "alliance-arts2work",
                &api(&server),
            )],
        )
        .await;
        let staff = w.app.staff("wlcac");
        let variables = json!({ "id": w.people[0] });
        let hub = w.app.query(Some(&staff), ONE, variables.clone()).await;
        let error = one_error(&hub, "PARTNER_UNAVAILABLE");
        assert_eq!(error["extensions"]["partner"], "apprentiscope");
        assert_eq!(hub["data"]["participant"]["partnerHourLogs"], Value::Null);
        let requests = vec![(staff.clone(), ONE.to_owned(), variables)];
        for gateway in [Gateway::Apollo, Gateway::Hive] {
            let answer = &through(gateway, &w.app.url, &staff, &requests).await[0];
            assert_conforms(&json!({ "query": ONE }), answer);
            assert_eq!(
                first_difference(&answer["data"], &hub["data"]),
                None,
                "{}: {answer:#}",
                gateway.name()
            );
            assert_eq!(
                error_keys(answer),
                error_keys(&hub),
                "{}: {answer:#}",
                gateway.name()
            );
        }
    }
);

hub_test!(a_partner_answering_500_is_unavailable, |backend| {
    unavailable_with(
        backend,
        ResponseTemplate::new(500),
        "data.hours",
        1000,
        false,
    )
    .await;
});

hub_test!(
    a_partner_slower_than_its_timeout_is_unavailable,
    |backend| {
        let answer = ResponseTemplate::new(200).set_body_json(json!({ "data": { "hours": [] } }));
        unavailable_with(backend, answer, "data.hours", 300, true).await;
    }
);

hub_test!(
    a_partner_answering_malformed_json_is_unavailable,
    |backend| {
        let malformed = ResponseTemplate::new(200)
            .insert_header("content-type", "application/json")
            .set_body_string("{\"data\": {\"hours\": [");
        unavailable_with(backend, malformed, "data.hours", 1000, false).await;
    }
);

hub_test!(a_mapping_that_points_at_nothing_is_unavailable, |backend| {
    let fine = ResponseTemplate::new(200).set_body_json(json!({ "data": { "hours": [] } }));
    unavailable_with(backend, fine, "data.logs", 1000, false).await;
});

hub_test!(
    the_breaker_opens_after_repeated_failures_and_closes_again,
    |backend| {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let mut config = tracker_config("apprentiscope", "alliance-arts2work", &api(&server));
        config.breaker_failures = 2;
        config.breaker_open_ms = 400;
        let w = world(
            backend,
            1,
            &[("alliance-arts2work", OrgKind::TrainingPartner)],
            "PROGRESS",
            vec![config],
        )
        .await;
        let token = w.app.staff("wlcac");
        let vars = json!({ "id": w.people[0] });
        for _ in 0..2 {
            let answer = w.app.query(Some(&token), ONE, vars.clone()).await;
            one_error(&answer, "PARTNER_UNAVAILABLE");
        }
        assert_eq!(calls(&server).await, 2);
        // Open: answered at once, the partner is not called.
        let answer = w.app.query(Some(&token), ONE, vars.clone()).await;
        one_error(&answer, "PARTNER_UNAVAILABLE");
        assert_eq!(calls(&server).await, 2, "an open breaker calls nobody");
        let metrics = w.app.get("/metrics").await.text().await.unwrap();
        for line in [
            "pathways_partner_breaker_open{partner=\"apprentiscope\"} 1",
            "pathways_partner_calls_total{partner=\"apprentiscope\",outcome=\"error\"} 2",
            "pathways_partner_calls_total{partner=\"apprentiscope\",outcome=\"breaker_open\"} 1",
        ] {
            assert!(metrics.contains(line), "{line} missing:\n{metrics}");
        }
        // The partner recovers; after the open period one trial call closes it.
        server.reset().await;
        Mock::given(method("GET"))
            .and(path("/api/hours"))
            .respond_with(Tracker::new(0))
            .mount(&server)
            .await;
        tokio::time::sleep(Duration::from_millis(450)).await;
        for _ in 0..2 {
            let answer = w.app.query(Some(&token), ONE, vars.clone()).await;
            assert_ok(&answer);
            assert_eq!(
                answer["data"]["participant"]["partnerHourLogs"]
                    .as_array()
                    .unwrap()
                    .len(),
                1
            );
        }
        assert_eq!(calls(&server).await, 2);
        let metrics = w.app.get("/metrics").await.text().await.unwrap();
        assert!(
            metrics.contains("pathways_partner_breaker_open{partner=\"apprentiscope\"} 0"),
            "{metrics}"
        );
    }
);

hub_test!(fifty_participants_cost_one_call_per_partner, |backend| {
    let (w, hours, college) = tracker_and_college(backend, 50).await;
    let answer = w
        .app
        .query(Some(&w.app.staff("wlcac")), PAGE, json!({}))
        .await;
    assert_ok(&answer);
    let edges = answer["data"]["participants"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 50);
    for edge in edges {
        assert_eq!(edge["node"]["partnerHourLogs"].as_array().unwrap().len(), 1);
        assert_eq!(
            edge["node"]["partnerDualEnrollments"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
    assert_eq!(calls(&hours).await, 1, "one call to the tracker");
    assert_eq!(calls(&college).await, 1, "one call to the college");
    let asked = asked_ids(&hours.received_requests().await.unwrap()[0]);
    assert_eq!(asked.len(), 50);

    // The same page twice in one request (aliases, resolved side by side):
    // still one call per partner.
    let twice = "{
        a: participants(first: 50) { edges { node { partnerHourLogs { hours } } } }
        b: participants(first: 50) { edges { node { partnerHourLogs { hours } } } } }";
    let answer = w
        .app
        .query(Some(&w.app.staff("wlcac")), twice, json!({}))
        .await;
    assert_ok(&answer);
    for alias in ["a", "b"] {
        let edges = answer["data"][alias]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 50);
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["partnerHourLogs"].as_array().unwrap().len() == 1)
        );
    }
    assert_eq!(
        calls(&hours).await,
        2,
        "one more call for the second request"
    );
});

hub_test!(
    which_participants_each_partner_may_be_asked_about_is_one_statement_for_all_partners,
    |backend| {
        // Three trackers of the same record kind: the crosswalk rows the
        // policy lets through are read once for the three of them, so a
        // page costs two statements more with the field than without it
        // (that read, and the insert of the request's disclosures), however
        // many partners answer it; one read per partner cost four.
        let mut servers = Vec::new();
        for _ in 0..3 {
            servers.push(tracker(Tracker::new(0)).await);
        }
        let w = three_trackers(backend, 5, &servers, |_| {}).await;
        let token = w.app.staff("wlcac");
        let with = "{ participants(first: 50) { edges { node { id partnerHourLogs { source hours } } } } }";
        let without = "{ participants(first: 50) { edges { node { id } } } }";
        // Warm: the partners' organization ids are looked up once.
        assert_ok(&w.app.query(Some(&token), with, json!({})).await);
        let mut costs = Vec::new();
        for query in [with, without] {
            let before = w.app.state.statements();
            let answer = w.app.query(Some(&token), query, json!({})).await;
            assert_ok(&answer);
            let edges = answer["data"]["participants"]["edges"].as_array().unwrap();
            assert_eq!(edges.len(), 5, "{answer:#}");
            if query == with {
                for edge in edges {
                    let logs = edge["node"]["partnerHourLogs"].as_array().unwrap();
                    assert_eq!(logs.len(), 3, "one log from each tracker: {answer:#}");
                }
            }
            costs.push(w.app.state.statements() - before);
        }
        assert_eq!(
            costs[0],
            costs[1] + 2,
            "statements with and without the partners' field: {costs:?}"
        );
        for server in &servers {
            assert_eq!(calls(server).await, 2, "one call per partner per request");
        }
    }
);

hub_test!(partners_are_called_in_parallel, |backend| {
    // Each partner holds its answer until all three were called: called one
    // after the other, the first would wait GATE_LIMIT for the others.
    let gate = Gate::after(3);
    let mut servers = Vec::new();
    for _ in 0..3 {
        servers.push(tracker(Tracker::gated(&gate)).await);
    }
    let w = three_trackers(backend, 3, &servers, |config| {
        // Longer than a gate holds a call: a hub calling one partner
        // after the other fails on order, not on its own timeout.
        config.timeout_ms = 3 * GATE_LIMIT.as_millis() as u64;
    })
    .await;
    let answer = w
        .app
        .query(Some(&w.app.staff("wlcac")), PAGE, json!({}))
        .await;
    assert_ok(&answer);
    for server in &servers {
        assert_eq!(calls(server).await, 1, "one call per partner");
    }
    // Every call started before every other call's answer was let go.
    let calls = gate.calls(3).await;
    for (i, (started, _)) in calls.iter().enumerate() {
        for (j, (_, let_go)) in calls.iter().enumerate() {
            assert!(
                i == j || started < let_go,
                "call {i} started after call {j} ended: {calls:?}"
            );
        }
    }
});

hub_test!(
    a_viewer_without_rights_gets_nothing_and_the_partner_is_not_called,
    |backend| {
        let hours = tracker(Tracker::new(0)).await;
        let mut config = tracker_config("apprentiscope", "alliance-arts2work", &api(&hours));
        config.cache_ttl_ms = 60_000;
        let w = world(
            backend,
            3,
            &[("alliance-arts2work", OrgKind::TrainingPartner)],
            "PROGRESS",
            vec![config],
        )
        .await;
        // HOLA knows the youth but has no agreement with Arts2Work.
        let hola = w.app.staff("hola");
        let answer = w.app.query(Some(&hola), PAGE, json!({})).await;
        assert_ok(&answer);
        let edges = answer["data"]["participants"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 3);
        for edge in edges {
            assert_eq!(edge["node"]["partnerHourLogs"], json!([]));
        }
        assert_eq!(calls(&hours).await, 0, "the partner is not asked for HOLA");
        // WLCAC's answer is cached for WLCAC only.
        let wlcac = w.app.staff("wlcac");
        for _ in 0..2 {
            let answer = w.app.query(Some(&wlcac), PAGE, json!({})).await;
            assert_ok(&answer);
            assert_eq!(
                answer["data"]["participants"]["edges"][0]["node"]["partnerHourLogs"]
                    .as_array()
                    .unwrap()
                    .len(),
                1
            );
        }
        assert_eq!(
            calls(&hours).await,
            1,
            "the second WLCAC request is answered from the cache"
        );
        let answer = w.app.query(Some(&hola), PAGE, json!({})).await;
        assert_eq!(
            answer["data"]["participants"]["edges"][0]["node"]["partnerHourLogs"],
            json!([])
        );
        assert_eq!(calls(&hours).await, 1);
    }
);

const ENTITIES: &str = "query($reps: [_Any!]!) { _entities(representations: $reps) {
    __typename
    ... on Participant { id givenName }
    ... on Organization { id slug }
    ... on Pathway { id code } } }";

fn reps(ids: &[Uuid]) -> Value {
    json!(
        ids.iter()
            .map(|id| json!({ "__typename": "Participant", "id": id }))
            .collect::<Vec<_>>()
    )
}

hub_test!(the_hub_is_a_federation_subgraph_with_keys, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "wlcac", entity::enums::OrgKind::LeadAgency).await;
    // Outside demo mode the SDL needs a token (issue 30, path 6).
    let anonymous = app.query(None, "{ _service { sdl } }", json!({})).await;
    one_error(&anonymous, "UNAUTHENTICATED");
    assert!(anonymous["data"].is_null(), "{anonymous}");
    let answer = app
        .query(Some(&app.staff("wlcac")), "{ _service { sdl } }", json!({}))
        .await;
    assert_ok(&answer);
    let sdl = answer["data"]["_service"]["sdl"].as_str().unwrap();
    for ty in ["Participant", "Organization", "Pathway"] {
        assert!(
            sdl.contains(&format!("type {ty} @key(fields: \"id\")")),
            "@key on {ty}:\n{sdl}"
        );
    }
    assert!(
        sdl.contains("extend schema @link(")
            && sdl.contains("https://specs.apollo.dev/federation/v2"),
        "federation v2"
    );
});

hub_test!(
    entities_resolve_through_the_policy_one_null_and_error_each,
    |backend| {
        let w = world(backend, 20, &[], "", vec![]).await;
        // A youth only HOLA knows: hidden from WLCAC.
        let hidden = person(&w.story, &[w.hola], 99).await;
        let unknown = Uuid::new_v4();
        let token = w.app.staff("wlcac");
        let org_rep = json!({ "__typename": "Organization", "id": w.hola });
        let mut representations = reps(&[w.people[0], hidden, unknown]);
        representations.as_array_mut().unwrap().push(org_rep);
        let answer = w
            .app
            .query(Some(&token), ENTITIES, json!({ "reps": representations }))
            .await;
        let entities = answer["data"]["_entities"].as_array().unwrap();
        assert_eq!(entities.len(), 4, "{answer:#}");
        assert_eq!(entities[0]["givenName"], "Dani0");
        assert_eq!(entities[0]["id"], w.people[0].to_string());
        assert_eq!(entities[1], Value::Null);
        assert_eq!(entities[2], Value::Null);
        assert_eq!(entities[3]["slug"], "hola");
        let errors = answer["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 2, "{answer:#}");
        for e in errors {
            assert_eq!(e["extensions"]["code"], "NOT_FOUND");
        }
        // Hidden and non-existent answer alike (the request id aside).
        let strip = |e: &Value| {
            let mut e = e.clone();
            e["extensions"].as_object_mut().unwrap().remove("requestId");
            e
        };
        assert_eq!(strip(&errors[0]), strip(&errors[1]));

        // One query per type per request: 2 or 20 participants cost the same.
        let mut costs = Vec::new();
        for n in [2, 20] {
            let before = w.app.state.statements();
            let answer = w
                .app
                .query(
                    Some(&token),
                    ENTITIES,
                    json!({ "reps": reps(&w.people[..n]) }),
                )
                .await;
            assert_ok(&answer);
            assert_eq!(answer["data"]["_entities"].as_array().unwrap().len(), n);
            costs.push(w.app.state.statements() - before);
        }
        assert_eq!(costs[0], costs[1], "statements per request: {costs:?}");

        // A hub admin (no row-level access) gets the same null and NOT_FOUND.
        let answer = w
            .app
            .query(
                Some(&w.app.hub_admin()),
                ENTITIES,
                json!({ "reps": reps(&[w.people[0]]) }),
            )
            .await;
        assert_eq!(answer["data"]["_entities"], json!([null]));
        one_error(&answer, "NOT_FOUND");
    }
);

/// An ACTIVE enrollment in a new registered apprenticeship of `org`.
async fn enroll(s: &Story, participant: Uuid, org: Uuid) {
    let program = s
        .program(org, "Apprenticeship")
        .kind(
            ProgramKind::RegisteredApprenticeship,
            ProgramApproach::Hybrid,
        )
        .ojt(2000.0)
        .rti(144.0)
        .await;
    s.enroll(participant, &program)
        .applied(date(2026, 1, 5))
        .started(date(2026, 1, 12))
        .await;
}

hub_test!(
    sync_copies_partner_records_and_a_second_run_changes_nothing,
    |backend| {
        use pathways_hub::adapters::sync;
        let (w, _hours, _college) = tracker_and_college(backend, 3).await;
        let db = &w.app.db;
        w.story.org("lachsa", OrgKind::HighSchool).await;
        let a2w = w.story.id("alliance-arts2work");
        // Two of the three apprentices are enrolled at Arts2Work.
        enroll(&w.story, w.people[0], a2w).await;
        enroll(&w.story, w.people[1], a2w).await;
        let partners = &w.app.state.partners;
        let tracker_partner = partners.by_name("apprentiscope").unwrap();
        let college_partner = partners.by_name("elac-sis").unwrap();

        let first = sync::run(db, tracker_partner, false).await.unwrap();
        assert_eq!(
            (first.inserted, first.updated, first.unchanged),
            (2, 0, 0),
            "{first}"
        );
        assert_eq!(
            first
                .rejected
                .get("no enrollment of the participant at the partner organization"),
            Some(&1),
            "{first}"
        );
        let second = sync::run(db, tracker_partner, false).await.unwrap();
        assert_eq!(
            (second.inserted, second.updated, second.unchanged),
            (0, 0, 2),
            "{second}"
        );
        assert_eq!(w.app.count("hour_log").await, 2);
        assert_eq!(
            w.app
                .count("hour_log WHERE source = 'apprentiscope' AND approved")
                .await,
            2
        );

        // A row changed in the hub is brought back to the partner's answer.
        use sea_orm::ConnectionTrait;
        db.execute_unprepared("UPDATE hour_log SET hours = 1")
            .await
            .unwrap();
        let third = sync::run(db, tracker_partner, false).await.unwrap();
        assert_eq!(
            (third.inserted, third.updated, third.unchanged),
            (0, 2, 0),
            "{third}"
        );

        let first = sync::run(db, college_partner, false).await.unwrap();
        assert_eq!((first.inserted, first.rejected_total()), (3, 0), "{first}");
        let second = sync::run(db, college_partner, false).await.unwrap();
        assert_eq!(
            (second.inserted, second.updated, second.unchanged),
            (0, 0, 3),
            "{second}"
        );
        assert_eq!(
            w.app
                .count("dual_enrollment WHERE source = 'elac-sis'")
                .await,
            3
        );
        // Each copy is audited as a write of the partner's data.
        assert!(w.app.count("audit_event WHERE detail = 'sync'").await >= 7);
    }
);

/// IATSE Local 600's roster, asked by member numbers (`?members=`): the
/// first youth a journeyman member, the second an applicant, the third a
/// member without a classification.
struct Roster;

impl Respond for Roster {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let rows: Vec<Value> = asked_in(request, "members")
            .iter()
            .map(|id| match id.rsplit('-').next() {
                Some("0") => {
                    json!({ "member": id, "rec": format!("R-{id}"), "local": "IATSE Local 600",
                    "standing": "Journeyman", "craft": "Camera Utility", "since": "2025-06-01" })
                }
                Some("1") => {
                    json!({ "member": id, "rec": format!("R-{id}"), "local": "IATSE Local 600",
                    "standing": "Applicant", "since": "" })
                }
                _ => json!({ "member": id, "rec": format!("R-{id}"), "local": "IATSE Local 600",
                    "standing": "Journeyman" }),
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "roster": rows }))
    }
}

/// The union roster's declaration.
fn roster_config(url: &str) -> PartnerConfig {
    serde_json::from_value(json!({
        "name": "local600-roster", "org": "iatse-600", "kind": "rest_json", "base_url": url,
        "timeout_ms": 1000, "retries": 0, "cache_ttl_ms": 0,
        "records": { "union_memberships": {
            "path": "/roster", "ids_param": "members", "items": "roster",
            "fields": {
                "participant": "member", "external_id": "rec", "union_local": "local",
                "status": "standing", "classification": "craft", "joined_on": "since"
            },
            "values": { "status": { "Journeyman": "MEMBER", "Applicant": "APPLICANT", "Withdrawn": "INACTIVE" } }
        }}
    }))
    .unwrap()
}

hub_test!(
    a_union_roster_shows_standing_and_sync_makes_members_outcomes,
    |backend| {
        use pathways_hub::adapters::sync;
        let roster = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/roster"))
            .respond_with(Roster)
            .mount(&roster)
            .await;
        let w = world(
            backend,
            3,
            &[("iatse-600", OrgKind::Union)],
            "OUTCOMES",
            vec![roster_config(&roster.uri())],
        )
        .await;
        let page = "{ participants(first: 50) { edges { node { id partnerUnionMemberships {
            source externalId unionLocal status classification joinedOn } } } } }";
        let answer = w
            .app
            .query(Some(&w.app.staff("wlcac")), page, json!({}))
            .await;
        assert_ok(&answer);
        let standing = |p: Uuid| {
            answer["data"]["participants"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["node"]["id"] == p.to_string())
                .map(|e| e["node"]["partnerUnionMemberships"].clone())
                .unwrap()
        };
        assert_eq!(
            standing(w.people[0]),
            json!([{ "source": "local600-roster", "externalId": "R-iatse-600-0",
                     "unionLocal": "IATSE Local 600", "status": "MEMBER",
                     "classification": "Camera Utility", "joinedOn": "2025-06-01" }])
        );
        assert_eq!(standing(w.people[1])[0]["status"], "APPLICANT");
        assert_eq!(standing(w.people[1])[0]["joinedOn"], Value::Null);
        assert_eq!(standing(w.people[2])[0]["classification"], Value::Null);
        // One call for the page, naming the union's own member ids.
        let requests = roster.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1);
        let mut asked = asked_in(&requests[0], "members");
        asked.sort();
        assert_eq!(asked, ["iatse-600-0", "iatse-600-1", "iatse-600-2"]);
        // Read as the union's OUTCOMES data.
        assert_eq!(
            w.app
                .count("audit_event WHERE action = 'READ' AND categories = 'OUTCOMES'")
                .await,
            3
        );

        // HOLA has no agreement with the union: nothing, and no call.
        let answer = w
            .app
            .query(Some(&w.app.staff("hola")), page, json!({}))
            .await;
        assert_ok(&answer);
        for edge in answer["data"]["participants"]["edges"].as_array().unwrap() {
            assert_eq!(edge["node"]["partnerUnionMemberships"], json!([]));
        }
        assert_eq!(calls(&roster).await, 1);

        // sync: members become verified UNION_MEMBERSHIP outcomes of the
        // union; the applicant is reported, not copied; twice is once.
        let partner = w.app.state.partners.by_name("local600-roster").unwrap();
        let first = sync::run(&w.app.db, partner, false).await.unwrap();
        assert_eq!(
            (first.inserted, first.updated, first.unchanged),
            (2, 0, 0),
            "{first}"
        );
        assert_eq!(first.rejected_total(), 1, "{first}");
        assert!(first.to_string().contains("not a MEMBER"), "{first}");
        let second = sync::run(&w.app.db, partner, false).await.unwrap();
        assert_eq!(
            (second.inserted, second.updated, second.unchanged),
            (0, 0, 2),
            "{second}"
        );
        assert_eq!(
            w.app
                .count("outcome WHERE kind = 'UNION_MEMBERSHIP' AND verified AND source = 'local600-roster' AND union_local = 'IATSE Local 600'")
                .await,
            2
        );
        // The copies read back through the hub's own outcomes, with the policy.
        let answer = w
            .app
            .query(
                Some(&w.app.staff("wlcac")),
                "query($id: ID!) { participant(id: $id) { outcomes { kind unionLocal } } }",
                json!({ "id": w.people[0] }),
            )
            .await;
        assert_ok(&answer);
        assert_eq!(
            answer["data"]["participant"]["outcomes"],
            json!([{ "kind": "UNION_MEMBERSHIP", "unionLocal": "IATSE Local 600" }])
        );
    }
);

hub_test!(
    an_apollo_gateway_composes_the_hub_and_resolves_its_entities,
    |backend| {
        let w = world(backend, 2, &[], "", vec![]).await;
        let hidden = person(&w.story, &[w.hola], 7).await;
        let dir = common::gateways::federation_js();
        let mut command = std::process::Command::new("node");
        command
            .arg(dir.join("gateway.mjs"))
            .current_dir(&dir)
            .env("HUB_URL", &w.app.url)
            .env("HUB_TOKEN", w.app.staff("wlcac"))
            .env("PARTICIPANT_IDS", format!("{},{hidden}", w.people[0]));
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .expect("node runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "gateway.mjs failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let printed: Value = serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
        assert_eq!(printed["composed"], true);
        let referrals = &printed["result"]["data"]["countyReferrals"];
        assert_eq!(
            referrals[0]["participant"]["givenName"], "Dani0",
            "{printed:#}"
        );
        assert_eq!(referrals[0]["participant"]["id"], w.people[0].to_string());
        // The hub's own root fields are reachable through the gateway too
        // (they are not when the root type is not named `Query`).
        assert_eq!(
            printed["result"]["data"]["viewer"]["subject"], "staff@wlcac",
            "{printed:#}"
        );
        // The hub resolves nothing of the participant WLCAC may not see:
        // the gateway keeps the county's reference (its id) and every hub
        // field is null (`givenName` is nullable since a refusal nulls it
        // alone), and the rest resolved.
        assert_eq!(referrals[1]["id"], "R-2");
        assert_eq!(
            referrals[1]["participant"],
            json!({ "id": hidden.to_string(), "givenName": null }),
            "{printed:#}"
        );
        let errors = printed["result"]["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{printed:#}");
        assert_eq!(errors[0]["extensions"]["code"], "NOT_FOUND");
    }
);

/// `bench fanout` runs end to end (its own partners, hub and temporary
/// database, SQLite and PostgreSQL); no timing is asserted, only that
/// every answer came and the temporary database is gone afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_fanout_runs_without_errors() {
    for postgres in [None, Some(pg_server_url())] {
        let report = pathways_hub::cli::bench::fanout(pathways_hub::cli::bench::FanoutArgs {
            partners: vec![0, 2],
            clients: 2,
            seconds: 1,
            delay_ms: 10,
            participants: 50,
            postgres: postgres.clone(),
        })
        .await
        .unwrap();
        let rounds = report["rounds"].as_array().unwrap();
        assert_eq!(rounds.len(), 2, "{report}");
        for round in rounds {
            assert_eq!(round["errors"], 0, "{report}");
            assert!(round["requests"].as_u64().unwrap() > 0, "{report}");
        }
        assert!(rounds[0]["overhead_p95_ms"].is_null(), "{report}");
        assert!(rounds[1]["overhead_p95_ms"].is_number(), "{report}");
        // Each round's temporary database is gone.
        for round in rounds {
            let database = round["database"].as_str().unwrap();
            match postgres {
                None => assert!(!std::path::Path::new(database).exists(), "{database}"),
                Some(_) => assert_eq!(databases_named(database).await, 0, "{database}"),
            }
        }
    }
}

/// Databases called `name` on the test server.
async fn databases_named(name: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let admin = sea_orm::Database::connect(format!("{}/postgres", pg_server_url()))
        .await
        .unwrap();
    let row = admin
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            format!("SELECT COUNT(*) AS n FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .unwrap()
        .unwrap();
    admin.close().await.ok();
    row.try_get::<i64>("", "n").unwrap()
}

/// `bench gateway` runs end to end on SQLite and PostgreSQL: the npm
/// gateway (Apollo Server + Apollo Gateway) serves hub root fields and hub
/// entities with every answer complete; no timing is asserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_gateway_runs_without_errors() {
    let script = common::gateways::federation_js().join("serve.mjs");
    for postgres in [None, Some(pg_server_url())] {
        let report = pathways_hub::cli::bench::gateway(pathways_hub::cli::bench::GatewayArgs {
            clients: 2,
            seconds: 1,
            router: pathways_hub::cli::bench::Router::Apollo,
            script: script.clone(),
            hive_router: None,
            participants: 30,
            postgres,
            running: None,
        })
        .await
        .unwrap();
        assert_eq!(report["viewers"], 2, "one token per client: {report}");
        let phases = report["phases"].as_array().unwrap();
        assert_eq!(phases.len(), 3, "{report}");
        for phase in phases {
            assert_eq!(phase["errors"], 0, "{report}");
            assert!(phase["requests"].as_u64().unwrap() > 0, "{report}");
        }
    }
}

hub_test!(
    a_graphql_partner_with_an_api_key_is_called_with_a_query,
    |backend| {
        use wiremock::matchers::header;
        let var = format!("HUB_TEST_SIS_KEY_{}", format!("{backend:?}").to_uppercase());
        // SAFETY: a variable only this test reads, set before the hub starts.
        unsafe { std::env::set_var(&var, "s3cret-key") };
        let sis = MockServer::start().await;
        Mock::given(method("POST"))
            .and(header("x-api-key", "s3cret-key"))
            .respond_with(|request: &Request| {
                let body: Value = request.body_json().unwrap();
                assert!(body["query"].as_str().unwrap().starts_with("query"));
                let items: Vec<Value> = body["variables"]["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| {
                        json!({ "id": format!("S-{}", id.as_str().unwrap()), "studentId": id,
                    "course": { "code": "MUS 120", "title": "Music Production I" },
                    "term": "2026FA", "units": 4, "status": "ENROLLED" })
                    })
                    .collect();
                ResponseTemplate::new(200).set_body_json(json!({ "data": { "sections": items } }))
            })
            .mount(&sis)
            .await;
        let config: PartnerConfig = serde_json::from_value(json!({
        "name": "csula-sis", "org": "csula", "kind": "graphql", "base_url": sis.uri(),
        "auth": { "scheme": "api_key", "env": var, "header": "X-Api-Key" },
        "records": { "dual_enrollments": {
            "query": "query($ids: [ID!]!) { sections(studentIds: $ids) { id studentId course { code title } term units status } }",
            "items": "data.sections",
            "fields": { "participant": "studentId", "external_id": "id", "course_code": "course.code",
                "course_title": "course.title", "term": "term", "units_attempted": "units", "status": "status" }
        }}
    }))
    .unwrap();
        let w = world(
            backend,
            1,
            &[("csula", OrgKind::College)],
            "EDUCATION_RECORDS",
            vec![config],
        )
        .await;
        let answer = w
            .app
            .query(
                Some(&w.app.staff("wlcac")),
                ONE,
                json!({ "id": w.people[0] }),
            )
            .await;
        assert_ok(&answer);
        assert_eq!(
            answer["data"]["participant"]["partnerDualEnrollments"],
            json!([{ "source": "csula-sis", "courseCode": "MUS 120", "status": "ENROLLED", "unitsEarned": null }])
        );
        assert_eq!(calls(&sis).await, 1);
    }
);

hub_test!(an_idempotent_call_is_retried_after_a_5xx, |backend| {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/hours"))
        .respond_with(Tracker::new(0))
        .with_priority(2)
        .mount(&server)
        .await;
    let mut config = tracker_config("apprentiscope", "alliance-arts2work", &api(&server));
    config.retries = 2;
    let w = world(
        backend,
        1,
        &[("alliance-arts2work", OrgKind::TrainingPartner)],
        "PROGRESS",
        vec![config],
    )
    .await;
    let answer = w
        .app
        .query(
            Some(&w.app.staff("wlcac")),
            ONE,
            json!({ "id": w.people[0] }),
        )
        .await;
    assert_ok(&answer);
    assert_eq!(
        answer["data"]["participant"]["partnerHourLogs"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(calls(&server).await, 2, "one failed attempt, one retry");
});

fn hub_binary(dir: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_pathways-hub"));
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("PATHWAYS_CONFIG");
    for (key, _) in std::env::vars() {
        if key.starts_with("PATHWAYS_") {
            command.env_remove(key);
        }
    }
    command
}

const SECRETS: &str = "match_key_secret = \"0123456789abcdef0123456789abcdef\"\n[auth]\nhs256_secret = \"0123456789abcdef0123456789abcdef\"\n";

fn partner_toml(url: &str, hours_field: &str) -> String {
    format!(
        "[[partners]]\nname = \"apprentiscope\"\norg = \"alliance-arts2work\"\nkind = \"rest_json\"\nbase_url = \"{url}\"\n\
         [partners.records.hour_logs]\npath = \"/hours\"\nitems = \"data.hours\"\n\
         [partners.records.hour_logs.fields]\nparticipant = \"apprentice.id\"\nexternal_id = \"id\"\nkind = \"type\"\n\
         worked_on = \"date\"\n{hours_field} = \"hours\"\napproved = \"approved\"\n\
         [partners.records.hour_logs.values.kind]\n\"On the job\" = \"OJT\"\n"
    )
}

#[test]
fn a_bad_partner_mapping_stops_the_start_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "database_url = \"sqlite://{}/hub.db?mode=rwc\"\n{SECRETS}{}",
        dir.path().display(),
        partner_toml("http://127.0.0.1:9/api", "hourz")
    );
    std::fs::write(dir.path().join("pathways-hub.toml"), toml).unwrap();
    let output = hub_binary(dir.path()).arg("serve").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(
            "`partners[0].records.hour_logs.fields.hourz` is not a field of this record kind"
        ),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_from_the_command_line_prints_a_summary() {
    let hours = tracker(Tracker::new(0)).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/hub.db?mode=rwc", dir.path().display());
    let toml = format!(
        "database_url = \"{url}\"\n{SECRETS}{}",
        partner_toml(&api(&hours), "hours")
    );
    std::fs::write(dir.path().join("pathways-hub.toml"), toml).unwrap();
    let run = |args: &'static [&'static str]| {
        let mut command = hub_binary(dir.path());
        command.args(args);
        async move {
            tokio::task::spawn_blocking(move || command.output())
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert!(run(&["migrate"]).await.status.success());
    let db = pathways_hub::ground::db::connect_url(&url, 2, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    let story = Story::new(&db);
    let a2w = story
        .org("alliance-arts2work", OrgKind::TrainingPartner)
        .await;
    let youth = person(&story, &[a2w], 0).await;
    story.link(youth, a2w, "A2W-0001").await;
    enroll(&story, youth, a2w).await;
    db.close().await.unwrap();

    let output = run(&["sync", "--partner", "nobody"]).await;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no partner named nobody"));
    for expected in [
        "apprentiscope: inserted 1, updated 0, unchanged 0, rejected 0",
        "apprentiscope: inserted 0, updated 0, unchanged 1, rejected 0",
    ] {
        let output = run(&["sync", "--partner", "apprentiscope"]).await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains(expected), "{stdout}");
    }
}

hub_test!(
    a_page_with_partner_fields_is_its_statement_then_one_call_per_partner,
    |backend| {
        let (w, broken, good) = broken_and_good(backend, 5).await;
        let token = w.app.staff("wlcac");
        w.app
            .query(Some(&token), "{ viewer { subject } }", json!({}))
            .await;
        let node = "id givenName familyName email
            partnerHourLogs { source externalId kind workedOn hours approved }
            again: partnerHourLogs { hours } ... on Participant { partnerHourLogs { source } }";
        // Down the page statement, then the partners; `source` (not read by
        // the statement) sends the same page down the resolvers.
        let mut answers = Vec::new();
        // The first request looks the partners' organizations up once.
        for extra in ["", "", " source"] {
            let query =
                format!("{{ participants(first: 50) {{ edges {{ node {{ {node}{extra} }} }} }} }}");
            let reads = w.app.count("audit_event WHERE action = 'READ'").await;
            let statements = w.app.state.statements();
            let mut answer = w.app.query(Some(&token), &query, json!({})).await;
            let statements = w.app.state.statements() - statements;
            let reads = w.app.count("audit_event WHERE action = 'READ'").await - reads;
            for edge in answer["data"]["participants"]["edges"]
                .as_array_mut()
                .unwrap()
            {
                edge["node"].as_object_mut().unwrap().remove("source");
            }
            answers.push((
                answer["data"].clone(),
                sorted_errors(&answer),
                statements,
                reads,
            ));
        }
        let (compiled, live) = (&answers[1], &answers[2]);
        assert_eq!(compiled.0, live.0, "the same data");
        assert_eq!(compiled.1, live.1, "the same errors");
        assert_eq!(compiled.3, live.3, "the same disclosures");
        assert!(
            compiled.2 < live.2,
            "statements: compiled {}, resolvers {}",
            compiled.2,
            live.2
        );
        // Each participant: the good partner's record, the broken one's
        // failure beside it, at the field's path.
        let edges = compiled.0["participants"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), 5);
        for edge in edges {
            let logs = edge["node"]["partnerHourLogs"].as_array().unwrap();
            assert_eq!(logs.len(), 1, "{edge}");
            assert_eq!(logs[0]["source"], "spacela-tracker");
            assert_eq!(edge["node"]["familyName"], "Reyes", "{edge}");
        }
        // Three occurrences per participant: async-graphql resolves a
        // field asked twice under one key once per occurrence, and reports
        // each failure (on both paths alike).
        assert_eq!(compiled.1.len(), 15, "{:?}", compiled.1);
        assert!(
            compiled.1.iter().all(|e| e.contains("PARTNER_UNAVAILABLE")
                && e.contains("apprentiscope")
                && (e.contains("\"partnerHourLogs\"]") || e.contains("\"again\"]"))),
            "{:?}",
            compiled.1
        );
        // The page statement, the partners' crosswalk (one statement for
        // both) and the audit's insert.
        assert_eq!(compiled.2, 3, "statements");
        // One call per partner and request, on both paths.
        assert_eq!(calls(&good).await, 3);
        assert_eq!(calls(&broken).await, 3);
    }
);
