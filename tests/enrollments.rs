//! Enrollments and hours over HTTP: the state machine, dates, optimistic
//! concurrency, the 24 h/day rule, approval by someone else, and the
//! registered apprenticeship that completes only with 2000 h OJT + 144 h RTI.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use chrono::{Days, Utc};
use common::*;
use entity::enums::OrgKind;
use serde_json::{Value, json};

fn ago(days: u64) -> String {
    Utc::now()
        .date_naive()
        .checked_sub_days(Days::new(days))
        .unwrap()
        .to_string()
}

const STATUS: &str = "mutation($input: SetEnrollmentStatusInput!) { setEnrollmentStatus(input: $input) { id status version startedOn exitedOn statusHistory { fromStatus toStatus } } }";
const LOG: &str =
    "mutation($input: LogHoursInput!) { logHours(input: $input) { id hours approved } }";
const APPROVE: &str =
    "mutation($input: ApproveHoursInput!) { approveHours(input: $input) { id approved } }";

async fn set(
    app: &TestApp,
    token: &str,
    id: &str,
    version: i64,
    status: &str,
    on: Option<String>,
) -> Value {
    app.query(
        Some(token),
        STATUS,
        json!({ "input": { "id": id, "version": version, "status": status, "on": on } }),
    )
    .await
}

hub_test!(an_apprentice_from_application_to_completion, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "alliance-arts2work", OrgKind::TrainingPartner).await;
    insert_org(&app.db, "hola", OrgKind::CommunityPartner).await;
    let admin = app.org_admin("alliance-arts2work");
    let staff = app.staff("alliance-arts2work");
    let supervisor = app.token(
        "supervisor@alliance-arts2work",
        "alliance-arts2work",
        &["staff"],
    );
    let program = app
        .query(Some(&admin), "mutation { createProgram(input: { name: \"Arts2Work RA – Digital Video Editor\", kind: REGISTERED_APPRENTICESHIP, approach: HYBRID, requiredOjtHours: 2000, requiredRtiHours: 144 }) { id } }", json!({}))
        .await["data"]["createProgram"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let person = app
        .query(Some(&staff), "mutation { createParticipant(input: { givenName: \"Deja\", familyName: \"Monroe\", birthDate: \"2003-07-14\" }) { id } }", json!({}))
        .await["data"]["createParticipant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // HOLA may not enroll anyone in Arts2Work's program: FORBIDDEN, audited.
    let enroll = "mutation($input: EnrollInput!) { enroll(input: $input) { id status version } }";
    let answer = app
        .query(
            Some(&app.staff("hola")),
            enroll,
            json!({ "input": { "participantId": person, "programId": program } }),
        )
        .await;
    one_error(&answer, "FORBIDDEN");
    assert_eq!(
        app.count("audit_event WHERE action = 'DENY' AND actor_subject = 'staff@hola'")
            .await,
        1
    );
    assert_eq!(app.count("enrollment").await, 0);

    let answer = app.query(Some(&staff), enroll, json!({ "input": { "participantId": person, "programId": program, "appliedOn": ago(300) } })).await;
    assert_ok(&answer);
    let id = answer["data"]["enroll"]["id"].as_str().unwrap().to_owned();
    assert_eq!(answer["data"]["enroll"]["status"], "APPLIED");

    // Illegal moves name the field; nothing changes.
    for bad in ["ACTIVE", "COMPLETED", "APPLIED"] {
        let answer = set(&app, &staff, &id, 1, bad, None).await;
        assert_eq!(
            one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
            "status",
            "{bad}"
        );
    }
    let answer = set(&app, &staff, &id, 1, "INTERVIEWED", Some(ago(400))).await;
    assert_eq!(
        one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
        "on",
        "before the application"
    );
    let answer = set(
        &app,
        &staff,
        &id,
        1,
        "INTERVIEWED",
        Some("2999-01-01".into()),
    )
    .await;
    assert_eq!(
        one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
        "on"
    );
    // The legal path, each step with the version it read.
    assert_ok(&set(&app, &staff, &id, 1, "INTERVIEWED", Some(ago(290))).await);
    one_error(
        &set(&app, &staff, &id, 1, "ACCEPTED", Some(ago(280))).await,
        "CONFLICT",
    );
    assert_ok(&set(&app, &staff, &id, 2, "ACCEPTED", Some(ago(280))).await);
    let answer = set(&app, &staff, &id, 3, "ACTIVE", Some(ago(270))).await;
    assert_ok(&answer);
    assert_eq!(answer["data"]["setEnrollmentStatus"]["startedOn"], ago(270));
    let history: Vec<&str> = answer["data"]["setEnrollmentStatus"]["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["toStatus"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["APPLIED", "INTERVIEWED", "ACCEPTED", "ACTIVE"]);
    // Another organization cannot even see it: NOT_FOUND, like a missing id.
    one_error(
        &set(&app, &app.staff("hola"), &id, 4, "WITHDRAWN", None).await,
        "NOT_FOUND",
    );

    // Hours: the rules name their field.
    let log = |kind: &str, on: String, hours: f64| json!({ "input": { "enrollmentId": id, "kind": kind, "workedOn": on, "hours": hours } });
    for (input, field) in [
        (log("OJT", ago(10), 0.0), "hours"),
        (log("OJT", ago(10), 24.5), "hours"),
        (log("OJT", "2999-01-01".into(), 8.0), "workedOn"),
        (log("OJT", ago(280), 8.0), "workedOn"),
    ] {
        let answer = app.query(Some(&staff), LOG, input).await;
        assert_eq!(
            one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
            field,
            "{answer}"
        );
    }
    assert_ok(&app.query(Some(&staff), LOG, log("OJT", ago(5), 20.0)).await);
    let answer = app.query(Some(&staff), LOG, log("OJT", ago(5), 5.0)).await;
    assert_eq!(
        one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
        "hours",
        "24 h a day per kind"
    );
    assert_ok(&app.query(Some(&staff), LOG, log("RTI", ago(5), 4.0)).await);

    // 2000 h OJT and 144 h RTI, logged by staff.
    let mut ids = Vec::new();
    for day in 6..=88 {
        let answer = app
            .query(Some(&staff), LOG, log("OJT", ago(day), 24.0))
            .await;
        ids.push(
            answer["data"]["logHours"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for day in 6..=11 {
        let answer = app
            .query(Some(&staff), LOG, log("RTI", ago(day), 23.5))
            .await;
        ids.push(
            answer["data"]["logHours"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // Not yet approved: completion is refused, naming what is missing.
    let answer = set(&app, &staff, &id, 4, "COMPLETED", None).await;
    let error = one_error(&answer, "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], "status");
    assert!(
        error["message"].as_str().unwrap().contains("2000"),
        "{answer}"
    );
    // The person who logged hours may not approve them.
    let answer = app
        .query(Some(&staff), APPROVE, json!({ "input": { "ids": ids } }))
        .await;
    assert_eq!(
        one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
        "ids"
    );
    let answer = app
        .query(
            Some(&supervisor),
            APPROVE,
            json!({ "input": { "ids": ids } }),
        )
        .await;
    assert_ok(&answer);
    assert!(
        answer["data"]["approveHours"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["approved"] == true)
    );
    let totals = app
        .query(
            Some(&staff),
            "query($id: ID!) { participant(id: $id) { enrollments { ojtHours rtiHours } } }",
            json!({ "id": person }),
        )
        .await;
    assert_eq!(
        totals["data"]["participant"]["enrollments"][0],
        json!({ "ojtHours": 1992.0, "rtiHours": 141.0 })
    );
    // 1992 + 141 is still short: one more day of each, approved, and it completes.
    let mut more = Vec::new();
    for (kind, hours) in [("OJT", 8.0), ("RTI", 3.0)] {
        let answer = app
            .query(Some(&staff), LOG, log(kind, ago(89), hours))
            .await;
        more.push(
            answer["data"]["logHours"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    one_error(
        &set(&app, &staff, &id, 4, "COMPLETED", None).await,
        "BAD_USER_INPUT",
    );
    assert_ok(
        &app.query(
            Some(&supervisor),
            APPROVE,
            json!({ "input": { "ids": more } }),
        )
        .await,
    );
    let answer = set(&app, &staff, &id, 4, "COMPLETED", None).await;
    assert_ok(&answer);
    assert_eq!(answer["data"]["setEnrollmentStatus"]["status"], "COMPLETED");
    assert_eq!(answer["data"]["setEnrollmentStatus"]["version"], 5);
    assert!(answer["data"]["setEnrollmentStatus"]["exitedOn"].is_string());
    // Completed is final.
    one_error(
        &set(&app, &staff, &id, 5, "ACTIVE", None).await,
        "BAD_USER_INPUT",
    );
});

hub_test!(concurrent_logs_of_one_day_never_pass_24_hours, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
    let admin = app.org_admin("wlcac");
    let staff = app.staff("wlcac");
    let program = app
        .query(Some(&admin), "mutation { createProgram(input: { name: \"Media Career Pathways\", kind: TRAINING_COHORT, approach: TIME, scheduledHours: 240, stipendThresholdPct: 80 }) { id } }", json!({}))
        .await["data"]["createProgram"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let person = app
        .query(Some(&staff), "mutation { createParticipant(input: { givenName: \"Kiara\", familyName: \"Lopez\", birthDate: \"2005-02-11\" }) { id } }", json!({}))
        .await["data"]["createParticipant"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let enroll = "mutation($input: EnrollInput!) { enroll(input: $input) { id } }";
    let answer = app.query(Some(&staff), enroll, json!({ "input": { "participantId": person, "programId": program, "appliedOn": ago(30) } })).await;
    let id = answer["data"]["enroll"]["id"].as_str().unwrap().to_owned();
    for (version, status) in [(1, "INTERVIEWED"), (2, "ACCEPTED"), (3, "ACTIVE")] {
        assert_ok(&set(&app, &staff, &id, version, status, Some(ago(20))).await);
    }

    // Eight staff log 8 h of attendance on the same day at once: three fit.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (url, token, id) = (app.url.clone(), staff.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({ "query": LOG, "variables": { "input": { "enrollmentId": id, "kind": "ATTENDANCE", "workedOn": ago(5), "hours": 8.0 } } });
            let answer: Value = reqwest::Client::new().post(url).bearer_auth(token).json(&body).send().await.unwrap().json().await.unwrap();
            common::assert_conforms(&body, &answer);
            answer
        }));
    }
    let mut logged = 0;
    for task in tasks {
        let answer = task.await.unwrap();
        if answer.get("errors").is_none() {
            logged += 1;
        } else {
            assert_eq!(
                one_error(&answer, "BAD_USER_INPUT")["extensions"]["field"],
                "hours",
                "{answer}"
            );
        }
    }
    assert_eq!(logged, 3);
    assert_eq!(app.count("hour_log").await, 3);
});
