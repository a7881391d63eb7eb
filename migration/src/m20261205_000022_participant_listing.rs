//! Access kept as data (issue 31): `participant_listing` holds, for each
//! organization, the participants it may list (read in IDENTITY), with the
//! days each grant holds — an agreement's and a consent's dates, and a
//! guardian's consent's end at the youth's 18th birthday — so that a lapse
//! needs no write and counting what a viewer may list is an index scan.
//!
//! The rows are derived: `policy::listing` alone writes them, in the same
//! transaction as every write that moves who may list whom (profiles,
//! agreements, consents, erasure, linking), and rebuilds the table when it
//! is empty while profiles exist (a database migrated to this version).
//! No foreign keys: a derived row goes with the rows it came from.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("participant_listing")
                    // The organization whose staff may list the participant.
                    .col(uuid("reader_org_id"))
                    .col(uuid("participant_id"))
                    // The organization whose profile the grant reads.
                    .col(uuid("owner_org_id"))
                    // First and last day the grant holds; NULL: unbounded.
                    .col(date_null("valid_from"))
                    .col(date_null("valid_until"))
                    .to_owned(),
            )
            .await?;
        // Listing and counting: one range of the index per reader, read
        // without the table.
        manager
            .create_index(
                Index::create()
                    .name("ix_participant_listing_reader")
                    .table("participant_listing")
                    .col("reader_org_id")
                    .col("participant_id")
                    .col("valid_from")
                    .col("valid_until")
                    .to_owned(),
            )
            .await?;
        // Refreshing one participant's or one agreement's grants.
        manager
            .create_index(
                Index::create()
                    .name("ix_participant_listing_participant")
                    .table("participant_listing")
                    .col("participant_id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_participant_listing_owner")
                    .table("participant_listing")
                    .col("owner_org_id")
                    .col("reader_org_id")
                    .to_owned(),
            )
            .await?;
        // Counting is an index-only scan only while the visibility map is
        // current: a rewrite of one agreement's grants (tens of thousands
        // of rows) should be vacuumed soon, not at a fifth of the table.
        if manager.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "ALTER TABLE participant_listing SET (autovacuum_vacuum_scale_factor = 0.02, \
                     autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02)",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("participant_listing").to_owned())
            .await
    }
}
