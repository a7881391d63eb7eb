//! Creates participants, their per-organization profiles and the identity crosswalk.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("participant")
                    .col(pk_uuid("id"))
                    .col(string("match_key"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_participant_match_key")
                    .table("participant")
                    .col("match_key")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("participant_profile")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("org_id"))
                    .col(string("given_name"))
                    .col(string("family_name"))
                    .col(string_null("preferred_name"))
                    .col(date_null("birth_date"))
                    .col(string_null("email"))
                    .col(string_null("phone"))
                    .col(string_null("postal_code"))
                    .col(string_null("gender"))
                    .col(string_null("race_ethnicity"))
                    .col(text("priority_populations").default(""))
                    .col(string_null("guardian_name"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participant_profile_participant_id")
                            .from("participant_profile", "participant_id")
                            .to("participant", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participant_profile_org_id")
                            .from("participant_profile", "org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_participant_profile_participant_id")
                    .table("participant_profile")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_participant_profile_org_id")
                    .table("participant_profile")
                    .col("org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_participant_profile_participant_id_org_id")
                    .table("participant_profile")
                    .col("participant_id")
                    .col("org_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("participant_link")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("org_id"))
                    .col(string("external_id"))
                    .col(string("source").default("hub"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participant_link_participant_id")
                            .from("participant_link", "participant_id")
                            .to("participant", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participant_link_org_id")
                            .from("participant_link", "org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_participant_link_participant_id")
                    .table("participant_link")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_participant_link_org_id")
                    .table("participant_link")
                    .col("org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_participant_link_org_id_external_id")
                    .table("participant_link")
                    .col("org_id")
                    .col("external_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("participant_link").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("participant_profile").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("participant").to_owned())
            .await?;
        Ok(())
    }
}
