//! People: registering a participant (identity resolution by match key, so a
//! youth known to four partners is one hub id), linking and splitting
//! records, each organization's external ids, and reading participants
//! through the policy.

pub mod accounts;
pub mod bulk;
pub mod identity;
pub mod linking;
pub mod links;
pub mod participants;
pub mod registration;
