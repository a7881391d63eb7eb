//! Traces over OTLP (issue 20): `serve` with `[telemetry] otlp_endpoint`
//! exports spans to a collector — here a real HTTP server on 127.0.0.1 that
//! keeps what it receives — continuing the caller's W3C `traceparent`: the
//! request (with the operation name and the viewer's organization) and each
//! SQL statement, and never personal data.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{TEST_MATCH_SECRET, TEST_SECRET};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn hub(config: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pathways-hub"));
    command
        .env_remove("DATABASE_URL")
        .env_remove("PATHWAYS_LOG")
        .args(["--config", config.to_str().unwrap()])
        .args(args);
    command
}

/// A staff token of organization `org`, minted by the binary.
fn staff_token(config: &std::path::Path, org: &str) -> String {
    let sub = format!("staff@{org}");
    let out = hub(
        config,
        &["token", "--sub", &sub, "--org", org, "--roles", "staff"],
    )
    .output()
    .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Starts `serve` on 127.0.0.1:0 exporting spans every 100 ms; answers
/// the process and its base URL, read from the banner. Standard output
/// keeps being drained so that the server never writes into a closed pipe.
fn serve(config: &std::path::Path) -> (std::process::Child, String) {
    let mut server = hub(config, &["serve", "--listen", "127.0.0.1:0"])
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = BufReader::new(server.stdout.take().unwrap());
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if let Some(base) = line.strip_prefix("Pathways Hub is listening on ") {
                let _ = tx.send(base.to_owned());
            }
        }
    });
    let base = rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap();
    (server, base)
}

/// A collector on 127.0.0.1 that accepts OTLP traces and keeps them.
async fn collector() -> MockServer {
    let collector = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/traces"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&collector)
        .await;
    collector
}

/// What the collector received so far, each export as JSON.
async fn received(collector: &MockServer) -> Vec<Value> {
    collector
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.body).unwrap())
        .collect()
}

/// Posts `body` to the hub's `/graphql` as `token`'s holder, in the W3C
/// trace `trace` (parent span `parent`); answers the JSON.
async fn traced(base: &str, token: &str, trace: &str, parent: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .header("traceparent", format!("00-{trace}-{parent}-01"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Every span the collector received, as (span, attributes by key).
fn spans(bodies: &[Value]) -> Vec<(Value, serde_json::Map<String, Value>)> {
    let mut out = Vec::new();
    for body in bodies {
        for resource in body["resourceSpans"].as_array().into_iter().flatten() {
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                for span in scope["spans"].as_array().into_iter().flatten() {
                    let mut attributes = serde_json::Map::new();
                    for a in span["attributes"].as_array().into_iter().flatten() {
                        let value = a["value"]
                            .as_object()
                            .and_then(|v| v.values().next().cloned())
                            .unwrap_or(Value::Null);
                        attributes.insert(a["key"].as_str().unwrap().to_owned(), value);
                    }
                    out.push((span.clone(), attributes));
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_reach_the_collector_continuing_the_callers_trace() {
    pathways_hub::init_crypto();
    let collector = collector().await;
    // A partner's apprenticeship tracker, asked for hours at query time.
    let partner = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/hours"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "data": [] })))
        .mount(&partner)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = \"sqlite://{db}?mode=rwc\"\nmatch_key_secret = {TEST_MATCH_SECRET:?}\n\
             [auth]\nhs256_secret = {TEST_SECRET:?}\n\
             [telemetry]\notlp_endpoint = \"{url}/v1/traces\"\nservice_name = \"hub-under-test\"\n\
             [[partners]]\nname = \"apprentiscope\"\norg = \"alliance-arts2work\"\nkind = \"rest_json\"\n\
             base_url = \"{partner}/api\"\n[partners.records.hour_logs]\npath = \"/hours\"\nitems = \"data\"\n\
             [partners.records.hour_logs.fields]\nparticipant = \"apprenticeId\"\nexternal_id = \"id\"\n\
             kind = \"type\"\nworked_on = \"date\"\nhours = \"hours\"\n",
            db = dir.path().join("hub.db").display(),
            url = collector.uri(),
            partner = partner.uri(),
        ),
    )
    .unwrap();
    assert!(
        hub(&config, &["seed", "--demo"])
            .status()
            .unwrap()
            .success()
    );
    let token = staff_token(&config, "hola");
    let (mut server, base) = serve(&config);

    // A gateway's trace: our spans must join it.
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let parent_id = "00f067aa0ba902b7";
    let answer = traced(
        &base,
        &token,
        trace_id,
        parent_id,
        json!({
            "query": "query CaseLoad { participants(first: 5) { edges { node { givenName familyName email } } } }",
            "operationName": "CaseLoad",
        }),
    )
    .await;
    let people: Vec<String> = answer["data"]["participants"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| ["givenName", "familyName", "email"].map(|k| e["node"][k].clone()))
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert!(!people.is_empty(), "{answer}");

    // A second trace: Arts2Work's staff read hours its tracker keeps.
    let a2w = staff_token(&config, "alliance-arts2work");
    let partner_trace = "5bf92f3577b34da6a3ce929d0e0e4737";
    let hours = traced(
        &base,
        &a2w,
        partner_trace,
        parent_id,
        json!({
            "query": "query Hours { participants(first: 3) { edges { node { partnerHourLogs { hours } } } } }",
            "operationName": "Hours",
        }),
    )
    .await;
    assert!(hours["data"]["participants"].is_object(), "{hours}");
    assert!(
        !partner.received_requests().await.unwrap().is_empty(),
        "the partner was asked"
    );

    // Wait (bounded, counted in tries) until the request's span arrived.
    let mut bodies = Vec::new();
    for _ in 0..100 {
        bodies = received(&collector).await;
        let names: Vec<Value> = spans(&bodies)
            .into_iter()
            .map(|(s, _)| s["name"].clone())
            .collect();
        if names.iter().filter(|n| *n == "request").count() >= 2
            && names.iter().any(|n| n == "partner call")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    server.kill().unwrap();
    let _ = server.wait();

    let text = serde_json::to_string(&bodies).unwrap();
    assert!(text.contains("hub-under-test"), "service.name: {text}");
    let all = spans(&bodies);
    let request = all
        .iter()
        .find(|(s, _)| {
            s["name"] == "request" && s["traceId"].as_str().unwrap().to_lowercase() == trace_id
        })
        .unwrap_or_else(|| panic!("no request span: {text}"));
    let (span, attributes) = request;
    assert_eq!(
        span["traceId"].as_str().unwrap().to_lowercase(),
        trace_id,
        "{span}"
    );
    assert_eq!(
        span["parentSpanId"].as_str().unwrap().to_lowercase(),
        parent_id,
        "{span}"
    );
    assert_eq!(attributes["operation"], "CaseLoad", "{span}");
    assert_eq!(attributes["org"], "hola", "{span}");
    // The SQL statements ran under it, in the same trace.
    let statements: Vec<_> = all
        .iter()
        .filter(|(s, a)| {
            s["name"].as_str().unwrap().starts_with("db ")
                && s["traceId"].as_str().unwrap().to_lowercase() == trace_id
                && a["db.system.name"] == "sqlite"
        })
        .collect();
    assert!(
        !statements.is_empty(),
        "no statement spans in the trace: {text}"
    );
    // The partner call, in the second trace, names the partner.
    let call = all
        .iter()
        .find(|(s, _)| s["name"] == "partner call")
        .unwrap_or_else(|| panic!("no partner span: {text}"));
    assert_eq!(
        call.0["traceId"].as_str().unwrap().to_lowercase(),
        partner_trace
    );
    assert_eq!(call.1["partner"], "apprentiscope", "{}", call.0);
    // Never personal data: none of the names or emails the answer held.
    for person in &people {
        assert!(!text.contains(person.as_str()), "{person} was exported");
    }
}

/// Start and end of a span, in nanoseconds since the epoch.
fn interval(span: &Value) -> (u128, u128) {
    let at = |key: &str| -> u128 {
        match &span[key] {
            Value::String(s) => s.parse().unwrap(),
            v => u128::from(v.as_u64().unwrap()),
        }
    };
    (at("startTimeUnixNano"), at("endTimeUnixNano"))
}

/// A page's independent statements run at the same time (issue 19): the
/// case-manager page's profiles, enrollments and mentorships are read on
/// pooled connections at once, and then its hour logs, hour totals and
/// programs. Asserted on the statements' own recorded start and end (the
/// spans the hub exports), not on wall-clock time: if the levels went back
/// to running one after another, no two statement spans of the page would
/// overlap. The page asks for `email` too: a page the compiled statement
/// answers whole (`graphql::compiled`) has one statement, so this one
/// takes the resolvers and their loaders.
async fn statements_of_a_page_overlap(backend: common::Backend) {
    pathways_hub::init_crypto();
    let collector = collector().await;
    let (database_url, _cleanup) = common::fresh_database(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = {database_url:?}\nmatch_key_secret = {TEST_MATCH_SECRET:?}\n\
             [auth]\nhs256_secret = {TEST_SECRET:?}\n\
             [telemetry]\notlp_endpoint = \"{url}/v1/traces\"\n",
            url = collector.uri(),
        ),
    )
    .unwrap();
    assert!(
        hub(&config, &["seed", "--demo"])
            .status()
            .unwrap()
            .success()
    );
    let token = staff_token(&config, "alliance-arts2work");
    let (mut server, base) = serve(&config);
    // Ten pages, each in its own trace; the first ones also open the
    // pool's connections.
    let traces: Vec<String> = (0..10).map(|n| format!("{:032x}", 0xa11ce + n)).collect();
    for trace in &traces {
        let answer = traced(
            &base,
            &token,
            trace,
            "00f067aa0ba902b7",
            json!({ "query": pathways_hub::cli::bench::CASE_MANAGER_QUERY.replace("givenName", "givenName source") }),
        )
        .await;
        let edges = answer["data"]["participants"]["edges"].as_array().unwrap();
        assert!(
            edges.iter().any(|e| {
                e["node"]["enrollments"]
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
                    && e["node"]["mentorships"]
                        .as_array()
                        .is_some_and(|a| !a.is_empty())
            }),
            "the page reads enrollments and mentorships: {answer}"
        );
    }
    let statements_of = |bodies: &[Value], trace: &str| -> Vec<(u128, u128)> {
        spans(bodies)
            .into_iter()
            .filter(|(s, _)| {
                s["name"].as_str().unwrap().starts_with("db SELECT")
                    && s["traceId"].as_str().unwrap().to_lowercase() == trace
            })
            .map(|(s, _)| interval(&s))
            .collect()
    };
    let mut bodies = Vec::new();
    for _ in 0..100 {
        bodies = received(&collector).await;
        if traces.iter().all(|t| statements_of(&bodies, t).len() >= 5) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    server.kill().unwrap();
    let _ = server.wait();
    // Most pages after the first (which may still wait for the pool to
    // open its connections) have statements that ran at the same time: one
    // after another, every page has none. (Not all: on 2 busy cores a
    // page's statements can happen to be served in turn.)
    let overlapping = |trace: &str| -> usize {
        let statements = statements_of(&bodies, trace);
        assert!(
            statements.len() >= 5,
            "statements of {trace}: {statements:?}"
        );
        let mut pairs = 0;
        for (i, a) in statements.iter().enumerate() {
            for b in &statements[i + 1..] {
                if a.0 < b.1 && b.0 < a.1 {
                    pairs += 1;
                }
            }
        }
        pairs
    };
    let pairs: Vec<usize> = traces.iter().map(|t| overlapping(t)).collect();
    eprintln!("overlapping statement pairs per page: {pairs:?}");
    assert!(
        pairs[1..].iter().filter(|p| **p > 0).count() * 2 > pairs.len() - 1,
        "statements of a page ran one after another: overlapping pairs per page {pairs:?}"
    );
}

hub_test!(independent_statements_of_a_page_overlap, |backend| {
    statements_of_a_page_overlap(backend).await;
});
