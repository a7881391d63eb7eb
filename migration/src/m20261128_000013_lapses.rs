//! The change feed's lapses by date (DESIGN.md section 10): the day the
//! hub wrote the tombstones of an agreement or a consent that ended by
//! its `expires_on` (no write happens when a date passes, so the feed
//! settles such a lapse the first time it is read after it).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["sharing_agreement", "consent"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(date_null("lapse_settled_on"))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .drop_column("lapse_settled_on")
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
