//! Reports (issue 10): programs' targets, and indexes for the aggregates.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A program's target for one report metric (LACHSA: completion rate
        // 0.95, graduation rate 1.0, certification 0.95), as in its grant.
        manager
            .create_table(
                Table::create()
                    .table("program_target")
                    .col(pk_uuid("id"))
                    .col(uuid("program_id"))
                    .col(string_len("metric", 40))
                    .col(double("target"))
                    .col(text_null("note"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_program_target_program_id")
                            .from("program_target", "program_id")
                            .to("program", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_program_target_program_id_metric")
                    .table("program_target")
                    .col("program_id")
                    .col("metric")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // The report sums approved OJT/RTI and attendance hours per
        // enrollment: with these columns in the index the sums read the
        // index alone.
        manager
            .create_index(
                Index::create()
                    .name("ix_hour_log_report")
                    .table("hour_log")
                    .col("enrollment_id")
                    .col("kind")
                    .col("approved")
                    .col("hours")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_hour_log_report")
                    .table("hour_log")
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table("program_target").to_owned())
            .await
    }
}
