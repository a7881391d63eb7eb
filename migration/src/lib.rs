//! Database migrations of Pathways Hub, one file per step. The same steps run
//! on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_directory;
mod m20261125_000002_participants;
mod m20261125_000003_enrollments;
mod m20261125_000004_records;
mod m20261125_000005_sharing;
mod m20261125_000006_audit;
mod m20261125_000008_reports;
mod m20261128_000011_change_feed;
mod m20261128_000012_retention;
mod m20261128_000013_lapses;
mod m20261128_000014_youth;
mod m20261128_000015_audit_chain;
mod m20261128_000016_enrollment_hours;
mod m20261128_000017_audit_unsealed;
mod m20261128_000018_change_feed_statements;
mod m20261205_000019_boundaries;
mod m20261205_000020_audit_seal_format;
mod m20261205_000021_report_releases;
mod m20261205_000022_participant_listing;

/// The advisory locks the change feed's versions are drawn and published
/// under on PostgreSQL (the readers' side is `records::feed::horizon`).
pub mod change_feed {
    pub use super::m20261128_000011_change_feed::{DRAW_LOCK, IN_FLIGHT};
}

/// Runs the hub's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_directory::Migration),
            Box::new(m20261125_000002_participants::Migration),
            Box::new(m20261125_000003_enrollments::Migration),
            Box::new(m20261125_000004_records::Migration),
            Box::new(m20261125_000005_sharing::Migration),
            Box::new(m20261125_000006_audit::Migration),
            Box::new(m20261125_000008_reports::Migration),
            Box::new(m20261128_000011_change_feed::Migration),
            Box::new(m20261128_000012_retention::Migration),
            Box::new(m20261128_000013_lapses::Migration),
            Box::new(m20261128_000014_youth::Migration),
            Box::new(m20261128_000015_audit_chain::Migration),
            Box::new(m20261128_000016_enrollment_hours::Migration),
            Box::new(m20261128_000017_audit_unsealed::Migration),
            Box::new(m20261128_000018_change_feed_statements::Migration),
            Box::new(m20261205_000019_boundaries::Migration),
            Box::new(m20261205_000020_audit_seal_format::Migration),
            Box::new(m20261205_000021_report_releases::Migration),
            Box::new(m20261205_000022_participant_listing::Migration),
        ]
    }
}
