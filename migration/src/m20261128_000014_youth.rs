//! The youth's own access (DESIGN.md section 10): accounts linking a
//! youth's own token to their hub id, the one-time codes that make the
//! link, the re-affirmation of a guardian's consent at 18, and requests
//! to correct a record (FERPA 99.20).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn to_participant(table: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_participant_id"))
        .from(table, "participant_id")
        .to("participant", "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

fn to_org(table: &'static str, column: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to("organization", "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("participant_account")
                    .col(pk_uuid("id"))
                    .col(string("subject").unique_key())
                    .col(uuid("participant_id").unique_key())
                    .col(uuid("linked_org_id"))
                    .col(string("linked_by"))
                    .col(timestamp_with_time_zone("linked_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut to_participant("participant_account"))
                    .foreign_key(&mut to_org("participant_account", "linked_org_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("account_code")
                    .col(pk_uuid("id"))
                    .col(string_len("code_hash", 64).unique_key())
                    .col(uuid("participant_id"))
                    .col(uuid("issued_by_org_id"))
                    .col(string("issued_by"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("redeemed_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut to_participant("account_code"))
                    .foreign_key(&mut to_org("account_code", "issued_by_org_id"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_account_code_participant_id")
                    .table("account_code")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("consent")
                    .add_column(timestamp_with_time_zone_null("reaffirmed_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("correction_request")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("owner_org_id"))
                    .col(string_len("entity", 40))
                    .col(uuid("entity_id"))
                    .col(string_len("field", 60))
                    .col(text("proposed_value"))
                    .col(text("reason"))
                    .col(string_len("status", 20))
                    .col(text_null("answer"))
                    .col(string("requested_by"))
                    .col(string_null("resolved_by"))
                    .col(timestamp_with_time_zone_null("resolved_at"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut to_participant("correction_request"))
                    .foreign_key(&mut to_org("correction_request", "owner_org_id"))
                    .to_owned(),
            )
            .await?;
        for column in ["participant_id", "owner_org_id"] {
            manager
                .create_index(
                    Index::create()
                        .name(format!("ix_correction_request_{column}"))
                        .table("correction_request")
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["correction_request", "account_code", "participant_account"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("consent")
                    .drop_column("reaffirmed_at")
                    .to_owned(),
            )
            .await
    }
}
