//! The case manager's page answered by one compiled statement
//! (`graphql::compiled`) answers exactly what the resolvers answer: the
//! same data, the same `FORBIDDEN` refusals at the same paths, the same
//! audit rows — for the staff of every demo organization, whose
//! agreements and consents differ.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeMap;

use common::*;
use entity::{audit_event, organization};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

const PAGE: &str = "id givenName familyName preferredName
  enrollments { id status program { id name } ojtHours rtiHours hourLogs { id workedOn kind hours approved } }
  mentorships { id status mentor { id name craft } }";

/// The page; `extra` added to the node's selection sends it down the
/// resolvers instead (`__typename` is not compiled).
fn page(extra: &str) -> String {
    format!(
        "query($after: String) {{ participants(first: 50, after: $after) {{ edges {{ node {{ {PAGE} {extra} }} }} }} }}"
    )
}

/// Audit rows as (action, categories, owner, participant, actor) → count.
async fn audit(app: &TestApp) -> BTreeMap<String, i64> {
    let mut rows = BTreeMap::new();
    for e in audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
    {
        let key = format!(
            "{:?} {} {:?} {:?} {}",
            e.action, e.categories, e.owner_org_id, e.participant_id, e.actor_subject
        );
        *rows.entry(key).or_insert(0) += 1;
    }
    rows
}

/// What one request added to the audit log.
fn added(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    after
        .iter()
        .filter_map(|(k, n)| {
            let new = n - before.get(k).copied().unwrap_or(0);
            (new > 0).then(|| (k.clone(), new))
        })
        .collect()
}

/// Errors without the request id, in a stable order.
fn errors(answer: &Value) -> Vec<String> {
    let mut out: Vec<String> = answer["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut e| {
            e["extensions"].as_object_mut().unwrap().remove("requestId");
            e.to_string()
        })
        .collect();
    out.sort();
    out
}

/// One page as `token` sees it: answer, statements, audit rows added.
async fn ask(app: &TestApp, token: &str, query: &str) -> (Value, u64, BTreeMap<String, i64>) {
    let before = audit(app).await;
    let statements = app.state.statements();
    let answer = app.query(Some(token), query, json!({})).await;
    let statements = app.state.statements() - statements;
    (answer, statements, added(&before, &audit(app).await))
}

hub_test!(
    the_compiled_page_answers_and_audits_what_the_resolvers_do,
    |backend| {
        let app = spawn_app(backend).await;
        let orgs = organization::Entity::find().all(&app.db).await.unwrap();
        let (mut pages, mut refusals, mut disclosures) = (0, 0, 0);
        for org in &orgs {
            let token = app.staff(&org.slug);
            // The first request of an organization looks its id up once.
            app.query(Some(&token), "{ viewer { subject } }", json!({}))
                .await;
            let (compiled, compiled_statements, compiled_audit) =
                ask(&app, &token, &page("")).await;
            let (mut live, live_statements, live_audit) =
                ask(&app, &token, &page("__typename")).await;
            assert!(
                live["data"]["participants"]["edges"].is_array(),
                "{}: {live}",
                org.slug
            );
            let edges = live["data"]["participants"]["edges"]
                .as_array_mut()
                .unwrap();
            for edge in edges.iter_mut() {
                assert_eq!(edge["node"]["__typename"], "Participant");
                edge["node"].as_object_mut().unwrap().remove("__typename");
            }
            let slug = &org.slug;
            assert_eq!(compiled["data"], live["data"], "{slug}: data");
            assert_eq!(errors(&compiled), errors(&live), "{slug}: refusals");
            assert_eq!(compiled_audit, live_audit, "{slug}: audit rows");
            // The list, then one statement for every level of the page.
            if !live["data"]["participants"]["edges"]
                .as_array()
                .unwrap()
                .is_empty()
            {
                pages += 1;
                assert!(
                    compiled_statements < live_statements,
                    "{slug}: compiled {compiled_statements} statements, resolvers {live_statements}"
                );
            }
            refusals += errors(&compiled).len();
            disclosures += compiled_audit.len();
        }
        // The demo holds what this test is for: pages, refused hours and
        // reads that crossed organizations.
        assert!(pages >= 3, "{pages} organizations saw participants");
        assert!(refusals > 0, "no refusal was compared");
        assert!(disclosures > 0, "no disclosure was compared");
    }
);

hub_test!(
    a_page_the_statement_cannot_answer_takes_the_resolvers,
    |backend| {
        let app = spawn_app(backend).await;
        let token = app.staff("alliance-arts2work");
        app.query(Some(&token), "{ viewer { subject } }", json!({}))
            .await;
        let compiled = "{ participants(first: 50) { edges { node { id givenName enrollments { hourLogs { hours } } } } } }";
        let (plain, plain_statements, _) = ask(&app, &token, compiled).await;
        assert_ok(&plain);
        let first = &plain["data"]["participants"]["edges"][0]["node"];
        assert!(first["givenName"].is_string(), "{plain}");
        // An alias, a fragment, a field the statement does not
        // read, `pageInfo` beside the edges: each is answered by the
        // resolvers (a statement per level), with the same values.
        for query in [
            "{ participants(first: 50) { edges { node { id name: givenName enrollments { hourLogs { hours } } } } } }",
            "{ participants(first: 50) { edges { node { ...P } } } } fragment P on Participant { id givenName enrollments { hourLogs { hours } } }",
            "{ participants(first: 50) { edges { node { id givenName email enrollments { hourLogs { hours } } } } } }",
            "{ participants(first: 50) { pageInfo { hasNextPage } edges { node { id givenName enrollments { hourLogs { hours } } } } } }",
        ] {
            let (answer, statements, _) = ask(&app, &token, query).await;
            let node = &answer["data"]["participants"]["edges"][0]["node"];
            assert_eq!(node["id"], first["id"], "{query}: {answer}");
            assert_eq!(
                node.get("name").unwrap_or(&node["givenName"]),
                &first["givenName"],
                "{query}"
            );
            assert_eq!(node["enrollments"], first["enrollments"], "{query}");
            assert!(
                statements >= plain_statements + 2,
                "{query}: {statements} statements, the compiled page {plain_statements}"
            );
        }
        // `@skip` and `@include` are honoured whichever path answers.
        for (query, present) in [
            (
                "{ participants(first: 50) { edges { node { id givenName @include(if: false) enrollments { hourLogs { hours } } } } } }",
                false,
            ),
            (
                "{ participants(first: 50) { edges { node { id givenName @skip(if: false) enrollments { hourLogs { hours } } } } } }",
                true,
            ),
        ] {
            let (answer, _, _) = ask(&app, &token, query).await;
            let node = &answer["data"]["participants"]["edges"][0]["node"];
            assert_eq!(node["id"], first["id"], "{query}: {answer}");
            assert_eq!(
                node.get("givenName").is_some(),
                present,
                "{query}: {answer}"
            );
            assert_eq!(node["enrollments"], first["enrollments"], "{query}");
        }
    }
);
