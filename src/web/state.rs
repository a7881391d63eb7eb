//! What every handler of the HTTP endpoints and the console shares: the
//! application state built at start, and the verification of a token into
//! a viewer.

use std::sync::Arc;

use axum::http::{HeaderMap, header};
use sea_orm::DatabaseConnection;

use crate::auth::{Role, TokenVerifier, Viewer};
use crate::graphql::{HubSchema, build_schema};
use crate::ground::config::Config;
use crate::ground::error::Error;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// The primary and its read replicas (reports, the feed, the audit log).
    pub reads: Arc<crate::ground::replicas::Reads>,
    pub config: Arc<Config>,
    pub verifier: Arc<TokenVerifier>,
    pub schema: HubSchema,
    /// Every SQL statement the hub ran (see [`crate::ground::db::count_statements`]).
    pub sql_statements: Arc<std::sync::atomic::AtomicU64>,
    /// The key of the console's CSRF tokens, made at start.
    pub console_key: Arc<[u8; 32]>,
    /// Rate limits per subject and per client address (this process).
    pub rate_limits: Arc<crate::web::limits::RateLimits>,
    /// Counters for `/metrics`.
    pub metrics: Arc<super::http::metrics::Metrics>,
    /// Set when shutdown began: `/readyz` answers 503.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    /// Partner systems (breakers and answer caches shared by all requests).
    pub partners: Arc<crate::adapters::Partners>,
    /// Writes requests' read disclosures, many requests per commit.
    pub audit: crate::audit::Writer,
    /// Who issues Open Badges, with the signing key when configured.
    pub badges: Arc<crate::records::badges::BadgeIssuer>,
    /// The day requests are decided on (`fixed_today`, or the real date).
    pub clock: crate::ground::clock::Clock,
    /// Organization ids by slug, as tokens name them. A slug is set when
    /// the organization is made and never changes, and organizations are
    /// not deleted, so a slug found once is not looked up again (unknown
    /// slugs are not kept: each is looked up).
    pub org_ids: Arc<std::sync::RwLock<std::collections::HashMap<String, uuid::Uuid>>>,
}

impl AppState {
    /// Builds the state from validated configuration and a connected database.
    pub fn new(
        config: Config,
        db: DatabaseConnection,
    ) -> Result<AppState, crate::ground::config::ConfigError> {
        AppState::with_shared(config, db, None, Vec::new())
    }

    /// Builds the state and, when `limits.redis_url` is set, connects to
    /// the Redis that instances share (a failure names the setting).
    pub async fn connect(
        config: Config,
        db: DatabaseConnection,
    ) -> Result<AppState, crate::ground::config::ConfigError> {
        let shared = match &config.limits.redis_url {
            Some(url) => Some(
                crate::ground::shared::Shared::connect(
                    url,
                    &config.limits.redis_namespace,
                    config.limits.redis_timeout(),
                    config.limits.persisted_queries,
                )
                .await
                .map_err(|e| {
                    crate::ground::config::ConfigError(format!(
                        "`limits.redis_url` does not answer ({:?})",
                        e.kind()
                    ))
                })?,
            ),
            None => None,
        };
        let replicas = crate::ground::replicas::Reads::connect_replicas(&config)
            .await
            .map_err(|_| {
                crate::ground::config::ConfigError(
                    "`database_read_urls`: a replica's address is not valid".into(),
                )
            })?;
        // A database migrated to the listing table gets its grants once.
        crate::policy::listing::ensure_built(&db)
            .await
            .map_err(|_| {
                crate::ground::config::ConfigError(
                    "the database could not build who may list whom (participant_listing)".into(),
                )
            })?;
        AppState::with_shared(config, db, shared, replicas)
    }

    fn with_shared(
        config: Config,
        mut db: DatabaseConnection,
        shared: Option<crate::ground::shared::Shared>,
        replicas: Vec<DatabaseConnection>,
    ) -> Result<AppState, crate::ground::config::ConfigError> {
        let verifier = TokenVerifier::from_config(&config.auth)?;
        let badges = Arc::new(crate::records::badges::BadgeIssuer::from_config(&config)?);
        let sql_statements = crate::ground::db::count_statements(&mut db);
        let reads = crate::ground::replicas::Reads::new(
            db.clone(),
            replicas,
            std::time::Duration::from_millis(config.replica_max_wait_ms),
            &sql_statements,
        );
        let partners = Arc::new(crate::adapters::Partners::from_config(&config.partners)?);
        if let Some(day) = config.fixed_today {
            tracing::warn!(%day, "fixed_today is set: the policy decides dates as of this day");
        }
        let clock = crate::ground::clock::Clock::fixed(config.fixed_today);
        let config = Arc::new(config);
        let rate_limits = Arc::new(crate::web::limits::RateLimits::new(
            &config.limits,
            shared.clone(),
        ));
        Ok(AppState {
            schema: build_schema(Some(reads.clone()), Some(config.clone()), shared),
            audit: crate::audit::Writer::start(db.clone()),
            db,
            reads,
            config,
            verifier: Arc::new(verifier),
            sql_statements,
            console_key: Arc::new(random_key()),
            rate_limits,
            metrics: Arc::default(),
            draining: Arc::default(),
            partners,
            badges,
            clock,
            org_ids: Arc::default(),
        })
    }

    /// SQL statements run since start.
    pub fn statements(&self) -> u64 {
        self.sql_statements
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// 32 random bytes (two v4 UUIDs: the OS's random source).
fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    key[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    key
}

/// Verifies the bearer token, if any, into a viewer whose organization exists.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, Error> {
    match bearer_token(headers)? {
        Some(token) => viewer_from_token(state, token).await.map(Some),
        None => Ok(None),
    }
}

/// The token of an `Authorization: Bearer <token>` header; `None` without
/// the header. Also used by fuzzing (`fuzz/fuzz_targets/bearer_token.rs`).
pub fn bearer_token(headers: &HeaderMap) -> Result<Option<&str>, Error> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|token| Some(token.trim()))
        .ok_or(Error::Unauthenticated(
            "the Authorization header must be `Bearer <token>`",
        ))
}

/// Verifies a token into a viewer whose organization exists.
pub async fn viewer_from_token(state: &AppState, token: &str) -> Result<Viewer, Error> {
    let claims = state.verifier.verify(token).await?;
    if claims.org.is_empty() {
        // A youth's own token (no organization): the role `participant`
        // once its subject is linked to a hub id (`redeemAccountCode`).
        let linked = crate::people::accounts::linked(&state.db, &claims.sub).await?;
        let (participant_id, reach) = match linked {
            Some((person, reach)) => (Some(person), Some(reach)),
            None => (None, None),
        };
        return Ok(Viewer {
            subject: claims.sub,
            org_id: uuid::Uuid::nil(),
            org_slug: String::new(),
            roles: participant_id
                .map(|_| Role::Participant)
                .into_iter()
                .collect(),
            participant_id,
            reach,
        });
    }
    let known = state
        .org_ids
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get(&claims.org)
        .copied();
    let org_id = match known {
        Some(id) => id,
        None => {
            let org = crate::directory::organizations::by_slug(&state.db, &claims.org)
                .await?
                .ok_or(Error::Unauthenticated("the token could not be verified"))?;
            state
                .org_ids
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .insert(org.slug, org.id);
            org.id
        }
    };
    Ok(Viewer {
        subject: claims.sub,
        org_id,
        org_slug: claims.org,
        roles: claims
            .roles
            .iter()
            .filter_map(|r| Role::from_claim(r))
            // An organization's token never reads as a youth's own.
            .filter(|r| *r != Role::Participant)
            .collect(),
        participant_id: None,
        reach: None,
    })
}
