//! The demo data: the five programs' real organizations, about 80 youth with
//! one hub id each however many partners know them, and idempotent seeding.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use sea_orm::{ConnectionTrait, Statement};

const TABLES: &[&str] = &[
    "organization",
    "pathway",
    "program",
    "mentor",
    "competency",
    "participant",
    "participant_profile",
    "participant_link",
    "enrollment",
    "enrollment_status_change",
    "hour_log",
    "competency_attainment",
    "credential",
    "mentorship",
    "mentorship_meeting",
    "dual_enrollment",
    "service",
    "outcome",
    "consent",
    "sharing_agreement",
];

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push(app.count(table).await);
    }
    counts
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

hub_test!(demo_seed_is_truthful_and_idempotent, |backend| {
    let app = spawn_app(backend).await;
    let before = counts(&app).await;
    for (table, count) in TABLES.iter().zip(&before) {
        assert!(*count > 0, "{table} has demo rows");
    }
    let again = pathways_hub::cli::seed::seed_demo(&app.db, TEST_MATCH_SECRET.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        again,
        pathways_hub::cli::seed::SeedSummary::default(),
        "a second run inserts nothing"
    );
    assert_eq!(counts(&app).await, before, "a second run changes no table");

    // About 80 youth, a third or so known to two to four partners, one hub id each.
    let youth = app.count("participant").await;
    assert!((70..=100).contains(&youth), "{youth} youth");
    let multi = scalar(&app, "SELECT COUNT(*) AS n FROM (SELECT participant_id FROM participant_profile GROUP BY participant_id HAVING COUNT(*) BETWEEN 2 AND 4) t").await;
    assert!(multi >= 15, "{multi} youth known to several partners");
    let distinct_keys = scalar(
        &app,
        "SELECT COUNT(DISTINCT match_key) AS n FROM participant",
    )
    .await;
    assert_eq!(distinct_keys, youth, "one hub id per person");
    // The Arts2Work apprenticeship rules: 2000 h OJT + 144 h RTI.
    assert!(scalar(&app, "SELECT COUNT(*) AS n FROM program WHERE kind = 'REGISTERED_APPRENTICESHIP' AND required_ojt_hours = 2000 AND required_rti_hours = 144").await >= 1);
    // WLCAC's stipend at 80 % attendance.
    assert!(
        scalar(
            &app,
            "SELECT COUNT(*) AS n FROM program WHERE stipend_threshold_pct = 80"
        )
        .await
            >= 1
    );
    // Every enrollment is owned by its program's organization.
    assert_eq!(scalar(&app, "SELECT COUNT(*) AS n FROM enrollment e JOIN program p ON p.id = e.program_id WHERE e.owner_org_id <> p.org_id").await, 0);
    // A youth under 18 on the day a consent was signed has it signed by a
    // named guardian; an adult signs their own, with no guardian named.
    let (minors, adults) = consents_by_age(&app).await;
    assert!(
        minors >= 1 && adults >= 1,
        "{minors} minors, {adults} adults"
    );
});

/// Checks every consent's signer against the youth's age on the day it was
/// signed; returns how many were signed for minors and for adults.
async fn consents_by_age(app: &TestApp) -> (usize, usize) {
    use sea_orm::EntityTrait;
    // The birth date the consent's owner holds for the youth.
    let born: std::collections::HashMap<(uuid::Uuid, uuid::Uuid), chrono::NaiveDate> =
        entity::participant_profile::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .filter_map(|p| Some(((p.participant_id, p.org_id), p.birth_date?)))
            .collect();
    let (mut minors, mut adults) = (0, 0);
    for consent in entity::consent::Entity::find().all(&app.db).await.unwrap() {
        let birth = born[&(consent.participant_id, consent.owner_org_id)];
        let age = consent.signed_on.years_since(birth).unwrap();
        let named = consent
            .guardian_name
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty());
        if age < 18 {
            minors += 1;
            assert!(
                consent.granted_by == "GUARDIAN" && named,
                "{age} on {}: {consent:?}",
                consent.signed_on
            );
        } else {
            adults += 1;
            assert!(
                consent.granted_by == "SELF" && consent.guardian_name.is_none(),
                "{age} on {}: {consent:?}",
                consent.signed_on
            );
        }
    }
    (minors, adults)
}
