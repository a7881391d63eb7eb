//! Retention (DESIGN.md section 10): the date by which a recipient must
//! have destroyed what it received under an agreement, and when the hub
//! ordered that destruction (`retention run --apply`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("sharing_agreement")
                    .add_column(date_null("destroy_by"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("sharing_agreement")
                    .add_column(timestamp_with_time_zone_null("destroyed_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["destroyed_at", "destroy_by"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("sharing_agreement")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
