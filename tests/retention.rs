//! `pathways-hub retention run [--apply]`: the dry run lists exactly what
//! `--apply` deletes (rows past their category's retention) and orders
//! (destruction of what a recipient could read under an agreement ended
//! past its `destroy_by`), and each deletion leaves a tombstone in the
//! change feed and an audit entry without the data.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::story::{Story, days};
use common::{TEST_MATCH_SECRET, TEST_SECRET, TestApp, spawn_app_with};
use entity::{
    audit_event, competency_attainment, enrollment, hour_log, service, sharing_agreement,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

const CHANGES: &str = "query($since: Int!) { changes(since: $since, first: 1000) {
  nodes { kind id operation } maxChangeVersion hasMore } }";

/// Runs `retention run` with a configuration of the test database keeping
/// PROGRESS and SERVICES 30 days; (exit success, stdout).
fn retention(app: &TestApp, extra: &[&str], retention_toml: &str) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = {url:?}\nmatch_key_secret = {TEST_MATCH_SECRET:?}\n\
             [auth]\nhs256_secret = {TEST_SECRET:?}\n[retention]\n{retention_toml}\n",
            url = app.state.config.database_url,
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pathways-hub"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(["--config", config.to_str().unwrap(), "retention", "run"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The table a run prints: (organization, category, reason) → rows.
/// Every line must be read: the header, then rows of four columns ending
/// in a count, then the one summary line; anything else (a line it cannot
/// read, a row twice, a line after the summary, no summary) fails the test.
fn table(stdout: &str) -> BTreeMap<(String, String, String), usize> {
    let mut lines = stdout.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["ORGANIZATION", "CATEGORY", "REASON", "ROWS"],
        "the header: {stdout}"
    );
    let mut out = BTreeMap::new();
    let mut summary = None;
    for line in lines {
        assert!(
            summary.is_none(),
            "a line after the summary: {line:?}\n{stdout}"
        );
        if line.starts_with("dry run on ") || line.starts_with("applied on ") {
            summary = Some(line);
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [org, category, reason, rows] = cols.as_slice() else {
            panic!("an unreadable line: {line:?}\n{stdout}");
        };
        let rows: usize = rows
            .parse()
            .unwrap_or_else(|_| panic!("an unreadable row count: {line:?}\n{stdout}"));
        let key = (org.to_string(), category.to_string(), reason.to_string());
        assert!(
            out.insert(key, rows).is_none(),
            "a row twice: {line:?}\n{stdout}"
        );
    }
    assert!(summary.is_some(), "no summary line: {stdout}");
    out
}

#[test]
fn the_table_reader_reads_every_line_or_fails() {
    let ok = "ORGANIZATION   CATEGORY  REASON     ROWS\n\
              hola           PROGRESS  RETENTION     5\n\
              dry run on 2027-01-01: nothing changed; --apply deletes 5 rows and orders 0 destructions\n";
    let read = table(ok);
    assert_eq!(
        read,
        [(("hola".into(), "PROGRESS".into(), "RETENTION".into()), 5)].into()
    );
    let summary = "dry run on 2027-01-01: nothing changed\n";
    let header = "ORGANIZATION CATEGORY REASON ROWS\n";
    for bad in [
        format!("{header}hola PROGRESS RETENTION five\n{summary}"),
        format!("{header}hola PROGRESS 5\n{summary}"),
        format!("{header}hola PROGRESS RETENTION 5 extra\n{summary}"),
        format!("{header}\n{summary}"),
        format!("{header}hola PROGRESS RETENTION 5\nhola PROGRESS RETENTION 5\n{summary}"),
        format!("{header}{summary}hola PROGRESS RETENTION 5\n"),
        format!("{header}hola PROGRESS RETENTION 5\n"),
        format!("ORG CATEGORY REASON ROWS\n{summary}"),
        String::new(),
    ] {
        let read = std::panic::catch_unwind(|| table(&bad));
        assert!(read.is_err(), "read without failing: {bad:?} → {read:?}");
    }
}

hub_test!(a_dry_run_lists_exactly_what_apply_does, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let s = Story::new(&app.db);
    let story = s.partners().await;
    let p = s.apprentice(&story, 1).await;
    // Shared with HOLA until ten days from now; HOLA must have destroyed
    // what it received forty days from now.
    let agreement = s
        .agreement(story.owner, story.viewer, "ENROLLMENT,PROGRESS")
        .expires(Some(days(10)))
        .with(|a| a.destroy_by = sea_orm::ActiveValue::Set(Some(days(40))))
        .await;
    let hola = app.staff("hola");
    let at = app.query(Some(&hola), CHANGES, json!({ "since": 0 })).await["data"]["changes"]
        ["maxChangeVersion"]
        .as_i64()
        .unwrap();
    let keep = "PROGRESS = 30\nSERVICES = 30";
    let on = days(400).to_string();

    let before = common::database_fingerprint(&app.db).await;
    let (ok, dry, err) = retention(&app, &["--on", &on], keep);
    assert!(ok, "{err}");
    let listed = table(&dry);
    let key = |org: &str, c: &str, r: &str| (org.to_owned(), c.to_owned(), r.to_owned());
    let expected: BTreeMap<_, _> = [
        // 4 hour logs and a competency; a stipend.
        (key("alliance-arts2work", "PROGRESS", "RETENTION"), 5),
        (key("alliance-arts2work", "SERVICES", "RETENTION"), 1),
        // What HOLA could read on the agreement's last day.
        (key("hola", "ENROLLMENT", "AGREEMENT_ENDED"), 1),
        (key("hola", "PROGRESS", "AGREEMENT_ENDED"), 5),
    ]
    .into_iter()
    .collect();
    assert_eq!(listed, expected, "{dry}");
    assert!(
        dry.contains("--apply deletes 6 rows and orders 6 destructions"),
        "{dry}"
    );
    // The dry run changed nothing: no table gained, lost or changed a row.
    assert_eq!(
        common::database_fingerprint(&app.db).await,
        before,
        "the dry run changed the database"
    );
    // Seen from today, nothing is due.
    let (ok, today, _) = retention(&app, &[], keep);
    assert!(ok);
    assert!(table(&today).is_empty(), "{today}");

    let (ok, applied, err) = retention(&app, &["--on", &on, "--apply", "--batch", "2"], keep);
    assert!(ok, "{err}");
    assert!(
        applied.contains("deleted 6 rows, ordered 6 destructions"),
        "{applied}"
    );
    assert_eq!(table(&applied), expected);

    // The rows are gone, the enrollment (no retention) stays.
    let enrollments = enrollment::Entity::find()
        .filter(enrollment::Column::ParticipantId.eq(p))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(enrollments.len(), 1);
    let e = enrollments[0].id;
    assert_eq!(
        hour_log::Entity::find()
            .filter(hour_log::Column::EnrollmentId.eq(e))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        competency_attainment::Entity::find()
            .filter(competency_attainment::Column::EnrollmentId.eq(e))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        service::Entity::find()
            .filter(service::Column::ParticipantId.eq(p))
            .count(&app.db)
            .await
            .unwrap(),
        0
    );
    // An audit entry per deletion and per order, without the data.
    let audited = audit_event::Entity::find()
        .filter(audit_event::Column::ActorSubject.eq("system:retention"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(audited.len(), 12);
    assert!(audited.iter().all(|a| a.action.as_str() == "DELETE"));
    assert!(
        audited
            .iter()
            .all(|a| !a.detail.clone().unwrap_or_default().contains("Marisol"))
    );
    let done = sharing_agreement::Entity::find_by_id(agreement)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert!(done.destroyed_at.is_some());

    // HOLA's feed: a tombstone for each of the six rows.
    let answer = app
        .query(Some(&hola), CHANGES, json!({ "since": at }))
        .await;
    let nodes = answer["data"]["changes"]["nodes"].as_array().unwrap();
    let tombstoned: std::collections::BTreeSet<&str> = nodes
        .iter()
        .filter(|n| n["operation"] == "DELETE")
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(tombstoned.len(), 6, "{answer}");
    assert!(tombstoned.contains(e.to_string().as_str()));

    // Nothing is left to do.
    let (ok, again, _) = retention(&app, &["--on", &on], keep);
    assert!(ok);
    assert!(table(&again).is_empty(), "{again}");
});

hub_test!(profile_categories_cannot_be_retained_by_age, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let (ok, _, err) = retention(&app, &[], "IDENTITY = 30");
    assert!(!ok);
    assert!(err.contains("retention.IDENTITY"), "{err}");
    assert!(err.contains("eraseParticipant"), "{err}");
});
