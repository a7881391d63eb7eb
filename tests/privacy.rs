//! The data-sharing rules of DESIGN.md section 4 over HTTP: a privacy
//! matrix over all eleven categories, the audit rows a read leaves, and the
//! number of SQL statements a nested query costs.
//!
//! The story: Arts2Work (alliance-arts2work) keeps an apprentice's records;
//! HOLA staff ask for them under different agreements and consents.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use common::story::*;
use common::*;
use entity::audit_event;
use entity::enums::*;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

fn cats(list: &[Category]) -> String {
    join_set(list, Category::as_str)
}

/// Arts2Work's apprentice, with a record in every category, plus the
/// organizations of the story.
struct World {
    app: TestApp,
    story: Story,
    owner: Uuid,
    viewer: Uuid,
    other: Uuid,
    participant: Uuid,
}

async fn world(backend: Backend, participants: usize) -> (World, Vec<Uuid>) {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let story = Story::new(&app.db);
    let partners = story.partners().await;
    let mut ids = Vec::new();
    for n in 0..participants.max(1) {
        ids.push(story.apprentice(&partners, n).await);
    }
    (
        World {
            app,
            story,
            owner: partners.owner,
            viewer: partners.viewer,
            other: partners.other,
            participant: ids[0],
        },
        ids,
    )
}

impl World {
    /// Replaces every agreement from Arts2Work with one to HOLA.
    async fn agreement(
        &self,
        categories: &[Category],
        requires_consent: bool,
        effective: NaiveDate,
        expires: Option<NaiveDate>,
    ) {
        self.agreement_to(
            self.viewer,
            categories,
            requires_consent,
            effective,
            expires,
        )
        .await
    }

    /// Replaces every agreement from Arts2Work with one to `recipient`.
    async fn agreement_to(
        &self,
        recipient: Uuid,
        categories: &[Category],
        requires_consent: bool,
        effective: NaiveDate,
        expires: Option<NaiveDate>,
    ) {
        self.app
            .db
            .execute_unprepared("DELETE FROM sharing_agreement")
            .await
            .unwrap();
        self.story
            .agreement(self.owner, recipient, &cats(categories))
            .requires_consent(requires_consent)
            .effective(effective)
            .expires(expires)
            .await;
    }

    /// Replaces the participant's consents with this one.
    async fn consent(
        &self,
        recipient: Option<Uuid>,
        categories: &[Category],
        status: ConsentStatus,
    ) {
        self.app
            .db
            .execute_unprepared("DELETE FROM consent")
            .await
            .unwrap();
        self.story
            .consent(self.participant, self.owner, &cats(categories))
            .recipient(recipient)
            .status(status)
            .await;
    }

    /// What HOLA staff see of the participant, by category, checking that
    /// every hidden scalar field is null with one FORBIDDEN error naming its
    /// category, and that the participant is absent (from `participant`,
    /// the list and `totalCount`) exactly when IDENTITY is hidden.
    async fn visible_to(&self, token: &str) -> BTreeSet<Category> {
        let answer = self
            .app
            .query(Some(token), FULL, json!({ "id": self.participant }))
            .await;
        let errors = answer["errors"].as_array().cloned().unwrap_or_default();
        let forbidden = |path: &[&str]| -> Option<String> {
            errors
                .iter()
                .find(|e| {
                    e["path"].as_array().is_some_and(|p| {
                        p.iter()
                            .map(|x| {
                                x.as_str()
                                    .map(str::to_owned)
                                    .unwrap_or_else(|| x.to_string())
                            })
                            .eq(path.iter().map(|s| s.to_string()))
                    })
                })
                .map(|e| {
                    assert_eq!(e["extensions"]["code"], "FORBIDDEN", "{e}");
                    e["extensions"]["category"].as_str().unwrap().to_owned()
                })
        };
        let total = answer["data"]["participants"]["totalCount"]
            .as_u64()
            .unwrap();
        let listed = node_ids(&answer["data"]["participants"]);
        let p = &answer["data"]["participant"];
        let mut seen = BTreeSet::new();
        if p.is_null() {
            assert_eq!(total, 0, "absent from the count too: {answer}");
            assert!(listed.is_empty(), "absent from the list too: {answer}");
            assert!(
                errors.is_empty(),
                "a hidden participant answers null without error: {answer}"
            );
            return seen;
        }
        assert_eq!(total, 1, "{answer}");
        assert_eq!(listed, [self.participant.to_string()], "{answer}");
        for (field, category) in [
            ("givenName", Category::Identity),
            ("email", Category::Contact),
            ("birthDate", Category::Demographics),
            ("priorityPopulations", Category::Sensitive),
        ] {
            match forbidden(&["participant", field]) {
                Some(named) => {
                    // Present and null, as the GraphQL specification says.
                    assert_eq!(p.get(field), Some(&Value::Null), "{field}: {answer}");
                    assert_eq!(named, category.as_str());
                }
                None => {
                    assert!(!p[field].is_null(), "{field}: {answer}");
                    seen.insert(category);
                }
            }
        }
        for (field, category) in [
            ("enrollments", Category::Enrollment),
            ("credentials", Category::Credentials),
            ("mentorships", Category::Mentorship),
            ("dualEnrollments", Category::EducationRecords),
            ("services", Category::Services),
            ("outcomes", Category::Outcomes),
        ] {
            if !p[field].as_array().unwrap().is_empty() {
                seen.insert(category);
            }
        }
        if let Some(enrollment) = p["enrollments"].as_array().unwrap().first() {
            match forbidden(&["participant", "enrollments", "0", "ojtHours"]) {
                Some(named) => {
                    assert_eq!(named, "PROGRESS");
                    assert!(enrollment["ojtHours"].is_null());
                    assert!(
                        enrollment["hourLogs"].as_array().unwrap().is_empty(),
                        "rows absent too"
                    );
                }
                None => {
                    assert_eq!(enrollment["ojtHours"], 8.0, "approved OJT only: {answer}");
                    assert_eq!(enrollment["hourLogs"].as_array().unwrap().len(), 4);
                    seen.insert(Category::Progress);
                }
            }
        }
        seen
    }
}

/// The ids of a connection's nodes, in order.
fn node_ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("a connection with edges: {connection}"))
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

const FULL: &str = "query($id: ID!) {
  participant(id: $id) {
    id givenName email birthDate priorityPopulations
    enrollments { id ojtHours hourLogs { hours } }
    credentials { name } mentorships { status } dualEnrollments { courseCode } services { kind } outcomes { kind }
  }
  participants { totalCount edges { node { id } } }
}";

fn all_categories() -> BTreeSet<Category> {
    Category::all().iter().copied().collect()
}

hub_test!(privacy_matrix_over_all_eleven_categories, |backend| {
    let (w, _) = world(backend, 1).await;
    let hola = w.app.staff("hola");

    // The owner sees everything, and reading its own records is no disclosure.
    let audit_before = w.app.count("audit_event").await;
    assert_eq!(
        w.visible_to(&w.app.staff("alliance-arts2work")).await,
        all_categories()
    );
    assert_eq!(w.app.count("audit_event").await, audit_before);

    // No agreement: HOLA sees nothing; the participant is absent.
    assert!(w.visible_to(&hola).await.is_empty());

    // An agreement without consent requirement, covering everything.
    w.agreement(Category::all(), false, days(-30), Some(days(300)))
        .await;
    assert_eq!(w.visible_to(&hola).await, all_categories());

    // Each category on its own (with IDENTITY, and ENROLLMENT for PROGRESS):
    // exactly that category becomes visible, the others stay hidden.
    for category in Category::all()
        .iter()
        .copied()
        .filter(|c| *c != Category::Identity)
    {
        let mut granted = vec![Category::Identity, category];
        if category == Category::Progress {
            granted.push(Category::Enrollment);
        }
        w.agreement(&granted, false, days(-30), None).await;
        let expected: BTreeSet<Category> = granted.iter().copied().collect();
        assert_eq!(
            w.visible_to(&hola).await,
            expected,
            "agreement covering {granted:?}"
        );
    }
    // ENROLLMENT without PROGRESS: the enrollment shows, its hours are FORBIDDEN.
    w.agreement(
        &[Category::Identity, Category::Enrollment],
        false,
        days(-30),
        None,
    )
    .await;
    assert_eq!(
        w.visible_to(&hola).await,
        BTreeSet::from([Category::Identity, Category::Enrollment])
    );

    // An agreement that requires consent, without consent: nothing.
    w.agreement(Category::all(), true, days(-30), None).await;
    assert!(w.visible_to(&hola).await.is_empty());
    // Consent for another organization: nothing.
    w.consent(Some(w.other), Category::all(), ConsentStatus::Active)
        .await;
    assert!(w.visible_to(&hola).await.is_empty());
    // Consent for HOLA, covering some categories: exactly those.
    w.consent(
        Some(w.viewer),
        &[Category::Identity, Category::Contact, Category::Services],
        ConsentStatus::Active,
    )
    .await;
    assert_eq!(
        w.visible_to(&hola).await,
        BTreeSet::from([Category::Identity, Category::Contact, Category::Services])
    );
    // Consent for every partner the agreements name.
    w.consent(None, Category::all(), ConsentStatus::Active)
        .await;
    assert_eq!(w.visible_to(&hola).await, all_categories());
    // Revoked consent: gone on the very next request.
    w.app
        .db
        .execute_unprepared("UPDATE consent SET status = 'REVOKED'")
        .await
        .unwrap();
    // As revoking through the API would, in its transaction.
    common::story::relist(&w.app.db).await;
    assert!(w.visible_to(&hola).await.is_empty());

    // Expired and not-yet-effective agreements share nothing.
    w.agreement(Category::all(), false, days(-400), Some(days(-1)))
        .await;
    assert!(w.visible_to(&hola).await.is_empty());
    w.agreement(Category::all(), false, days(1), None).await;
    assert!(w.visible_to(&hola).await.is_empty());
    // A revoked agreement shares nothing, from the next request on.
    w.agreement(Category::all(), false, days(-30), None).await;
    assert_eq!(w.visible_to(&hola).await, all_categories());
    w.app
        .db
        .execute_unprepared("UPDATE sharing_agreement SET status = 'REVOKED'")
        .await
        .unwrap();
    // As revoking through the API would, in its transaction.
    common::story::relist(&w.app.db).await;
    assert!(w.visible_to(&hola).await.is_empty());
    // An agreement to another recipient shares nothing with HOLA.
    w.agreement_to(w.other, Category::all(), false, days(-30), None)
        .await;
    assert!(w.visible_to(&hola).await.is_empty());

    // hub_admin and evaluator read no participant rows at all.
    w.agreement(Category::all(), false, days(-30), None).await;
    for token in [
        w.app.hub_admin(),
        w.app
            .token("evaluator@harder-co", "harder-co", &["evaluator"]),
    ] {
        let answer = w
            .app
            .query(Some(&token), FULL, json!({ "id": w.participant }))
            .await;
        assert!(
            answer["data"].is_null() || answer["data"]["participant"].is_null(),
            "{answer}"
        );
        assert!(
            codes(&answer).iter().all(|c| c == "FORBIDDEN") && !codes(&answer).is_empty(),
            "{answer}"
        );
    }
});

hub_test!(audit_rows_match_the_reads_exactly, |backend| {
    let (w, _) = world(backend, 1).await;
    w.agreement(
        &[Category::Identity, Category::Contact, Category::Enrollment],
        false,
        days(-30),
        None,
    )
    .await;
    let hola = w.app.staff("hola");
    let before = w.app.count("audit_event").await;
    let answer = w
        .app
        .query(Some(&hola), "query($id: ID!) { participant(id: $id) { givenName familyName email phone birthDate enrollments { status } } }", json!({ "id": w.participant }))
        .await;
    assert_eq!(answer["data"]["participant"]["givenName"], "Marisol0");
    assert_eq!(
        answer["data"]["participant"]["email"],
        "marisol0@example.com"
    );
    assert!(answer["data"]["participant"]["birthDate"].is_null());
    let error = one_error(&answer, "FORBIDDEN");
    assert_eq!(error["extensions"]["category"], "DEMOGRAPHICS");
    assert_eq!(error["path"], json!(["participant", "birthDate"]));

    // One READ per participant, category and owner (names read twice still
    // count once), one DENY for the refused category naming the owner of
    // the refused profile (so the provider sees the attempt), nothing else.
    assert_eq!(w.app.count("audit_event").await, before + 4);
    let p = w.participant;
    for (action, category, owner) in [
        (AuditAction::Read, "IDENTITY", Some(w.owner)),
        (AuditAction::Read, "CONTACT", Some(w.owner)),
        (AuditAction::Read, "ENROLLMENT", Some(w.owner)),
        (AuditAction::Deny, "DEMOGRAPHICS", Some(w.owner)),
    ] {
        use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};
        let mut query = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq(action))
            .filter(audit_event::Column::Categories.eq(category))
            .filter(audit_event::Column::ParticipantId.eq(w.participant))
            .filter(audit_event::Column::ActorSubject.eq("staff@hola"))
            .filter(audit_event::Column::ActorOrgId.eq(w.viewer));
        query = match owner {
            Some(owner) => query.filter(audit_event::Column::OwnerOrgId.eq(owner)),
            None => query.filter(audit_event::Column::OwnerOrgId.is_null()),
        };
        assert_eq!(
            query.count(&w.app.db).await.unwrap(),
            1,
            "{action:?} {category}"
        );
    }
    // The owner reading its own records leaves no disclosure.
    let before = w.app.count("audit_event").await;
    let answer = w
        .app
        .query(
            Some(&w.app.staff("alliance-arts2work")),
            "query($id: ID!) { participant(id: $id) { givenName birthDate } }",
            json!({ "id": p }),
        )
        .await;
    assert_ok(&answer);
    assert_eq!(w.app.count("audit_event").await, before);
});

hub_test!(
    concurrent_reads_are_each_audited_under_their_own_request,
    |backend| {
        // The disclosures of concurrent requests are committed together (one
        // writer, many requests per statement); each request's rows must still
        // be there, complete and under its own request id, before it answers.
        let (w, _) = world(backend, 1).await;
        w.agreement(
            &[Category::Identity, Category::Contact],
            false,
            days(-30),
            None,
        )
        .await;
        let hola = w.app.staff("hola");
        let before = w.app.count("audit_event").await;
        const REQUESTS: usize = 24;
        let answers = async_graphql::futures_util::future::join_all((0..REQUESTS).map(|_| {
            w.app.query(
                Some(&hola),
                "query($id: ID!) { participant(id: $id) { givenName email } }",
                json!({ "id": w.participant }),
            )
        }))
        .await;
        for answer in &answers {
            assert_ok(answer);
            assert_eq!(
                answer["data"]["participant"]["email"],
                "marisol0@example.com"
            );
        }
        // Counted right after the answers: nothing is written after them.
        assert_eq!(
            w.app.count("audit_event").await,
            before + 2 * REQUESTS as i64
        );
        let per_request = "(SELECT request_id, COUNT(*) AS rows_of_request FROM audit_event \
         WHERE action = 'READ' AND actor_subject = 'staff@hola' GROUP BY request_id) AS r";
        assert_eq!(w.app.count(per_request).await, REQUESTS as i64);
        assert_eq!(
            w.app
                .count(&format!("{per_request} WHERE r.rows_of_request = 2"))
                .await,
            REQUESTS as i64
        );
    }
);

async fn statements_for(app: &TestApp, token: &str, first: usize) -> (u64, Value) {
    let query = "query($first: Int) { participants(first: $first) { totalCount edges { node {
        id givenName familyName email
        enrollments { status program { name organization { slug } } ojtHours rtiHours attendancePct stipendEligible statusHistory { toStatus } hourLogs { hours } competencyAttainments { name } }
        mentorships { status mentor { name organization { slug } } meetings { minutes } }
        credentials { name } services { kind } outcomes { kind } dualEnrollments { courseCode } links { externalId }
    } } } }";
    let before = app.state.statements();
    let answer = app
        .query(Some(token), query, json!({ "first": first }))
        .await;
    let after = app.state.statements();
    assert_ok(&answer);
    assert_eq!(
        answer["data"]["participants"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        first
    );
    (after - before, answer)
}

/// The bound: list + count + one statement per loader kind (+ auth's
/// organization look-up, the first time a process sees the organization).
const STATEMENT_BOUND: u64 = 25;

hub_test!(statements_depend_on_depth_not_on_rows, |backend| {
    let (w, _) = world(backend, 50).await;
    w.agreement(Category::all(), false, days(-30), None).await;
    for token in [w.app.staff("alliance-arts2work"), w.app.staff("hola")] {
        // The first request of an organization looks its id up once (kept
        // in the process after): both counts below are without it.
        assert_ok(
            &w.app
                .query(Some(&token), "{ viewer { subject } }", json!({}))
                .await,
        );
        let (five, _) = statements_for(&w.app, &token, 5).await;
        let (fifty, answer) = statements_for(&w.app, &token, 50).await;
        assert_eq!(
            five, fifty,
            "5 and 50 participants cost the same statements"
        );
        assert!(fifty <= STATEMENT_BOUND, "{fifty} statements");
        eprintln!(
            "statements for a three-level page: 5 participants {five}, 50 participants {fifty}"
        );
        let node = &answer["data"]["participants"]["edges"][0]["node"];
        assert_eq!(
            node["enrollments"][0]["attendancePct"], 83.3,
            "200 of 240 scheduled hours"
        );
        assert_eq!(node["enrollments"][0]["stipendEligible"], true);
        assert_eq!(node["enrollments"][0]["rtiHours"], 4.0);
    }
});

hub_test!(
    org_admins_see_who_read_their_records_in_the_audit_log,
    |backend| {
        let (w, _) = world(backend, 1).await;
        w.agreement(&[Category::Identity], false, days(-30), None)
            .await;
        let read = "query($id: ID!) { participant(id: $id) { givenName email } }";
        let answer = w
            .app
            .query(
                Some(&w.app.staff("hola")),
                read,
                json!({ "id": w.participant }),
            )
            .await;
        assert_eq!(answer["data"]["participant"]["givenName"], "Marisol0");

        let log = "query($first: Int, $after: String, $filter: AuditEventFilter) { auditEvents(first: $first, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { action actorSubject actorOrganization { slug } ownerOrganization { slug } participantId categories requestId } } } }";
        // Arts2Work's org_admin sees that HOLA read its youth's names…
        let answer = w
            .app
            .query(
                Some(&w.app.org_admin("alliance-arts2work")),
                log,
                json!({ "filter": { "actorOrgSlug": "hola", "action": "READ" } }),
            )
            .await;
        assert_ok(&answer);
        let events = answer["data"]["auditEvents"]["edges"].as_array().unwrap();
        assert_eq!(answer["data"]["auditEvents"]["totalCount"], 1, "{answer}");
        let event = &events[0]["node"];
        assert_eq!(event["action"], "READ");
        assert_eq!(event["categories"], json!(["IDENTITY"]));
        assert_eq!(event["actorSubject"], "staff@hola");
        assert_eq!(event["ownerOrganization"]["slug"], "alliance-arts2work");
        assert_eq!(event["participantId"], w.participant.to_string());
        // …and that HOLA tried to read its youth's email and was refused: the
        // DENY names Arts2Work as the owner of the refused data.
        for token in [w.app.org_admin("alliance-arts2work"), w.app.hub_admin()] {
            let answer = w
                .app
                .query(Some(&token), log, json!({ "filter": { "action": "DENY" } }))
                .await;
            assert_eq!(answer["data"]["auditEvents"]["totalCount"], 1, "{answer}");
            let event = &answer["data"]["auditEvents"]["edges"][0]["node"];
            assert_eq!(event["categories"], json!(["CONTACT"]));
            assert_eq!(event["actorOrganization"]["slug"], "hola");
            assert_eq!(event["ownerOrganization"]["slug"], "alliance-arts2work");
        }
        // HOLA's own org_admin sees what its own staff did (the read and the
        // refused attempt), and nothing else about Arts2Work's records.
        let answer = w
            .app
            .query(Some(&w.app.org_admin("hola")), log, json!({}))
            .await;
        assert_eq!(answer["data"]["auditEvents"]["totalCount"], 2, "{answer}");
        for edge in answer["data"]["auditEvents"]["edges"].as_array().unwrap() {
            assert_eq!(
                edge["node"]["actorOrganization"]["slug"], "hola",
                "{answer}"
            );
        }
        // Staff and evaluators may not read the log.
        for token in [
            w.app.staff("alliance-arts2work"),
            w.app
                .token("evaluator@harder-co", "harder-co", &["evaluator"]),
        ] {
            one_error(
                &w.app.query(Some(&token), log, json!({})).await,
                "FORBIDDEN",
            );
        }
        // Paging through everything, newest first, without repeats.
        for _ in 0..3 {
            w.app
                .query(
                    Some(&w.app.staff("hola")),
                    read,
                    json!({ "id": w.participant }),
                )
                .await;
        }
        let admin = w.app.hub_admin();
        let total = w.app.query(Some(&admin), log, json!({ "first": 0 })).await["data"]["auditEvents"]["totalCount"].as_u64().unwrap();
        let (mut seen, mut after) = (Vec::new(), Value::Null);
        loop {
            let page = w
                .app
                .query(Some(&admin), log, json!({ "first": 2, "after": after }))
                .await;
            let conn = &page["data"]["auditEvents"];
            seen.extend(conn["edges"].as_array().unwrap().iter().map(|e| {
                e["node"]["requestId"].as_str().unwrap().to_owned()
                    + &e["node"]["categories"].to_string()
            }));
            if conn["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = conn["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen.len() as u64, total);
        let answer = w
            .app
            .query(Some(&admin), log, json!({ "after": "not-a-cursor" }))
            .await;
        assert_eq!(
            one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
            "after"
        );
    }
);

hub_test!(
    participants_filter_page_and_find_by_external_id,
    |backend| {
        let (w, ids) = world(backend, 5).await;
        let token = w.app.staff("alliance-arts2work");
        let list = "query($first: Int, $after: String, $filter: ParticipantFilterInput) { participants(first: $first, after: $after, filter: $filter) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id givenName } } } }";
        // Pages of two, by hub id, covering all five exactly once.
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = w
                .app
                .query(Some(&token), list, json!({ "first": 2, "after": after }))
                .await;
            assert_ok(&page);
            let conn = &page["data"]["participants"];
            assert_eq!(conn["totalCount"], 5);
            seen.extend(
                conn["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
            );
            if conn["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = conn["pageInfo"]["endCursor"].clone();
        }
        let mut expected: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        expected.sort();
        assert_eq!(seen, expected);

        // Search matches readable names, case-insensitively; wildcards are literal.
        let found = w
            .app
            .query(
                Some(&token),
                list,
                json!({ "filter": { "search": "marisol3 QUINTERO" } }),
            )
            .await;
        assert_eq!(found["data"]["participants"]["totalCount"], 1, "{found}");
        assert_eq!(
            node_ids(&found["data"]["participants"]),
            [ids[3].to_string()]
        );
        assert_eq!(
            found["data"]["participants"]["edges"][0]["node"]["givenName"],
            "Marisol3"
        );
        let none = w
            .app
            .query(Some(&token), list, json!({ "filter": { "search": "%" } }))
            .await;
        assert_eq!(none["data"]["participants"]["totalCount"], 0);
        assert!(node_ids(&none["data"]["participants"]).is_empty(), "{none}");
        // Enrollment filters: status, program, pathway; organization.
        let all_active = w.app.query(Some(&token), list, json!({ "filter": { "status": "ACTIVE", "pathwayCode": "DIGITAL_VIDEO_EDITING", "orgSlug": "alliance-arts2work" } })).await;
        assert_eq!(
            all_active["data"]["participants"]["totalCount"], 5,
            "{all_active}"
        );
        assert_eq!(node_ids(&all_active["data"]["participants"]), expected);
        let completed = w
            .app
            .query(
                Some(&token),
                list,
                json!({ "filter": { "status": "COMPLETED" } }),
            )
            .await;
        assert_eq!(completed["data"]["participants"]["totalCount"], 0);
        assert!(node_ids(&completed["data"]["participants"]).is_empty());
        let other_org = w
            .app
            .query(
                Some(&token),
                list,
                json!({ "filter": { "orgSlug": "spacela" } }),
            )
            .await;
        assert_eq!(other_org["data"]["participants"]["totalCount"], 0);
        assert!(node_ids(&other_org["data"]["participants"]).is_empty());
        let answer = w
            .app
            .query(
                Some(&token),
                list,
                json!({ "filter": { "programId": Uuid::new_v4() } }),
            )
            .await;
        assert_eq!(answer["data"]["participants"]["totalCount"], 0);
        assert!(node_ids(&answer["data"]["participants"]).is_empty());
        // Bad arguments name their field.
        for (vars, field) in [
            (json!({ "first": 1000 }), "first"),
            (json!({ "first": -1 }), "first"),
            (json!({ "after": "nope" }), "after"),
            (
                json!({ "filter": { "pathwayCode": "NOPE" } }),
                "filter.pathwayCode",
            ),
            (json!({ "filter": { "orgSlug": "nope" } }), "filter.orgSlug"),
            (
                json!({ "filter": { "programId": "x" } }),
                "filter.programId",
            ),
        ] {
            let answer = w.app.query(Some(&token), list, vars).await;
            assert_eq!(
                one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
                field,
                "{answer}"
            );
        }

        // The partner's own id finds the hub id, for the owner and for a
        // partner with IDENTITY access, and for nobody else.
        let by_ext = r#"{ participantByExternalId(orgSlug: "alliance-arts2work", externalId: "A2W-0002") { id givenName } }"#;
        let answer = w.app.query(Some(&token), by_ext, json!({})).await;
        assert_eq!(
            answer["data"]["participantByExternalId"]["id"],
            ids[2].to_string()
        );
        let hola = w.app.staff("hola");
        assert!(
            w.app.query(Some(&hola), by_ext, json!({})).await["data"]["participantByExternalId"]
                .is_null()
        );
        w.agreement(&[Category::Identity], false, days(-30), None)
            .await;
        let answer = w.app.query(Some(&hola), by_ext, json!({})).await;
        assert_eq!(
            answer["data"]["participantByExternalId"]["givenName"],
            "Marisol2"
        );
        // A participant id that does not exist answers exactly like a hidden one.
        w.agreement(&[Category::Contact], false, days(-30), None)
            .await;
        let hidden = w
            .app
            .query(
                Some(&hola),
                "query($id: ID!) { participant(id: $id) { id } }",
                json!({ "id": ids[0] }),
            )
            .await;
        let missing = w
            .app
            .query(
                Some(&hola),
                "query($id: ID!) { participant(id: $id) { id } }",
                json!({ "id": Uuid::new_v4() }),
            )
            .await;
        assert_eq!(hidden["data"], missing["data"]);
        assert_eq!(hidden.get("errors"), missing.get("errors"));
    }
);

const MINE: &str = "{ me { participant {
    id givenName email birthDate priorityPopulations
    enrollments { id ojtHours hourLogs { hours } }
    credentials { name } mentorships { status } dualEnrollments { courseCode } services { kind } outcomes { kind }
  } profiles { id } } }";

hub_test!(privacy_matrix_for_the_youth_themself, |backend| {
    let (w, _) = world(backend, 1).await;
    // Another youth, known to SpaceLA only.
    let other = w
        .story
        .participant()
        .known_to(&[w.other], "Devon", "Park")
        .await;
    let issued = w
        .app
        .query(
            Some(&w.app.org_admin("alliance-arts2work")),
            "mutation($input: IssueAccountCodeInput!) { issueAccountCode(input: $input) { code } }",
            json!({ "input": { "participantId": w.participant } }),
        )
        .await;
    let code = issued["data"]["issueAccountCode"]["code"].clone();
    let token = w.app.token("youth|apprentice", "", &[]);
    let redeemed = w
        .app
        .query(
            Some(&token),
            "mutation($input: RedeemAccountCodeInput!) { redeemAccountCode(input: $input) }",
            json!({ "input": { "code": code } }),
        )
        .await;
    assert_ok(&redeemed);

    // Their own rows in all eleven categories, with no agreement or consent.
    let answer = w.app.query(Some(&token), MINE, json!({})).await;
    assert_ok(&answer);
    let me = &answer["data"]["me"]["participant"];
    assert_eq!(me["id"], w.participant.to_string());
    let mut seen = BTreeSet::new();
    for (field, category) in [
        ("givenName", Category::Identity),
        ("email", Category::Contact),
        ("birthDate", Category::Demographics),
        ("priorityPopulations", Category::Sensitive),
    ] {
        assert!(!me[field].is_null(), "{field}: {answer}");
        seen.insert(category);
    }
    for (field, category) in [
        ("enrollments", Category::Enrollment),
        ("credentials", Category::Credentials),
        ("mentorships", Category::Mentorship),
        ("dualEnrollments", Category::EducationRecords),
        ("services", Category::Services),
        ("outcomes", Category::Outcomes),
    ] {
        assert!(
            !me[field].as_array().unwrap().is_empty(),
            "{field}: {answer}"
        );
        seen.insert(category);
    }
    let enrollment = &me["enrollments"][0];
    assert_eq!(enrollment["ojtHours"], 8.0, "{answer}");
    assert_eq!(enrollment["hourLogs"].as_array().unwrap().len(), 4);
    seen.insert(Category::Progress);
    assert_eq!(seen, all_categories());
    assert_eq!(
        answer["data"]["me"]["profiles"].as_array().unwrap().len(),
        1
    );

    // Another youth's: nothing, by id or in a list.
    let theirs = w
        .app
        .query(Some(&token), FULL, json!({ "id": other }))
        .await;
    assert!(
        theirs["data"].is_null() || theirs["data"]["participant"].is_null(),
        "{theirs}"
    );
    assert!(codes(&theirs).iter().all(|c| c == "FORBIDDEN") && !codes(&theirs).is_empty());

    // Bystander organizations unaffected: HOLA still sees nothing, the
    // owner everything; nobody else's access moved.
    assert!(w.visible_to(&w.app.staff("hola")).await.is_empty());
    assert_eq!(
        w.visible_to(&w.app.staff("alliance-arts2work")).await,
        all_categories()
    );
});
