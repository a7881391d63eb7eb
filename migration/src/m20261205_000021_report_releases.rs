//! Report releases (issue 32): the release ledger — what each viewer
//! organization has been shown by reports, and which populations are
//! suppressed for it for good — and the privacy-loss budget of each
//! organization per year (differential mode).
//!
//! Neither table holds a participant id: a population is named by the
//! programs and months it covers. Like the audit log, `retention run`
//! never removes a release.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("report_release")
                    .col(pk_uuid("id"))
                    // The viewer organization the figures were shown to.
                    .col(uuid("org_id"))
                    // The population's canonical key: programs and months.
                    .col(string_len("population", 4000))
                    // `*` (every program) or program ids joined by `,`.
                    .col(text("programs"))
                    // Months as `year × 12 + month − 1`; NULL: open end.
                    .col(big_integer_null("month_from"))
                    .col(big_integer_null("month_to"))
                    // The group's name for people (the admin's console).
                    .col(string_len("label", 400))
                    // Released counts as JSON (`{"ENROLLED":32,…}`); NULL
                    // when the population is suppressed.
                    .col(text_null("figures"))
                    .col(boolean("suppressed"))
                    .col(string_len_null("reason", 200))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_report_release_org_id")
                            .from("report_release", "org_id")
                            .to("organization", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_report_release_org_id_population")
                    .table("report_release")
                    .col("org_id")
                    .col("population")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("privacy_budget")
                    .col(pk_uuid("id"))
                    .col(uuid("org_id"))
                    .col(integer("year"))
                    // The privacy loss (ε) the organization may spend in
                    // the year, and what it has spent.
                    .col(double("budget"))
                    .col(double("spent"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_privacy_budget_org_id")
                            .from("privacy_budget", "org_id")
                            .to("organization", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_privacy_budget_org_id_year")
                    .table("privacy_budget")
                    .col("org_id")
                    .col("year")
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("privacy_budget").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("report_release").to_owned())
            .await
    }
}
