//! Creates consents and data-sharing agreements.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("consent")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("owner_org_id"))
                    .col(uuid_null("recipient_org_id"))
                    .col(text("categories"))
                    .col(string_len("purpose", 40))
                    .col(string("granted_by"))
                    .col(string_null("guardian_name"))
                    .col(date("signed_on"))
                    .col(date_null("expires_on"))
                    .col(string_len("status", 40))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consent_participant_id")
                            .from("consent", "participant_id")
                            .to("participant", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consent_owner_org_id")
                            .from("consent", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_consent_recipient_org_id")
                            .from("consent", "recipient_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consent_participant_id")
                    .table("consent")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consent_owner_org_id")
                    .table("consent")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consent_recipient_org_id")
                    .table("consent")
                    .col("recipient_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_consent_status")
                    .table("consent")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("sharing_agreement")
                    .col(pk_uuid("id"))
                    .col(uuid("provider_org_id"))
                    .col(uuid("recipient_org_id"))
                    .col(text("categories"))
                    .col(string_len("purpose", 40))
                    .col(boolean("requires_consent"))
                    .col(string_len("status", 40))
                    .col(date("effective_on"))
                    .col(date_null("expires_on"))
                    .col(string("proposed_by"))
                    .col(string_null("accepted_by"))
                    .col(timestamp_with_time_zone_null("accepted_at"))
                    .col(string_null("approved_by"))
                    .col(timestamp_with_time_zone_null("approved_at"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sharing_agreement_provider_org_id")
                            .from("sharing_agreement", "provider_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sharing_agreement_recipient_org_id")
                            .from("sharing_agreement", "recipient_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sharing_agreement_provider_org_id")
                    .table("sharing_agreement")
                    .col("provider_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sharing_agreement_recipient_org_id")
                    .table("sharing_agreement")
                    .col("recipient_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sharing_agreement_provider_org_id_recipient_org_id")
                    .table("sharing_agreement")
                    .col("provider_org_id")
                    .col("recipient_org_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("sharing_agreement").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("consent").to_owned())
            .await?;
        Ok(())
    }
}
