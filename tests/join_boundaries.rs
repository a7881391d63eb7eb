//! Joining two hub ids pools their consents (found while reading every
//! mutation as its attacker, issue 30): one organization's staff may not
//! join a youth it may see to one of its own whose consent reaches further,
//! and so read what it cannot read today. A hub_admin, the second party,
//! may.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::story::Story;
use common::{assert_ok, one_error, spawn_app_with};
use serde_json::json;

const LINK: &str =
    "mutation($input: LinkParticipantInput!) { linkParticipant(input: $input) { id } }";
const ENROLLMENTS: &str = "query($id: ID!) { participant(id: $id) { enrollments { id } } }";

hub_test!(a_join_that_widens_access_needs_a_hub_admin, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let s = Story::new(&app.db);
    let story = s.partners().await;
    // Arts2Work's apprentice: HOLA sees who they are, but their enrollment
    // only with their consent, which they did not give.
    let a = s.apprentice(&story, 1).await;
    s.agreement(story.owner, story.viewer, "IDENTITY").await;
    s.agreement(story.owner, story.viewer, "ENROLLMENT")
        .requires_consent(true)
        .await;
    // HOLA's own youth, whose consent (recorded by HOLA) names every partner.
    let b = s
        .participant()
        .known_to(&[story.viewer], "Lupe", "Soto")
        .await;
    s.consent(b, story.viewer, "ENROLLMENT").await;
    let hola = app.staff("hola");
    let enrollments = |read: serde_json::Value| {
        assert_ok(&read);
        read["data"]["participant"]["enrollments"]
            .as_array()
            .unwrap()
            .len()
    };
    let read = app
        .query(Some(&hola), ENROLLMENTS, json!({ "id": a }))
        .await;
    assert_eq!(enrollments(read), 0);
    let before = app.count("participant").await;

    // HOLA joins them: refused, and nothing changed.
    let joined = app
        .query(
            Some(&hola),
            LINK,
            json!({ "input": { "id": a, "otherId": b } }),
        )
        .await;
    one_error(&joined, "FORBIDDEN");
    assert_eq!(app.count("participant").await, before);
    let read = app
        .query(Some(&hola), ENROLLMENTS, json!({ "id": a }))
        .await;
    assert_eq!(enrollments(read), 0);

    // A hub_admin, having checked it is one person, joins them.
    let joined = app
        .query(
            Some(&app.hub_admin()),
            LINK,
            json!({ "input": { "id": a, "otherId": b } }),
        )
        .await;
    assert_ok(&joined);
    assert_eq!(app.count("participant").await, before - 1);
    let read = app
        .query(Some(&hola), ENROLLMENTS, json!({ "id": a }))
        .await;
    assert_eq!(enrollments(read), 1);
});
