//! The command line's arguments (clap): `serve`, `migrate`, `seed`,
//! `token`, `export-schema`, `import`, `sync` and the benchmarks.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Pathways Hub: one GraphQL API for LA County's career-pathway partners.
#[derive(Debug, Parser)]
#[command(name = "pathways-hub", version, about)]
pub struct Cli {
    /// Configuration file (default: ./pathways-hub.toml when it exists).
    #[arg(long, global = true, env = "PATHWAYS_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Runs the HTTP server.
    Serve {
        /// Create, migrate and seed a demo SQLite database on first start and
        /// print ready-to-paste demo tokens.
        #[arg(long)]
        demo: bool,
        /// Address to listen on, overriding the configuration (port 0 picks one).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Applies pending database migrations.
    Migrate,
    /// Loads seed data (only the demo data set exists: `--demo`).
    Seed {
        /// The five programs of the demo, with about 80 youth.
        #[arg(long)]
        demo: bool,
    },
    /// Mints an HS256 token with the configured secret (local use).
    Token {
        /// Subject (`sub`), e.g. staff@wlcac.
        #[arg(long)]
        sub: String,
        /// Organization slug (`org`), e.g. wlcac. Left out: a youth's own
        /// token, linked to their record with `redeemAccountCode`.
        #[arg(long)]
        org: Option<String>,
        /// Comma-separated roles: staff, org_admin, hub_admin, evaluator.
        #[arg(long, value_delimiter = ',', default_value = "staff")]
        roles: Vec<String>,
        /// Lifetime in seconds (default: `auth.token_ttl_secs`).
        #[arg(long)]
        ttl: Option<u64>,
    },
    /// Imports a partner's CSV file for an organization: every line is
    /// checked first; if any is bad, errors are listed by line and column
    /// and nothing is written. Re-running skips external ids already known.
    Import {
        /// The organization whose records the file holds.
        #[arg(long)]
        org: String,
        #[arg(long, value_enum)]
        kind: crate::import::ImportKind,
        /// The CSV file (header line first).
        file: PathBuf,
        /// Check and count, write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Copies a configured partner's records into the hub's tables for
    /// reporting (idempotent: a second run changes nothing).
    Sync {
        /// The partner's configured `name`.
        #[arg(long)]
        partner: String,
    },
    /// Benchmarks: a synthetic dataset, and load against a running hub.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
    /// Retention: rows past their category's retention, and destruction
    /// orders for agreements ended past their `destroy_by`.
    Retention {
        #[command(subcommand)]
        action: RetentionCommand,
    },
    /// Writes an organization's records in a federal format (`rapids`).
    Export {
        #[command(subcommand)]
        which: ExportCommand,
    },
    /// The tamper-evident audit log: seal, verify, print the head.
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
    /// Prints the GraphQL schema (SDL), or writes it to `--out`.
    ExportSchema {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Audit chain commands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walks the hash chain over the audit log and names every event that
    /// was changed or deleted and every missing seal; exits 1 if any.
    Verify {
        /// A head printed earlier by `audit head` (`SEQ:HASH`): also fails
        /// when the chain no longer holds it or ends before it.
        #[arg(long)]
        expect_head: Option<String>,
    },
    /// Seals the events not sealed yet (`serve` does it every second).
    Seal,
    /// Prints the newest seal as `SEQ:HASH`, to keep somewhere else.
    Head,
}

/// Retention commands.
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Lists what would go (rows by organization, category and reason);
    /// with `--apply`, deletes it in batches, each deletion leaving a
    /// change-feed tombstone and an audit entry without the data.
    Run {
        /// Carry the plan out (without it: a dry run that changes nothing).
        #[arg(long)]
        apply: bool,
        /// The day the rules are checked on (default: today), to see ahead.
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
        /// Rows per transaction.
        #[arg(long, default_value_t = 500)]
        batch: usize,
    },
}

/// The exports.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The organization's registered apprentices in the column layout of
    /// the federal RAPIDS bulk apprentice upload, read as its staff would.
    /// Every line's required columns are checked first; if any is missing,
    /// errors are listed by line and column and nothing is written.
    Rapids {
        /// The sponsor organization.
        #[arg(long)]
        org: String,
        /// The CSV file to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Fills the configured database (the demo data, then N synthetic
    /// participants with enrollments, ~10 hour logs each, mentorships and
    /// consents). Reproducible for a seed; use a fresh database.
    Seed {
        #[arg(long)]
        participants: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Runs the case-manager query (50 participants with enrollments, hours
    /// and mentorships) against a running hub, and the same pages with
    /// hand-written SQL (the floor) on the configured database.
    Graph {
        /// The hub's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        /// The partner whose staff asks.
        #[arg(long, default_value = "alliance-arts2work")]
        org: String,
        /// `page`: the case manager's page; `pager`: the same as a pager
        /// sends it (a fragment, cursors, `pageInfo`, `totalCount`);
        /// `detail`: `participant(id)` with every profile field, the links
        /// and every record kind.
        #[arg(long, value_enum, default_value = "page")]
        shape: crate::cli::bench::Shape,
    },
    /// A mixed load (80 % reads, 15 % writes, 5 % reports) from C clients
    /// against one or more running hubs on the configured database; checks
    /// that no update was lost.
    Load {
        /// The hubs' base URLs, comma-separated (requests alternate).
        #[arg(long, default_value = "http://127.0.0.1:8080", value_delimiter = ',')]
        url: Vec<String>,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value = "alliance-arts2work")]
        org: String,
        /// Hub process ids whose peak RSS to report, comma-separated.
        #[arg(long, value_delimiter = ',')]
        pid: Vec<u32>,
    },
    /// Times the full report (every metric, grouped by program and
    /// quarter) on the configured database, as an evaluator and as an
    /// org_admin (after `bench seed`).
    Report {
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// The evaluator's organization.
        #[arg(long, default_value = "harder-co")]
        evaluator: String,
        /// The org_admin's organization.
        #[arg(long, default_value = "alliance-arts2work")]
        org: String,
    },
    /// Partner fan-out: an in-process hub (temporary SQLite database) in
    /// front of 1, 3 and 6 local partners answering after a fixed delay;
    /// prints the hub's latency and its overhead over the slowest partner.
    Fanout {
        /// Partner counts, comma-separated (0: the page without partners).
        #[arg(long, value_delimiter = ',', default_value = "1,3,6")]
        partners: Vec<usize>,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Each partner's answer delay in milliseconds.
        #[arg(long, default_value_t = 50)]
        delay_ms: u64,
        /// Participants on the page (each known to every partner), 1–50:
        /// 50 is a case manager's list, 1 a participant's own page.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..=50))]
        participants: u16,
        /// A PostgreSQL server (URL without a database) to create a
        /// temporary database on; SQLite otherwise.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// The hub as a federation subgraph behind a real router (needs
    /// `node` and `npm ci` in `tests/federation-js`): an in-process hub on
    /// a temporary database, measured directly, through the router, and
    /// with the router resolving participants through `_entities`. Every
    /// client sends with its own token.
    Gateway {
        #[arg(long, default_value_t = 50)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// `apollo`: Apollo Server + Apollo Gateway (node); `hive`: Hive
        /// Router (the `hive_router` binary of `cargo install hive-router`).
        #[arg(long, value_enum, default_value = "apollo")]
        router: crate::cli::bench::Router,
        /// The script serving the router (default: `serve.mjs` or
        /// `hive.mjs` in `tests/federation-js`).
        #[arg(long)]
        script: Option<PathBuf>,
        /// Hive Router's binary (default: `hive_router` on the PATH or in
        /// cargo's bin folder).
        #[arg(long, env = "HIVE_ROUTER")]
        hive_router: Option<PathBuf>,
        /// A running hub's base URL (e.g. after `bench seed`): the case
        /// manager's page on its data, tokens minted with the configured
        /// secret; a temporary hub otherwise.
        #[arg(long)]
        url: Option<String>,
        /// With `--url`: the partner whose staff asks.
        #[arg(long, default_value = "alliance-arts2work")]
        org: String,
        /// A PostgreSQL server (URL without a database) to create a
        /// temporary database on; SQLite otherwise.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Sends `logHours` from C concurrent clients to a running hub, on the
    /// partner's ACTIVE enrollments (after `bench seed`).
    Writes {
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        url: String,
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value = "alliance-arts2work")]
        org: String,
    },
}
