//! The tamper-evident audit log (DESIGN.md section 10, issue 20): a chain
//! of seals over `audit_event`, each carrying the hash of one event's
//! content and of the seal before it, in sealing order. Append-only like
//! the events themselves.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("audit_seal")
                    .col(big_integer("seq").primary_key())
                    .col(uuid("event_id").unique_key())
                    .col(string_len("hash", 64))
                    .col(timestamp_with_time_zone("sealed_at"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            // The function of migration 000006 refuses every change.
            db.execute_unprepared(
                "CREATE TRIGGER audit_seal_no_update_delete BEFORE UPDATE OR DELETE ON audit_seal \
                 FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_seal_no_truncate BEFORE TRUNCATE ON audit_seal \
                 FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
            )
            .await?;
        } else {
            db.execute_unprepared(
                "CREATE TRIGGER audit_seal_no_update BEFORE UPDATE ON audit_seal \
                 BEGIN SELECT RAISE(ABORT, 'audit_seal is append-only'); END",
            )
            .await?;
            db.execute_unprepared(
                "CREATE TRIGGER audit_seal_no_delete BEFORE DELETE ON audit_seal \
                 BEGIN SELECT RAISE(ABORT, 'audit_seal is append-only'); END",
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("audit_seal").to_owned())
            .await
    }
}
