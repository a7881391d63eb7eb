//! Report facts kept current by the writes (issue 19): approved OJT and
//! RTI hours and logged attendance hours per enrollment, so that a report
//! reads one row per enrollment instead of summing every hour log. Kept by
//! triggers on `hour_log` in the writing transaction itself — a log, an
//! approval, an import, a partner sync, retention or erasure — so the
//! facts can never disagree with the hour logs they sum. PostgreSQL adds
//! each statement's rows at once (statement triggers over transition
//! tables: a 10 000-line import is one update per enrollment); SQLite, row
//! by row. A facts row is locked by the transaction that changes its
//! hour logs until it ends, so hour writes of one enrollment wait for each
//! other; PostgreSQL's triggers take the rows in enrollment order, so two
//! writers of many enrollments cannot deadlock on them. Sums are rounded
//! to 6 decimals at each change, so adding and removing the same hours
//! leaves exactly 0, never a float residue that a report's "has hours"
//! would count.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The facts of a set of hour-log rows `r`, per enrollment: what they add.
const FACTS: &str = "SUM(CASE WHEN r.kind = 'OJT' AND r.approved THEN r.hours ELSE 0.0 END), \
    SUM(CASE WHEN r.kind = 'RTI' AND r.approved THEN r.hours ELSE 0.0 END), \
    SUM(CASE WHEN r.kind = 'ATTENDANCE' THEN r.hours ELSE 0.0 END)";

fn postgres() -> Vec<String> {
    let add = |rows: &str, sign: &str| {
        format!(
            "INSERT INTO enrollment_hours (enrollment_id, ojt, rti, att) \
             SELECT f.eid, {sign} f.ojt, {sign} f.rti, {sign} f.att FROM \
             (SELECT r.enrollment_id AS eid, {FACTS} FROM {rows} r GROUP BY r.enrollment_id) \
             AS f(eid, ojt, rti, att) ORDER BY f.eid \
             ON CONFLICT (enrollment_id) DO UPDATE SET \
             ojt = round((enrollment_hours.ojt + EXCLUDED.ojt)::numeric, 6)::double precision, \
             rti = round((enrollment_hours.rti + EXCLUDED.rti)::numeric, 6)::double precision, \
             att = round((enrollment_hours.att + EXCLUDED.att)::numeric, 6)::double precision;"
        )
    };
    let function = |name: &str, body: String| {
        format!(
            "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$"
        )
    };
    vec![
        "CREATE TABLE enrollment_hours (enrollment_id uuid PRIMARY KEY REFERENCES enrollment (id) ON DELETE CASCADE, \
         ojt double precision NOT NULL DEFAULT 0, rti double precision NOT NULL DEFAULT 0, \
         att double precision NOT NULL DEFAULT 0)"
            .into(),
        function("enrollment_hours_insert", add("new_rows", "")),
        function(
            "enrollment_hours_update",
            format!("{} {}", add("old_rows", "-"), add("new_rows", "")),
        ),
        function("enrollment_hours_delete", add("old_rows", "-")),
        "CREATE TRIGGER enrollment_hours_insert AFTER INSERT ON hour_log REFERENCING NEW TABLE AS new_rows \
         FOR EACH STATEMENT EXECUTE FUNCTION enrollment_hours_insert()"
            .into(),
        "CREATE TRIGGER enrollment_hours_update AFTER UPDATE ON hour_log REFERENCING OLD TABLE AS old_rows \
         NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION enrollment_hours_update()"
            .into(),
        "CREATE TRIGGER enrollment_hours_delete AFTER DELETE ON hour_log REFERENCING OLD TABLE AS old_rows \
         FOR EACH STATEMENT EXECUTE FUNCTION enrollment_hours_delete()"
            .into(),
        format!(
            "INSERT INTO enrollment_hours (enrollment_id, ojt, rti, att) \
             SELECT r.enrollment_id, {FACTS} FROM hour_log r GROUP BY r.enrollment_id"
        ),
    ]
}

fn sqlite() -> Vec<String> {
    // One row's facts: `r` is NEW or OLD.
    let of = |r: &str, sign: &str| {
        format!(
            "{sign}(CASE WHEN {r}.kind = 'OJT' AND {r}.approved THEN {r}.hours ELSE 0.0 END), \
             {sign}(CASE WHEN {r}.kind = 'RTI' AND {r}.approved THEN {r}.hours ELSE 0.0 END), \
             {sign}(CASE WHEN {r}.kind = 'ATTENDANCE' THEN {r}.hours ELSE 0.0 END)"
        )
    };
    let add = |r: &str, sign: &str| {
        format!(
            "INSERT INTO enrollment_hours (enrollment_id, ojt, rti, att) VALUES ({r}.enrollment_id, {}) \
             ON CONFLICT (enrollment_id) DO UPDATE SET ojt = round(ojt + excluded.ojt, 6), \
             rti = round(rti + excluded.rti, 6), att = round(att + excluded.att, 6);",
            of(r, sign)
        )
    };
    vec![
        "CREATE TABLE enrollment_hours (enrollment_id blob PRIMARY KEY REFERENCES enrollment (id) ON DELETE CASCADE, \
         ojt real NOT NULL DEFAULT 0, rti real NOT NULL DEFAULT 0, att real NOT NULL DEFAULT 0)"
            .into(),
        format!(
            "CREATE TRIGGER enrollment_hours_insert AFTER INSERT ON hour_log BEGIN {} END",
            add("NEW", "")
        ),
        format!(
            "CREATE TRIGGER enrollment_hours_update AFTER UPDATE ON hour_log BEGIN {} {} END",
            add("OLD", "-"),
            add("NEW", "")
        ),
        format!(
            "CREATE TRIGGER enrollment_hours_delete AFTER DELETE ON hour_log BEGIN {} END",
            add("OLD", "-")
        ),
        format!(
            "INSERT INTO enrollment_hours (enrollment_id, ojt, rti, att) \
             SELECT r.enrollment_id, {FACTS} FROM hour_log r GROUP BY r.enrollment_id"
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements = match db.get_database_backend() {
            DatabaseBackend::Postgres => postgres(),
            _ => sqlite(),
        };
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
        for event in ["insert", "update", "delete"] {
            let sql = if postgres {
                format!(
                    "DROP TRIGGER IF EXISTS enrollment_hours_{event} ON hour_log; \
                     DROP FUNCTION IF EXISTS enrollment_hours_{event}()"
                )
            } else {
                format!("DROP TRIGGER IF EXISTS enrollment_hours_{event}")
            };
            db.execute_unprepared(&sql).await?;
        }
        db.execute_unprepared("DROP TABLE IF EXISTS enrollment_hours")
            .await?;
        Ok(())
    }
}
