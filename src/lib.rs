//! Pathways Hub: one GraphQL API joining the records of LA County's arts,
//! media and entertainment career-pathway partners, under data-sharing
//! agreements and the youth's consent, with every disclosure audited.
//!
//! Layout: `config` (settings), `auth` (tokens → viewer), `policy` (who may
//! see and do what), `audit` (append-only log), one domain module per record
//! kind (`organizations`, `pathways`, `programs`, `mentors`), `graphql`
//! (schema), `http` (router), `seed` (demo data), `cli` (the binary).
// The report statements' futures (policy CTEs built per statement) nest
// deeper than the default limit allows when the schema checks `Send`.
#![recursion_limit = "256"]

pub mod adapters;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod directory;
pub mod graphql;
pub mod ground;
pub mod import;
pub mod people;
pub mod policy;
pub mod records;
pub mod reports;
pub mod sharing;
pub mod web;

/// Installs the process-wide TLS crypto provider (ring) used by outgoing
/// HTTPS calls (JWKS, partner adapters). Safe to call more than once.
pub fn init_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
