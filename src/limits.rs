//! Limits that keep one client from hurting the others (DESIGN.md section 7:
//! `QUERY_TOO_COMPLEX`, `RATE_LIMITED`): query depth, complexity (list
//! fields weighted by `first`), aliases, directives and document size,
//! checked before anything executes; batch size; request body size, request
//! timeout and CORS; rate limits per subject and per client address.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError, ServerResult, ValidationResult, Variables};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::error::codes;

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
    /// Most directives on one field.
    pub max_directives: usize,
    /// Largest query text, in bytes.
    pub max_document_bytes: usize,
    /// Most operations in one batched POST.
    pub max_batch: usize,
    /// Largest request body of `/graphql`, in bytes.
    pub max_body_bytes: usize,
    /// Longest a GraphQL request may take, in seconds (then `503`).
    pub request_timeout_secs: u64,
    /// Schema introspection (turn off in production).
    pub introspection: bool,
    /// "Did you mean…" suggestions in validation errors (turn off in production).
    pub suggestions: bool,
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
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_depth: 12,
            max_complexity: 20_000,
            max_aliases: 30,
            max_directives: 5,
            max_document_bytes: 32 * 1024,
            max_batch: 10,
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            introspection: true,
            suggestions: true,
            per_subject_per_minute: 6_000,
            per_ip_per_minute: 12_000,
            cors_allowed_origins: Vec::new(),
            shutdown_grace_secs: 5,
            persisted_queries: 1_000,
            redis_url: None,
            redis_namespace: "pathways-hub".to_owned(),
        }
    }
}

impl LimitsConfig {
    /// Checks the values; a problem names its setting.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            ("limits.max_depth", self.max_depth),
            ("limits.max_complexity", self.max_complexity),
            ("limits.max_document_bytes", self.max_document_bytes),
            ("limits.max_batch", self.max_batch),
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

fn too_complex(message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", codes::QUERY_TOO_COMPLEX);
    error.extensions = Some(extensions);
    error
}

/// Marks a request that arrived by `GET`: it may only read.
#[derive(Debug, Clone, Copy)]
pub struct ReadOnly;

/// The schema extension that checks a document before it executes:
/// its size, aliases, and (for `GET`) that it is not a mutation — also when
/// it came as a persisted-query hash — and gives async-graphql's own depth,
/// complexity, recursion and directive refusals the `QUERY_TOO_COMPLEX` code.
pub struct QueryLimits {
    pub max_aliases: usize,
    pub max_document_bytes: usize,
}

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimitsExtension {
            max_aliases: self.max_aliases,
            max_document_bytes: self.max_document_bytes,
        })
    }
}

struct QueryLimitsExtension {
    max_aliases: usize,
    max_document_bytes: usize,
}

fn count_aliases(doc: &ExecutableDocument) -> usize {
    fn walk(set: &Positioned<SelectionSet>) -> usize {
        set.node
            .items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + walk(&f.node.selection_set)
                }
                Selection::InlineFragment(f) => walk(&f.node.selection_set),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    doc.operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set))
        .chain(doc.fragments.values().map(|f| walk(&f.node.selection_set)))
        .sum()
}

/// async-graphql's own limit messages (its validation and parser).
fn is_limit_message(message: &str) -> bool {
    message == "Query is too complex."
        || message == "Query is nested too deep."
        || message.contains("recursion depth")
        || message.contains("recursion limit")
        || message.starts_with("The number of directives")
}

#[async_graphql::async_trait::async_trait]
impl Extension for QueryLimitsExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        if query.len() > self.max_document_bytes {
            return Err(too_complex(format!(
                "the query is longer than {} bytes",
                self.max_document_bytes
            )));
        }
        let doc = next.run(ctx, query, variables).await.map_err(|mut e| {
            if is_limit_message(&e.message) {
                e = too_complex(e.message);
            }
            e
        })?;
        if count_aliases(&doc) > self.max_aliases {
            return Err(too_complex(format!(
                "the query has more than {} aliases",
                self.max_aliases
            )));
        }
        if ctx.data_opt::<ReadOnly>().is_some()
            && doc
                .operations
                .iter()
                .any(|(_, op)| op.node.ty != OperationType::Query)
        {
            let mut error = ServerError::new("mutations must be sent with POST", None);
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", codes::BAD_USER_INPUT);
            extensions.set("field", "query");
            error.extensions = Some(extensions);
            return Err(error);
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    if is_limit_message(&e.message) {
                        too_complex(e.message)
                    } else {
                        e
                    }
                })
                .collect()
        })
    }
}

/// Rate limits per subject and per client address: in this process, or
/// shared by every instance through Redis.
pub struct RateLimits {
    subjects: DefaultKeyedRateLimiter<String>,
    addresses: DefaultKeyedRateLimiter<IpAddr>,
    per_subject: u32,
    per_address: u32,
    shared: Option<crate::shared::Shared>,
}

fn per_minute(n: u32) -> Quota {
    // Validated to be more than 0 at start.
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    pub fn new(config: &LimitsConfig, shared: Option<crate::shared::Shared>) -> RateLimits {
        RateLimits {
            subjects: RateLimiter::keyed(per_minute(config.per_subject_per_minute)),
            addresses: RateLimiter::keyed(per_minute(config.per_ip_per_minute)),
            per_subject: config.per_subject_per_minute,
            per_address: config.per_ip_per_minute,
            shared,
        }
    }

    /// `Err(wait)` when the subject has used its quota.
    pub async fn check_subject(&self, subject: &str) -> Result<(), Duration> {
        if let Some(shared) = &self.shared {
            return shared.hit("subject", subject, self.per_subject).await;
        }
        self.subjects
            .check_key(&subject.to_owned())
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// `Err(wait)` when the address has used its quota.
    pub async fn check_address(&self, address: IpAddr) -> Result<(), Duration> {
        if let Some(shared) = &self.shared {
            return shared
                .hit("address", &address.to_string(), self.per_address)
                .await;
        }
        self.addresses
            .check_key(&address)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_are_counted_in_operations_and_fragments() {
        let doc = async_graphql::parser::parse_query(
            "query { a: viewer { subject } b: viewer { s: subject } ...F } fragment F on Query { c: pathways { code } }",
        )
        .unwrap();
        assert_eq!(count_aliases(&doc), 4);
    }

    #[tokio::test]
    async fn a_subject_over_its_quota_waits() {
        let limits = RateLimits::new(
            &LimitsConfig {
                per_subject_per_minute: 2,
                ..LimitsConfig::default()
            },
            None,
        );
        assert!(limits.check_subject("a").await.is_ok());
        assert!(limits.check_subject("a").await.is_ok());
        let wait = limits.check_subject("a").await.unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(60));
        assert!(
            limits.check_subject("b").await.is_ok(),
            "quotas are per subject"
        );
    }

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
}
