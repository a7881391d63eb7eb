//! The GraphQL schema: root fields and mutations of DESIGN.md section 8.
//!
//! Resolvers are thin: they find the viewer, call one domain function and
//! map the result. Per-request state (viewer, request id, DataLoaders) is
//! attached to each request by the HTTP layer, so nothing outlives a request.

mod account_links;
mod audit;
mod badges;
mod changes;
mod compiled;
mod completion;
mod directive_defaults;
mod directory;
mod disclosures;
mod enrollments;
mod federation;
mod federation_gate;
pub mod limits;
mod loaders;
mod me;
mod pages;
mod participant_queries;
mod participants;
mod partners;
mod prefetch;
mod progress;
mod record_mutations;
mod records;
mod registration;
mod reports;
mod sharing;
mod viewer;

use std::sync::Arc;

use async_graphql::extensions::apollo_persisted_queries::{
    ApolloPersistedQueries, LruCacheStorage,
};
use async_graphql::{Context, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::audit::{Actor, Disclosures};
use crate::auth::Viewer;
use crate::ground::config::Config;
use crate::ground::error::Result;
use crate::policy::Scopes;

pub use loaders::Loaders;
pub use partners::PartnerLoaders;
pub use reports::{ReportFilterInput, ReportInput};

/// The hub's schema type.
pub type HubSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Everything partners read. Every field needs a bearer token
/// (`UNAUTHENTICATED` without one; `_service` only outside demo mode). A
/// field the viewer may not read is null with `FORBIDDEN` naming the data
/// category in `extensions.category`; rows it may not read are absent
/// from lists. A slow or failing partner system is `PARTNER_UNAVAILABLE`,
/// too large a query `QUERY_TOO_COMPLEX`, too many requests `RATE_LIMITED`.
//
// Named `Query` (and mutations `Mutation`): an Apollo gateway reads a
// subgraph's root fields only from types of those names.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(
    viewer::ViewerQuery,
    directory::DirectoryQuery,
    participant_queries::ParticipantQuery,
    audit::AuditQuery,
    sharing::SharingQuery,
    reports::ReportQuery,
    federation::FederationQuery,
    changes::ChangeQuery,
    badges::BadgeQuery,
    me::MeQuery,
);

/// Every write. Each mutation takes one `input`, returns the written
/// object and acts for the viewer's own organization. Participant records
/// are written by staff and org_admins, and a row is changed only by the
/// organization that keeps it. Invalid input is `BAD_USER_INPUT` naming the
/// field in `extensions.field`; a stale `version` is `CONFLICT`; a missing
/// role, or a row another organization keeps, is `FORBIDDEN` (audited as
/// DENY); a row the viewer cannot read answers as one that does not exist.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    directory::DirectoryMutation,
    registration::RegistrationMutation,
    enrollments::EnrollmentMutation,
    record_mutations::RecordMutation,
    sharing::SharingMutation,
    changes::ChangeMutation,
    me::MeMutation,
    account_links::AccountLinkMutation,
);

/// What the HTTP layer attaches to every request.
#[derive(Clone)]
pub struct RequestContext {
    /// The verified viewer; `None` when no token was sent.
    pub viewer: Option<Viewer>,
    /// The request id (also in logs and in errors' `extensions.requestId`).
    pub request_id: String,
    /// Per-request DataLoaders.
    pub loaders: Arc<Loaders>,
    /// What the viewer may read, per category, today.
    pub scopes: Scopes,
    /// Reads and denials to audit when the request ends.
    pub disclosures: Arc<Disclosures>,
    /// Per-request loaders of partner records (one per partner and kind).
    pub partners: Arc<PartnerLoaders>,
    /// The client's address, for limits that count per address.
    pub client: Option<std::net::IpAddr>,
}

/// Builds the schema; `db` and `config` are absent only when exporting the SDL.
pub fn build_schema(
    db: Option<Arc<crate::ground::replicas::Reads>>,
    config: Option<Arc<Config>>,
    shared: Option<crate::ground::shared::Shared>,
) -> HubSchema {
    schema_builder(db, config, shared).finish()
}

/// The schema with nothing to execute against (no database, default
/// limits): a request is parsed, validated and held to the query limits,
/// then stopped before any resolver runs. What the server does to a
/// request before it touches data; used by fuzzing
/// (`fuzz/fuzz_targets/graphql_body.rs`).
pub fn build_checking_schema() -> HubSchema {
    schema_builder(None, None, None)
        .extension(limits::StopBeforeExecution)
        .finish()
}

fn schema_builder(
    db: Option<Arc<crate::ground::replicas::Reads>>,
    config: Option<Arc<Config>>,
    shared: Option<crate::ground::shared::Shared>,
) -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    // An Apollo Federation v2 subgraph: `_service { sdl }`, `_entities`
    // and `@key` on Participant, Organization and Pathway.
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .enable_federation()
    .extension(completion::NullPropagation);
    let limits = config
        .as_ref()
        .map(|c| c.limits.clone())
        .unwrap_or_default();
    builder = builder
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(limits.max_directives)
        .extension(limits::QueryLimits {
            max_aliases: limits.max_aliases,
            max_document_bytes: limits.max_document_bytes,
            max_field_repeats: limits.max_field_repeats,
        });
    builder = match shared {
        Some(shared) => builder.extension(crate::ground::shared::SharedPersistedQueries(shared)),
        None => builder.extension(ApolloPersistedQueries::new(LruCacheStorage::new(
            limits.persisted_queries,
        ))),
    };
    if !limits.introspection {
        builder = builder.disable_introspection();
    }
    if config.as_ref().is_some_and(|c| !c.demo) {
        builder = builder.extension(federation_gate::ServiceNeedsToken);
    }
    if !limits.suggestions {
        builder = builder.disable_suggestions();
    }
    if let Some(reads) = db {
        builder = builder.data(reads.primary().clone()).data(reads);
    }
    builder = builder.data(crate::people::accounts::RedeemLimits::default());
    if let Some(config) = config {
        // `AppState` checked the key when it started (`BadgeIssuer::from_config`).
        if let Ok(issuer) = crate::records::badges::BadgeIssuer::from_config(&config) {
            builder = builder.data(issuer);
        }
        builder = builder.data(config);
    }
    builder
}

/// What a page of `first` rows weighs in a query's complexity: a list
/// field counts its selection once per row it may return.
pub(crate) fn page_cost(first: Option<i32>, default: i32) -> usize {
    first.unwrap_or(default).clamp(1, 1_000) as usize
}

/// The schema's SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    build_schema(None, None, None).sdl()
}

/// Accessors every resolver uses.
pub(crate) trait ContextExt {
    fn db(&self) -> &DatabaseConnection;
    /// The primary and its read replicas.
    fn reads(&self) -> &crate::ground::replicas::Reads;
    fn config(&self) -> &Config;
    fn request(&self) -> &RequestContext;
    /// The viewer, or `UNAUTHENTICATED`.
    fn viewer(&self) -> Result<&Viewer>;
    /// The viewer as an audit actor.
    fn actor(&self) -> Result<Actor>;
    fn loaders(&self) -> &Loaders {
        &self.request().loaders
    }
    fn scopes(&self) -> &Scopes {
        &self.request().scopes
    }
    fn disclosures(&self) -> &Disclosures {
        &self.request().disclosures
    }
}

impl ContextExt for Context<'_> {
    fn db(&self) -> &DatabaseConnection {
        // Present in every schema that executes requests (see `build_schema`).
        self.data_unchecked::<DatabaseConnection>()
    }

    fn reads(&self) -> &crate::ground::replicas::Reads {
        // Present in every schema that executes requests (see `build_schema`).
        self.data_unchecked::<Arc<crate::ground::replicas::Reads>>()
    }

    fn config(&self) -> &Config {
        // Present in every schema that executes requests (see `build_schema`).
        self.data_unchecked::<Arc<Config>>()
    }

    fn request(&self) -> &RequestContext {
        self.data_unchecked::<RequestContext>()
    }

    fn viewer(&self) -> Result<&Viewer> {
        crate::policy::authenticated(self.request().viewer.as_ref())
    }

    fn actor(&self) -> Result<Actor> {
        let request = self.request();
        Ok(Actor::of(self.viewer()?, &request.request_id))
    }
}
