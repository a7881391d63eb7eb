//! No forged badges (issue 30, path 2; DESIGN.md section 11): one
//! organization may record that another member organization issued a
//! credential, but the hub issues and signs it as that organization's
//! badge only once that organization's own staff confirmed it.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::story::Story;
use common::{assert_ok, one_error, spawn_app_with};
use serde_json::json;

const BADGE: &str = "query($id: ID!) { credentialBadge(id: $id) { credential jwt } }";
const CONFIRM: &str = "mutation($input: ConfirmCredentialInput!) { confirmCredential(input: $input) { id issuer { slug } } }";

hub_test!(a_badge_names_only_an_issuer_that_confirmed, |backend| {
    let app = spawn_app_with(backend, false, |config| {
        config.badges.public_url = Some("https://hub.example.org".into());
        config.badges.signing_key_file = Some(
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/badge_signing_test_ed25519.pem"),
        );
    })
    .await;
    let s = Story::new(&app.db);
    let story = s.partners().await;
    let p = s.apprentice(&story, 1).await;
    // HOLA may see the apprentice (IDENTITY) and records credentials.
    s.agreement(story.owner, story.viewer, "IDENTITY").await;
    let hola = app.staff("hola");
    let awarded = app
        .query(
            Some(&hola),
            "mutation($input: AwardCredentialInput!) { awardCredential(input: $input) { id } }",
            json!({ "input": { "participantId": p, "name": "Associate of Arts, Film",
                "kind": "DEGREE", "issuerOrgSlug": "spacela", "awardedOn": "2026-06-01" } }),
        )
        .await;
    assert_ok(&awarded);
    let id = awarded["data"]["awardCredential"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Not confirmed by SpaceLA: no badge in SpaceLA's name, signed or not.
    let refused = app.query(Some(&hola), BADGE, json!({ "id": id })).await;
    let error = one_error(&refused, "BAD_USER_INPUT");
    assert!(
        error["message"].as_str().unwrap().contains("not confirmed"),
        "{error}"
    );
    assert!(refused["data"].is_null() || refused["data"]["credentialBadge"].is_null());

    // Only the named issuer confirms: not the recorder, not a third party.
    for other in [app.staff("hola"), app.staff("wlcac")] {
        let answer = app
            .query(Some(&other), CONFIRM, json!({ "input": { "id": id } }))
            .await;
        one_error(&answer, "NOT_FOUND");
    }
    let confirmed = app
        .query(
            Some(&app.staff("spacela")),
            CONFIRM,
            json!({ "input": { "id": id } }),
        )
        .await;
    assert_ok(&confirmed);
    assert_eq!(
        confirmed["data"]["confirmCredential"]["issuer"]["slug"],
        "spacela"
    );

    // Now the badge names SpaceLA, signed by the hub.
    let badge = app.query(Some(&hola), BADGE, json!({ "id": id })).await;
    assert_ok(&badge);
    let credential = &badge["data"]["credentialBadge"]["credential"];
    assert_eq!(credential["issuer"]["name"], "SPACELA", "{credential}");
    assert!(badge["data"]["credentialBadge"]["jwt"].is_string());
});
