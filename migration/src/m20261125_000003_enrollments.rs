//! Creates enrollments, their status history, hour logs and competency attainments.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("enrollment")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("program_id"))
                    .col(uuid("owner_org_id"))
                    .col(string_len("status", 40))
                    .col(date("applied_on"))
                    .col(date_null("started_on"))
                    .col(date_null("exited_on"))
                    .col(text_null("exit_reason"))
                    .col(string_null("external_id"))
                    .col(string("source").default("hub"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrollment_participant_id")
                            .from("enrollment", "participant_id")
                            .to("participant", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrollment_program_id")
                            .from("enrollment", "program_id")
                            .to("program", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrollment_owner_org_id")
                            .from("enrollment", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enrollment_participant_id")
                    .table("enrollment")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enrollment_program_id")
                    .table("enrollment")
                    .col("program_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enrollment_owner_org_id")
                    .table("enrollment")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_enrollment_owner_org_id_external_id")
                    .table("enrollment")
                    .col("owner_org_id")
                    .col("external_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enrollment_status")
                    .table("enrollment")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("enrollment_status_change")
                    .col(pk_uuid("id"))
                    .col(uuid("enrollment_id"))
                    .col(uuid("owner_org_id"))
                    .col(string_len_null("from_status", 40))
                    .col(string_len("to_status", 40))
                    .col(date("changed_on"))
                    .col(string_null("reason"))
                    .col(string("changed_by"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrollment_status_change_enrollment_id")
                            .from("enrollment_status_change", "enrollment_id")
                            .to("enrollment", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_enrollment_status_change_owner_org_id")
                            .from("enrollment_status_change", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enrollment_status_change_enrollment_id")
                    .table("enrollment_status_change")
                    .col("enrollment_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_enrollment_status_change_owner_org_id")
                    .table("enrollment_status_change")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("hour_log")
                    .col(pk_uuid("id"))
                    .col(uuid("enrollment_id"))
                    .col(uuid("owner_org_id"))
                    .col(string_len("kind", 40))
                    .col(date("worked_on"))
                    .col(double("hours"))
                    .col(string("logged_by"))
                    .col(boolean("approved"))
                    .col(string_null("approved_by"))
                    .col(timestamp_with_time_zone_null("approved_at"))
                    .col(string_null("external_id"))
                    .col(string("source").default("hub"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hour_log_enrollment_id")
                            .from("hour_log", "enrollment_id")
                            .to("enrollment", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_hour_log_owner_org_id")
                            .from("hour_log", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_hour_log_enrollment_id")
                    .table("hour_log")
                    .col("enrollment_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_hour_log_owner_org_id")
                    .table("hour_log")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_hour_log_owner_org_id_external_id")
                    .table("hour_log")
                    .col("owner_org_id")
                    .col("external_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_hour_log_kind")
                    .table("hour_log")
                    .col("kind")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("competency_attainment")
                    .col(pk_uuid("id"))
                    .col(uuid("enrollment_id"))
                    .col(uuid("competency_id"))
                    .col(uuid("owner_org_id"))
                    .col(date("attained_on"))
                    .col(string("assessed_by"))
                    .col(integer("level"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_competency_attainment_enrollment_id")
                            .from("competency_attainment", "enrollment_id")
                            .to("enrollment", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_competency_attainment_competency_id")
                            .from("competency_attainment", "competency_id")
                            .to("competency", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_competency_attainment_owner_org_id")
                            .from("competency_attainment", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_competency_attainment_enrollment_id")
                    .table("competency_attainment")
                    .col("enrollment_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_competency_attainment_competency_id")
                    .table("competency_attainment")
                    .col("competency_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_competency_attainment_owner_org_id")
                    .table("competency_attainment")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("competency_attainment").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("hour_log").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("enrollment_status_change").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("enrollment").to_owned())
            .await?;
        Ok(())
    }
}
