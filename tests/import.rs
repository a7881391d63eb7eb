//! CSV import over the authenticated `POST /import` upload (the same code as
//! `pathways-hub import`): participants, enrollments and hours; 10 000-line
//! files, idempotent re-runs, bad lines reported by line and column with
//! nothing written, dry runs that write nothing, and refusals.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use chrono::{Days, Utc};
use common::*;
use entity::enums::OrgKind;
use serde_json::{Value, json};

const HEADER: &str = "external_id,given_name,family_name,birth_date,email,phone,postal_code,guardian_name,priority_populations\n";

fn ago(days: u64) -> String {
    Utc::now()
        .date_naive()
        .checked_sub_days(Days::new(days))
        .unwrap()
        .to_string()
}

/// (line, column) of each error of an answer.
fn lines(answer: &Value) -> Vec<(u64, String)> {
    answer["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn counts(answer: &Value) -> (u64, u64, u64) {
    (
        answer["lines"].as_u64().unwrap(),
        answer["inserted"].as_u64().unwrap(),
        answer["unchanged"].as_u64().unwrap(),
    )
}

hub_test!(
    ten_thousand_lines_in_then_nothing_changes_on_a_rerun,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
        let staff = app.staff("wlcac");
        let mut file = String::from(HEADER);
        for i in 0..10_000 {
            file.push_str(&format!("WLCAC-{i:05},Youth{i},Tester{i},2004-0{}-1{},y{i}@example.com,555-01{:02},90002,,OPPORTUNITY_YOUTH;LOW_INCOME\n", 1 + i % 9, i % 10, i % 100));
        }
        let (status, dry) = app.upload(Some(&staff), "participants", &file, true).await;
        assert_eq!(status, 200, "{dry}");
        assert_eq!(counts(&dry), (10_000, 10_000, 0));
        assert_eq!(dry["dryRun"], true);
        assert_eq!(
            app.count("participant").await,
            0,
            "a dry run writes nothing"
        );

        let (status, done) = app.upload(Some(&staff), "participants", &file, false).await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(counts(&done), (10_000, 10_000, 0));
        assert_eq!(app.count("participant").await, 10_000);
        assert_eq!(
            app.count("audit_event WHERE action = 'CREATE' AND actor_subject = 'staff@wlcac'")
                .await,
            10_000,
            "every line audited, as the uploader"
        );
        let (_, again) = app.upload(Some(&staff), "participants", &file, false).await;
        assert_eq!(counts(&again), (10_000, 0, 10_000));
        assert_eq!(app.count("participant_profile").await, 10_000);

        let answer = app
        .query(Some(&staff), r#"{ participantByExternalId(orgSlug: "wlcac", externalId: "WLCAC-04242") { givenName priorityPopulations } }"#, json!({}))
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
        let staff = app.staff("hola");
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
        let (status, answer) = app.upload(Some(&staff), "participants", &file, false).await;
        assert_eq!(status, 422);
        assert_eq!(answer["code"], "BAD_USER_INPUT");
        assert_eq!(
            lines(&answer),
            [
                (3, "birth_date".to_owned()),
                (4, "priority_populations".to_owned()),
                (5, "email".to_owned()),
                (6, "external_id".to_owned()),
                (7, "guardian_name".to_owned()),
                (8, "postal_code".to_owned())
            ]
        );
        assert_eq!(answer["inserted"], 0);
        assert_eq!(
            app.count("participant").await,
            0,
            "nothing written when any line is bad"
        );
        assert_eq!(app.count("audit_event").await, 0);

        // A header with an unknown or missing column is refused before any line.
        let (status, answer) = app
            .upload(Some(&staff), "participants", "id,name\n1,x\n", false)
            .await;
        assert_eq!(status, 422);
        let found = lines(&answer);
        assert!(found.iter().all(|(line, _)| *line == 1), "{answer}");
        assert!(found.iter().any(|(_, column)| column == "external_id"));
    }
);

hub_test!(
    an_apprenticeship_tracker_export_enrollments_then_hours,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        insert_org(&app.db, "alliance-arts2work", OrgKind::TrainingPartner).await;
        let admin = app.org_admin("alliance-arts2work");
        let staff = app.staff("alliance-arts2work");
        let program = app
            .query(Some(&admin), "mutation { createProgram(input: { name: \"Arts2Work RA – Digital Video Editor\", kind: REGISTERED_APPRENTICESHIP, approach: HYBRID, requiredOjtHours: 2000, requiredRtiHours: 144 }) { id } }", json!({}))
            .await["data"]["createProgram"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let people = format!(
            "{HEADER}A2W-1,Deja,Monroe,2003-07-14,,,,,\nA2W-2,Luis,Arce,2002-01-30,,,,,\nA2W-3,Mai,Tran,2004-09-09,,,,,\n"
        );
        assert_eq!(
            app.upload(Some(&staff), "participants", &people, false)
                .await
                .0,
            200
        );

        // Enrollments: bad lines name their line and column; nothing written.
        let header = "external_id,participant_external_id,program,status,applied_on,started_on,exited_on,exit_reason\n";
        let (d100, d90, d60, d10) = (ago(100), ago(90), ago(60), ago(10));
        let bad = format!(
            "{header}\
             E-1,A2W-1,{program},ACTIVE,{d100},{d90},,\n\
             E-2,A2W-9,{program},ACTIVE,{d100},{d90},,\n\
             E-3,A2W-2,No Such Program,APPLIED,{d100},,,\n\
             E-4,A2W-2,{program},ACTIVE,{d100},,,\n\
             E-5,A2W-2,{program},COMPLETED,{d100},{d90},{d10},\n\
             E-6,A2W-3,{program},SLEEPING,{d100},,,\n\
             E-7,A2W-3,{program},APPLIED,2999-01-01,,,\n\
             E-1,A2W-3,{program},APPLIED,{d100},,,\n"
        );
        let (status, answer) = app.upload(Some(&staff), "enrollments", &bad, false).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(
            lines(&answer),
            [
                (3, "participant_external_id".to_owned()),
                (4, "program".to_owned()),
                (5, "started_on".to_owned()),
                (6, "status".to_owned()),
                (7, "status".to_owned()),
                (8, "applied_on".to_owned()),
                (9, "external_id".to_owned()),
            ]
        );
        assert_eq!(app.count("enrollment").await, 0);

        let good = format!(
            "{header}\
             E-1,A2W-1,{program},ACTIVE,{d100},{d90},,\n\
             E-2,A2W-2,arts2work ra – digital video editor,WITHDRAWN,{d100},{d90},{d60},moved away\n\
             E-3,A2W-3,{program},,{d10},,,\n"
        );
        let (status, answer) = app.upload(Some(&staff), "enrollments", &good, true).await;
        assert_eq!((status, counts(&answer)), (200, (3, 3, 0)));
        assert_eq!(app.count("enrollment").await, 0, "a dry run writes nothing");
        let (status, answer) = app.upload(Some(&staff), "enrollments", &good, false).await;
        assert_eq!((status, counts(&answer)), (200, (3, 3, 0)), "{answer}");
        assert_eq!(app.count("enrollment_status_change").await, 3);
        let (_, again) = app.upload(Some(&staff), "enrollments", &good, false).await;
        assert_eq!(counts(&again), (3, 0, 3));
        assert_eq!(app.count("enrollment").await, 3);

        // Hours: the 24 h rule counts earlier lines of the file; hours only
        // within the enrollment's dates; never on one that has not started.
        let header = "external_id,enrollment_external_id,kind,worked_on,hours,approved_by\n";
        let (d50, d20, d95) = (ago(50), ago(20), ago(95));
        let bad = format!(
            "{header}\
             H-1,E-1,OJT,{d20},16,\n\
             H-2,E-1,OJT,{d20},10,\n\
             H-3,E-1,OVERTIME,{d20},2,\n\
             H-4,E-1,RTI,{d95},3,\n\
             H-5,E-2,OJT,{d50},8,\n\
             H-6,E-3,OJT,{d20},8,\n\
             H-7,E-1,RTI,{d20},0,\n\
             H-8,E-404,RTI,{d20},3,\n"
        );
        let (status, answer) = app.upload(Some(&staff), "hours", &bad, false).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(
            lines(&answer),
            [
                (3, "hours".to_owned()),
                (4, "kind".to_owned()),
                (5, "worked_on".to_owned()),
                (6, "worked_on".to_owned()),
                (7, "enrollment_external_id".to_owned()),
                (8, "hours".to_owned()),
                (9, "enrollment_external_id".to_owned()),
            ]
        );
        assert_eq!(app.count("hour_log").await, 0);

        let mut good = String::from(header);
        for day in 11..=89u64 {
            good.push_str(&format!(
                "OJT-{day},E-1,OJT,{},8,supervisor@eastside\n",
                ago(day)
            ));
            good.push_str(&format!("RTI-{day},E-1,RTI,{},2.5,\n", ago(day)));
        }
        let (status, answer) = app.upload(Some(&staff), "hours", &good, false).await;
        assert_eq!((status, counts(&answer)), (200, (158, 158, 0)), "{answer}");
        let (_, again) = app.upload(Some(&staff), "hours", &good, false).await;
        assert_eq!(counts(&again), (158, 0, 158));
        assert_eq!(app.count("hour_log").await, 158);

        // What the partner sees: approved OJT counts, unapproved RTI waits.
        let answer = app
            .query(Some(&staff), r#"{ participantByExternalId(orgSlug: "alliance-arts2work", externalId: "A2W-1") { enrollments { status ojtHours rtiHours hourLogs { id } } } }"#, json!({}))
            .await;
        assert_ok(&answer);
        let enrollment = &answer["data"]["participantByExternalId"]["enrollments"][0];
        assert_eq!(enrollment["status"], "ACTIVE");
        assert_eq!(enrollment["ojtHours"], 79.0 * 8.0);
        assert_eq!(enrollment["rtiHours"], 0.0);
        assert_eq!(enrollment["hourLogs"].as_array().unwrap().len(), 158);
    }
);

hub_test!(uploads_need_a_writer_of_the_organization, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "harder-co", OrgKind::Evaluator).await;
    insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
    let file = format!("{HEADER}HOLA-1,Ana,Ruiz,2004-05-01,,,,,\n");

    let (status, answer) = app.upload(None, "participants", &file, false).await;
    assert_eq!(status, 401);
    assert_eq!(codes(&answer), ["UNAUTHENTICATED"]);

    let evaluator = app.token("eval@harder-co", "harder-co", &["evaluator"]);
    let (status, answer) = app
        .upload(Some(&evaluator), "participants", &file, false)
        .await;
    assert_eq!(status, 403);
    assert_eq!(codes(&answer), ["FORBIDDEN"]);
    assert_eq!(
        app.count("audit_event WHERE action = 'DENY' AND actor_subject = 'eval@harder-co'")
            .await,
        1
    );

    let (status, answer) = app
        .upload(Some(&app.staff("hola")), "grades", &file, false)
        .await;
    assert_eq!(status, 400);
    assert_eq!(codes(&answer), ["BAD_USER_INPUT"]);
    assert_eq!(app.count("participant").await, 0);
});
