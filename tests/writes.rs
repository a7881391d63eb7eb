//! Writing participant records over HTTP: identity resolution without an
//! existence leak, validation with fields, optimistic concurrency, refused
//! writes audited, failed writes leaving the database as it was.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use entity::enums::OrgKind;
use serde_json::{Value, json};

const CREATE: &str = "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) {
    id version givenName familyName preferredName birthDate email phone postalCode priorityPopulations guardianName
    links { externalId organization { slug } } enrollments { id } credentials { id } consents { id } } }";
const UPDATE: &str = "mutation($input: UpdateParticipantInput!) { updateParticipant(input: $input) { id version givenName postalCode email } }";

const TABLES: &[&str] = &[
    "participant",
    "participant_profile",
    "participant_link",
    "audit_event",
];

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for t in TABLES {
        out.push(app.count(t).await);
    }
    out
}

async fn start(backend: Backend) -> TestApp {
    let app = spawn_app_with(backend, false, |_| {}).await;
    for (slug, kind) in [
        ("alliance-arts2work", OrgKind::TrainingPartner),
        ("hola", OrgKind::CommunityPartner),
        ("harder-co", OrgKind::Evaluator),
        ("wlcac", OrgKind::LeadAgency),
    ] {
        insert_org(&app.db, slug, kind).await;
    }
    app
}

fn person(given: &str, family: &str, born: &str, external: &str) -> Value {
    json!({ "input": { "givenName": given, "familyName": family, "birthDate": born, "email": "youth@example.com",
                       "postalCode": "90002", "priorityPopulations": ["FOSTER_YOUTH"], "externalId": external } })
}

hub_test!(
    a_known_person_joins_their_hub_id_and_the_answer_does_not_tell,
    |backend| {
        let app = start(backend).await;
        let alliance = app.staff("alliance-arts2work");
        let hola = app.staff("hola");
        let first = app
            .query(
                Some(&alliance),
                CREATE,
                person("José María", "Peña", "2004-03-09", "A2W-7"),
            )
            .await;
        assert_ok(&first);
        let known_id = first["data"]["createParticipant"]["id"]
            .as_str()
            .unwrap()
            .to_owned();

        // HOLA records the same person, spelled differently, and a new person.
        let known = app
            .query(
                Some(&hola),
                CREATE,
                person("jose maria", "PENA", "2004-03-09", "HOLA-1"),
            )
            .await;
        let fresh = app
            .query(
                Some(&hola),
                CREATE,
                person("Ana", "Ruiz", "2004-05-01", "HOLA-2"),
            )
            .await;
        assert_ok(&known);
        assert_ok(&fresh);
        let (k, f) = (
            &known["data"]["createParticipant"],
            &fresh["data"]["createParticipant"],
        );
        // Field by field, the two answers differ only in what the caller sent.
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(k), keys(f));
        for field in keys(k) {
            match field.as_str() {
                "id" => assert!(
                    uuid::Uuid::parse_str(k["id"].as_str().unwrap()).is_ok()
                        && uuid::Uuid::parse_str(f["id"].as_str().unwrap()).is_ok()
                ),
                "givenName" | "familyName" | "birthDate" => {}
                "links" => {
                    assert_eq!(
                        k["links"].as_array().unwrap().len(),
                        1,
                        "only HOLA's own link: {k}"
                    );
                    assert_eq!(k["links"][0]["organization"], f["links"][0]["organization"]);
                }
                _ => assert_eq!(k[&field], f[&field], "{field}"),
            }
        }
        assert_eq!(
            k["givenName"], "jose maria",
            "HOLA's own spelling comes first"
        );
        assert_eq!(k["version"], 1);
        // Behind the answer: one person, two profiles.
        assert_eq!(k["id"], known_id.as_str(), "joined the existing hub id");
        assert_eq!(app.count("participant").await, 2);
        assert_eq!(app.count("participant_profile").await, 3);

        // Recording the same person twice is the caller's own conflict.
        let again = app
            .query(
                Some(&hola),
                CREATE,
                person("José María", "Peña", "2004-03-09", "HOLA-3"),
            )
            .await;
        one_error(&again, "CONFLICT");
    }
);

hub_test!(bad_input_names_the_field_and_writes_nothing, |backend| {
    let app = start(backend).await;
    let hola = app.staff("hola");
    let before = counts(&app).await;
    let cases = [
        (
            "guardianName",
            json!({ "givenName": "Kai", "familyName": "Lee", "birthDate": "2010-06-01" }),
        ),
        (
            "birthDate",
            json!({ "givenName": "Kai", "familyName": "Lee", "birthDate": "2099-01-01" }),
        ),
        (
            "email",
            json!({ "givenName": "Kai", "familyName": "Lee", "birthDate": "2004-06-01", "email": "kai at example" }),
        ),
        (
            "postalCode",
            json!({ "givenName": "Kai", "familyName": "Lee", "birthDate": "2004-06-01", "postalCode": "9000" }),
        ),
        (
            "phone",
            json!({ "givenName": "Kai", "familyName": "Lee", "birthDate": "2004-06-01", "phone": "call me" }),
        ),
        (
            "givenName",
            json!({ "givenName": " ", "familyName": "Lee", "birthDate": "2004-06-01" }),
        ),
    ];
    for (field, input) in cases {
        let answer = app
            .query(Some(&hola), CREATE, json!({ "input": input }))
            .await;
        assert_eq!(
            one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
            field,
            "{answer}"
        );
    }
    assert_eq!(counts(&app).await, before);
    // Under 18 with a guardian is fine.
    let answer = app.query(Some(&hola), CREATE, json!({ "input": { "givenName": "Kai", "familyName": "Lee", "birthDate": "2010-06-01", "guardianName": "Mina Lee" } })).await;
    assert_ok(&answer);
    assert_eq!(
        answer["data"]["createParticipant"]["guardianName"],
        "Mina Lee"
    );

    // A write that fails half-way (duplicate external id, after the person
    // and profile were inserted) leaves every table as it was.
    app.query(
        Some(&hola),
        CREATE,
        person("Rosa", "Vega", "2003-01-02", "HOLA-9"),
    )
    .await;
    let before = counts(&app).await;
    let answer = app
        .query(
            Some(&hola),
            CREATE,
            person("Tomás", "Ortiz", "2003-02-03", "HOLA-9"),
        )
        .await;
    let message = one_error(&answer, "CONFLICT")["message"].as_str().unwrap();
    assert!(message.contains("externalId"), "{answer}");
    assert_eq!(counts(&app).await, before);

    // An evaluator may not write: FORBIDDEN, audited as DENY, nothing else written.
    let evaluator = app.token("evaluator@harder-co", "harder-co", &["evaluator"]);
    let answer = app
        .query(
            Some(&evaluator),
            CREATE,
            person("Eve", "Stone", "2003-01-02", "X"),
        )
        .await;
    one_error(&answer, "FORBIDDEN");
    let after = counts(&app).await;
    assert_eq!(&after[..3], &before[..3]);
    assert_eq!(after[3], before[3] + 1);
    assert_eq!(
        app.count("audit_event WHERE action = 'DENY' AND actor_subject = 'evaluator@harder-co'")
            .await,
        1
    );
});

hub_test!(updates_are_optimistic_and_lose_nothing, |backend| {
    let app = start(backend).await;
    let hola = app.staff("hola");
    let created = app
        .query(
            Some(&hola),
            CREATE,
            person("Luz", "Marín", "2002-02-02", "HOLA-5"),
        )
        .await;
    let id = created["data"]["createParticipant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let answer = app
        .query(
            Some(&hola),
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "postalCode": "90011" } }),
        )
        .await;
    assert_ok(&answer);
    assert_eq!(answer["data"]["updateParticipant"]["version"], 2);
    assert_eq!(answer["data"]["updateParticipant"]["postalCode"], "90011");
    // A stale version is a conflict, and nothing changes.
    let answer = app
        .query(
            Some(&hola),
            UPDATE,
            json!({ "input": { "id": id, "version": 1, "postalCode": "90059" } }),
        )
        .await;
    one_error(&answer, "CONFLICT");
    let now = app
        .query(
            Some(&hola),
            "query($id: ID!) { participant(id: $id) { version postalCode } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        now["data"]["participant"],
        json!({ "version": 2, "postalCode": "90011" })
    );
    // Bad input names its field; another organization has no profile to update.
    let answer = app
        .query(
            Some(&hola),
            UPDATE,
            json!({ "input": { "id": id, "version": 2, "email": "nope" } }),
        )
        .await;
    assert_eq!(
        one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
        "email"
    );
    let answer = app
        .query(
            Some(&app.staff("alliance-arts2work")),
            UPDATE,
            json!({ "input": { "id": id, "version": 2, "postalCode": "90001" } }),
        )
        .await;
    one_error(&answer, "NOT_FOUND");

    // Twenty concurrent updates from version 2: exactly one wins.
    let mut tasks = Vec::new();
    for n in 0..20 {
        let (url, token, id) = (app.url.clone(), hola.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({ "query": UPDATE, "variables": { "input": { "id": id, "version": 2, "phone": format!("555-01{n:02}") } } });
            let answer: Value = reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap().json().await.unwrap();
            answer
        }));
    }
    let mut won = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        if answer.get("errors").is_none() {
            won += 1;
        } else {
            assert_eq!(codes(&answer), vec!["CONFLICT"], "{answer}");
        }
    }
    assert_eq!(won, 1);
    let now = app
        .query(
            Some(&hola),
            "query($id: ID!) { participant(id: $id) { version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(now["data"]["participant"]["version"], 3);
    assert_eq!(
        app.count("audit_event WHERE action = 'UPDATE'").await,
        2,
        "one audit row per successful update"
    );
});

hub_test!(link_two_spellings_then_split_a_wrong_match, |backend| {
    let app = start(backend).await;
    let alliance = app.staff("alliance-arts2work");
    let hola = app.staff("hola");
    // Two spellings the match key cannot join (a different family name).
    let a = app
        .query(
            Some(&hola),
            CREATE,
            person("Guadalupe", "Reyes", "2004-08-20", "HOLA-L1"),
        )
        .await["data"]["createParticipant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = app
        .query(
            Some(&hola),
            CREATE,
            person("Lupe", "Reyes-Soto", "2004-08-20", "HOLA-L2"),
        )
        .await["data"]["createParticipant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = "mutation($input: LinkParticipantInput!) { linkParticipant(input: $input) { id links { externalId } } }";
    // Two profiles of HOLA cannot become one person's: CONFLICT, nothing changes.
    let answer = app
        .query(
            Some(&hola),
            link,
            json!({ "input": { "id": a, "otherId": b } }),
        )
        .await;
    one_error(&answer, "CONFLICT");
    assert_eq!(app.count("participant").await, 2);
    // Arts2Work knows her as "Lupe Reyes Soto"; without an agreement HOLA cannot see that record.
    let c = app
        .query(
            Some(&alliance),
            CREATE,
            person("Lupe", "Reyes Soto", "2004-08-21", "A2W-L3"),
        )
        .await["data"]["createParticipant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let answer = app
        .query(
            Some(&hola),
            link,
            json!({ "input": { "id": a, "otherId": c } }),
        )
        .await;
    assert_eq!(
        one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
        "otherId",
        "hidden answers like missing"
    );
    // With an IDENTITY agreement from Arts2Work, HOLA sees Arts2Work's
    // "Lupe Reyes Soto" and joins it to its own "Guadalupe Reyes".
    let (alliance_id, hola_id) = (
        org_id(&app, "alliance-arts2work").await,
        org_id(&app, "hola").await,
    );
    identity_agreement(&app, alliance_id, hola_id).await;
    let before = app.count("participant").await;
    let answer = app
        .query(
            Some(&hola),
            link,
            json!({ "input": { "id": a, "otherId": c } }),
        )
        .await;
    assert_ok(&answer);
    assert_eq!(answer["data"]["linkParticipant"]["id"], a.as_str());
    let mut links: Vec<&str> = answer["data"]["linkParticipant"]["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["externalId"].as_str().unwrap())
        .collect();
    links.sort();
    assert_eq!(links, ["A2W-L3", "HOLA-L1"]);
    assert_eq!(app.count("participant").await, before - 1);
    let by_ext = r#"{ participantByExternalId(orgSlug: "alliance-arts2work", externalId: "A2W-L3") { id } }"#;
    assert_eq!(
        app.query(Some(&alliance), by_ext, json!({})).await["data"]["participantByExternalId"]["id"],
        a.as_str()
    );

    // A hub admin splits a wrong automatic match: alliance and HOLA both
    // recorded "Rosa Vega" born the same day, but they are two people.
    let r1 = app
        .query(
            Some(&hola),
            CREATE,
            person("Rosa", "Vega", "2003-01-02", "HOLA-R"),
        )
        .await["data"]["createParticipant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r2 = app
        .query(
            Some(&alliance),
            CREATE,
            person("Rosa", "Vega", "2003-01-02", "A2W-R"),
        )
        .await["data"]["createParticipant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(r1, r2, "matched automatically");
    let split = "mutation($input: SplitParticipantInput!) { splitParticipant(input: $input) { participantId newParticipantId } }";
    one_error(
        &app.query(
            Some(&hola),
            split,
            json!({ "input": { "id": r1, "orgSlug": "alliance-arts2work" } }),
        )
        .await,
        "FORBIDDEN",
    );
    let answer = app
        .query(
            Some(&app.hub_admin()),
            split,
            json!({ "input": { "id": r1, "orgSlug": "alliance-arts2work" } }),
        )
        .await;
    assert_ok(&answer);
    let new_id = answer["data"]["splitParticipant"]["newParticipantId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_id, r1);
    let by_ext =
        r#"{ participantByExternalId(orgSlug: "alliance-arts2work", externalId: "A2W-R") { id } }"#;
    assert_eq!(
        app.query(Some(&alliance), by_ext, json!({})).await["data"]["participantByExternalId"]["id"],
        new_id.as_str()
    );
    let own = app
        .query(
            Some(&hola),
            "query($id: ID!) { participant(id: $id) { links { externalId } } }",
            json!({ "id": r1 }),
        )
        .await;
    assert_eq!(
        own["data"]["participant"]["links"],
        json!([{ "externalId": "HOLA-R" }])
    );
    // Splitting again leaves nothing to split.
    let answer = app
        .query(
            Some(&app.hub_admin()),
            split,
            json!({ "input": { "id": r1, "orgSlug": "hola" } }),
        )
        .await;
    assert_eq!(
        one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
        "orgSlug"
    );
});

async fn org_id(app: &TestApp, slug: &str) -> uuid::Uuid {
    pathways_hub::directory::organizations::by_slug(&app.db, slug)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn identity_agreement(app: &TestApp, provider: uuid::Uuid, recipient: uuid::Uuid) {
    let story = common::story::Story::new(&app.db);
    story.agreement(provider, recipient, "IDENTITY").await;
}

hub_test!(
    partners_registering_one_person_at_once_make_one_hub_id,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let slugs: Vec<String> = (0..8).map(|n| format!("partner-{n}")).collect();
        for slug in &slugs {
            insert_org(&app.db, slug, OrgKind::TrainingPartner).await;
        }
        let mut tasks = Vec::new();
        for slug in &slugs {
            let (url, token) = (app.url.clone(), app.staff(slug));
            let body = json!({ "query": CREATE, "variables": person("Noemí", "Castañeda", "2003-10-02", &format!("{slug}-1")) });
            tasks.push(tokio::spawn(async move {
                let answer: Value = reqwest::Client::new()
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                answer
            }));
        }
        let mut ids = std::collections::HashSet::new();
        for task in tasks {
            let answer = task.await.unwrap();
            assert_ok(&answer);
            ids.insert(
                answer["data"]["createParticipant"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        assert_eq!(ids.len(), 1, "every partner got the same hub id");
        assert_eq!(app.count("participant").await, 1);
        assert_eq!(app.count("participant_profile").await, 8);
    }
);
