//! Authentication: JWT verification into a [`Viewer`] (DESIGN.md section 4).
//!
//! Accepted algorithms are HS256 (a configured secret, local use), RS256 and
//! ES256 (PEM public keys or a JWKS URL). Anything else — `alg: none`, another
//! algorithm, a bad signature, an expired token, a wrong `iss`/`aud`, an
//! organization the hub does not know — is `UNAUTHENTICATED`.

mod jwks;
mod tokens;

use async_graphql::Enum;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use tokens::{Claims, TokenVerifier};

/// A role from the token's `roles` claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum, Serialize, Deserialize)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Reads and writes its own organization's records.
    Staff,
    /// Staff, plus its organization's consents, agreements, programs and mentors.
    OrgAdmin,
    /// Organizations, pathways, approving agreements, the audit log; no
    /// blanket access to participant data.
    HubAdmin,
    /// Aggregate reports only, never row-level data.
    Evaluator,
    /// A youth with their own token, linked to their hub record: every row
    /// about themself, from every organization, and nothing else.
    Participant,
}

impl Role {
    /// The claim value (`staff`, `org_admin`, `hub_admin`, `evaluator`).
    pub fn claim(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::OrgAdmin => "org_admin",
            Role::HubAdmin => "hub_admin",
            Role::Evaluator => "evaluator",
            Role::Participant => "participant",
        }
    }

    /// Parses a claim value; unknown roles are `None` (and ignored).
    pub fn from_claim(claim: &str) -> Option<Role> {
        match claim {
            "staff" => Some(Role::Staff),
            "org_admin" => Some(Role::OrgAdmin),
            "hub_admin" => Some(Role::HubAdmin),
            "evaluator" => Some(Role::Evaluator),
            "participant" => Some(Role::Participant),
            _ => None,
        }
    }
}

/// Who is asking: the verified subject, its organization and roles. Every
/// resolver knows its viewer; only the policy module decides what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    /// The token's `sub`.
    pub subject: String,
    /// The hub id of the token's organization.
    pub org_id: Uuid,
    /// The organization's slug, as in the token's `org`.
    pub org_slug: String,
    /// Known roles from the token.
    pub roles: Vec<Role>,
    /// The person a youth's own token is linked to (role `participant`,
    /// through `participant_account`); `None` for organizations' viewers.
    pub participant_id: Option<Uuid>,
    /// How far a youth's own account reaches (DESIGN.md section 11);
    /// `None` for organizations' viewers and unlinked tokens.
    pub reach: Option<AccountReach>,
}

/// How far a youth's linked account reaches: at first exactly what the
/// organization that issued its code may read about the youth; each other
/// holder that confirms the link adds its own rows, and a hub_admin's
/// confirmation adds every organization's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountReach {
    /// The `participant_account` row.
    pub account: Uuid,
    /// The organization whose code made the link.
    pub issuer: Uuid,
    /// Organizations that confirmed the link (their own rows).
    pub confirmed: Vec<Uuid>,
    /// A hub_admin confirmed the link for every organization.
    pub everyone: bool,
}

impl AccountReach {
    /// The organizations whose own rows the account reads in full (the
    /// issuer and every confirming organization).
    pub fn orgs(&self) -> Vec<Uuid> {
        let mut orgs = vec![self.issuer];
        orgs.extend(self.confirmed.iter().copied());
        orgs
    }

    /// Whether someone other than the issuing organization confirmed the
    /// link: only then may the account act in the youth's name where that
    /// widens anyone's access (granting or re-affirming consents).
    pub fn second_party_confirmed(&self) -> bool {
        self.everyone || self.confirmed.iter().any(|o| *o != self.issuer)
    }
}

impl Viewer {
    /// Whether the viewer holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}
