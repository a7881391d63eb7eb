//! Creates organizations, pathways, programs, mentors and competencies.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("organization")
                    .col(pk_uuid("id"))
                    .col(string_uniq("slug"))
                    .col(string("name"))
                    .col(string_len("kind", 40))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("pathway")
                    .col(pk_uuid("id"))
                    .col(string_uniq("code"))
                    .col(string("name"))
                    .col(string("sector"))
                    .col(string_null("soc_code"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("program")
                    .col(pk_uuid("id"))
                    .col(uuid("org_id"))
                    .col(uuid_null("pathway_id"))
                    .col(string("name"))
                    .col(string_len("kind", 40))
                    .col(string_len("approach", 40))
                    .col(double_null("required_ojt_hours"))
                    .col(double_null("required_rti_hours"))
                    .col(double_null("scheduled_hours"))
                    .col(double_null("stipend_threshold_pct"))
                    .col(string_null("site"))
                    .col(date_null("starts_on"))
                    .col(date_null("ends_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_program_org_id")
                            .from("program", "org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_program_pathway_id")
                            .from("program", "pathway_id")
                            .to("pathway", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_program_org_id")
                    .table("program")
                    .col("org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_program_pathway_id")
                    .table("program")
                    .col("pathway_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("mentor")
                    .col(pk_uuid("id"))
                    .col(uuid("org_id"))
                    .col(string("name"))
                    .col(string_null("email"))
                    .col(string_null("craft"))
                    .col(string_null("union_local"))
                    .col(boolean("active"))
                    .col(string_null("external_id"))
                    .col(string("source").default("hub"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentor_org_id")
                            .from("mentor", "org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mentor_org_id")
                    .table("mentor")
                    .col("org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_mentor_org_id_external_id")
                    .table("mentor")
                    .col("org_id")
                    .col("external_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mentor_craft")
                    .table("mentor")
                    .col("craft")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mentor_union_local")
                    .table("mentor")
                    .col("union_local")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("competency")
                    .col(pk_uuid("id"))
                    .col(uuid("pathway_id"))
                    .col(string("code"))
                    .col(string("name"))
                    .col(string_len("domain", 40))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_competency_pathway_id")
                            .from("competency", "pathway_id")
                            .to("pathway", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_competency_pathway_id")
                    .table("competency")
                    .col("pathway_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_competency_pathway_id_code")
                    .table("competency")
                    .col("pathway_id")
                    .col("code")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("competency").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("mentor").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("program").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("pathway").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("organization").to_owned())
            .await?;
        Ok(())
    }
}
