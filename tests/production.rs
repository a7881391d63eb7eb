//! The production profile: outside demo mode the hub answers none of
//! graphql-cop's twelve probes (dolevf/graphql-cop, `lib/tests/`), each
//! repeated here as that tool sends it and judged as it judges — except
//! that an answer the tool would shrug off (a `5xx`, a body that is not
//! JSON) fails the test: a crash is not a refusal. Each probe is shown
//! able to fire: eight on a hub configured to allow what they look for
//! (the demo profile's developer-friendly settings, then the query limits
//! raised), and the four no configuration shows — a mutation over GET, a
//! form-encoded POST, tracing in the answer, ten errors for ten unknown
//! directives — on a stand-in server that answers as such a hub would.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// graphql-cop's twelve probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cop {
    AliasOverloading,
    Batch,
    CircularIntrospection,
    DirectiveOverloading,
    FieldDuplication,
    FieldSuggestions,
    MutationOverGet,
    GetQueries,
    Graphiql,
    Introspection,
    UrlencodedPost,
    TraceMode,
}

const ALL: [Cop; 12] = [
    Cop::AliasOverloading,
    Cop::Batch,
    Cop::CircularIntrospection,
    Cop::DirectiveOverloading,
    Cop::FieldDuplication,
    Cop::FieldSuggestions,
    Cop::MutationOverGet,
    Cop::GetQueries,
    Cop::Graphiql,
    Cop::Introspection,
    Cop::UrlencodedPost,
    Cop::TraceMode,
];

/// What no configuration of the hub shows: mutations over GET, form posts
/// and tracing are never allowed; and directives on `__typename` are not
/// validated by async-graphql, so with `max_directives` raised the ten
/// unknown ones are run without the ten errors graphql-cop looks for
/// (below `max_directives` they are refused with one error).
const NEVER: [Cop; 4] = [
    Cop::DirectiveOverloading,
    Cop::MutationOverGet,
    Cop::UrlencodedPost,
    Cop::TraceMode,
];

/// A GraphQL endpoint and the token to call it with.
struct Target {
    url: String,
    token: String,
    client: reqwest::Client,
}

impl Target {
    fn new(url: &str, token: &str) -> Target {
        pathways_hub::init_crypto();
        Target {
            url: url.to_owned(),
            token: token.to_owned(),
            client: reqwest::Client::new(),
        }
    }

    /// Sends `request`; its status and body. A `5xx` fails the test.
    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, String) {
        let response = request.bearer_auth(&self.token).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(status < 500, "a probe crashed the server: {status} {text}");
        (status, text)
    }

    /// Sends `request`; its JSON answer. A `5xx` or a body that is not
    /// JSON fails the test.
    async fn json(&self, request: reqwest::RequestBuilder) -> Value {
        let (status, text) = self.send(request).await;
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("a probe's answer is not JSON ({e}): {status} {text}"))
    }

    async fn post_json(&self, body: Value) -> Value {
        self.json(self.client.post(&self.url).json(&body)).await
    }

    /// graphql-cop's `graph_query`: `{"query": q, "operationName": "cop"}`.
    async fn graph_query(&self, query: &str) -> Value {
        self.post_json(json!({ "query": query, "operationName": "cop" }))
            .await
    }

    async fn get(&self, query: &str) -> Value {
        self.json(self.client.get(&self.url).query(&[("query", query)]))
            .await
    }
}

fn truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

/// Whether `cop` finds what it looks for at `target`, as graphql-cop
/// sends and judges it.
async fn fires(target: &Target, cop: Cop) -> bool {
    match cop {
        Cop::AliasOverloading => {
            // 101 aliases of __typename.
            let aliases: String = (0..=100)
                .map(|i| format!("alias{i}:__typename \n"))
                .collect();
            let answer = target
                .graph_query(&format!("query cop {{ {aliases} }}"))
                .await;
            truthy(&answer["data"]["alias100"])
        }
        Cop::Batch => {
            // Ten operations in one POST.
            let batch: Vec<Value> = (0..10)
                .map(|_| json!({ "query": "query cop { __typename }" }))
                .collect();
            let answer = target.post_json(Value::Array(batch)).await;
            answer.as_array().is_some_and(|a| a.len() >= 10)
        }
        Cop::CircularIntrospection => {
            let answer = target.graph_query("query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }").await;
            answer["data"]["__schema"]["types"]
                .as_array()
                .is_some_and(|t| t.len() > 25)
        }
        Cop::DirectiveOverloading => {
            // Ten unknown directives, ten errors.
            let answer = target
                .graph_query("query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")
                .await;
            answer["errors"].as_array().is_some_and(|e| e.len() == 10)
        }
        Cop::FieldDuplication => {
            // 500 times the same field.
            let fields = "__typename \n".repeat(500);
            let answer = target
                .graph_query(&format!("query cop {{ {fields}}} "))
                .await;
            truthy(&answer["data"]["__typename"])
        }
        Cop::FieldSuggestions => {
            let answer = target
                .graph_query("query cop { __schema { directive } }")
                .await;
            answer.to_string().contains("Did you mean")
        }
        Cop::MutationOverGet => {
            let answer = target.get("mutation cop {__typename}").await;
            truthy(&answer["data"]["__typename"])
        }
        Cop::GetQueries => {
            // A query over GET without any special header.
            let answer = target.get("query cop {__typename}").await;
            truthy(&answer["data"]["__typename"])
        }
        Cop::Graphiql => {
            // GET with Accept: text/html; any body (HTML when found).
            let request = target.client.get(&target.url).header("accept", "text/html");
            let (_, text) = target.send(request).await;
            [
                "graphiql.min.css",
                "GraphQL Playground",
                "GraphiQL",
                "graphql-playground",
            ]
            .iter()
            .any(|word| text.contains(word))
        }
        Cop::Introspection => {
            let answer = target
                .graph_query("query cop { __schema { types { name fields { name } } } }")
                .await;
            truthy(&answer["data"]["__schema"]["types"])
        }
        Cop::UrlencodedPost => {
            let request = target
                .client
                .post(&target.url)
                .form(&[("query", "query cop { __typename }")]);
            let answer = target.json(request).await;
            truthy(&answer["data"]["__typename"])
        }
        Cop::TraceMode => {
            // Tracing in the errors' or the answer's extensions.
            let answer = target.graph_query("query cop { __typename }").await;
            truthy(&answer["errors"][0]["extensions"]["tracing"])
                || answer.to_string().to_lowercase().contains("\"tracing\"")
        }
    }
}

/// The probes of `cops` that fire at `target`.
async fn found(target: &Target, cops: &[Cop]) -> Vec<Cop> {
    let mut out = Vec::new();
    for &cop in cops {
        if fires(target, cop).await {
            out.push(cop);
        }
    }
    out
}

/// The demo profile's developer-friendly settings.
fn demo_profile(config: &mut pathways_hub::ground::config::Config) {
    config.limits.introspection = true;
    config.limits.suggestions = true;
    config.limits.graphiql = true;
    config.limits.max_batch = 10;
    config.limits.csrf_prevention = false;
}

hub_test!(
    the_production_profile_answers_no_graphql_cop_probe,
    |backend| {
        let app = spawn_app(backend).await;
        let token = app.staff("wlcac");
        let target = Target::new(&app.url, &token);
        assert_eq!(found(&target, &ALL).await, []);
        // A GET query with Apollo's preflight header still works.
        let answer = target
            .json(
                target
                    .client
                    .get(&app.url)
                    .header("apollo-require-preflight", "true")
                    .query(&[("query", "{ viewer { subject } }")]),
            )
            .await;
        assert_eq!(answer["data"]["viewer"]["subject"], "staff@wlcac");
    }
);

hub_test!(
    the_demo_profile_is_developer_friendly_and_the_probes_see_it,
    |backend| {
        let app = spawn_app_with(backend, true, demo_profile).await;
        let target = Target::new(&app.url, &app.staff("wlcac"));
        assert_eq!(
            found(&target, &ALL).await,
            [
                Cop::Batch,
                Cop::CircularIntrospection,
                Cop::FieldSuggestions,
                Cop::GetQueries,
                Cop::Graphiql,
                Cop::Introspection,
            ]
        );
    }
);

hub_test!(
    with_the_query_limits_raised_the_overloading_probes_fire,
    |backend| {
        let app = spawn_app_with(backend, true, |config| {
            demo_profile(config);
            config.limits.max_aliases = 200;
            config.limits.max_field_repeats = 600;
            config.limits.max_directives = 20;
        })
        .await;
        let target = Target::new(&app.url, &app.staff("wlcac"));
        let expected: Vec<Cop> = ALL.into_iter().filter(|c| !NEVER.contains(c)).collect();
        assert_eq!(found(&target, &ALL).await, expected);
        // Ten unknown directives on `__typename` now pass unrefused (and
        // unreported: see `NEVER`).
        let answer = target
            .graph_query("query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")
            .await;
        assert_eq!(answer, json!({ "data": { "__typename": "Query" } }));
    }
);

/// A stand-in for a hub that allowed a mutation over GET, a form-encoded
/// POST and tracing, and reported each unknown directive: it answers those
/// requests as such a hub would.
async fn permissive_stand_in() -> MockServer {
    let server = MockServer::start().await;
    let answer = |body: Value| ResponseTemplate::new(200).set_body_json(body);
    Mock::given(method("GET"))
        .and(query_param("query", "mutation cop {__typename}"))
        .respond_with(answer(json!({ "data": { "__typename": "Mutation" } })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(answer(json!({ "data": { "__typename": "Query" } })))
        .mount(&server)
        .await;
    let unknown = json!({ "message": "Unknown directive \"@aa\"", "extensions": { "code": "BAD_USER_INPUT" } });
    Mock::given(method("POST"))
        .and(body_string_contains("@aa@aa"))
        .respond_with(answer(json!({ "errors": vec![unknown; 10] })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("query cop { __typename }"))
        .respond_with(answer(json!({
            "data": { "__typename": "Query" },
            "extensions": { "tracing": { "version": 1, "duration": 1000 } }
        })))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn the_probes_no_configuration_allows_fire_where_it_is_allowed() {
    let server = permissive_stand_in().await;
    let target = Target::new(&format!("{}/graphql", server.uri()), "token");
    assert_eq!(found(&target, &NEVER).await, NEVER);
}

/// A stand-in answering every request with `status` and `body`.
async fn answering(status: u16, body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
#[should_panic(expected = "a probe crashed the server: 500")]
async fn a_server_error_is_a_failure_not_a_refusal() {
    let server = answering(500, r#"{"errors":[{"message":"boom"}]}"#).await;
    let target = Target::new(&format!("{}/graphql", server.uri()), "token");
    found(&target, &[Cop::Introspection]).await;
}

#[tokio::test]
#[should_panic(expected = "a probe crashed the server: 502")]
async fn a_server_error_page_is_a_failure_not_a_refusal() {
    let server = answering(502, "<html>Bad Gateway</html>").await;
    let target = Target::new(&format!("{}/graphql", server.uri()), "token");
    found(&target, &[Cop::Graphiql]).await;
}

#[tokio::test]
#[should_panic(expected = "a probe's answer is not JSON")]
async fn an_answer_that_is_not_json_is_a_failure_not_a_refusal() {
    let server = answering(200, "<html>not GraphQL</html>").await;
    let target = Target::new(&format!("{}/graphql", server.uri()), "token");
    found(&target, &[Cop::UrlencodedPost]).await;
}
