//! Pathways Hub: one GraphQL API joining the records of LA County's arts,
//! media and entertainment career-pathway partners, under data-sharing
//! agreements and the youth's consent, with every disclosure audited.
//!
//! Layout: `config` (settings), `auth` (tokens → viewer), `policy` (who may
//! see and do what), `audit` (append-only log), one domain module per record
//! kind (`organizations`, `pathways`, `programs`, `mentors`), `graphql`
//! (schema), `http` (router), `seed` (demo data), `cli` (the binary).

pub mod access;
pub mod adapters;
pub mod agreements;
pub mod audit;
pub mod auth;
pub mod awards;
pub mod bench;
pub mod cli;
pub mod config;
pub mod consents;
pub mod console;
pub mod db;
pub mod dual_enrollments;
pub mod enrollments;
pub mod error;
pub mod graphql;
pub mod hours;
pub mod http;
pub mod identity;
pub mod import;
pub mod limits;
pub mod linking;
pub mod mentors;
pub mod mentorships;
pub mod organizations;
pub mod participants;
pub mod pathways;
pub mod policy;
pub mod programs;
pub mod records;
pub mod registration;
pub mod reports;
pub mod rules;
pub mod seed;
pub mod shared;
pub mod types;

/// Installs the process-wide TLS crypto provider (ring) used by outgoing
/// HTTPS calls (JWKS, partner adapters). Safe to call more than once.
pub fn init_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
