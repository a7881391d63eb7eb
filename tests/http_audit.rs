//! GraphQL over HTTP, exactly: the specification's reference audit suite
//! (`serverAudits` of the graphql-http npm package, run by
//! `tests/federation-js/http_audit.mjs`) against the real hub with a staff
//! token. In the demo profile every audit passes. In the production
//! profile every MUST and SHOULD passes, and the MAYs it fails are exactly
//! the refusals it makes on purpose ([`REFUSED_IN_PRODUCTION`]).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::gateways::federation_js;
use common::*;
use serde_json::{Value, json};

/// The number of audits graphql-http 1.23.1 runs against a server.
const AUDITS: usize = 61;

/// What the production profile refuses on purpose, each a MAY of the
/// specification (README.md, "GraphQL over HTTP"), in the suite's order:
/// `(audit id, why)`.
const REFUSED_IN_PRODUCTION: &[(&str, &str)] = &[
    (
        "5A70",
        "a GET query needs `apollo-require-preflight` (CSRF prevention): a link or an image tag must not make a signed-in browser read",
    ),
    (
        "D6D5",
        "the same GET query with variables, accepting application/graphql-response+json",
    ),
    (
        "6A70",
        "the same GET query with variables, accepting application/json",
    ),
];

/// One audit's outcome, as `http_audit.mjs` prints it.
#[derive(Debug, Clone, serde::Deserialize)]
struct Audit {
    id: String,
    name: String,
    /// `ok`, or `error` (a MUST failed), `warn` (a SHOULD), `notice` (a MAY).
    status: String,
    reason: Option<String>,
}

/// Runs the audit suite against `app` as the holder of `token`.
async fn audit(app: &TestApp, token: &str) -> Vec<Audit> {
    let dir = federation_js();
    let mut command = std::process::Command::new("node");
    command
        .arg(dir.join("http_audit.mjs"))
        .current_dir(&dir)
        .env("HUB_URL", &app.url)
        .env("HUB_TOKEN", token);
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "http_audit.mjs failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let audits: Vec<Audit> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(audits.len(), AUDITS, "{stdout}");
    let count = |status: &str| audits.iter().filter(|a| a.status == status).count();
    eprintln!(
        "graphql-http audits: {} ok, {} error, {} warn, {} notice\n{}",
        count("ok"),
        count("error"),
        count("warn"),
        count("notice"),
        report(&not_ok(&audits))
    );
    audits
}

/// The audits that did not pass, one line each, for a failure message.
fn report(audits: &[&Audit]) -> String {
    audits
        .iter()
        .map(|a| {
            format!(
                "{} {} {}: {}",
                a.status,
                a.id,
                a.name,
                a.reason.as_deref().unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The audits that did not pass, in the suite's order.
fn not_ok(audits: &[Audit]) -> Vec<&Audit> {
    audits.iter().filter(|a| a.status != "ok").collect()
}

/// The demo profile's developer-friendly settings (`serve --demo`).
fn demo_profile(config: &mut pathways_hub::ground::config::Config) {
    config.demo = true;
    config.limits.introspection = true;
    config.limits.suggestions = true;
    config.limits.graphiql = true;
    config.limits.max_batch = 10;
    config.limits.csrf_prevention = false;
}

hub_test!(the_demo_profile_passes_every_audit, |backend| {
    let app = spawn_app_with(backend, true, demo_profile).await;
    let audits = audit(&app, &app.staff("wlcac")).await;
    let failed = not_ok(&audits);
    assert!(failed.is_empty(), "{}", report(&failed));
});

hub_test!(
    the_production_profile_passes_every_must_and_should_and_refuses_only_its_list,
    |backend| {
        let app = spawn_app(backend).await;
        let audits = audit(&app, &app.staff("wlcac")).await;
        let failed = not_ok(&audits);
        let refused: Vec<&str> = failed.iter().map(|a| a.id.as_str()).collect();
        let expected: Vec<&str> = REFUSED_IN_PRODUCTION.iter().map(|(id, _)| *id).collect();
        assert_eq!(refused, expected, "{}", report(&failed));
        // Each is a MAY (a `notice`), never a MUST or a SHOULD.
        assert!(
            failed.iter().all(|a| a.status == "notice"),
            "{}",
            report(&failed)
        );
    }
);

/// Sends `body` to `/graphql` accepting `accept`; the status, the content
/// type and the JSON answer.
async fn post(app: &TestApp, token: &str, accept: &str, body: Value) -> (u16, String, Value) {
    let response = reqwest::Client::new()
        .post(&app.url)
        .bearer_auth(token)
        .header("accept", accept)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, content_type, response.json().await.unwrap())
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

hub_test!(
    a_request_error_is_400_without_data_only_where_the_client_accepts_it,
    |backend| {
        let app = spawn_app(backend).await;
        let staff = app.staff("wlcac");
        let request_errors = [
            json!({ "query": "{" }),
            json!({ "query": "{ nope }" }),
            json!({ "query": "query($id: ID!) { participant(id: $id) { id } }", "variables": { "id": null } }),
        ];
        for body in &request_errors {
            // application/graphql-response+json: 400, no `data`, the code kept.
            let (status, content_type, answer) =
                post(&app, &staff, GRAPHQL_RESPONSE, body.clone()).await;
            assert_eq!(status, 400, "{body} {answer}");
            assert!(content_type.starts_with(GRAPHQL_RESPONSE), "{content_type}");
            assert!(answer.get("data").is_none(), "{answer}");
            assert_eq!(codes(&answer), ["BAD_USER_INPUT"], "{answer}");
            assert!(answer["errors"][0]["extensions"]["requestId"].is_string());
            // application/json: 200 and `data: null`, as before.
            let (status, content_type, answer) =
                post(&app, &staff, "application/json", body.clone()).await;
            assert_eq!(status, 200, "{body} {answer}");
            assert!(
                content_type.starts_with("application/json"),
                "{content_type}"
            );
            assert_eq!(answer["data"], Value::Null, "{answer}");
            assert!(answer.as_object().unwrap().contains_key("data"));
            assert_eq!(codes(&answer), ["BAD_USER_INPUT"], "{answer}");
        }
        // An executed operation is 200 with its `data`, field errors and all.
        let (status, _, answer) = post(
            &app,
            &staff,
            GRAPHQL_RESPONSE,
            json!({ "query": "{ viewer { subject } auditEvents(first: 1) { totalCount } }" }),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert!(answer.as_object().unwrap().contains_key("data"), "{answer}");
        assert_eq!(codes(&answer), ["FORBIDDEN"], "{answer}");
        // A batch is answered item by item, 200, in the accepted type.
        let (status, content_type, answer) = post(
            &app,
            &staff,
            GRAPHQL_RESPONSE,
            json!([{ "query": "{ viewer { subject } }" }, { "query": "{" }]),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
        assert!(content_type.starts_with(GRAPHQL_RESPONSE), "{content_type}");
        assert_eq!(answer[0]["data"]["viewer"]["subject"], "staff@wlcac");
        assert_eq!(answer[1]["data"], Value::Null);
        assert_eq!(codes(&answer[1]), ["BAD_USER_INPUT"]);
        // A refusal before execution keeps its status and loses `data`.
        let (status, _, answer) = post(
            &app,
            "not-a-token",
            GRAPHQL_RESPONSE,
            json!({ "query": "{ viewer { subject } }" }),
        )
        .await;
        assert_eq!(status, 401, "{answer}");
        assert!(answer.get("data").is_none(), "{answer}");
        assert_eq!(codes(&answer), ["UNAUTHENTICATED"]);
        // A body without a document is not a GraphQL request: 400 in
        // either type.
        for accept in [GRAPHQL_RESPONSE, "application/json"] {
            let (status, _, answer) =
                post(&app, &staff, accept, json!({ "qeury": "{ __typename }" })).await;
            assert_eq!(status, 400, "{answer}");
            assert_eq!(codes(&answer), ["BAD_USER_INPUT"]);
            assert_eq!(answer["errors"][0]["extensions"]["field"], "query");
        }
        // Neither type accepted: 406, said in application/json.
        let (status, content_type, answer) = post(
            &app,
            &staff,
            "text/html",
            json!({ "query": "{ viewer { subject } }" }),
        )
        .await;
        assert_eq!(status, 406, "{answer}");
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        assert_eq!(codes(&answer), ["BAD_USER_INPUT"]);
    }
);
