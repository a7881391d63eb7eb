//! People: registering a participant (identity resolution by match key, so a
//! youth known to four partners is one hub id), each organization's
//! external ids, a youth's own account and its links, and reading
//! participants through the policy. Joining and splitting hub ids moves
//! records: `records::linking`.

pub mod accounts;
pub mod bulk;
pub mod identity;
pub mod links;
pub mod participants;
pub mod profiles;
pub mod registration;
