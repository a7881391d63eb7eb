//! The tamper-evident audit log (issue 20, DESIGN.md section 10): a hash
//! chain over `audit_event`; `audit verify` names every event changed or
//! deleted behind the triggers' back, and an exported head shows a cut-off
//! tail. An untouched log verifies, on both databases. Issue 30: every
//! column is under the seal (`columns`), chains sealed in the earlier
//! format still verify (`formats`), and events left unsealed too long fail
//! verify (`unsealed`).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

#[path = "audit_chain/columns.rs"]
mod columns;
mod common;
#[path = "audit_chain/formats.rs"]
mod formats;
#[path = "audit_chain/unsealed.rs"]
mod unsealed;

use std::process::Command;

use common::{
    Backend, TEST_MATCH_SECRET, TEST_SECRET, TestApp, assert_ok, insert_org, spawn_app_with,
};
use entity::enums::OrgKind;
use entity::{audit_event, audit_seal};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::json;

/// Runs `pathways-hub audit ARGS` on the test database: (success, stdout, stderr).
fn audit(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    audit_on(&app.state.config.database_url, &[], args)
}

/// Runs `pathways-hub audit ARGS` on the database at `url`, with the
/// environment variables `env` set: (success, stdout, stderr).
fn audit_on(url: &str, env: &[(&str, &str)], args: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "database_url = {url:?}\nmatch_key_secret = {TEST_MATCH_SECRET:?}\n\
             [auth]\nhs256_secret = {TEST_SECRET:?}\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pathways-hub"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .args(["--config", config.to_str().unwrap(), "audit"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `sql` with the append-only triggers off, as a superuser (or anyone
/// with the database file) could.
async fn behind_the_triggers(app: &TestApp, sql: &[String]) {
    behind_the_triggers_of(&app.db, app.backend, sql).await
}

/// `behind_the_triggers` on any database of `backend` (SQLite: the
/// append-only triggers are dropped for good).
async fn behind_the_triggers_of(db: &DatabaseConnection, backend: Backend, sql: &[String]) {
    match backend {
        Backend::Postgres => {
            for table in ["audit_event", "audit_seal"] {
                db.execute_unprepared(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
                    .await
                    .unwrap();
            }
            for statement in sql {
                db.execute_unprepared(statement).await.unwrap();
            }
            for table in ["audit_event", "audit_seal"] {
                db.execute_unprepared(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))
                    .await
                    .unwrap();
            }
        }
        Backend::Sqlite => {
            for trigger in [
                "audit_event_no_update",
                "audit_event_no_delete",
                "audit_seal_no_update",
                "audit_seal_no_delete",
            ] {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {trigger}"))
                    .await
                    .unwrap();
            }
            for statement in sql {
                db.execute_unprepared(statement).await.unwrap();
            }
        }
    }
}

/// A UUID as SQL: text on PostgreSQL, a 16-byte blob on SQLite.
fn lit(backend: Backend, id: uuid::Uuid) -> String {
    match backend {
        Backend::Postgres => format!("'{id}'"),
        Backend::Sqlite => format!("X'{}'", id.simple()),
    }
}

hub_test!(
    audit_verify_names_what_was_changed_deleted_or_cut_off,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
        let staff = app.staff("wlcac");
        for (n, given) in ["Ana", "Beto", "Carla", "Dario", "Elena", "Fabi"]
            .iter()
            .enumerate()
        {
            let answer = app
            .query(
                Some(&staff),
                "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { id } }",
                json!({ "input": { "givenName": given, "familyName": "Chain", "birthDate": format!("200{n}-02-03") } }),
            )
            .await;
            assert_ok(&answer);
        }
        let events = audit_event::Entity::find().count(&app.db).await.unwrap();
        assert!(events >= 6, "{events}");

        // Untouched: everything sealed verifies, and the head names the last seal.
        let (ok, out, err) = audit(&app, &["seal"]);
        assert!(ok, "{err}");
        let (ok, out2, err) = audit(&app, &["verify"]);
        assert!(ok, "{out}{out2}{err}");
        assert!(
            out2.contains(&format!("audit log verifies: {events} sealed events")),
            "{out2}"
        );
        assert!(out2.contains("0 not sealed yet"), "{out2}");
        // The sealer's queue holds what is not sealed yet: nothing now.
        assert_eq!(app.count("audit_unsealed").await, 0);
        let (ok, head, _) = audit(&app, &["head"]);
        assert!(ok);
        let head = head.trim().to_owned();
        assert!(head.starts_with(&format!("{events}:")), "{head}");
        assert_eq!(head.len(), events.to_string().len() + 1 + 64);
        let (ok, _, err) = audit(&app, &["verify", "--expect-head", &head]);
        assert!(ok, "{err}");

        // Behind the triggers: change one event, delete another, and cut the
        // tail (the last event and its seal).
        let seals = audit_seal::Entity::find()
            .order_by_asc(audit_seal::Column::Seq)
            .all(&app.db)
            .await
            .unwrap();
        let (changed, deleted, last) =
            (seals[1].event_id, seals[3].event_id, seals.last().unwrap());
        let lit = |id| lit(backend, id);
        behind_the_triggers(
            &app,
            &[
                format!(
                    "UPDATE audit_event SET actor_subject = 'nobody@wlcac' WHERE id = {}",
                    lit(changed)
                ),
                format!("DELETE FROM audit_event WHERE id = {}", lit(deleted)),
                format!("DELETE FROM audit_event WHERE id = {}", lit(last.event_id)),
                format!("DELETE FROM audit_seal WHERE seq = {}", last.seq),
            ],
        )
        .await;
        assert_eq!(
            audit_event::Entity::find().count(&app.db).await.unwrap(),
            events - 2
        );
        let (ok, out, err) = audit(&app, &["verify"]);
        assert!(!ok, "a tampered log must not verify: {out}");
        assert!(
            out.contains(&format!(
                "event {changed} (seal 2) does not match its hash: changed"
            )),
            "{out}"
        );
        assert!(
            out.contains(&format!("event {deleted} (seal 4) is missing: deleted")),
            "{out}"
        );
        assert!(err.contains("2 problem(s)"), "{err}");
        // The cut tail leaves no trace in the chain itself; the exported head shows it.
        assert!(!out.contains("cut off"), "{out}");
        let (ok, out, _) = audit(&app, &["verify", "--expect-head", &head]);
        assert!(!ok);
        assert!(
            out.contains(&format!(
                "the chain ends at seal {} but the exported head is seal {events}",
                events - 1
            )),
            "{out}"
        );
        // A head that is not SEQ:HASH is refused with a clear line.
        let (ok, _, err) = audit(&app, &["verify", "--expect-head", "latest"]);
        assert!(!ok && err.contains("SEQ:HASH"), "{err}");
    }
);

hub_test!(serve_seals_new_events_by_itself, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    insert_org(&app.db, "wlcac", OrgKind::LeadAgency).await;
    let answer = app
        .query(
            Some(&app.staff("wlcac")),
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { id } }",
            json!({ "input": { "givenName": "Gabi", "familyName": "Chain", "birthDate": "2004-05-06" } }),
        )
        .await;
    assert_ok(&answer);
    let events = audit_event::Entity::find().count(&app.db).await.unwrap();
    // The server's sealer runs once a second: wait (bounded) until it has
    // sealed every event, counted in tries, never timed.
    let mut tries = 0;
    while audit_seal::Entity::find().count(&app.db).await.unwrap() < events {
        tries += 1;
        assert!(tries < 100, "the sealer did not seal {events} events");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (ok, out, err) = audit(&app, &["verify"]);
    assert!(ok, "{err}");
    assert!(out.contains("0 not sealed yet"), "{out}");
});
