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
        let response = console_sign_in(&client, &base, "garbage").await;
        assert_eq!(response.status(), 401);
        assert!(
            response
                .headers()
                .get_all("set-cookie")
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with("__Host-hub_session=")),
            "no session for a bad token"
        );
        let token = app.org_admin("wlcac");
        let response = console_sign_in(&client, &base, token.as_str()).await;
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
        let response = console_sign_in(&client, &base, staff.as_str()).await;
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

hub_test!(
    a_refused_form_keeps_what_was_typed_in_the_browser,
    |backend| {
        let app = spawn_app(backend).await;
        let programs = app.count("program").await;
        let mentors = app.count("mentor").await;
        let agreements = app.count("sharing_agreement").await;
        let tokens = json!({ "admin": app.org_admin("wlcac") });
        let shots = browser::screenshots("console-refusal", backend);
        let out = browser::run(
            &app,
            "form_refusal.mjs",
            &shots,
            &[("TOKENS", tokens.to_string())],
        )
        .await;
        assert!(out.contains("\"ok\":true"), "{out}");
        // Each refused form wrote nothing; each corrected one wrote one row.
        assert_eq!(app.count("program").await, programs + 1);
        assert_eq!(
            app.count("program WHERE ends_on IS NOT NULL AND site = 'Sun Valley, stage 4'")
                .await,
            1
        );
        assert_eq!(app.count("mentor").await, mentors + 1);
        assert_eq!(
            app.count("mentor WHERE email = 'dana@studio.example' AND active = false")
                .await,
            1
        );
        assert_eq!(app.count("sharing_agreement").await, agreements + 1);
        for shot in ["program-refused", "mentor-refused", "agreement-refused"] {
            assert!(shots.join(format!("{shot}.png")).exists(), "{shot}");
        }
    }
);

/// Signs in to the console with `token`; returns the session cookie and the
/// CSRF token of `page`.
async fn console_session(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    page: &str,
) -> (String, String) {
    let response = console_sign_in(client, base, token).await;
    assert_eq!(response.status(), 303);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = get_page(client, base, &cookie, page).await;
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    (cookie, csrf)
}

async fn get_page(client: &reqwest::Client, base: &str, cookie: &str, page: &str) -> String {
    client
        .get(format!("{base}{page}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn post_form(
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    page: &str,
    form: &[(&str, &str)],
) -> String {
    let response = client
        .post(format!("{base}{page}"))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{page}");
    response.text().await.unwrap()
}

hub_test!(
    refused_forms_keep_their_input_whatever_the_refusal_but_never_a_token,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
        insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let base = format!("http://{}", app.addr);

        // The sign-in form is no such form: a refused token is not echoed.
        let secret = "eyJ-not-a-real-token-but-secret-looking";
        let response = console_sign_in(&client, &base, secret).await;
        assert_eq!(response.status(), 401);
        let html = response.text().await.unwrap();
        assert!(!html.contains(secret), "{html}");
        assert!(html.contains("UNAUTHENTICATED"), "{html}");

        // Text in a number field (a browser would not send it) is refused by
        // the schema itself: BAD_USER_INPUT without a field, the input kept,
        // escaped, and no field marked invalid.
        let (admin, csrf) =
            console_session(&client, &base, &app.org_admin("wlcac"), "/admin/programs").await;
        let html = post_form(
            &client,
            &base,
            &admin,
            "/admin/programs",
            &[
                ("csrf", &csrf),
                ("name", "<script>alert(1)</script> \"cohort\""),
                ("kind", "WORKSHOP"),
                ("approach", "COMPETENCY"),
                ("requiredOjtHours", "12abc"),
            ],
        )
        .await;
        assert!(html.contains("role=\"alert\""), "{html}");
        assert!(html.contains("<strong>BAD_USER_INPUT</strong>"), "{html}");
        assert!(
            html.contains(r#"name="requiredOjtHours" value="12abc""#),
            "{html}"
        );
        assert!(
            html.contains(
                r#"name="name" value="&lt;script&gt;alert(1)&lt;/script&gt; &quot;cohort&quot;""#
            ),
            "{html}"
        );
        assert!(!html.contains("<script>alert(1)"), "{html}");
        assert!(
            html.contains(r#"<option value="WORKSHOP" selected>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<option value="COMPETENCY" selected>"#),
            "{html}"
        );
        assert!(!html.contains(r#"aria-invalid="true""#), "{html}");
        assert_eq!(app.count("program").await, 0);

        // A refusal naming a checkbox group: the group is described by the
        // message, each box marked invalid, the other choices kept.
        let html = post_form(
            &client,
            &base,
            &admin,
            "/admin/agreements",
            &[
                ("csrf", &csrf),
                ("recipientOrgSlug", "hola"),
                ("purpose", "REPORTING"),
                ("effectiveOn", "2026-02-03"),
            ],
        )
        .await;
        assert!(html.contains("(field categories)"), "{html}");
        assert!(
            html.contains(r#"<fieldset aria-describedby="categories-error">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<span class="field-error" id="categories-error">must name at least one category</span>"#),
            "{html}"
        );
        assert!(html.contains(r#"<option value="hola" selected>"#), "{html}");
        assert!(
            html.contains(r#"<option value="REPORTING" selected>"#),
            "{html}"
        );
        assert!(html.contains(r#"value="2026-02-03""#), "{html}");
        // requiresConsent was not sent: it stays unchecked, not its default.
        assert!(
            html.contains(r#"<input type="checkbox" name="requiresConsent" value="true">"#),
            "{html}"
        );
        assert_eq!(app.count("sharing_agreement").await, 0);

        // A refused button in a table row leaves the proposal form at its
        // defaults (consent required, effective today).
        let html = post_form(
            &client,
            &base,
            &admin,
            "/admin/agreements/act",
            &[("csrf", &csrf), ("action", "bogus"), ("id", "x")],
        )
        .await;
        assert!(html.contains("Unknown action."), "{html}");
        assert!(
            html.contains(r#"<input type="checkbox" name="requiresConsent" value="true" checked>"#),
            "{html}"
        );
        let today = chrono::Utc::now().date_naive().to_string();
        assert!(
            html.contains(&format!(r#"name="effectiveOn" value="{today}""#)),
            "{html}"
        );
        assert!(!html.contains(r#"aria-invalid="true""#), "{html}");

        // The import form keeps the kind and the dry run of a refused file
        // (a browser never lets a page refill the file input itself).
        let boundary = "console-test-boundary";
        let part = |name: &str, value: &str| {
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
        };
        let body = [
            part("csrf", &csrf),
            part("kind", "hours"),
            part("dryRun", "true"),
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hours.csv\"\r\n\
                 Content-Type: text/csv\r\n\r\nexternal_id,enrollment_external_id,kind,worked_on,hours\r\n\
                 h1,nobody-knows-this,OJT,2026-01-05,4\r\n\r\n--{boundary}--\r\n"
            ),
        ]
        .concat();
        let response = client
            .post(format!("{base}/admin/import"))
            .header("cookie", &admin)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
        let html = response.text().await.unwrap();
        assert!(html.contains("<strong>BAD_USER_INPUT</strong>"), "{html}");
        assert!(
            html.contains(r#"<option value="hours" selected>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"name="dryRun" value="true" checked>"#),
            "{html}"
        );

        // FORBIDDEN (a consent for someone the organization keeps no
        // profile of) keeps the input too.
        let (staff, staff_csrf) =
            console_session(&client, &base, &app.staff("wlcac"), "/admin/consents").await;
        let stranger = uuid::Uuid::new_v4().to_string();
        let html = post_form(
            &client,
            &base,
            &staff,
            "/admin/consents",
            &[
                ("csrf", &staff_csrf),
                ("participantId", &stranger),
                ("recipientOrgSlug", "hola"),
                ("categories", "IDENTITY"),
                ("purpose", "EVALUATION"),
                ("grantedBy", "GUARDIAN"),
                ("guardianName", "Rosa Ruiz"),
                ("signedOn", "2026-01-05"),
            ],
        )
        .await;
        assert!(html.contains("<strong>FORBIDDEN</strong>"), "{html}");
        assert!(
            html.contains(r#"name="guardianName" value="Rosa Ruiz""#),
            "{html}"
        );
        assert!(
            html.contains(r#"name="signedOn" value="2026-01-05""#),
            "{html}"
        );
        assert!(
            html.contains(r#"<option value="GUARDIAN" selected>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<option value="EVALUATION" selected>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"name="categories" value="IDENTITY" checked>"#),
            "{html}"
        );
        assert!(!html.contains(r#"aria-invalid="true""#), "{html}");
        assert_eq!(app.count("consent").await, 0);

        // CONFLICT (a pathway code taken) keeps the input; a success empties
        // the form.
        let (hub, hub_csrf) =
            console_session(&client, &base, &app.hub_admin(), "/admin/pathways").await;
        let pathway = [
            ("csrf", hub_csrf.as_str()),
            ("code", "GRIP_AND_ELECTRIC"),
            ("name", "Grip and electric"),
            ("sector", "Arts, Media, and Entertainment"),
        ];
        let html = post_form(&client, &base, &hub, "/admin/pathways", &pathway).await;
        assert!(html.contains("Pathway added."), "{html}");
        assert!(html.contains(r#"name="code" value="""#), "{html}");
        assert!(html.contains(r#"name="sector" value="""#), "{html}");
        let html = post_form(&client, &base, &hub, "/admin/pathways", &pathway).await;
        assert!(html.contains("<strong>CONFLICT</strong>"), "{html}");
        assert!(
            html.contains(r#"name="code" value="GRIP_AND_ELECTRIC""#),
            "{html}"
        );
        assert!(
            html.contains(r#"name="sector" value="Arts, Media, and Entertainment""#),
            "{html}"
        );
        assert_eq!(app.count("pathway").await, 1);
    }
);
