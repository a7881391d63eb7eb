//! The change feed written a statement at a time on PostgreSQL (issue 19).
//!
//! `m20261128_000011` wrote a participant-level row's change from a row
//! trigger, whose `INSERT INTO change_log` ran a second row trigger to
//! stamp its version: two PL/pgSQL calls and two single-row statements per
//! row. A 5 000-line hours import spent 85 ms of its ~420 ms there. Here:
//! - each tracked table has three statement triggers (insert, update,
//!   delete) over the statement's transition table, each one
//!   `INSERT INTO change_log … SELECT` for all of the statement's rows;
//! - `change_log.change_version` defaults to the next value of
//!   `change_version_seq`, and a statement trigger on `change_log` publishes
//!   the transaction's first version (the in-flight advisory lock the
//!   readers' horizon needs, `records::feed::newest`) *before* the rows draw
//!   theirs, so every version the transaction writes is above the one it
//!   published. The published version itself is used by no row: a gap,
//!   as a rolled-back change leaves;
//! - the row stamp stays for rows inserted with an explicit NULL version
//!   (what the hub writes itself, `records::feed::access`), now only for
//!   those (`WHEN (NEW.change_version IS NULL)`).
//!
//! SQLite keeps its row triggers: one writer, and no transition tables.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use super::m20261128_000011_change_feed::{TRACKED, publish_first_version};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The events of the statement triggers: name suffix, event, transition
/// table, and the operation a row's change records.
const EVENTS: [(&str, &str, &str, &str); 3] = [
    ("insert", "INSERT", "NEW TABLE AS new_rows", "UPSERT"),
    ("update", "UPDATE", "NEW TABLE AS new_rows", "UPSERT"),
    ("delete", "DELETE", "OLD TABLE AS old_rows", "DELETE"),
];

fn up_statements() -> Vec<String> {
    let mut sql = vec![
        "ALTER TABLE change_log ALTER COLUMN change_version SET DEFAULT nextval('change_version_seq')"
            .to_owned(),
        format!(
            "CREATE FUNCTION change_log_publish() RETURNS trigger AS $$ \
             DECLARE v bigint; first text; \
             BEGIN \
               first := current_setting('pathways.change_first', true); \
               IF first IS NULL OR first = '' THEN {publish} END IF; \
               RETURN NULL; \
             END $$ LANGUAGE plpgsql",
            publish = publish_first_version(),
        ),
        "CREATE TRIGGER change_log_publish BEFORE INSERT ON change_log \
           FOR EACH STATEMENT EXECUTE FUNCTION change_log_publish()"
            .to_owned(),
        "DROP TRIGGER change_log_stamp ON change_log".to_owned(),
        "CREATE TRIGGER change_log_stamp BEFORE INSERT ON change_log \
           FOR EACH ROW WHEN (NEW.change_version IS NULL) EXECUTE FUNCTION change_log_stamp()"
            .to_owned(),
    ];
    for t in TRACKED {
        let table = t.table;
        sql.push(format!(
            "DROP TRIGGER change_{table} ON {table}; DROP FUNCTION change_{table}()"
        ));
        for (suffix, event, transition, operation) in EVENTS {
            let name = format!("change_{table}_{suffix}");
            let rows = if suffix == "delete" {
                "old_rows"
            } else {
                "new_rows"
            };
            sql.push(format!(
                "CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {insert}; RETURN NULL; END $$ \
                 LANGUAGE plpgsql",
                insert = t.insert_all(rows, operation),
            ));
            sql.push(format!(
                "CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition} \
                 FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            ));
        }
    }
    sql
}

fn down_statements() -> Vec<String> {
    let mut sql = Vec::new();
    for t in TRACKED {
        let table = t.table;
        for (suffix, ..) in EVENTS {
            sql.push(format!(
                "DROP TRIGGER change_{table}_{suffix} ON {table}; DROP FUNCTION change_{table}_{suffix}()"
            ));
        }
        sql.extend(t.row_trigger());
    }
    sql.extend([
        "DROP TRIGGER change_log_stamp ON change_log".to_owned(),
        "CREATE TRIGGER change_log_stamp BEFORE INSERT ON change_log \
           FOR EACH ROW EXECUTE FUNCTION change_log_stamp()"
            .to_owned(),
        "DROP TRIGGER change_log_publish ON change_log; DROP FUNCTION change_log_publish()"
            .to_owned(),
        "ALTER TABLE change_log ALTER COLUMN change_version DROP DEFAULT".to_owned(),
    ]);
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DatabaseBackend::Postgres {
            for statement in up_statements() {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if db.get_database_backend() == DatabaseBackend::Postgres {
            for statement in down_statements() {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }
}
