//! Partner adapters (DESIGN.md section 5): records that stay in a
//! partner's own system (an apprenticeship tracker, a college's student
//! system) fetched at query time and mapped into our types, marked with
//! their `source`.
//!
//! A partner is declared in configuration only ([`PartnerConfig`]). Each
//! call is bounded by the partner's timeout (retries included), retried
//! with backoff (both call shapes are idempotent reads), guarded by a
//! circuit breaker shared across requests, and answered from a short-lived
//! cache keyed by the viewer's organization. Who may see what is decided
//! before any call, in SQL ([`visible_links`]): the partner is asked only
//! about participants whose records in that category the viewer may read.

pub mod records;
mod resilience;
pub mod sync;
pub mod webhooks;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use entity::participant_link;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::sync::OnceCell;
use uuid::Uuid;

pub use crate::ground::config::partners::{self as config, PartnerConfig, PartnerKind, RecordKind};
pub use records::{Mapped, PartnerRecord, Record};
use resilience::{AnswerCache, Breaker, CacheKey};

use crate::ground::config::ConfigError;
use crate::ground::error::{Error, Result};
use crate::policy::Scope;

/// Every declared partner, by name; built once at start and shared by all
/// requests (breakers and caches live here).
#[derive(Debug, Default)]
pub struct Partners {
    list: Vec<Arc<Partner>>,
}

impl Partners {
    /// Builds the partners of a validated configuration; credentials are
    /// read from the environment here.
    pub fn from_config(configs: &[PartnerConfig]) -> std::result::Result<Partners, ConfigError> {
        let mut list = Vec::new();
        for (i, config) in configs.iter().enumerate() {
            list.push(Arc::new(Partner::new(config.clone(), i)?));
        }
        Ok(Partners { list })
    }

    /// All partners, in configuration order.
    pub fn all(&self) -> &[Arc<Partner>] {
        &self.list
    }

    /// The partner called `name`.
    pub fn by_name(&self, name: &str) -> Option<&Arc<Partner>> {
        self.list.iter().find(|p| p.config.name == name)
    }
}

/// Why a call failed (logged with the partner's name; never sent).
#[derive(Debug, Clone)]
pub struct Unavailable(pub String);

/// One partner system at run time.
#[derive(Debug)]
pub struct Partner {
    config: PartnerConfig,
    client: reqwest::Client,
    credential: Option<(HeaderName, HeaderValue)>,
    breaker: Breaker,
    cache: AnswerCache,
    org_id: OnceCell<Uuid>,
    /// Calls by outcome, for `/metrics` (see [`OUTCOMES`]).
    outcomes: [std::sync::atomic::AtomicU64; 6],
}

/// The outcomes of a partner call counted in `/metrics`.
pub const OUTCOMES: [&str; 6] = [
    "ok",
    "cached",
    "breaker_open",
    "timeout",
    "error",
    "bad_answer",
];

impl Partner {
    fn new(config: PartnerConfig, index: usize) -> std::result::Result<Partner, ConfigError> {
        let setting = |s: &str| ConfigError(format!("`partners[{index}].{s}` is not valid"));
        let credential = match &config.auth {
            None => None,
            Some(auth) => {
                let secret = std::env::var(&auth.env).map_err(|_| {
                    ConfigError(format!(
                        "`partners[{index}].auth.env` names an environment variable that is not set"
                    ))
                })?;
                let (name, value) = match auth.scheme {
                    config::AuthScheme::Bearer => (AUTHORIZATION, format!("Bearer {secret}")),
                    config::AuthScheme::ApiKey => (
                        HeaderName::from_bytes(
                            auth.header.as_deref().unwrap_or("X-Api-Key").as_bytes(),
                        )
                        .map_err(|_| setting("auth.header"))?,
                        secret,
                    ),
                };
                let mut value = HeaderValue::from_str(&value).map_err(|_| {
                    ConfigError(format!(
                        "`partners[{index}].auth.env` holds a value that is not a valid header"
                    ))
                })?;
                value.set_sensitive(true);
                Some((name, value))
            }
        };
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_millis(config.timeout_ms))
            .build()
            .map_err(|_| setting("base_url"))?;
        Ok(Partner {
            breaker: Breaker::new(
                config.breaker_failures,
                Duration::from_millis(config.breaker_open_ms),
            ),
            cache: AnswerCache::new(Duration::from_millis(config.cache_ttl_ms)),
            client,
            credential,
            org_id: OnceCell::new(),
            outcomes: Default::default(),
            config,
        })
    }

    fn count(&self, outcome: usize) {
        self.outcomes[outcome].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Calls so far, by outcome (in the order of [`OUTCOMES`]).
    pub fn outcome_counts(&self) -> [u64; 6] {
        std::array::from_fn(|i| self.outcomes[i].load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The partner's name (`source` of its records).
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The record kinds it provides.
    pub fn kinds(&self) -> impl Iterator<Item = RecordKind> + '_ {
        self.config.records.keys().copied()
    }

    /// Whether it provides `kind`.
    pub fn provides(&self, kind: RecordKind) -> bool {
        self.config.records.contains_key(&kind)
    }

    /// The `PARTNER_UNAVAILABLE` error of this partner.
    pub fn unavailable(&self) -> Error {
        Error::PartnerUnavailable {
            partner: self.config.name.clone(),
        }
    }

    /// The hub organization that owns the partner's records (looked up
    /// once by its configured slug).
    pub async fn org_id<C: ConnectionTrait>(&self, db: &C) -> Result<Uuid> {
        self.org_id
            .get_or_try_init(|| async {
                match crate::directory::organizations::by_slug(db, &self.config.org).await? {
                    Some(org) => Ok(org.id),
                    None => {
                        tracing::error!(partner = %self.config.name, "the partner's `org` names no organization");
                        Err(self.unavailable())
                    }
                }
            })
            .await
            .copied()
    }

    /// The partner's records of `kind` about the participants it knows as
    /// `external_ids`, for a viewer of `viewer_org` (whose right to see
    /// them was decided before). No call when there are no ids; answered
    /// from the cache when the same viewer organization asked the same
    /// ids a moment ago. Records that do not fit the mapping are left out
    /// (and logged without their content).
    pub async fn fetch(
        &self,
        kind: RecordKind,
        external_ids: &[String],
        viewer_org: Uuid,
    ) -> std::result::Result<Vec<Mapped>, Unavailable> {
        let asked: BTreeSet<String> = external_ids.iter().cloned().collect();
        if asked.is_empty() {
            return Ok(Vec::new());
        }
        let key = CacheKey {
            kind,
            ids: asked.iter().cloned().collect(),
            viewer_org,
        };
        if let Some(hit) = self.cache.get(&key) {
            self.count(1);
            return Ok(hit);
        }
        let mut kept = Vec::new();
        let mut refused = 0usize;
        for item in self.fetch_items(kind, &key.ids).await? {
            match item {
                Ok(m) => kept.push(m),
                Err(why) => {
                    refused += 1;
                    tracing::debug!(partner = %self.config.name, reason = %why, "partner record refused");
                }
            }
        }
        if refused > 0 {
            tracing::warn!(partner = %self.config.name, kind = kind.as_str(), refused, "partner records refused");
        }
        self.cache.put(key, kept.clone());
        Ok(kept)
    }

    /// One call (breaker, deadline, retries) for `ids`, every record mapped
    /// or refused with a reason naming the mapping setting; records about
    /// participants not asked for are refused too.
    pub async fn fetch_items(
        &self,
        kind: RecordKind,
        ids: &[String],
    ) -> std::result::Result<Vec<std::result::Result<Mapped, String>>, Unavailable> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let Some(mapping) = self.config.records.get(&kind) else {
            return Err(Unavailable("record kind not provided".into()));
        };
        if !self.breaker.allow() {
            self.count(2);
            return Err(self.log(kind, Unavailable("circuit breaker open".into())));
        }
        let deadline = Duration::from_millis(self.config.timeout_ms);
        let answer = match tokio::time::timeout(deadline, self.call_with_retries(kind, ids)).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(why)) => {
                self.breaker.failure();
                self.count(4);
                return Err(self.log(kind, why));
            }
            Err(_) => {
                self.breaker.failure();
                self.count(3);
                return Err(self.log(kind, Unavailable("timed out".into())));
            }
        };
        let mapped = match records::map_answer(kind, mapping, &answer) {
            Ok(mapped) => mapped,
            Err(why) => {
                self.breaker.failure();
                self.count(5);
                return Err(self.log(kind, Unavailable(why)));
            }
        };
        self.breaker.success();
        self.count(0);
        let asked: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
        Ok(mapped
            .into_iter()
            .map(|item| match item {
                Ok(m) if !asked.contains(m.participant_external_id.as_str()) => {
                    Err("the record is about a participant that was not asked for".to_owned())
                }
                other => other,
            })
            .collect())
    }

    /// The partner organization's slug.
    pub fn org_slug(&self) -> &str {
        &self.config.org
    }

    fn log(&self, kind: RecordKind, why: Unavailable) -> Unavailable {
        tracing::warn!(partner = %self.config.name, kind = kind.as_str(), reason = %why.0, "partner unavailable");
        why
    }

    /// Both call shapes are reads (a GET, or a GraphQL query document,
    /// checked at start), so they are retried; connection errors, 5xx
    /// answers and attempt timeouts are worth a retry, 4xx and nonsense not.
    async fn call_with_retries(
        &self,
        kind: RecordKind,
        ids: &[String],
    ) -> std::result::Result<Value, Unavailable> {
        let mut attempt = 0u32;
        loop {
            match self.call_once(kind, ids).await {
                Ok(answer) => return Ok(answer),
                Err((why, retry)) => {
                    if !retry || attempt >= self.config.retries {
                        return Err(Unavailable(why));
                    }
                    tokio::time::sleep(Duration::from_millis(50u64 << attempt.min(6))).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn call_once(
        &self,
        kind: RecordKind,
        ids: &[String],
    ) -> std::result::Result<Value, (String, bool)> {
        let mapping = self
            .config
            .records
            .get(&kind)
            .ok_or_else(|| ("record kind not provided".to_owned(), false))?;
        let base = self.config.base_url.trim_end_matches('/');
        let mut request = match self.config.kind {
            PartnerKind::RestJson => self
                .client
                .get(format!("{base}{}", mapping.path.as_deref().unwrap_or("")))
                .query(&[(mapping.ids_param.as_str(), ids.join(","))]),
            PartnerKind::Graphql => self.client.post(base).json(&json!({
                "query": mapping.query.as_deref().unwrap_or(""),
                "variables": { "ids": ids },
            })),
        };
        request = request
            .header(reqwest::header::ACCEPT, "application/json")
            .timeout(Duration::from_millis(self.config.timeout_ms));
        if let Some((name, value)) = &self.credential {
            request = request.header(name.clone(), value.clone());
        }
        // A span per partner call: partner and kind, never the ids asked for.
        let span = tracing::info_span!(
            "partner call",
            partner = %self.config.name,
            kind = ?kind,
            otel.kind = "client",
        );
        let response = tracing::Instrument::instrument(request.send(), span)
            .await
            .map_err(|e| (format!("request failed: {}", e.without_url()), true))?;
        let status = response.status();
        if !status.is_success() {
            return Err((
                format!("HTTP {}", status.as_u16()),
                status.is_server_error(),
            ));
        }
        let body = response.bytes().await.map_err(|e| {
            (
                format!("reading the answer failed: {}", e.without_url()),
                true,
            )
        })?;
        serde_json::from_slice(&body).map_err(|_| ("the answer is not JSON".to_owned(), false))
    }

    /// Whether the breaker refuses calls right now.
    pub fn breaker_open(&self) -> bool {
        self.breaker.is_open()
    }
}

/// The partner's own ids of those `participants` whose records of the
/// partner organizations `partner_orgs` in `scope`'s category the viewer
/// may read, as `(partner organization, hub id, external id)`. Decided in
/// SQL by the policy's condition on the crosswalk row (owner = the partner
/// organization), before any call; one statement for every partner of a
/// page.
pub async fn visible_links<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    partner_orgs: &[Uuid],
    participants: &[Uuid],
) -> Result<Vec<(Uuid, Uuid, String)>> {
    use participant_link::Column as L;
    if participants.is_empty() || partner_orgs.is_empty() {
        return Ok(Vec::new());
    }
    let rows = participant_link::Entity::find()
        .filter(L::OrgId.is_in(partner_orgs.iter().copied()))
        .filter(L::ParticipantId.is_in(participants.iter().copied()))
        .filter(scope.condition(
            (participant_link::Entity, L::OrgId),
            (participant_link::Entity, L::ParticipantId),
        ))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.org_id, r.participant_id, r.external_id))
        .collect())
}

/// Groups mapped records by hub id through the crosswalk rows.
pub fn by_participant(
    partner: &Partner,
    owner_org_id: Uuid,
    links: &[(Uuid, String)],
    mapped: Vec<Mapped>,
) -> HashMap<Uuid, Vec<PartnerRecord>> {
    let hub_ids: HashMap<&str, Uuid> = links.iter().map(|(p, e)| (e.as_str(), *p)).collect();
    let mut grouped: HashMap<Uuid, Vec<PartnerRecord>> = HashMap::new();
    for m in mapped {
        if let Some(participant_id) = hub_ids.get(m.participant_external_id.as_str()) {
            grouped
                .entry(*participant_id)
                .or_default()
                .push(PartnerRecord {
                    source: partner.name().to_owned(),
                    owner_org_id,
                    participant_id: *participant_id,
                    record: m.record,
                });
        }
    }
    grouped
}
