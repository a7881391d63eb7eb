//! The directory over HTTP: organizations, pathways, programs and mentors —
//! root fields, the four create mutations, their role rules, validation
//! errors with `extensions.field`, and audit rows for every write.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use serde_json::json;

const CREATE_ORG: &str = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { id slug name kind } }";
const CREATE_PATHWAY: &str = "mutation($input: CreatePathwayInput!) { createPathway(input: $input) { id code name sector socCode } }";
const CREATE_PROGRAM: &str =
    "mutation($input: CreateProgramInput!) { createProgram(input: $input) {
    id name kind approach requiredOjtHours requiredRtiHours stipendThresholdPct scheduledHours
    organization { slug } pathway { code } } }";
const CREATE_MENTOR: &str = "mutation($input: CreateMentorInput!) { createMentor(input: $input) { id name email craft unionLocal active organization { slug } } }";

hub_test!(organizations_are_listed_and_found_by_slug, |backend| {
    let app = spawn_app(backend).await;
    let token = app.staff("hola");
    let answer = app
        .query(
            Some(&token),
            "{ organizations { slug name kind } }",
            json!({}),
        )
        .await;
    assert_ok(&answer);
    let slugs: Vec<&str> = answer["data"]["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].as_str().unwrap())
        .collect();
    for slug in [
        "wlcac",
        "alliance-arts2work",
        "hola",
        "harder-co",
        "lachsa",
        "elac",
        "csula",
        "asu",
        "hollywood-cpr",
        "west-la-college",
        "manifest-works",
        "spacela",
        "cfc",
        "iatse-local-33",
        "iatse-local-44",
        "iatse-local-80",
        "iatse-local-600",
        "iatse-local-695",
        "iatse-local-705",
        "iatse-local-728",
        "iatse-local-729",
        "iatse-local-800",
    ] {
        assert!(slugs.contains(&slug), "{slug} missing from {slugs:?}");
    }
    let mut sorted = slugs.clone();
    sorted.sort();
    assert_eq!(slugs, sorted, "ordered by slug");

    let answer = app.query(Some(&token), r#"{ organization(slug: "iatse-local-600") { slug kind programs { name } } none: organization(slug: "nope") { slug } }"#, json!({})).await;
    assert_ok(&answer);
    assert_eq!(answer["data"]["organization"]["kind"], "UNION");
    assert!(answer["data"]["none"].is_null());
});

hub_test!(hub_admin_creates_organizations_others_may_not, |backend| {
    let app = spawn_app(backend).await;
    let audit_before = app.count("audit_event").await;
    let input = json!({ "input": { "slug": "iatse-local-892", "name": "IATSE Local 892 – Costume Designers Guild", "kind": "UNION" } });

    for token in [
        app.staff("wlcac"),
        app.org_admin("wlcac"),
        app.token("evaluator@harder-co", "harder-co", &["evaluator"]),
    ] {
        let answer = app.query(Some(&token), CREATE_ORG, input.clone()).await;
        one_error(&answer, "FORBIDDEN");
        assert!(answer["data"].is_null());
    }
    assert_eq!(
        app.count("organization WHERE slug = 'iatse-local-892'")
            .await,
        0
    );

    let admin = app.hub_admin();
    let answer = app.query(Some(&admin), CREATE_ORG, input.clone()).await;
    assert_ok(&answer);
    let created = &answer["data"]["createOrganization"];
    assert_eq!(created["slug"], "iatse-local-892");
    assert_eq!(created["kind"], "UNION");
    assert!(uuid::Uuid::parse_str(created["id"].as_str().unwrap()).is_ok());
    let again = app
        .query(
            Some(&admin),
            r#"{ organization(slug: "iatse-local-892") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(again["data"]["organization"]["id"], created["id"]);
    // One audit row for the one write.
    assert_eq!(app.count("audit_event").await, audit_before + 1);
    assert_eq!(app.count("audit_event WHERE action = 'CREATE' AND entity = 'organization' AND actor_subject = 'hub-admin@wlcac'").await, 1);

    // The same slug again is a conflict that names nothing internal.
    let answer = app.query(Some(&admin), CREATE_ORG, input).await;
    let error = one_error(&answer, "CONFLICT");
    let message = error["message"].as_str().unwrap().to_lowercase();
    assert!(message.contains("slug"), "{message}");
    for leak in [
        "unique",
        "constraint",
        "sql",
        "organization.slug",
        "duplicate key",
    ] {
        assert!(!message.contains(leak), "{message}");
    }
    // Bad input names the field; nothing is written.
    for (slug, name) in [("Not A Slug", "x"), ("ok-slug", "   ")] {
        let answer = app
            .query(
                Some(&admin),
                CREATE_ORG,
                json!({ "input": { "slug": slug, "name": name, "kind": "FUNDER" } }),
            )
            .await;
        let error = one_error(&answer, "BAD_USER_INPUT");
        assert_eq!(
            error["extensions"]["field"],
            if name.trim().is_empty() {
                "name"
            } else {
                "slug"
            }
        );
    }
    // An unknown enum value is a BAD_USER_INPUT too, before anything runs.
    let answer = app
        .query(
            Some(&admin),
            CREATE_ORG,
            json!({ "input": { "slug": "x-y", "name": "X", "kind": "SPACESHIP" } }),
        )
        .await;
    assert_eq!(codes(&answer), vec!["BAD_USER_INPUT"]);
    assert_eq!(app.count("audit_event").await, audit_before + 1);

    // The audit log is append-only: the database itself refuses changes.
    use sea_orm::ConnectionTrait;
    assert!(
        app.db
            .execute_unprepared("UPDATE audit_event SET actor_subject = 'someone-else'")
            .await
            .is_err()
    );
    assert!(
        app.db
            .execute_unprepared("DELETE FROM audit_event")
            .await
            .is_err()
    );
    assert_eq!(
        app.count("audit_event WHERE actor_subject = 'hub-admin@wlcac'")
            .await,
        1
    );
});

hub_test!(pathways_created_by_hub_admin_and_listed, |backend| {
    let app = spawn_app(backend).await;
    let admin = app.hub_admin();
    let input = json!({ "input": { "code": "MOTION_GRAPHICS", "name": "Motion Graphics", "sector": "Arts, Media & Entertainment", "socCode": "27-1014" } });
    one_error(
        &app.query(Some(&app.org_admin("wlcac")), CREATE_PATHWAY, input.clone())
            .await,
        "FORBIDDEN",
    );
    let answer = app.query(Some(&admin), CREATE_PATHWAY, input.clone()).await;
    assert_ok(&answer);
    assert_eq!(answer["data"]["createPathway"]["socCode"], "27-1014");
    one_error(
        &app.query(Some(&admin), CREATE_PATHWAY, input).await,
        "CONFLICT",
    );
    let bad = json!({ "input": { "code": "ANIMATION_2D", "name": "2D Animation", "sector": "AME", "socCode": "271014" } });
    assert_eq!(
        one_error(
            &app.query(Some(&admin), CREATE_PATHWAY, bad).await,
            "BAD_USER_INPUT"
        )["extensions"]["field"],
        "socCode"
    );
    let bad = json!({ "input": { "code": "lower case", "name": "x", "sector": "AME" } });
    assert_eq!(
        one_error(
            &app.query(Some(&admin), CREATE_PATHWAY, bad).await,
            "BAD_USER_INPUT"
        )["extensions"]["field"],
        "code"
    );

    let staff = app.staff("spacela");
    let answer = app.query(Some(&staff), r#"{ pathways { code name } pathway(code: "MOTION_GRAPHICS") { name sector } none: pathway(code: "NOPE") { code } }"#, json!({})).await;
    assert_ok(&answer);
    assert!(
        answer["data"]["pathways"].as_array().unwrap().len() >= 10,
        "the demo pathways and the new one"
    );
    assert_eq!(answer["data"]["pathway"]["name"], "Motion Graphics");
    assert!(answer["data"]["none"].is_null());
});

hub_test!(
    org_admin_creates_programs_for_its_own_organization,
    |backend| {
        let app = spawn_app(backend).await;
        let pathway_code = app
            .query(
                Some(&app.staff("wlcac")),
                "{ pathways { code } }",
                json!({}),
            )
            .await["data"]["pathways"][0]["code"]
            .as_str()
            .unwrap()
            .to_owned();
        let apprenticeship = json!({ "input": {
        "name": "Arts2Work Registered Apprenticeship – Post-Production Assistant",
        "kind": "REGISTERED_APPRENTICESHIP", "approach": "HYBRID", "pathwayCode": pathway_code,
        "requiredOjtHours": 2000.0, "requiredRtiHours": 144.0, "startsOn": "2026-01-12", "endsOn": "2027-01-11" } });

        // Staff without org_admin may not.
        one_error(
            &app.query(
                Some(&app.staff("alliance-arts2work")),
                CREATE_PROGRAM,
                apprenticeship.clone(),
            )
            .await,
            "FORBIDDEN",
        );

        let admin = app.org_admin("alliance-arts2work");
        let answer = app
            .query(Some(&admin), CREATE_PROGRAM, apprenticeship.clone())
            .await;
        assert_ok(&answer);
        let program = &answer["data"]["createProgram"];
        assert_eq!(
            program["organization"]["slug"], "alliance-arts2work",
            "the acting organization is the viewer's own"
        );
        assert_eq!(program["pathway"]["code"], pathway_code.as_str());
        assert_eq!(program["requiredOjtHours"], 2000.0);
        assert_eq!(program["requiredRtiHours"], 144.0);
        assert_eq!(program["approach"], "HYBRID");
        let id = program["id"].as_str().unwrap().to_owned();

        let answer = app
            .query(
                Some(&app.staff("hola")),
                "query($id: ID!) { program(id: $id) { name organization { slug } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            answer["data"]["program"]["organization"]["slug"],
            "alliance-arts2work"
        );
        let answer = app
            .query(
                Some(&admin),
                r#"{ programs(orgSlug: "alliance-arts2work") { id } }"#,
                json!({}),
            )
            .await;
        assert!(
            answer["data"]["programs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == id.as_str())
        );
        let answer = app
            .query(
                Some(&admin),
                r#"{ programs(orgSlug: "no-such-org") { id } }"#,
                json!({}),
            )
            .await;
        one_error(&answer, "NOT_FOUND");
        let answer = app
            .query(
                Some(&admin),
                r#"{ program(id: "not-a-uuid") { id } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
            "id"
        );
        let answer = app
            .query(
                Some(&admin),
                "query($id: ID!) { program(id: $id) { id } }",
                json!({ "id": uuid::Uuid::new_v4() }),
            )
            .await;
        assert_ok(&answer);
        assert!(answer["data"]["program"].is_null());

        // Each rule names its field, and nothing is written.
        let programs_before = app.count("program").await;
        let cases = [
            (
                "requiredOjtHours",
                json!({ "name": "RA", "kind": "REGISTERED_APPRENTICESHIP" }),
            ),
            (
                "stipendThresholdPct",
                json!({ "name": "Cohort", "kind": "TRAINING_COHORT", "scheduledHours": 240.0, "stipendThresholdPct": 120.0 }),
            ),
            (
                "scheduledHours",
                json!({ "name": "Cohort", "kind": "TRAINING_COHORT", "stipendThresholdPct": 80.0 }),
            ),
            (
                "requiredRtiHours",
                json!({ "name": "Cohort", "kind": "TRAINING_COHORT", "requiredRtiHours": -1.0 }),
            ),
            (
                "endsOn",
                json!({ "name": "Cohort", "kind": "TRAINING_COHORT", "startsOn": "2026-06-01", "endsOn": "2026-05-01" }),
            ),
            (
                "pathwayCode",
                json!({ "name": "Cohort", "kind": "TRAINING_COHORT", "pathwayCode": "NO_SUCH_PATHWAY" }),
            ),
            ("name", json!({ "name": "", "kind": "WORKSHOP" })),
        ];
        for (field, input) in cases {
            let answer = app
                .query(Some(&admin), CREATE_PROGRAM, json!({ "input": input }))
                .await;
            assert_eq!(
                one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
                field,
                "{answer}"
            );
        }
        assert_eq!(app.count("program").await, programs_before);
    }
);

hub_test!(
    mentors_are_offered_by_an_org_and_their_contact_stays_there,
    |backend| {
        let app = spawn_app(backend).await;
        let admin = app.org_admin("iatse-local-600");
        let input = json!({ "input": { "name": "Dolores Arriaga", "email": "d.arriaga@example.org", "craft": "Camera", "unionLocal": "600" } });
        one_error(
            &app.query(
                Some(&app.staff("iatse-local-600")),
                CREATE_MENTOR,
                input.clone(),
            )
            .await,
            "FORBIDDEN",
        );
        let answer = app.query(Some(&admin), CREATE_MENTOR, input).await;
        assert_ok(&answer);
        assert_eq!(
            answer["data"]["createMentor"]["organization"]["slug"],
            "iatse-local-600"
        );
        assert_eq!(answer["data"]["createMentor"]["active"], true);
        let bad = json!({ "input": { "name": "X", "email": "not an email" } });
        assert_eq!(
            one_error(
                &app.query(Some(&admin), CREATE_MENTOR, bad).await,
                "BAD_USER_INPUT"
            )["extensions"]["field"],
            "email"
        );

        let query = r#"{ mentors(unionLocal: "600", craft: "Camera") { name email unionLocal organization { slug } } }"#;
        // The local's own staff see the email.
        let answer = app
            .query(Some(&app.staff("iatse-local-600")), query, json!({}))
            .await;
        assert_ok(&answer);
        let mentors = answer["data"]["mentors"].as_array().unwrap();
        let dolores = mentors
            .iter()
            .find(|m| m["name"] == "Dolores Arriaga")
            .unwrap();
        assert_eq!(dolores["email"], "d.arriaga@example.org");
        assert!(mentors.iter().all(|m| m["unionLocal"] == "600"));
        // Another organization sees the mentor, not the email: null + FORBIDDEN per field.
        let answer = app
            .query(Some(&app.staff("hollywood-cpr")), query, json!({}))
            .await;
        let mentors = answer["data"]["mentors"].as_array().unwrap();
        assert!(mentors.iter().all(|m| m["email"].is_null()));
        assert_eq!(codes(&answer).len(), mentors.len());
        assert!(codes(&answer).iter().all(|c| c == "FORBIDDEN"));
        let answer = app
            .query(
                Some(&app.staff("hola")),
                r#"{ mentors(orgSlug: "nope") { name } }"#,
                json!({}),
            )
            .await;
        one_error(&answer, "NOT_FOUND");
    }
);

hub_test!(get_queries_graphiql_and_health, |backend| {
    // GraphiQL is switched on (the production profile has it off).
    let app = spawn_app_with(backend, true, |c| c.limits.graphiql = true).await;
    let token = app.staff("wlcac");
    let client = reqwest::Client::new();
    // A GET query carries a CSRF-safe header (the production profile's
    // CSRF prevention; tests/production.rs shows the refusal).
    let answer: serde_json::Value = client
        .get(&app.url)
        .query(&[("query", "{ viewer { subject } }")])
        .header("apollo-require-preflight", "true")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_conforms(&json!({ "query": "{ viewer { subject } }" }), &answer);
    assert_eq!(answer["data"]["viewer"]["subject"], "staff@wlcac");
    // A mutation over GET is refused: a link must never write.
    let response = client
        .get(&app.url)
        .query(&[(
            "query",
            r#"mutation { createPathway(input: {code: "X_Y", name: "x", sector: "y"}) { id } }"#,
        )])
        .bearer_auth(app.hub_admin())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(app.count("pathway WHERE code = 'X_Y'").await, 0);
    // GraphiQL for a browser.
    let page = client
        .get(&app.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("graphiql"), "GraphiQL page");
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    // Every answer carries a request id, also in errors.
    let answer = app
        .query(None, "{ organizations { slug } }", json!({}))
        .await;
    assert!(
        answer["errors"][0]["extensions"]["requestId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
});
