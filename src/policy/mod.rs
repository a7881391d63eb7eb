//! The only place that decides access (DESIGN.md section 4).
//!
//! Role rules (who may create organizations, programs, mentors…) live here as
//! plain functions over a [`Viewer`]; participant-data rules become SQL
//! conditions built here and nowhere else.

pub mod explain;
pub mod listing;
mod reports;
mod scope;
pub mod sharing;

use chrono::NaiveDate;
use entity::enums::Category;
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait, IntoColumnRef};
use uuid::Uuid;

pub use reports::{REPORT_PURPOSES, ReportScope, report_scope};
pub use scope::{Scope, eighteenth_birthday_cutoff};

use crate::auth::{Role, Viewer};
use crate::ground::error::{Error, Result};

/// The viewer's scopes, one per data category, for one request.
#[derive(Debug, Clone)]
pub struct Scopes {
    viewer: Viewer,
    today: NaiveDate,
}

impl Scopes {
    /// The scopes of `viewer` on `today` (the request's date).
    pub fn new(viewer: &Viewer, today: NaiveDate) -> Scopes {
        Scopes {
            viewer: viewer.clone(),
            today,
        }
    }

    /// Scopes of a request without a viewer: nothing is readable.
    pub fn nobody(today: NaiveDate) -> Scopes {
        let viewer = Viewer {
            subject: String::new(),
            org_id: Uuid::nil(),
            org_slug: String::new(),
            roles: Vec::new(),
            participant_id: None,
            reach: None,
        };
        Scopes { viewer, today }
    }

    /// What the viewer may read in `category`.
    pub fn of(&self, category: Category) -> Scope {
        Scope::for_viewer(&self.viewer, category, self.today)
    }

    /// The request's date (the day every date rule is checked against).
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The viewer these scopes belong to.
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    /// Which consents of a participant the viewer may see: those its own
    /// organization recorded or that name it as recipient, and those of
    /// participants whose identity it may read (so a partner can see why it
    /// may or may not read a record).
    pub fn consent_condition(
        &self,
        owner: impl IntoColumnRef,
        recipient: impl IntoColumnRef,
        participant: impl IntoColumnRef,
    ) -> Condition {
        let identity = self.of(Category::Identity);
        let Some(reader) = identity.reader() else {
            return Condition::all().add(Expr::val(1).eq(0));
        };
        let owner = owner.into_column_ref();
        Condition::any()
            .add(Expr::col(recipient).eq(reader))
            .add(identity.condition(owner, participant))
    }
}

/// The viewer, or `UNAUTHENTICATED` when the request carried no token.
pub fn authenticated(viewer: Option<&Viewer>) -> Result<&Viewer> {
    viewer.ok_or(Error::Unauthenticated(
        "send a bearer token in the Authorization header",
    ))
}

/// The youth reading their own record (role `participant`): their hub id.
pub fn require_own_record(viewer: &Viewer) -> Result<Uuid> {
    viewer
        .participant_id
        .filter(|_| viewer.has(Role::Participant))
        .ok_or_else(|| {
            Error::forbidden(
                "`me` is the youth's own record: sign in with your own token and link it with redeemAccountCode",
            )
        })
}

/// A youth's account widens someone's access (granting or re-affirming a
/// consent) only once a party other than the organization that issued its
/// code confirmed the link (DESIGN.md section 11): otherwise an org_admin
/// who redeemed their own code could consent in the youth's name.
pub fn require_confirmed_account(viewer: &Viewer) -> Result<()> {
    if viewer
        .reach
        .as_ref()
        .is_some_and(|r| r.second_party_confirmed())
    {
        Ok(())
    } else {
        Err(Error::forbidden(
            "your account must be confirmed by another organization that keeps your record (or the hub) before you grant consents; ask them to confirm it",
        ))
    }
}

/// A hub_admin without an organization role: acts on ids (joins, splits,
/// confirmations for every organization) and reads no participant data.
pub fn acts_on_ids_only(viewer: &Viewer) -> bool {
    viewer.has(Role::HubAdmin) && !viewer.has(Role::Staff) && !viewer.has(Role::OrgAdmin)
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

/// Participant rows are for staff and org_admins of an organization; a hub
/// admin manages the hub without blanket access, and an evaluator reads
/// aggregate reports only.
pub fn require_participant_reader(viewer: &Viewer) -> Result<()> {
    if viewer.has(Role::Staff) || viewer.has(Role::OrgAdmin) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "participant records are for staff of an organization; hub_admin and evaluator roles read no row-level data",
        ))
    }
}

/// Which events a reader may list: all (hub_admin), or those about one
/// organization's data and by its users (its org_admin: FERPA 99.32, who
/// saw or was refused our records, and what our own staff did).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditReach {
    All,
    AboutOrg(Uuid),
    /// The reads of one person's data (their own record of disclosures,
    /// FERPA 99.32), as far as their account reaches: the reads of rows
    /// those organizations keep and the reads by them (`None`: every one,
    /// once a hub_admin confirmed the link).
    DisclosuresOf(Uuid, Option<Vec<Uuid>>),
}

/// How far a youth's own record of disclosures reaches: what the
/// organizations of their account's reach may see of the audit log about
/// them (DESIGN.md section 11).
pub fn disclosures_reach(viewer: &Viewer) -> Result<AuditReach> {
    let person = require_own_record(viewer)?;
    let orgs = match &viewer.reach {
        Some(reach) if reach.everyone => None,
        Some(reach) => Some(reach.orgs()),
        None => Some(Vec::new()),
    };
    Ok(AuditReach::DisclosuresOf(person, orgs))
}

/// How far a viewer may read the audit log: a hub admin all of it, an
/// org_admin the events about its own organization's data; nobody else.
pub fn audit_reach(viewer: &Viewer) -> Result<AuditReach> {
    if viewer.has(Role::HubAdmin) {
        Ok(AuditReach::All)
    } else if viewer.has(Role::OrgAdmin) {
        Ok(AuditReach::AboutOrg(viewer.org_id))
    } else {
        Err(Error::forbidden(
            "only a hub_admin or an org_admin may read the audit log",
        ))
    }
}

/// Writing participant records is for staff (or org_admins) of the owning
/// organization; the organization written for is always the viewer's own.
pub fn require_writer(viewer: &Viewer) -> Result<()> {
    if viewer.has(Role::Staff) || viewer.has(Role::OrgAdmin) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only staff of an organization write participant records",
        ))
    }
}

/// A row is written only by its owner organization's staff.
pub fn require_owner(viewer: &Viewer, owner: Uuid) -> Result<()> {
    require_writer(viewer)?;
    if viewer.org_id == owner {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only the organization that keeps this record may change it",
        ))
    }
}

/// Whose account links a viewer sees (`people::links::of_participant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkReaders {
    /// Every youth's (a hub_admin).
    Always,
    /// Those of youth whose profile the viewer's organization keeps
    /// (its staff and org_admins).
    Holders,
    /// None.
    Never,
}

/// Whose account links `viewer` sees: the rule `people::links` and the
/// compiled page (`records::page`, which writes `Holders` as SQL) share.
pub fn link_readers(viewer: &Viewer) -> LinkReaders {
    if viewer.has(Role::HubAdmin) {
        LinkReaders::Always
    } else if viewer.has(Role::Staff) || viewer.has(Role::OrgAdmin) {
        LinkReaders::Holders
    } else {
        LinkReaders::Never
    }
}

/// A mentor's contact details are for the organization that offers the
/// mentor; every other viewer sees the mentor without them.
pub fn may_read_mentor_contact(viewer: &Viewer, mentor_org_id: Uuid) -> bool {
    viewer.org_id == mentor_org_id
}

/// The refusal of a mentor's contact to a viewer [`may_read_mentor_contact`]
/// does not let read it.
pub fn mentor_contact_refused() -> Error {
    Error::forbidden("a mentor's contact details are visible to the mentor's organization only")
}

/// [`may_read_mentor_contact`] as a SQL condition on the column holding
/// the mentor's organization (a statement that reads the contact only
/// where this holds).
pub fn mentor_contact_condition(viewer: &Viewer, mentor_org: impl IntoColumnRef) -> Condition {
    Condition::all().add(Expr::col(mentor_org).eq(viewer.org_id))
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
            participant_id: None,
            reach: None,
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
