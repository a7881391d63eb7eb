//! What lets data cross an organization's boundary: data-sharing agreements
//! (proposed, accepted, approved, revoked), the youth's consents, and the
//! access explainer ("why can't HOLA see this youth's hours?").

pub mod access;
pub mod agreements;
pub mod consents;
