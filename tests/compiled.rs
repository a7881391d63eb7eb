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

const PAGE: &str = "id version givenName familyName preferredName birthDate gender raceEthnicity
  email phone postalCode guardianName priorityPopulations
  links { externalId source organization { id slug name kind } }
  enrollments { keptBy { id slug } id status appliedOn startedOn exitedOn exitReason version source
    program { id name kind approach organization { id slug createdAt updatedAt }
      pathway { id code name sector socCode } requiredOjtHours requiredRtiHours scheduledHours
      stipendThresholdPct site startsOn endsOn }
    ojtHours rtiHours attendancePct stipendEligible
    statusHistory { fromStatus toStatus changedOn reason }
    competencyAttainments { keptBy { id slug } code name domain attainedOn level }
    hourLogs { keptBy { name } id workedOn kind hours approved approvedAt source } }
  mentorships { keptBy { id slug } id status startedOn endedOn version arrangedBy { id name kind }
    meetings { metOn minutes }
    mentor { id name email craft unionLocal active source organization { id slug name kind } } }
  services { keptBy { id slug name kind } id kind provider { id slug name kind } providedOn amountCents }
  credentials { keptBy { id slug name kind } id name kind issuer { id slug name kind } issuerName
    awardedOn expiresOn evidenceUrl source }
  outcomes { keptBy { id slug name kind } id kind employerName occupation hourlyWageCents unionLocal
    startedOn verified }
  dualEnrollments { keptBy { id slug name kind } id highSchool { id slug name kind }
    college { id slug name kind } courseCode courseTitle term unitsAttempted unitsEarned grade status
    version source }
  account { linkedOn issuedBy { id slug } confirmedBy { organization { slug } on } everyOrganization
    endedAt endReason }
  consents { id recipient { id slug } recordedBy { id slug name kind } categories purpose grantedBy
    guardianName signedOn expiresOn status revokedAt reaffirmedAt needsReaffirmation version }";

/// The record kinds of [`PAGE`] besides enrollments and mentorships.
const RECORDS: [&str; 5] = [
    "services",
    "credentials",
    "outcomes",
    "dualEnrollments",
    "consents",
];

/// The page, `first` at a time after `$after`, narrowed by `$filter`;
/// `extra` added to the node's selection sends it down the resolvers
/// instead (`source` is not compiled).
fn page(extra: &str) -> String {
    format!(
        "query($first: Int, $after: String, $filter: ParticipantFilterInput) {{
          participants(first: $first, after: $after, filter: $filter) {{ edges {{ node {{ {PAGE} {extra} }} }} }} }}"
    )
}

/// Where `a` and `b` first differ: the path, and both values there.
fn difference(a: &Value, b: &Value, path: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                let other = y.get(key).unwrap_or(&Value::Null);
                if value != other {
                    return difference(value, other, &format!("{path}.{key}"));
                }
            }
            format!("{path}: keys {:?} / {:?}", x.keys(), y.keys())
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            match x.iter().zip(y).position(|(v, w)| v != w) {
                Some(n) => difference(&x[n], &y[n], &format!("{path}[{n}]")),
                None => format!("{path}: equal"),
            }
        }
        _ => format!("{path}: {a} / {b}"),
    }
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
    sorted_errors(answer)
}

/// One page as `token` sees it: answer, statements, audit rows added.
async fn ask(
    app: &TestApp,
    token: &str,
    query: &str,
    variables: Value,
) -> (Value, u64, BTreeMap<String, i64>) {
    let before = audit(app).await;
    let statements = app.state.statements();
    let answer = app.query(Some(token), query, variables).await;
    let statements = app.state.statements() - statements;
    (answer, statements, added(&before, &audit(app).await))
}

/// What comparing one page found.
struct Compared {
    /// The page's participant ids, in order.
    ids: Vec<Value>,
    /// The page's nodes, in order.
    nodes: Vec<Value>,
    refusals: usize,
    /// The refusals' messages.
    refused: Vec<String>,
    disclosures: usize,
    /// The audit rows it added (as [`audit`] keys them).
    audited: Vec<String>,
}

/// Whether `answer` refused a profile field (IDENTITY, CONTACT,
/// DEMOGRAPHICS or SENSITIVE), whose denial names the organizations
/// holding a profile of the person.
fn profile_refused(answer: &Value) -> bool {
    answer["errors"].as_array().into_iter().flatten().any(|e| {
        ["IDENTITY", "CONTACT", "DEMOGRAPHICS", "SENSITIVE"]
            .contains(&e["extensions"]["category"].as_str().unwrap_or_default())
    })
}

/// What the levels below enrollments and mentorships hold in `nodes`:
/// status changes, competencies attained, hour logs approved (with their
/// time), attendance percentages, stipend answers, meetings, mentor
/// emails shown, consents a youth must re-affirm, and account links shown.
fn deeper(nodes: &[Value]) -> [usize; 9] {
    let all = |list: &str, below: &str| -> Vec<Value> {
        nodes
            .iter()
            .filter_map(|n| n[list].as_array())
            .flatten()
            .flat_map(|row| match row[below].as_array() {
                Some(rows) => rows.clone(),
                None => vec![row[below].clone()],
            })
            .collect()
    };
    let count = |values: Vec<Value>| values.iter().filter(|v| !v.is_null()).count();
    [
        count(all("enrollments", "statusHistory")),
        count(all("enrollments", "competencyAttainments")),
        count(
            all("enrollments", "hourLogs")
                .into_iter()
                .map(|h| h["approvedAt"].clone())
                .collect(),
        ),
        count(all("enrollments", "attendancePct")),
        count(all("enrollments", "stipendEligible")),
        count(all("mentorships", "meetings")),
        count(
            all("mentorships", "mentor")
                .into_iter()
                .map(|m| m["email"].clone())
                .collect(),
        ),
        nodes
            .iter()
            .filter_map(|n| n["consents"].as_array())
            .flatten()
            .filter(|c| c["needsReaffirmation"] == true)
            .count(),
        nodes.iter().filter(|n| n["account"].is_object()).count(),
    ]
}

/// How many rows of each of [`RECORDS`] `nodes` hold.
fn records(nodes: &[Value]) -> [usize; 5] {
    RECORDS.map(|kind| {
        nodes
            .iter()
            .filter_map(|n| n[kind].as_array())
            .map(Vec::len)
            .sum()
    })
}

/// Asks `token`'s page with `variables` down the compiled path and down
/// the resolvers; asserts both answer the same data, refusals and audit
/// rows, and that the compiled one took fewer statements.
async fn compare(app: &TestApp, token: &str, what: &str, variables: Value) -> Compared {
    let (mut compiled, compiled_statements, compiled_audit) =
        ask(app, token, &page("__typename"), variables.clone()).await;
    let (mut live, live_statements, live_audit) =
        ask(app, token, &page("__typename source"), variables).await;
    assert!(
        live["data"]["participants"]["edges"].is_array(),
        "{what}: {live}"
    );
    let edges = live["data"]["participants"]["edges"]
        .as_array_mut()
        .unwrap();
    for edge in edges.iter_mut() {
        assert_eq!(edge["node"]["source"], "hub");
        edge["node"].as_object_mut().unwrap().remove("source");
    }
    for edge in compiled["data"]["participants"]["edges"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        assert_eq!(edge["node"]["__typename"], "Participant", "{what}");
    }
    assert!(
        compiled["data"] == live["data"],
        "{what}: data differ at {}",
        difference(&compiled["data"], &live["data"], "")
    );
    assert_eq!(errors(&compiled), errors(&live), "{what}: refusals");
    assert_eq!(compiled_audit, live_audit, "{what}: audit rows");
    let nodes: Vec<Value> = live["data"]["participants"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let ids: Vec<Value> = nodes.iter().map(|n| n["id"].clone()).collect();
    // The list, then one statement for every level of the page.
    if !ids.is_empty() {
        assert!(
            compiled_statements < live_statements,
            "{what}: compiled {compiled_statements} statements, resolvers {live_statements}"
        );
    }
    Compared {
        ids,
        nodes,
        refusals: errors(&compiled).len(),
        refused: errors(&compiled),
        disclosures: compiled_audit.len(),
        audited: compiled_audit.into_keys().collect(),
    }
}

/// The `pageInfo` (`endCursor`, `hasNextPage`) of `token`'s first `first`
/// participants narrowed by `filter`, as a client reads it.
async fn page_info(app: &TestApp, token: &str, first: usize, filter: &Value) -> Value {
    let answer = app
        .query(
            Some(token),
            "query($first: Int, $filter: ParticipantFilterInput) {
              participants(first: $first, filter: $filter) { pageInfo { endCursor hasNextPage } } }",
            json!({ "first": first, "filter": filter }),
        )
        .await;
    assert_ok(&answer);
    answer["data"]["participants"]["pageInfo"].clone()
}

/// Filters of every kind built from what `node`s show: a word of a
/// readable given name, an enrollment's status, an enrollment's program.
fn filters(nodes: &[Value]) -> Vec<Value> {
    let enrollment = nodes
        .iter()
        .filter_map(|n| n["enrollments"].as_array())
        .flatten()
        .find(|e| e["status"].is_string() && e["program"]["id"].is_string());
    let name = nodes.iter().find_map(|n| n["givenName"].as_str());
    let mut out = Vec::new();
    if let Some(name) = name {
        out.push(json!({ "search": name }));
    }
    if let Some(e) = enrollment {
        out.push(json!({ "status": e["status"] }));
        out.push(json!({ "programId": e["program"]["id"] }));
    }
    out
}

hub_test!(
    the_compiled_page_answers_and_audits_what_the_resolvers_do,
    |backend| {
        let app = spawn_app(backend).await;
        let orgs = organization::Entity::find().all(&app.db).await.unwrap();
        let (mut pages, mut refusals, mut disclosures) = (0, 0, 0);
        let (mut next_pages, mut narrowed) = (0, 0);
        let (mut rows, mut audited) = ([0; 5], Vec::new());
        let mut below = [0; 9];
        let (mut contact_refused, mut reaffirmation_refused) = (false, false);
        for org in &orgs {
            let token = app.staff(&org.slug);
            let slug = &org.slug;
            // The first request of an organization looks its id up once.
            app.query(Some(&token), "{ viewer { subject } }", json!({}))
                .await;
            let first = compare(&app, &token, slug, json!({ "first": 50 })).await;
            pages += usize::from(!first.ids.is_empty());
            for (total, n) in rows.iter_mut().zip(records(&first.nodes)) {
                *total += n;
            }
            for (total, n) in below.iter_mut().zip(deeper(&first.nodes)) {
                *total += n;
            }
            audited.extend(first.audited.iter().cloned());
            contact_refused |= first
                .refused
                .iter()
                .any(|e| e.contains("mentor's contact details"));
            reaffirmation_refused |= first
                .refused
                .iter()
                .any(|e| e.contains("\"needsReaffirmation\""));
            // The whole list fits that page (filtered pages are within it).
            let whole = page_info(&app, &token, 50, &Value::Null).await;
            assert_eq!(whole["hasNextPage"], false, "{slug}: {whole}");
            // The count (its policy read as sets, not per row) counts
            // exactly the participants the list shows, whatever the filter.
            for filter in std::iter::once(Value::Null).chain(filters(&first.nodes)) {
                let counted = app
                    .query(
                        Some(&token),
                        "query($filter: ParticipantFilterInput) { participants(first: 100, filter: $filter) { totalCount edges { node { id } } } }",
                        json!({ "filter": filter }),
                    )
                    .await;
                assert_ok(&counted);
                let connection = &counted["data"]["participants"];
                assert_eq!(
                    connection["totalCount"].as_u64().unwrap() as usize,
                    connection["edges"].as_array().unwrap().len(),
                    "{slug}, filter {filter}: {counted}"
                );
            }
            let mut compared = vec![(first.refusals, first.disclosures)];
            // The second page of two, after the first page's end cursor:
            // the same on both paths, and the list's third and fourth.
            let after = page_info(&app, &token, 2, &Value::Null).await["endCursor"].clone();
            if after.is_string() {
                let what = format!("{slug}, after {after}");
                let next =
                    compare(&app, &token, &what, json!({ "first": 2, "after": after })).await;
                let expected: Vec<Value> = first.ids.iter().skip(2).take(2).cloned().collect();
                assert_eq!(next.ids, expected, "{what}");
                next_pages += usize::from(!next.ids.is_empty());
                compared.push((next.refusals, next.disclosures));
            }
            // Narrowed by each kind of filter, alone and after a cursor.
            for filter in filters(&first.nodes) {
                let what = format!("{slug}, filter {filter}");
                let only = compare(
                    &app,
                    &token,
                    &what,
                    json!({ "first": 50, "filter": filter }),
                )
                .await;
                assert!(!only.ids.is_empty(), "{what}: a shown value finds nobody");
                assert!(
                    only.ids.iter().all(|id| first.ids.contains(id)),
                    "{what}: {:?} is not within {:?}",
                    only.ids,
                    first.ids
                );
                narrowed += usize::from(only.ids.len() < first.ids.len());
                compared.push((only.refusals, only.disclosures));
                let after = page_info(&app, &token, 1, &filter).await["endCursor"].clone();
                if after.is_string() {
                    let what = format!("{what}, after {after}");
                    let next = compare(
                        &app,
                        &token,
                        &what,
                        json!({ "first": 50, "after": after, "filter": filter }),
                    )
                    .await;
                    assert_eq!(next.ids, only.ids[1..], "{what}");
                    compared.push((next.refusals, next.disclosures));
                }
            }
            refusals += compared.iter().map(|c| c.0).sum::<usize>();
            disclosures += compared.iter().map(|c| c.1).sum::<usize>();
        }
        // The demo holds what this test is for: pages, refused hours and
        // reads that crossed organizations; second pages; filters that
        // left participants out.
        assert!(pages >= 3, "{pages} organizations saw participants");
        assert!(refusals > 0, "no refusal was compared");
        assert!(disclosures > 0, "no disclosure was compared");
        assert!(
            next_pages >= 3,
            "{next_pages} organizations had a second page"
        );
        assert!(narrowed >= 3, "{narrowed} filters left participants out");
        // Every record kind of the page was compared, and services and
        // credentials that crossed organizations were audited alike.
        for (kind, n) in RECORDS.iter().zip(rows) {
            assert!(n > 0, "no {kind} compared");
        }
        // And every level below enrollments and mentorships held rows.
        let levels = [
            "status changes",
            "competencies attained",
            "approval times",
            "attendance percentages",
            "stipend answers",
            "meetings",
            "mentor emails",
            "consents to re-affirm",
            "account links",
        ];
        for (level, n) in levels.iter().zip(below) {
            assert!(n > 0, "no {level} compared");
        }
        assert!(contact_refused, "no mentor's email refused");
        assert!(reaffirmation_refused, "no needsReaffirmation refused");
        for category in ["SERVICES", "CREDENTIALS"] {
            assert!(
                audited.iter().any(|a| a.contains(category)),
                "no {category} disclosure compared: {audited:?}"
            );
        }
    }
);

hub_test!(a_page_as_pagers_send_it_is_one_statement, |backend| {
    let app = spawn_app(backend).await;
    let token = app.staff("alliance-arts2work");
    app.query(Some(&token), "{ viewer { subject } }", json!({}))
        .await;
    let compiled = "{ participants(first: 50) { edges { node { id givenName enrollments { hourLogs { hours } } } } } }";
    let (plain, plain_statements, _) = ask(&app, &token, compiled, json!({})).await;
    assert_ok(&plain);
    let first = &plain["data"]["participants"]["edges"][0]["node"];
    assert!(first["givenName"].is_string(), "{plain}");
    // What a pager or a code generator sends: aliases, named and inline
    // fragments, `__typename`, a field asked twice, `@skip`/`@include`
    // with a variable, `cursor`, `pageInfo`, `nodes` instead of edges.
    // Each is one statement, with the same values.
    let frag = "fragment P on Participant { id givenName enrollments { hourLogs { hours } } }";
    for query in [
            "{ participants(first: 50) { edges { node { id name: givenName enrollments { hourLogs { hours } } } } } }".to_owned(),
            format!("{{ participants(first: 50) {{ edges {{ node {{ ...P }} }} }} }} {frag}"),
            format!("{{ participants(first: 50) {{ edges {{ cursor node {{ __typename ...P givenName }} }} pageInfo {{ hasNextPage endCursor }} }} }} {frag}"),
            "{ participants(first: 50) { nodes { ... on Participant { id givenName } enrollments { hourLogs { __typename hours } } } } }".to_owned(),
            "query($yes: Boolean = true) { participants(first: 50) { edges { node { id givenName @include(if: $yes) familyName @skip(if: $yes) enrollments { hourLogs { hours } } } } } }".to_owned(),
        ] {
            // `$yes` is left to its default (async-graphql alone reads an
            // omitted variable as false: `graphql::directive_defaults`).
            let (answer, statements, _) = ask(&app, &token, &query, json!({})).await;
            assert_ok(&answer);
            let connection = &answer["data"]["participants"];
            let node = connection["edges"][0]["node"].clone();
            let node = if node.is_null() { connection["nodes"][0].clone() } else { node };
            assert_eq!(node["id"], first["id"], "{query}: {answer}");
            assert_eq!(
                node.get("name").unwrap_or(&node["givenName"]),
                &first["givenName"],
                "{query}"
            );
            assert!(node.get("familyName").is_none(), "{query}: {answer}");
            assert_eq!(
                node["enrollments"].as_array().unwrap().len(),
                first["enrollments"].as_array().unwrap().len(),
                "{query}"
            );
            assert_eq!(
                statements, plain_statements,
                "{query}: {statements} statements, the plain page {plain_statements}"
            );
        }
    // `totalCount` beside the page: one count more.
    let (answer, statements, _) = ask(
        &app,
        &token,
        &format!(
            "{{ participants(first: 50) {{ totalCount edges {{ node {{ ...P }} }} }} }} {frag}"
        ),
        json!({}),
    )
    .await;
    assert_ok(&answer);
    assert_eq!(statements, plain_statements + 1, "{answer}");
    // The page with every record kind (services, credentials, outcomes,
    // dual enrollments and the organizations they name), every profile
    // field and the links: still the one statement, plus the audit's
    // insert — a refused profile field's holders read in the statement,
    // not looked up again; the resolvers one per level.
    let detail = format!("{{ participants(first: 50) {{ edges {{ node {{ {PAGE} }} }} }} }}");
    let (answer, statements, audited) = ask(&app, &token, &detail, json!({})).await;
    assert!(
        answer["data"]["participants"]["edges"][0]["node"]["services"].is_array(),
        "{answer}"
    );
    assert!(
        profile_refused(&answer),
        "a refused profile field: {answer}"
    );
    assert_eq!(statements, 1 + u64::from(!audited.is_empty()), "{answer}");
    let live = format!("{{ participants(first: 50) {{ edges {{ node {{ {PAGE} source }} }} }} }}");
    let (_, live_statements, _) = ask(&app, &token, &live, json!({})).await;
    assert!(
        live_statements > statements + 4,
        "{live_statements} statements down the resolvers"
    );
    eprintln!(
        "{backend:?}: a page with every record kind: {statements} statements compiled, \
         {live_statements} down the resolvers"
    );
    // A field the statement does not read: the resolvers, a statement
    // per level, with the same values.
    let query = "{ participants(first: 50) { edges { node { id givenName source enrollments { hourLogs { hours } } } } } }";
    let (answer, statements, _) = ask(&app, &token, query, json!({})).await;
    let node = &answer["data"]["participants"]["edges"][0]["node"];
    assert_eq!(node["id"], first["id"], "{query}: {answer}");
    assert_eq!(node["enrollments"], first["enrollments"], "{query}");
    assert!(
        statements >= plain_statements + 2,
        "{query}: {statements} statements, the compiled page {plain_statements}"
    );
    // `@skip` and `@include` are honoured whichever path answers.
    for (query, present) in [
        (
            "{ participants(first: 50) { edges { node { id givenName @include(if: false) source enrollments { hourLogs { hours } } } } } }",
            false,
        ),
        (
            "{ participants(first: 50) { edges { node { id givenName @skip(if: false) enrollments { hourLogs { hours } } } } } }",
            true,
        ),
    ] {
        let (answer, _, _) = ask(&app, &token, query, json!({})).await;
        let node = &answer["data"]["participants"]["edges"][0]["node"];
        assert_eq!(node["id"], first["id"], "{query}: {answer}");
        assert_eq!(
            node.get("givenName").is_some(),
            present,
            "{query}: {answer}"
        );
        assert_eq!(node["enrollments"], first["enrollments"], "{query}");
    }
});

hub_test!(
    participant_by_id_is_one_statement_with_the_resolvers_answer,
    |backend| {
        let app = spawn_app(backend).await;
        let orgs = organization::Entity::find().all(&app.db).await.unwrap();
        let one = |extra: &str| {
            format!("query($id: ID!) {{ participant(id: $id) {{ __typename {PAGE} {extra} }} }}")
        };
        let (mut compared, mut most) = (0, (0, 0));
        for org in &orgs {
            let token = app.staff(&org.slug);
            app.query(Some(&token), "{ viewer { subject } }", json!({}))
                .await;
            let listed = app
                .query(
                    Some(&token),
                    "{ participants(first: 3) { edges { node { id } } } }",
                    json!({}),
                )
                .await;
            let ids: Vec<Value> = listed["data"]["participants"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].clone())
                .collect();
            for id in ids {
                let what = format!("{}, participant {id}", org.slug);
                let variables = json!({ "id": id });
                let (compiled, compiled_statements, compiled_audit) =
                    ask(&app, &token, &one(""), variables.clone()).await;
                let (mut live, live_statements, live_audit) =
                    ask(&app, &token, &one("source"), variables).await;
                assert_eq!(
                    live["data"]["participant"]["source"], "hub",
                    "{what}: {live}"
                );
                live["data"]["participant"]
                    .as_object_mut()
                    .unwrap()
                    .remove("source");
                assert!(
                    compiled["data"] == live["data"],
                    "{what}: data differ at {}",
                    difference(&compiled["data"], &live["data"], "")
                );
                assert_eq!(errors(&compiled), errors(&live), "{what}: refusals");
                assert_eq!(compiled_audit, live_audit, "{what}: audit rows");
                assert!(
                    compiled_statements <= 2 && compiled_statements < live_statements,
                    "{what}: compiled {compiled_statements} statements, resolvers {live_statements}"
                );
                most = (most.0.max(compiled_statements), most.1.max(live_statements));
                compared += 1;
            }
        }
        assert!(compared >= 9, "{compared} participants compared");
        eprintln!(
            "{backend:?}: participant(id) with every record kind: at most {} statements compiled, \
             at most {} down the resolvers",
            most.0, most.1
        );
        // Someone the viewer may not see answers null, as before.
        let token = app.staff("hola");
        let hidden = app
            .query(
                Some(&token),
                &one(""),
                json!({ "id": uuid::Uuid::new_v4().to_string() }),
            )
            .await;
        assert_ok(&hidden);
        assert!(hidden["data"]["participant"].is_null(), "{hidden}");
    }
);
