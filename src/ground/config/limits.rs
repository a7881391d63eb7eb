//! `[limits]` of the configuration: what the query limits (`graphql`) and
//! the HTTP layer (`web`) enforce — depth, complexity, aliases, body and
//! batch sizes, timeouts, CORS origins, rate limits and the shared Redis.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// `[limits]` of the configuration.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Deepest selection nesting a query may have.
    pub max_depth: usize,
    /// Highest complexity (one per field; a paged list counts `first` times
    /// its selection).
    pub max_complexity: usize,
    /// Most aliased fields in one document.
    pub max_aliases: usize,
    /// Most times one field (response key) may be selected in one
    /// selection set.
    pub max_field_repeats: usize,
    /// Most directives on one field.
    pub max_directives: usize,
    /// Largest query text, in bytes.
    pub max_document_bytes: usize,
    /// Most operations in one batched POST.
    pub max_batch: usize,
    /// Largest request body of `/graphql`, in bytes.
    pub max_body_bytes: usize,
    /// Longest a GraphQL request may take, in seconds (then `503` with
    /// `Retry-After` and `INTERNAL`).
    pub request_timeout_secs: u64,
    /// Schema introspection (off outside demo mode).
    pub introspection: bool,
    /// "Did you mean…" suggestions in validation errors (off outside demo
    /// mode: they reveal the schema).
    pub suggestions: bool,
    /// GraphiQL at `GET /graphql` for a browser (off outside demo mode).
    pub graphiql: bool,
    /// CSRF prevention, as Apollo Server's: a `GET` query is executed only
    /// with an `apollo-require-preflight` or `x-apollo-operation-name`
    /// header, or a content type a browser cannot send without a preflight
    /// (a plain link or form cannot then make the viewer's browser read).
    pub csrf_prevention: bool,
    /// Requests a subject (a token's `sub`) may make per minute.
    pub per_subject_per_minute: u32,
    /// Requests a client address may make per minute.
    pub per_ip_per_minute: u32,
    /// Origins a browser app may call the API from (CORS); none by default.
    pub cors_allowed_origins: Vec<String>,
    /// Seconds `/readyz` answers 503 before the server stops accepting, so a
    /// load balancer stops sending new requests first.
    pub shutdown_grace_secs: u64,
    /// Persisted queries kept in memory (automatic persisted queries).
    pub persisted_queries: usize,
    /// `redis://host:port`: rate limits and persisted queries shared by
    /// every instance; per process when absent.
    pub redis_url: Option<String>,
    /// Prefix of the hub's Redis keys.
    pub redis_namespace: String,
    /// Milliseconds a request waits for a pooled database connection; then
    /// it fails (`503`, `INTERNAL`) instead of queueing while the database
    /// is away. Also bounds `/readyz`'s database check.
    pub db_acquire_timeout_ms: u64,
    /// Milliseconds a call to the shared Redis may take; a slower one
    /// counts as Redis away (rate limits and persisted queries per process).
    pub redis_timeout_ms: u64,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_depth: 12,
            max_complexity: 20_000,
            max_aliases: 30,
            max_field_repeats: 10,
            max_directives: 5,
            max_document_bytes: 32 * 1024,
            max_batch: 5,
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            introspection: false,
            suggestions: false,
            graphiql: false,
            csrf_prevention: true,
            per_subject_per_minute: 6_000,
            per_ip_per_minute: 12_000,
            cors_allowed_origins: Vec::new(),
            shutdown_grace_secs: 5,
            persisted_queries: 1_000,
            redis_url: None,
            redis_namespace: "pathways-hub".to_owned(),
            db_acquire_timeout_ms: 3_000,
            redis_timeout_ms: 250,
        }
    }
}

impl LimitsConfig {
    /// How long a request waits for a pooled database connection.
    pub fn db_acquire_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.db_acquire_timeout_ms)
    }

    /// How long a call to the shared Redis may take.
    pub fn redis_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.redis_timeout_ms)
    }

    /// Checks the values; a problem names its setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            ("limits.max_depth", self.max_depth),
            ("limits.max_complexity", self.max_complexity),
            ("limits.max_document_bytes", self.max_document_bytes),
            ("limits.max_batch", self.max_batch),
            ("limits.max_field_repeats", self.max_field_repeats),
            ("limits.max_body_bytes", self.max_body_bytes),
            ("limits.persisted_queries", self.persisted_queries),
            (
                "limits.request_timeout_secs",
                self.request_timeout_secs as usize,
            ),
            (
                "limits.per_subject_per_minute",
                self.per_subject_per_minute as usize,
            ),
            ("limits.per_ip_per_minute", self.per_ip_per_minute as usize),
            (
                "limits.db_acquire_timeout_ms",
                self.db_acquire_timeout_ms as usize,
            ),
            ("limits.redis_timeout_ms", self.redis_timeout_ms as usize),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(ConfigError(format!("`{name}` must be more than 0")));
            }
        }
        if let Some(url) = &self.redis_url
            && !url.starts_with("redis://")
        {
            return Err(ConfigError(
                "`limits.redis_url` must start with redis://".to_owned(),
            ));
        }
        for origin in &self.cors_allowed_origins {
            let ok = url::Url::parse(origin).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https") && u.path() == "/" && !origin.ends_with('/')
            });
            if !ok {
                return Err(ConfigError(format!(
                    "`limits.cors_allowed_origins` has {origin:?}: an origin is scheme://host[:port], without a path"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        let mut config = LimitsConfig {
            cors_allowed_origins: vec!["https://partner.example.org".into()],
            ..LimitsConfig::default()
        };
        assert!(config.validate().is_ok());
        config.cors_allowed_origins = vec!["https://partner.example.org/app".into()];
        assert!(
            config
                .validate()
                .unwrap_err()
                .0
                .contains("cors_allowed_origins")
        );
    }

    #[test]
    fn timeouts_must_be_positive() {
        let config = LimitsConfig {
            db_acquire_timeout_ms: 0,
            ..LimitsConfig::default()
        };
        let err = config.validate().unwrap_err().0;
        assert!(err.contains("limits.db_acquire_timeout_ms"), "{err}");
        assert!(!err.contains('\n'));
        let config = LimitsConfig {
            redis_timeout_ms: 0,
            ..LimitsConfig::default()
        };
        assert!(
            config
                .validate()
                .unwrap_err()
                .0
                .contains("limits.redis_timeout_ms")
        );
    }
}
