//! The audit sealer's queue (issue 19): each new `audit_event` is noted in
//! `audit_unsealed` by a trigger in the inserting transaction, and the
//! sealer takes the oldest from there and removes them as it seals them.
//! It used to look for events "not in `audit_seal`", an anti-join over
//! every event ever written, once a second: at 200 000 events one pass
//! took over 40 s of three PostgreSQL processes' CPU, beside the requests.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match db.get_database_backend() {
            DatabaseBackend::Postgres => &[
                "CREATE TABLE audit_unsealed (event_id uuid PRIMARY KEY, at timestamptz NOT NULL)",
                "CREATE INDEX ix_audit_unsealed_at ON audit_unsealed (at, event_id)",
                "CREATE FUNCTION audit_unsealed_note() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 INSERT INTO audit_unsealed (event_id, at) SELECT id, at FROM new_rows; RETURN NULL; END $$",
                "CREATE TRIGGER audit_unsealed_note AFTER INSERT ON audit_event REFERENCING NEW TABLE AS new_rows \
                 FOR EACH STATEMENT EXECUTE FUNCTION audit_unsealed_note()",
                "INSERT INTO audit_unsealed (event_id, at) SELECT e.id, e.at FROM audit_event e \
                 WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_id = e.id)",
            ],
            _ => &[
                "CREATE TABLE audit_unsealed (event_id blob PRIMARY KEY, at text NOT NULL)",
                "CREATE INDEX ix_audit_unsealed_at ON audit_unsealed (at, event_id)",
                "CREATE TRIGGER audit_unsealed_note AFTER INSERT ON audit_event BEGIN \
                 INSERT INTO audit_unsealed (event_id, at) VALUES (NEW.id, NEW.at); END",
                "INSERT INTO audit_unsealed (event_id, at) SELECT e.id, e.at FROM audit_event e \
                 WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_id = e.id)",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let sql = if db.get_database_backend() == DatabaseBackend::Postgres {
            "DROP TRIGGER IF EXISTS audit_unsealed_note ON audit_event; \
             DROP FUNCTION IF EXISTS audit_unsealed_note(); DROP TABLE IF EXISTS audit_unsealed"
        } else {
            "DROP TRIGGER IF EXISTS audit_unsealed_note; DROP TABLE IF EXISTS audit_unsealed"
        };
        db.execute_unprepared(sql).await?;
        Ok(())
    }
}
