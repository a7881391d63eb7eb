//! Each audit seal names the format its event was hashed in (issue 30):
//! `audit_seal.format`, 1 for every seal written before this step (fields
//! joined by U+001F, `created_at`/`updated_at` left out) and the default,
//! so a sealer of an earlier release, still running during an upgrade,
//! writes seals that verify; 2 for the seals the hub writes from now on
//! (every column, length-prefixed; `src/audit/chain/encoding.rs`).
//! Adding a column with a default rewrites no row, so the append-only
//! triggers of `audit_seal` (migration 000015) stay as they are.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("audit_seal")
                    .add_column(small_integer("format").default(1))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("audit_seal")
                    .drop_column("format")
                    .to_owned(),
            )
            .await
    }
}
