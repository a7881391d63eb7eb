//! CSV import: a 10 000-line file in, idempotent re-runs, bad lines reported
//! by line and column with nothing written, and a dry run that writes nothing.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::*;
use entity::enums::OrgKind;
use pathways_hub::import::{ImportKind, run};
use serde_json::json;

const HEADER: &str = "external_id,given_name,family_name,birth_date,email,phone,postal_code,guardian_name,priority_populations\n";

hub_test!(
    ten_thousand_lines_in_then_nothing_changes_on_a_rerun,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
        let mut file = String::from(HEADER);
        for i in 0..10_000 {
            file.push_str(&format!("WLCAC-{i:05},Youth{i},Tester{i},2004-0{}-1{},y{i}@example.com,555-01{:02},90002,,OPPORTUNITY_YOUTH;LOW_INCOME\n", 1 + i % 9, i % 10, i % 100));
        }
        let secret = TEST_MATCH_SECRET.as_bytes();
        let dry = run(
            &app.db,
            secret,
            "wlcac",
            ImportKind::Participants,
            file.as_bytes(),
            true,
            false,
        )
        .await
        .unwrap();
        assert_eq!(
            (dry.lines, dry.inserted, dry.errors.len()),
            (10_000, 10_000, 0)
        );
        assert_eq!(
            app.count("participant").await,
            0,
            "a dry run writes nothing"
        );

        let summary = run(
            &app.db,
            secret,
            "wlcac",
            ImportKind::Participants,
            file.as_bytes(),
            false,
            false,
        )
        .await
        .unwrap();
        assert_eq!((summary.inserted, summary.unchanged), (10_000, 0));
        assert_eq!(app.count("participant").await, 10_000);
        assert_eq!(
            app.count("audit_event WHERE action = 'CREATE'").await,
            10_000,
            "every line audited"
        );
        let again = run(
            &app.db,
            secret,
            "wlcac",
            ImportKind::Participants,
            file.as_bytes(),
            false,
            false,
        )
        .await
        .unwrap();
        assert_eq!((again.inserted, again.unchanged), (0, 10_000));
        assert_eq!(app.count("participant_profile").await, 10_000);

        let answer = app
        .query(Some(&app.staff("wlcac")), r#"{ participantByExternalId(orgSlug: "wlcac", externalId: "WLCAC-04242") { givenName priorityPopulations } }"#, json!({}))
        .await;
        assert_eq!(
            answer["data"]["participantByExternalId"],
            json!({ "givenName": "Youth4242", "priorityPopulations": ["OPPORTUNITY_YOUTH", "LOW_INCOME"] })
        );
    }
);

hub_test!(
    bad_lines_are_reported_by_line_and_column_and_nothing_is_written,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
        let file = format!(
            "{HEADER}\
         HOLA-1,Ana,Ruiz,2004-05-01,ana@example.com,,90002,,\n\
         HOLA-2,Ben,Ortiz,05/01/2004,,,,,\n\
         HOLA-3,Cy,Park,2004-05-01,,,,,SPACE_CADET\n\
         HOLA-4,Di,Vu,2004-05-01,not-an-email,,,,\n\
         HOLA-1,Ed,Lim,2004-05-01,,,,,\n\
         HOLA-6,Flo,Ng,2012-05-01,,,,,\n\
         HOLA-7,Gus,Cho,2004-05-01,,,9000,,\n"
        );
        let summary = run(
            &app.db,
            TEST_MATCH_SECRET.as_bytes(),
            "hola",
            ImportKind::Participants,
            file.as_bytes(),
            false,
            false,
        )
        .await
        .unwrap();
        let found: Vec<(usize, &str)> = summary
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (3, "birth_date"),
                (4, "priority_populations"),
                (5, "email"),
                (6, "external_id"),
                (7, "guardian_name"),
                (8, "postal_code")
            ]
        );
        assert_eq!(summary.inserted, 0);
        assert_eq!(
            app.count("participant").await,
            0,
            "nothing written when any line is bad"
        );
        assert_eq!(app.count("audit_event").await, 0);

        // A header with an unknown or missing column is refused before any line.
        let summary = run(
            &app.db,
            TEST_MATCH_SECRET.as_bytes(),
            "hola",
            ImportKind::Participants,
            "id,name\n1,x\n".as_bytes(),
            false,
            false,
        )
        .await
        .unwrap();
        assert!(
            summary.errors.iter().all(|e| e.line == 1),
            "{:?}",
            summary.errors
        );
        assert!(summary.errors.iter().any(|e| e.column == "external_id"));
    }
);
