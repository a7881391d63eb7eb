//! The web's paths around the policy (issue 30, paths 3 and 5; DESIGN.md
//! section 11): the console's sign-in refuses cross-site forms and forms
//! without its pre-session token, its cookie is `__Host-` and `Secure`
//! outside demo mode, and the youth's page and export are never cached
//! nor sniffed.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::story::Story;
use common::*;
use serde_json::json;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn session_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_owned())
        .filter(|c| c.contains("hub_session=") && !c.contains("hub_session=;"))
        .collect()
}

hub_test!(cross_site_sign_in_is_refused, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "wlcac", entity::enums::OrgKind::LeadAgency).await;
    let client = no_redirects();
    let base = format!("http://{}", app.addr);
    let token = app.org_admin("wlcac");

    // The attacker's page posts a valid token of its own, as a cross-site
    // form would: refused, no session.
    for (origin, site) in [
        (Some("https://evil.example"), Some("cross-site")),
        (Some("https://evil.example"), None),
        (None, Some("cross-site")),
        (None, Some("same-site")),
        (Some("null"), None),
    ] {
        let mut request = client
            .post(format!("{base}/admin/login"))
            .form(&[("token", token.as_str())]);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = site {
            request = request.header("sec-fetch-site", site);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 403, "{origin:?} {site:?}");
        assert!(session_cookies(&response).is_empty(), "{origin:?} {site:?}");
    }
    // Same-origin headers are not enough without the sign-in page's own
    // pre-session token (a forged or missing one).
    for login_csrf in [None, Some("00ff")] {
        let mut form = vec![("token", token.as_str())];
        if let Some(c) = login_csrf {
            form.push(("login_csrf", c));
        }
        let response = client
            .post(format!("{base}/admin/login"))
            .header("origin", &base)
            .header("sec-fetch-site", "same-origin")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert!(session_cookies(&response).is_empty());
    }
    // From the console's own form: signed in, with a `__Host-`, `Secure`,
    // `HttpOnly`, `SameSite=Strict` cookie.
    let response = console_sign_in(&client, &base, &token).await;
    assert_eq!(response.status(), 303);
    let cookies = session_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = &cookies[0];
    for part in [
        "__Host-hub_session=",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Domain"), "{cookie}");
});

hub_test!(personal_pages_are_never_cached_nor_sniffed, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let s = Story::new(&app.db);
    let story = s.partners().await;
    let p = s.apprentice(&story, 1).await;
    let client = no_redirects();
    let base = format!("http://{}", app.addr);
    // The youth links their own token, then signs in to /me.
    let issued = app
        .query(
            Some(&app.org_admin("alliance-arts2work")),
            "mutation($input: IssueAccountCodeInput!) { issueAccountCode(input: $input) { code } }",
            json!({ "input": { "participantId": p } }),
        )
        .await;
    let code = issued["data"]["issueAccountCode"]["code"].as_str().unwrap();
    let youth = app.token("youth|marisol", "", &[]);
    assert_ok(
        &app.query(
            Some(&youth),
            "mutation($input: RedeemAccountCodeInput!) { redeemAccountCode(input: $input) }",
            json!({ "input": { "code": code } }),
        )
        .await,
    );
    let response = console_sign_in(&client, &base, &youth).await;
    assert_eq!(response.status(), 303);
    let session = session_cookies(&response)[0]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    for path in ["/me", "/me/export.json"] {
        let response = client
            .get(format!("{base}{path}"))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }
    let export = client
        .get(format!("{base}/me/export.json"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(export.contains(&p.to_string()));
    // GraphQL answers carry personal data too.
    let response = client
        .post(app.url.clone())
        .bearer_auth(app.staff("alliance-arts2work"))
        .json(&json!({ "query": "{ viewer { subject } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
});
