//! Typed configuration: a TOML file (`pathways-hub.toml` by default) plus
//! `PATHWAYS_`-prefixed environment variables (`__` separates sections, e.g.
//! `PATHWAYS_AUTH__HS256_SECRET`) and `DATABASE_URL`. Validated at start: a bad
//! value stops the start with one line naming the setting.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

mod audit;
mod auth;
mod badges;
mod limits;
pub mod partners;
pub mod retention;
mod telemetry;
mod webhooks;

pub use audit::AuditConfig;
pub use auth::{AuthConfig, is_loopback};
pub use badges::BadgesConfig;
pub use limits::LimitsConfig;
pub use partners::{PartnerConfig, PartnerKind, RecordKind};
pub use telemetry::TelemetryConfig;
pub use webhooks::WebhookConfig;

/// The file read when no `--config` is given.
pub const DEFAULT_CONFIG_FILE: &str = "pathways-hub.toml";
/// The SQLite file `serve --demo` creates.
pub const DEMO_DATABASE_URL: &str = "sqlite://pathways-hub.db?mode=rwc";

/// The hub's whole configuration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://FILE?mode=rwc` (embedded default) or `postgres://…`.
    #[serde(default = "default_database_url")]
    pub database_url: String,
    /// Largest number of pooled database connections.
    #[serde(default = "default_db_max_connections")]
    pub db_max_connections: u32,
    /// Streaming replicas of `database_url` (PostgreSQL), one server each:
    /// reports, the change feed and the audit log read from one once it
    /// has replayed what the primary had committed when the read began,
    /// else from the primary (`docs/operators.md`). Empty: every read
    /// goes to the primary.
    #[serde(default)]
    pub database_read_urls: Vec<String>,
    /// `"transaction"` when the database URLs name a pooler in
    /// transaction mode (PgBouncer): the driver keeps no prepared
    /// statements across requests and sends no startup parameters (set
    /// `jit = off` on the role instead).
    #[serde(default)]
    pub database_pooler: Pooler,
    /// Milliseconds a read waits for a replica to catch up before it goes
    /// to the primary instead.
    #[serde(default = "default_replica_max_wait_ms")]
    pub replica_max_wait_ms: u64,
    /// Address the HTTP server listens on.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Run pending migrations when `serve` starts.
    #[serde(default = "default_true")]
    pub auto_migrate: bool,
    /// Demo mode: relaxed secret lengths, demo tokens printed at start.
    #[serde(default)]
    pub demo: bool,
    /// Key of the HMAC that turns names and birth dates into match keys.
    #[serde(default)]
    pub match_key_secret: Option<String>,
    /// `text` (default) or `json` log lines.
    #[serde(default)]
    pub log_format: LogFormat,
    /// Token verification.
    #[serde(default)]
    pub auth: AuthConfig,
    /// Partner systems whose records are fetched at query time
    /// (`[[partners]]`, see `adapters::config`).
    #[serde(default)]
    pub partners: Vec<PartnerConfig>,
    /// Query, request and rate limits.
    #[serde(default)]
    pub limits: crate::ground::config::LimitsConfig,
    /// Aggregate reports.
    #[serde(default)]
    pub reports: ReportsConfig,
    /// Organizations told when the change feed has news for them.
    #[serde(default)]
    pub webhooks: Vec<WebhookConfig>,
    /// Days a row of a category is kept after its last change.
    #[serde(default)]
    pub retention: retention::RetentionConfig,
    /// Open Badges 3.0 credentials: public address and signing key.
    #[serde(default)]
    pub badges: BadgesConfig,
    /// Fixes the day the policy checks dates against (agreements' and
    /// consents' dates, a youth's 18th birthday), for demos and tests;
    /// left out, it is the real date. Logged at start when set.
    #[serde(default)]
    pub fixed_today: Option<chrono::NaiveDate>,
    /// OpenTelemetry traces over OTLP.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// The audit log's alarm for events left unsealed.
    #[serde(default)]
    pub audit: AuditConfig,
}

/// Aggregate reports (DESIGN.md section 6).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReportsConfig {
    /// Smallest count shown: counts from 1 to `suppression_threshold - 1`
    /// are suppressed (11 as CMS: 1–10 hidden). At least 2.
    #[serde(default = "default_suppression_threshold")]
    pub suppression_threshold: u32,
    /// `exact` (suppression and the release ledger) or `differential`
    /// (calibrated noise and a privacy-loss budget) for reports that cross
    /// organizations (evaluators').
    #[serde(default)]
    pub privacy: Privacy,
    /// Differential mode: the privacy loss (ε) one report spends.
    #[serde(default = "default_epsilon")]
    pub epsilon: f64,
    /// Differential mode: the privacy loss an evaluator organization may
    /// spend per calendar year (its budget row is created with this).
    #[serde(default = "default_yearly_budget")]
    pub yearly_budget: f64,
    /// Differential mode: approved OJT/RTI hours one participant adds to a
    /// figure at most (more are clamped to this).
    #[serde(default = "default_max_hours")]
    pub max_hours_per_person: f64,
}

/// How reports that cross organizations protect small groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Privacy {
    /// Exact figures, small-cell suppression and the release ledger.
    #[default]
    Exact,
    /// Figures with discrete Laplace noise, paid from a yearly budget.
    Differential,
}

fn default_epsilon() -> f64 {
    1.0
}

fn default_yearly_budget() -> f64 {
    12.0
}

fn default_max_hours() -> f64 {
    1000.0
}

impl Default for ReportsConfig {
    fn default() -> Self {
        ReportsConfig {
            suppression_threshold: default_suppression_threshold(),
            privacy: Privacy::default(),
            epsilon: default_epsilon(),
            yearly_budget: default_yearly_budget(),
            max_hours_per_person: default_max_hours(),
        }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

fn default_database_url() -> String {
    DEMO_DATABASE_URL.to_owned()
}
fn default_replica_max_wait_ms() -> u64 {
    50
}

/// What stands between the hub and PostgreSQL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pooler {
    /// Nothing: the hub's own pool holds server connections.
    #[default]
    None,
    /// A pooler in transaction mode (PgBouncer `pool_mode = transaction`).
    Transaction,
}

fn default_db_max_connections() -> u32 {
    10
}
fn default_listen() -> String {
    "127.0.0.1:8080".to_owned()
}
fn default_true() -> bool {
    true
}
fn default_suppression_threshold() -> u32 {
    11
}

/// A configuration problem, as one line naming the setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

fn invalid(setting: &str, why: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("`{setting}` {why}"))
}

impl Config {
    /// Reads the TOML file (the given one, or `pathways-hub.toml` when it
    /// exists) and the environment, then validates the result.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        Self::from_figment(Self::figment(file))
    }

    /// The layered sources, file first, environment over it.
    pub fn figment(file: Option<&Path>) -> Figment {
        let file = file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_FILE));
        Figment::new()
            .merge(Toml::file(file))
            .merge(
                Env::prefixed("PATHWAYS_")
                    .split("__")
                    .ignore(&["config", "log"]),
            )
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database_url".into()),
            )
    }

    /// Extracts and validates a configuration from any figment.
    pub fn from_figment(figment: Figment) -> Result<Config, ConfigError> {
        // Outside demo mode the defaults are the production profile; demo
        // mode starts from developer-friendly limits, under anything set.
        let demo = figment.extract_inner::<bool>("demo").unwrap_or(false);
        let figment = if demo {
            // In the default profile (a tuple would be global and win).
            Figment::new()
                .merge(Serialized::default("limits.introspection", true))
                .merge(Serialized::default("limits.suggestions", true))
                .merge(Serialized::default("limits.graphiql", true))
                .merge(Serialized::default("limits.max_batch", 10))
                .merge(Serialized::default("limits.csrf_prevention", false))
                .merge(figment)
        } else {
            figment
        };
        let config: Config = figment.extract().map_err(|err| {
            // `partners.0.kind` reads as `partners[0].kind`, as validation names it.
            let mut setting = String::new();
            for part in &err.path {
                if part.parse::<usize>().is_ok() {
                    setting.push_str(&format!("[{part}]"));
                } else {
                    if !setting.is_empty() {
                        setting.push('.');
                    }
                    setting.push_str(part);
                }
            }
            let detail = err.kind.to_string();
            if setting.is_empty() {
                ConfigError(detail)
            } else {
                invalid(&setting, detail)
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks every setting; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.limits.validate()?;
        retention::validate(&self.retention).map_err(|(setting, why)| invalid(&setting, why))?;
        self.badges
            .validate()
            .map_err(|(setting, why)| invalid(&setting, why))?;
        self.telemetry
            .validate()
            .map_err(|(setting, why)| invalid(&setting, why))?;
        self.audit
            .validate()
            .map_err(|(setting, why)| invalid(&setting, why))?;
        for (i, webhook) in self.webhooks.iter().enumerate() {
            webhooks::validate(webhook, &format!("webhooks[{i}]"))
                .map_err(|(setting, why)| invalid(&setting, why))?;
        }
        let url = self.database_url.as_str();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database_url",
                "must start with sqlite:, postgres:// or postgresql://",
            ));
        }
        for (i, read_url) in self.database_read_urls.iter().enumerate() {
            if !self.is_postgres()
                || !(read_url.starts_with("postgres://") || read_url.starts_with("postgresql://"))
            {
                return Err(invalid(
                    &format!("database_read_urls[{i}]"),
                    "replicas are PostgreSQL's: both it and database_url must start with postgres://",
                ));
            }
        }
        if self.db_max_connections == 0 {
            return Err(invalid("db_max_connections", "must be at least 1"));
        }
        self.listen_addr()?;
        let min_secret = if self.demo { 16 } else { 32 };
        match &self.match_key_secret {
            Some(secret) if secret.len() < min_secret => {
                return Err(invalid(
                    "match_key_secret",
                    format!("must be at least {min_secret} bytes"),
                ));
            }
            None if !self.demo => {
                return Err(invalid(
                    "match_key_secret",
                    "is required (at least 32 bytes)",
                ));
            }
            _ => {}
        }
        self.auth
            .validate(min_secret)
            .map_err(|(setting, why)| invalid(&setting, why))?;
        let threshold = self.reports.suppression_threshold;
        if !(2..=1000).contains(&threshold) {
            return Err(invalid(
                "reports.suppression_threshold",
                "must be between 2 and 1000 (1 would show every small count)",
            ));
        }
        let reports = &self.reports;
        if !(reports.epsilon > 0.0 && reports.epsilon <= 10.0) {
            return Err(invalid("reports.epsilon", "must be above 0 and at most 10"));
        }
        if !(reports.yearly_budget >= reports.epsilon && reports.yearly_budget <= 1000.0) {
            return Err(invalid(
                "reports.yearly_budget",
                "must be at least reports.epsilon (one report a year) and at most 1000",
            ));
        }
        if !(reports.max_hours_per_person >= 1.0 && reports.max_hours_per_person <= 10_000.0) {
            return Err(invalid(
                "reports.max_hours_per_person",
                "must be between 1 and 10000",
            ));
        }
        for (i, partner) in self.partners.iter().enumerate() {
            let at = format!("partners[{i}]");
            partners::validate(partner, &at).map_err(|(setting, why)| invalid(&setting, why))?;
            if self.partners[..i].iter().any(|p| p.name == partner.name) {
                return Err(invalid(&format!("{at}.name"), "is used by another partner"));
            }
        }
        Ok(())
    }

    /// The parsed listen address.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.listen
            .parse()
            .map_err(|_| invalid("listen", "must be an address like 127.0.0.1:8080"))
    }

    /// The match-key secret as bytes (validated to be present outside demo).
    pub fn match_key_secret(&self) -> &[u8] {
        self.match_key_secret
            .as_deref()
            .unwrap_or("pathways-hub-demo-match")
            .as_bytes()
    }

    /// Whether the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }
}

/// The TOML that `serve --demo` writes into an empty folder: fresh random
/// secrets, the SQLite file next to it, demo mode on.
pub fn demo_config_toml() -> String {
    let secret = || {
        format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        )
    };
    format!(
        "# Written by `pathways-hub serve --demo`. Local use only.\n\
         demo = true\n\
         database_url = \"{DEMO_DATABASE_URL}\"\n\
         listen = \"127.0.0.1:8080\"\n\
         match_key_secret = \"{}\"\n\n\
         [auth]\n\
         hs256_secret = \"{}\"\n",
        secret(),
        secret()
    )
}

#[cfg(test)]
mod tests;
