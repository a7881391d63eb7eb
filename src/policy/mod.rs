//! The only place that decides access (DESIGN.md section 4).
//!
//! Role rules (who may create organizations, programs, mentors…) live here as
//! plain functions over a [`Viewer`]; participant-data rules become SQL
//! conditions built here and nowhere else.

use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::error::{Error, Result};

/// The viewer, or `UNAUTHENTICATED` when the request carried no token.
pub fn authenticated(viewer: Option<&Viewer>) -> Result<&Viewer> {
    viewer.ok_or(Error::Unauthenticated(
        "send a bearer token in the Authorization header",
    ))
}

/// Only a hub admin manages organizations and pathways.
pub fn require_hub_admin(viewer: &Viewer) -> Result<()> {
    if viewer.has(Role::HubAdmin) {
        Ok(())
    } else {
        Err(Error::forbidden("only a hub_admin may do this"))
    }
}

/// Only an org_admin manages its own organization's programs, mentors,
/// consents and agreements. The organization acted for is always the
/// viewer's own, so no organization argument is needed.
pub fn require_org_admin(viewer: &Viewer) -> Result<()> {
    if viewer.has(Role::OrgAdmin) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only an org_admin of this organization may do this",
        ))
    }
}

/// A mentor's contact details are for the organization that offers the
/// mentor; every other viewer sees the mentor without them.
pub fn may_read_mentor_contact(viewer: &Viewer, mentor_org_id: Uuid) -> bool {
    viewer.org_id == mentor_org_id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(roles: &[Role]) -> Viewer {
        Viewer {
            subject: "s".into(),
            org_id: Uuid::nil(),
            org_slug: "wlcac".into(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn roles_gate_admin_actions() {
        assert!(require_hub_admin(&viewer(&[Role::HubAdmin])).is_ok());
        assert_eq!(
            require_hub_admin(&viewer(&[Role::OrgAdmin, Role::Staff]))
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
        assert!(require_org_admin(&viewer(&[Role::OrgAdmin])).is_ok());
        assert_eq!(
            require_org_admin(&viewer(&[Role::HubAdmin]))
                .unwrap_err()
                .code(),
            "FORBIDDEN"
        );
        assert_eq!(authenticated(None).unwrap_err().code(), "UNAUTHENTICATED");
    }

    #[test]
    fn mentor_contact_is_for_the_offering_organization() {
        assert!(may_read_mentor_contact(
            &viewer(&[Role::Staff]),
            Uuid::nil()
        ));
        assert!(!may_read_mentor_contact(
            &viewer(&[Role::Staff]),
            Uuid::from_u128(7)
        ));
    }
}
