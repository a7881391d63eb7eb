//! Creates credentials, mentorships, dual enrollments, services and outcomes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("credential")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("owner_org_id"))
                    .col(uuid_null("issuer_org_id"))
                    .col(string_null("issuer_name"))
                    .col(string("name"))
                    .col(string_len("kind", 40))
                    .col(date("awarded_on"))
                    .col(date_null("expires_on"))
                    .col(text_null("evidence_url"))
                    .col(string_null("external_id"))
                    .col(string("source").default("hub"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_credential_participant_id")
                            .from("credential", "participant_id")
                            .to("participant", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_credential_owner_org_id")
                            .from("credential", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_credential_issuer_org_id")
                            .from("credential", "issuer_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_credential_participant_id")
                    .table("credential")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_credential_owner_org_id")
                    .table("credential")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_credential_issuer_org_id")
                    .table("credential")
                    .col("issuer_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_credential_owner_org_id_external_id")
                    .table("credential")
                    .col("owner_org_id")
                    .col("external_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("mentorship")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("mentor_id"))
                    .col(uuid("owner_org_id"))
                    .col(string_len("status", 40))
                    .col(date_null("started_on"))
                    .col(date_null("ended_on"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentorship_participant_id")
                            .from("mentorship", "participant_id")
                            .to("participant", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentorship_mentor_id")
                            .from("mentorship", "mentor_id")
                            .to("mentor", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentorship_owner_org_id")
                            .from("mentorship", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mentorship_participant_id")
                    .table("mentorship")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mentorship_mentor_id")
                    .table("mentorship")
                    .col("mentor_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mentorship_owner_org_id")
                    .table("mentorship")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("mentorship_meeting")
                    .col(pk_uuid("id"))
                    .col(uuid("mentorship_id"))
                    .col(uuid("owner_org_id"))
                    .col(date("met_on"))
                    .col(integer("minutes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentorship_meeting_mentorship_id")
                            .from("mentorship_meeting", "mentorship_id")
                            .to("mentorship", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_mentorship_meeting_owner_org_id")
                            .from("mentorship_meeting", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mentorship_meeting_mentorship_id")
                    .table("mentorship_meeting")
                    .col("mentorship_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mentorship_meeting_owner_org_id")
                    .table("mentorship_meeting")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("dual_enrollment")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("owner_org_id"))
                    .col(uuid("high_school_org_id"))
                    .col(uuid("college_org_id"))
                    .col(string("course_code"))
                    .col(string("course_title"))
                    .col(string("term"))
                    .col(double("units_attempted"))
                    .col(double_null("units_earned"))
                    .col(string_null("grade"))
                    .col(string_len("status", 40))
                    .col(string_null("external_id"))
                    .col(string("source").default("hub"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_dual_enrollment_participant_id")
                            .from("dual_enrollment", "participant_id")
                            .to("participant", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_dual_enrollment_owner_org_id")
                            .from("dual_enrollment", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_dual_enrollment_high_school_org_id")
                            .from("dual_enrollment", "high_school_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_dual_enrollment_college_org_id")
                            .from("dual_enrollment", "college_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_dual_enrollment_participant_id")
                    .table("dual_enrollment")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_dual_enrollment_owner_org_id")
                    .table("dual_enrollment")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_dual_enrollment_high_school_org_id")
                    .table("dual_enrollment")
                    .col("high_school_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_dual_enrollment_college_org_id")
                    .table("dual_enrollment")
                    .col("college_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_dual_enrollment_owner_org_id_external_id")
                    .table("dual_enrollment")
                    .col("owner_org_id")
                    .col("external_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("service")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("owner_org_id"))
                    .col(uuid("provider_org_id"))
                    .col(string_len("kind", 40))
                    .col(date("provided_on"))
                    .col(big_integer_null("amount_cents"))
                    .col(string_null("external_id"))
                    .col(string("source").default("hub"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_service_participant_id")
                            .from("service", "participant_id")
                            .to("participant", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_service_owner_org_id")
                            .from("service", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_service_provider_org_id")
                            .from("service", "provider_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_service_participant_id")
                    .table("service")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_service_owner_org_id")
                    .table("service")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_service_provider_org_id")
                    .table("service")
                    .col("provider_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_service_owner_org_id_external_id")
                    .table("service")
                    .col("owner_org_id")
                    .col("external_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("outcome")
                    .col(pk_uuid("id"))
                    .col(uuid("participant_id"))
                    .col(uuid("owner_org_id"))
                    .col(string_len("kind", 40))
                    .col(string_null("employer_name"))
                    .col(string_null("occupation"))
                    .col(big_integer_null("hourly_wage_cents"))
                    .col(string_null("union_local"))
                    .col(date_null("started_on"))
                    .col(boolean("verified"))
                    .col(string_null("external_id"))
                    .col(string("source").default("hub"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outcome_participant_id")
                            .from("outcome", "participant_id")
                            .to("participant", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outcome_owner_org_id")
                            .from("outcome", "owner_org_id")
                            .to("organization", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outcome_participant_id")
                    .table("outcome")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outcome_owner_org_id")
                    .table("outcome")
                    .col("owner_org_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_outcome_owner_org_id_external_id")
                    .table("outcome")
                    .col("owner_org_id")
                    .col("external_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_outcome_kind")
                    .table("outcome")
                    .col("kind")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("outcome").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("service").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("dual_enrollment").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("mentorship_meeting").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("mentorship").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("credential").to_owned())
            .await?;
        Ok(())
    }
}
