//! No single organization beyond its share (DESIGN.md section 11):
//! - `account_link_confirmation`: another holder of the youth's profile (or
//!   a hub_admin, `org_id` null, for every organization) confirmed the
//!   youth's account link, widening it to that organization's rows;
//! - `account_link_ended`: links suspended by a holder or a hub_admin, or
//!   ended by a split, kept so that holders and the audit trail can show
//!   them (the live link table keeps one link per person and per subject);
//! - `credential_confirmation`: a member organization named as a
//!   credential's issuer confirmed it (only then is it a hub-signed badge);
//! - `consent_majority`: the day the change feed settled a guardian's
//!   consent at the youth's 18th birthday (tombstones for the readers that
//!   lost access then).
//!
//! Each table names the participant, so erasure removes it with the rest.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 4] = [
    "account_link_confirmation",
    "account_link_ended",
    "credential_confirmation",
    "consent_majority",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("account_link_confirmation")
                    .col(pk_uuid("id"))
                    .col(uuid("account_id"))
                    .col(uuid("participant_id"))
                    .col(uuid_null("org_id"))
                    .col(string("confirmed_by"))
                    .col(timestamp_with_time_zone("confirmed_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_account_link_confirmation_account_id")
                    .table("account_link_confirmation")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("account_link_ended")
                    .col(pk_uuid("id"))
                    .col(string("subject"))
                    .col(uuid("participant_id"))
                    .col(uuid("linked_org_id"))
                    .col(string("linked_by"))
                    .col(timestamp_with_time_zone("linked_at"))
                    .col(string_len("reason", 20))
                    .col(uuid_null("ended_by_org_id"))
                    .col(string("ended_by"))
                    .col(timestamp_with_time_zone("ended_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_account_link_ended_participant_id")
                    .table("account_link_ended")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("credential_confirmation")
                    .col(pk_uuid("credential_id"))
                    .col(uuid("participant_id"))
                    .col(uuid("org_id"))
                    .col(string("confirmed_by"))
                    .col(timestamp_with_time_zone("confirmed_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("consent_majority")
                    .col(pk_uuid("consent_id"))
                    .col(uuid("participant_id"))
                    .col(date("settled_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
