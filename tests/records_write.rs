//! The records partners keep, written over HTTP: credentials, services,
//! outcomes, competencies, mentorships and dual enrollments — each rule
//! names its field, stale versions conflict, and the records read back.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use chrono::Utc;
use common::*;
use entity::enums::OrgKind;
use serde_json::{Value, json};

fn field(answer: &Value) -> String {
    one_error(answer, "BAD_USER_INPUT")["extensions"]["field"]
        .as_str()
        .unwrap()
        .to_owned()
}

hub_test!(a_lachsa_student_s_records, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    for (slug, kind) in [
        ("lachsa", OrgKind::HighSchool),
        ("elac", OrgKind::College),
        ("hola", OrgKind::CommunityPartner),
        ("iatse-local-600", OrgKind::Union),
        ("wlcac", OrgKind::LeadAgency),
    ] {
        insert_org(&app.db, slug, kind).await;
    }
    let admin = app.org_admin("lachsa");
    let staff = app.staff("lachsa");
    let pathway = app.query(Some(&app.hub_admin()), "mutation { createPathway(input: { code: \"VIDEO_PRODUCTION\", name: \"Video Production\", sector: \"AME\" }) { id } }", json!({})).await;
    let pathway_id =
        uuid::Uuid::parse_str(pathway["data"]["createPathway"]["id"].as_str().unwrap()).unwrap();
    common::story::Story::new(&app.db)
        .competency(pathway_id, "VP-T1", "Operates a cinema camera")
        .await;
    let program = app.query(Some(&admin), "mutation { createProgram(input: { name: \"Video Production\", kind: CTE_PATHWAY, pathwayCode: \"VIDEO_PRODUCTION\" }) { id } }", json!({})).await["data"]["createProgram"]["id"].as_str().unwrap().to_owned();
    let student = app.query(Some(&staff), "mutation { createParticipant(input: { givenName: \"Iris\", familyName: \"Ocampo\", birthDate: \"2009-10-02\", guardianName: \"Rafael Ocampo\" }) { id } }", json!({})).await["data"]["createParticipant"]["id"].as_str().unwrap().to_owned();
    let mentor = app.query(Some(&app.org_admin("iatse-local-600")), "mutation { createMentor(input: { name: \"Ray Okafor\", craft: \"Camera\", unionLocal: \"600\" }) { id } }", json!({})).await["data"]["createMentor"]["id"].as_str().unwrap().to_owned();

    // Credentials.
    let award = "mutation($input: AwardCredentialInput!) { awardCredential(input: $input) { id name issuerName } }";
    let cred = |extra: Value| {
        let mut input = json!({ "participantId": student, "name": "Adobe Certified Professional – Premiere Pro", "kind": "INDUSTRY_CERTIFICATION", "issuerName": "Adobe", "awardedOn": "2026-05-01" });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "input": input })
    };
    assert_eq!(
        field(
            &app.query(
                Some(&staff),
                award,
                cred(json!({ "evidenceUrl": "javascript:alert(1)" }))
            )
            .await
        ),
        "evidenceUrl"
    );
    assert_eq!(
        field(
            &app.query(
                Some(&staff),
                award,
                cred(json!({ "expiresOn": "2026-01-01" }))
            )
            .await
        ),
        "expiresOn"
    );
    assert_eq!(
        field(
            &app.query(
                Some(&staff),
                award,
                cred(json!({ "awardedOn": "2999-01-01" }))
            )
            .await
        ),
        "awardedOn"
    );
    assert_eq!(
        field(
            &app.query(Some(&app.staff("hola")), award, cred(json!({})))
                .await
        ),
        "participantId",
        "HOLA does not know her"
    );
    assert_ok(
        &app.query(
            Some(&staff),
            award,
            cred(json!({ "evidenceUrl": "https://example.org/badge/1" })),
        )
        .await,
    );

    // Services and outcomes.
    let service = "mutation($input: RecordServiceInput!) { recordService(input: $input) { id kind amountCents } }";
    assert_eq!(field(&app.query(Some(&staff), service, json!({ "input": { "participantId": student, "kind": "STIPEND", "providedOn": "2026-06-01", "amountCents": -1 } })).await), "amountCents");
    assert_ok(&app.query(Some(&staff), service, json!({ "input": { "participantId": student, "kind": "TRANSPORTATION", "providedOn": "2026-06-01", "amountCents": 0 } })).await);
    let outcome = "mutation($input: RecordOutcomeInput!) { recordOutcome(input: $input) { id kind unionLocal } }";
    assert_eq!(
        field(
            &app.query(
                Some(&staff),
                outcome,
                json!({ "input": { "participantId": student, "kind": "UNION_MEMBERSHIP" } })
            )
            .await
        ),
        "unionLocal"
    );
    assert_ok(&app.query(Some(&staff), outcome, json!({ "input": { "participantId": student, "kind": "HS_GRADUATED", "verified": true } })).await);

    // A competency under her enrollment.
    let enrollment = app.query(Some(&staff), "mutation($p: ID!, $g: ID!) { enroll(input: { participantId: $p, programId: $g }) { id } }", json!({ "p": student, "g": program })).await["data"]["enroll"]["id"].as_str().unwrap().to_owned();
    let competency = "mutation($input: RecordCompetencyInput!) { recordCompetency(input: $input) { name level } }";
    let input = |code: &str, level: i32| json!({ "input": { "enrollmentId": enrollment, "competencyCode": code, "attainedOn": "2026-06-02", "level": level } });
    assert_eq!(
        field(&app.query(Some(&staff), competency, input("VP-T1", 5)).await),
        "level"
    );
    assert_eq!(
        field(&app.query(Some(&staff), competency, input("NOPE", 3)).await),
        "competencyCode"
    );
    let answer = app.query(Some(&staff), competency, input("VP-T1", 3)).await;
    assert_eq!(
        answer["data"]["recordCompetency"],
        json!({ "name": "Operates a cinema camera", "level": 3 })
    );

    // Dual enrollment at ELAC: units earned never exceed units attempted.
    let record = "mutation($input: RecordDualEnrollmentInput!) { recordDualEnrollment(input: $input) { id version unitsEarned } }";
    let course = |earned: f64| json!({ "input": { "participantId": student, "highSchoolOrgSlug": "lachsa", "collegeOrgSlug": "elac", "courseCode": "THTR 110", "courseTitle": "Stagecraft", "term": "Fall 2026", "unitsAttempted": 3.0, "unitsEarned": earned } });
    assert_eq!(
        field(&app.query(Some(&staff), record, course(4.0)).await),
        "unitsEarned"
    );
    let answer = app.query(Some(&staff), record, course(0.0)).await;
    assert_ok(&answer);
    let course_id = answer["data"]["recordDualEnrollment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let update = "mutation($input: UpdateDualEnrollmentInput!) { updateDualEnrollment(input: $input) { version unitsEarned grade status } }";
    assert_eq!(
        field(
            &app.query(
                Some(&staff),
                update,
                json!({ "input": { "id": course_id, "version": 1, "unitsEarned": 3.5 } })
            )
            .await
        ),
        "unitsEarned"
    );
    let answer = app.query(Some(&staff), update, json!({ "input": { "id": course_id, "version": 1, "unitsEarned": 3.0, "grade": "A", "status": "COMPLETED" } })).await;
    assert_eq!(
        answer["data"]["updateDualEnrollment"],
        json!({ "version": 2, "unitsEarned": 3.0, "grade": "A", "status": "COMPLETED" })
    );
    one_error(
        &app.query(
            Some(&staff),
            update,
            json!({ "input": { "id": course_id, "version": 1, "grade": "B" } }),
        )
        .await,
        "CONFLICT",
    );

    // A union mentor: proposed, active, met, paused, ended.
    let propose = app.query(Some(&staff), "mutation($p: ID!, $m: ID!) { proposeMentorship(input: { participantId: $p, mentorId: $m }) { id status version } }", json!({ "p": student, "m": mentor })).await;
    let m = propose["data"]["proposeMentorship"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(propose["data"]["proposeMentorship"]["status"], "PROPOSED");
    let meet = |minutes: i32| json!({ "input": { "mentorshipId": m, "metOn": Utc::now().date_naive().to_string(), "minutes": minutes } });
    let log = "mutation($input: LogMentorshipMeetingInput!) { logMentorshipMeeting(input: $input) { meetings { minutes } } }";
    assert_eq!(
        field(&app.query(Some(&staff), log, meet(45)).await),
        "mentorshipId",
        "not active yet"
    );
    let set = "mutation($input: SetMentorshipStatusInput!) { setMentorshipStatus(input: $input) { status version } }";
    assert_ok(
        &app.query(
            Some(&staff),
            set,
            json!({ "input": { "id": m, "version": 1, "status": "ACTIVE" } }),
        )
        .await,
    );
    assert_eq!(
        field(&app.query(Some(&staff), log, meet(0)).await),
        "minutes"
    );
    let answer = app.query(Some(&staff), log, meet(45)).await;
    assert_eq!(
        answer["data"]["logMentorshipMeeting"]["meetings"],
        json!([{ "minutes": 45 }])
    );
    assert_ok(
        &app.query(
            Some(&staff),
            set,
            json!({ "input": { "id": m, "version": 2, "status": "PAUSED" } }),
        )
        .await,
    );
    assert_ok(
        &app.query(
            Some(&staff),
            set,
            json!({ "input": { "id": m, "version": 3, "status": "ENDED" } }),
        )
        .await,
    );
    assert_eq!(
        field(
            &app.query(
                Some(&staff),
                set,
                json!({ "input": { "id": m, "version": 4, "status": "ACTIVE" } })
            )
            .await
        ),
        "status"
    );

    // Everything reads back on the participant, and every write was audited.
    let back = app.query(Some(&staff), "query($id: ID!) { participant(id: $id) { credentials { name } services { kind } outcomes { kind } dualEnrollments { grade } mentorships { status meetings { minutes } } enrollments { competencyAttainments { level } } } }", json!({ "id": student })).await;
    assert_ok(&back);
    let p = &back["data"]["participant"];
    assert_eq!(p["credentials"].as_array().unwrap().len(), 1);
    assert_eq!(p["services"].as_array().unwrap().len(), 1);
    assert_eq!(p["outcomes"].as_array().unwrap().len(), 1);
    assert_eq!(p["dualEnrollments"][0]["grade"], "A");
    assert_eq!(p["mentorships"][0]["status"], "ENDED");
    assert_eq!(p["enrollments"][0]["competencyAttainments"][0]["level"], 3);
    for entity in [
        "credential",
        "service",
        "outcome",
        "competency_attainment",
        "dual_enrollment",
        "mentorship",
        "mentorship_meeting",
    ] {
        assert!(
            app.count(&format!(
                "audit_event WHERE entity = '{entity}' AND action IN ('CREATE', 'UPDATE')"
            ))
            .await
                >= 1,
            "{entity}"
        );
    }
});
