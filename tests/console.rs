//! The admin console in real headless Chromium against the real server:
//! sign-in with a token kept in an HttpOnly cookie, CSRF-protected forms,
//! the agreement lifecycle across three organizations, consents recorded and
//! revoked in the console taking effect on the next GraphQL request, the
//! access explainer, the audit log; labels and keyboard basics on every
//! page; a screenshot of each main page under `target/screenshots/`.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use entity::enums::OrgKind;
use serde_json::json;

const CREATE: &str =
    "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { id } }";

hub_test!(the_data_sharing_story_in_the_console, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
    insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
    let staff = app.staff("wlcac");
    let adult = app
        .query(Some(&staff), CREATE, json!({ "input": { "givenName": "Ana", "familyName": "Ruiz", "birthDate": "2004-05-01", "email": "ana@example.com" } }))
        .await;
    assert_ok(&adult);
    let minor = app
        .query(Some(&staff), CREATE, json!({ "input": { "givenName": "Leo", "familyName": "Ruiz", "birthDate": "2010-09-01", "guardianName": "Rosa Ruiz" } }))
        .await;
    assert_ok(&minor);
    let tokens = json!({
        "wlcacAdmin": app.org_admin("wlcac"),
        "holaAdmin": app.org_admin("hola"),
        "hubAdmin": app.hub_admin(),
        "holaStaff": app.staff("hola"),
    });
    let shots = browser::screenshots("console", backend);
    let out = browser::run(
        &app,
        "sharing_flow.mjs",
        &shots,
        &[
            ("TOKENS", tokens.to_string()),
            (
                "PARTICIPANT_ID",
                adult["data"]["createParticipant"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ),
            ("PARTICIPANT_NAME", "Ana Ruiz".to_owned()),
            (
                "MINOR_ID",
                minor["data"]["createParticipant"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            ),
        ],
    )
    .await;
    assert!(out.contains("\"ok\":true"), "{out}");

    // What the browser did is in the database: one agreement (the forged
    // form wrote nothing), approved; two consents, one revoked; audited.
    assert_eq!(app.count("sharing_agreement").await, 1);
    assert_eq!(
        app.count("sharing_agreement WHERE status = 'ACTIVE'").await,
        1
    );
    assert_eq!(app.count("consent").await, 2);
    assert_eq!(app.count("consent WHERE status = 'REVOKED'").await, 1);
    assert!(app.count("audit_event WHERE action = 'GRANT'").await >= 3);
    assert_eq!(
        app.count("audit_event WHERE action = 'REVOKE' AND entity = 'consent'")
            .await,
        1
    );
    for page in [
        "login",
        "home",
        "agreements",
        "consents",
        "consent-form",
        "access-explainer",
        "audit",
        "organizations",
        "pathways",
        "programs",
        "mentors",
        "import",
    ] {
        let file = shots.join(format!("{page}.png"));
        assert!(
            std::fs::metadata(&file)
                .map(|m| m.len() > 5_000)
                .unwrap_or(false),
            "screenshot {} missing or empty",
            file.display()
        );
    }
});

hub_test!(
    console_pages_need_a_session_and_forms_need_the_csrf_token,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let base = format!("http://{}", app.addr);

        // Without a session every page sends the browser to the sign-in page.
        for path in [
            "/admin",
            "/admin/agreements",
            "/admin/consents",
            "/admin/audit",
        ] {
            let response = client.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(response.status(), 303, "{path}");
            assert_eq!(response.headers()["location"], "/admin/login");
        }
        // A bad token is refused; a good one sets an HttpOnly, SameSite=Strict cookie.
        let response = client
            .post(format!("{base}/admin/login"))
            .form(&[("token", "garbage")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.headers().get("set-cookie").is_none());
        let token = app.org_admin("wlcac");
        let response = client
            .post(format!("{base}/admin/login"))
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Strict"), "{cookie}");
        let session = cookie.split(';').next().unwrap().to_owned();

        // A form without (or with a wrong) CSRF token changes nothing.
        for csrf in [None, Some("00ff")] {
            let mut form = vec![("name", "Forged Mentor")];
            if let Some(c) = csrf {
                form.push(("csrf", c));
            }
            let response = client
                .post(format!("{base}/admin/mentors"))
                .header("cookie", &session)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403);
        }
        assert_eq!(app.count("mentor").await, 0);

        // With the page's token, the same form works and is audited.
        let page = client
            .get(format!("{base}/admin/mentors"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let response = client
            .post(format!("{base}/admin/mentors"))
            .header("cookie", &session)
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Dana Whitfield"),
                ("unionLocal", "600"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.text().await.unwrap().contains("Mentor added."));
        assert_eq!(app.count("mentor").await, 1);
        assert_eq!(
            app.count("audit_event WHERE entity = 'mentor' AND action = 'CREATE'")
                .await,
            1
        );

        // Errors show the API's code: a staff-only session may not add mentors.
        let staff = app.staff("wlcac");
        let response = client
            .post(format!("{base}/admin/login"))
            .form(&[("token", staff.as_str())])
            .send()
            .await
            .unwrap();
        let staff_session = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let page = client
            .get(format!("{base}/admin/mentors"))
            .header("cookie", &staff_session)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned();
        let answer = client
            .post(format!("{base}/admin/mentors"))
            .header("cookie", &staff_session)
            .form(&[("csrf", csrf.as_str()), ("name", "Not Allowed")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(answer.contains("role=\"alert\""), "{answer}");
        assert!(answer.contains("FORBIDDEN"), "{answer}");
        assert_eq!(app.count("mentor").await, 1);

        // Signing out clears the cookie.
        let response = client
            .post(format!("{base}/admin/logout"))
            .header("cookie", &session)
            .form(&[("csrf", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "sign-out needs the token too");
    }
);

hub_test!(the_report_page_renders_a_chart_and_its_csv, |backend| {
    let app = spawn_app(backend).await;
    let tokens = json!({ "admin": app.org_admin("wlcac") });
    let shots = browser::screenshots("console-report", backend);
    let out = browser::run(
        &app,
        "report_page.mjs",
        &shots,
        &[("TOKENS", tokens.to_string())],
    )
    .await;
    assert!(out.contains("\"ok\":true"), "{out}");
    assert!(shots.join("reports.png").exists());
    // Every run of the report is an EXPORT event (the page and the CSV).
    assert!(
        app.count("audit_event WHERE action = 'EXPORT' AND actor_subject = 'admin@wlcac'")
            .await
            >= 3
    );
});
