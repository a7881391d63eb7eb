//! The production profile: outside demo mode the hub answers none of
//! graphql-cop's twelve probes (dolevf/graphql-cop, `lib/tests/`), each
//! repeated here as that tool sends it and judged as it judges; with the
//! demo profile (`serve --demo`'s developer-friendly settings) the same
//! probes find what they should, so the probes themselves can fail.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use serde_json::{Value, json};

/// One of graphql-cop's probes: its name and whether it found something.
struct Probe {
    name: &'static str,
    found: bool,
}

async fn post_json(app: &TestApp, token: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(&app.url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    response.json().await.unwrap_or(Value::Null)
}

/// graphql-cop's `graph_query`: `{"query": q, "operationName": "cop"}`.
async fn graph_query(app: &TestApp, token: &str, query: &str) -> Value {
    post_json(
        app,
        token,
        json!({ "query": query, "operationName": "cop" }),
    )
    .await
}

async fn get(
    app: &TestApp,
    token: &str,
    query: Option<&str>,
    accept_html: bool,
) -> (String, Value) {
    let mut request = reqwest::Client::new().get(&app.url).bearer_auth(token);
    if let Some(query) = query {
        request = request.query(&[("query", query)]);
    }
    if accept_html {
        request = request.header("accept", "text/html");
    }
    let text = request.send().await.unwrap().text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (text, json)
}

fn truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

/// The twelve probes, as graphql-cop sends and judges them.
async fn probes(app: &TestApp, token: &str) -> Vec<Probe> {
    let mut out = Vec::new();
    // dos_alias_overloading: 101 aliases of __typename.
    let aliases: String = (0..=100)
        .map(|i| format!("alias{i}:__typename \n"))
        .collect();
    let answer = graph_query(app, token, &format!("query cop {{ {aliases} }}")).await;
    out.push(Probe {
        name: "alias overloading",
        found: truthy(&answer["data"]["alias100"]),
    });
    // dos_batch: ten operations in one POST.
    let batch: Vec<Value> = (0..10)
        .map(|_| json!({ "query": "query cop { __typename }" }))
        .collect();
    let answer = post_json(app, token, Value::Array(batch)).await;
    out.push(Probe {
        name: "batch queries",
        found: answer.as_array().is_some_and(|a| a.len() >= 10),
    });
    // dos_circular_introspection.
    let answer = graph_query(app, token, "query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }").await;
    out.push(Probe {
        name: "circular query using introspection",
        found: answer["data"]["__schema"]["types"]
            .as_array()
            .is_some_and(|t| t.len() > 25),
    });
    // dos_directive_overloading: ten unknown directives, ten errors.
    let answer = graph_query(
        app,
        token,
        "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }",
    )
    .await;
    out.push(Probe {
        name: "directive overloading",
        found: answer["errors"].as_array().is_some_and(|e| e.len() == 10),
    });
    // dos_field_duplication: 500 times the same field.
    let fields = "__typename \n".repeat(500);
    let answer = graph_query(app, token, &format!("query cop {{ {fields}}} ")).await;
    out.push(Probe {
        name: "field duplication",
        found: truthy(&answer["data"]["__typename"]),
    });
    // info_field_suggestions.
    let answer = graph_query(app, token, "query cop { __schema { directive } }").await;
    out.push(Probe {
        name: "field suggestions",
        found: answer.to_string().contains("Did you mean"),
    });
    // info_get_based_mutation.
    let (_, answer) = get(app, token, Some("mutation cop {__typename}"), false).await;
    out.push(Probe {
        name: "mutation over GET",
        found: truthy(&answer["data"]["__typename"]),
    });
    // info_get_method_support: a query over GET without any special header.
    let (_, answer) = get(app, token, Some("query cop {__typename}"), false).await;
    out.push(Probe {
        name: "GET based queries (CSRF)",
        found: truthy(&answer["data"]["__typename"]),
    });
    // info_graphiql: GET with Accept: text/html.
    let (text, _) = get(app, token, None, true).await;
    out.push(Probe {
        name: "GraphiQL",
        found: [
            "graphiql.min.css",
            "GraphQL Playground",
            "GraphiQL",
            "graphql-playground",
        ]
        .iter()
        .any(|word| text.contains(word)),
    });
    // info_introspect.
    let answer = graph_query(
        app,
        token,
        "query cop { __schema { types { name fields { name } } } }",
    )
    .await;
    out.push(Probe {
        name: "introspection",
        found: truthy(&answer["data"]["__schema"]["types"]),
    });
    // info_post_based_csrf: a form-encoded POST.
    let answer: Value = reqwest::Client::new()
        .post(&app.url)
        .bearer_auth(token)
        .form(&[("query", "query cop { __typename }")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap_or(Value::Null);
    out.push(Probe {
        name: "POST based queries, urlencoded (CSRF)",
        found: truthy(&answer["data"]["__typename"]),
    });
    // info_trace_mode: tracing in the errors' or answer's extensions.
    let answer = graph_query(app, token, "query cop { __typename }").await;
    out.push(Probe {
        name: "tracing / debug mode",
        found: truthy(&answer["errors"][0]["extensions"]["tracing"])
            || answer.to_string().to_lowercase().contains("\"tracing\""),
    });
    assert_eq!(out.len(), 12, "graphql-cop has twelve probes");
    out
}

fn found(probes: &[Probe]) -> Vec<&'static str> {
    probes.iter().filter(|p| p.found).map(|p| p.name).collect()
}

hub_test!(
    the_production_profile_answers_no_graphql_cop_probe,
    |backend| {
        let app = spawn_app(backend).await;
        let token = app.staff("wlcac");
        let findings = probes(&app, &token).await;
        assert_eq!(found(&findings), Vec::<&str>::new());
        // A GET query with Apollo's preflight header still works.
        let answer: Value = reqwest::Client::new()
            .get(&app.url)
            .bearer_auth(&token)
            .header("apollo-require-preflight", "true")
            .query(&[("query", "{ viewer { subject } }")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["data"]["viewer"]["subject"], "staff@wlcac");
    }
);

hub_test!(
    the_demo_profile_is_developer_friendly_and_the_probes_see_it,
    |backend| {
        let app = spawn_app_with(backend, true, |config| {
            config.limits.introspection = true;
            config.limits.suggestions = true;
            config.limits.graphiql = true;
            config.limits.max_batch = 10;
            config.limits.csrf_prevention = false;
        })
        .await;
        let token = app.staff("wlcac");
        let findings = probes(&app, &token).await;
        let found = found(&findings);
        for expected in [
            "batch queries",
            "circular query using introspection",
            "field suggestions",
            "GET based queries (CSRF)",
            "GraphiQL",
            "introspection",
        ] {
            assert!(found.contains(&expected), "{expected} not found: {found:?}");
        }
        // What no profile allows: mutations over GET, form-encoded POSTs,
        // 101 aliases.
        for never in [
            "mutation over GET",
            "POST based queries, urlencoded (CSRF)",
            "alias overloading",
        ] {
            assert!(!found.contains(&never), "{never}: {found:?}");
        }
    }
);
