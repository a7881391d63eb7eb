//! Who may manage consents and data-sharing agreements, which agreements a
//! viewer may list, and how their status reads on a given day.
//!
//! Expiry needs no job: a PROPOSED or ACTIVE agreement, or an ACTIVE
//! consent, whose `expires_on` lies before today reads as EXPIRED — in Rust
//! ([`agreement_status`], [`consent_status`]) and in SQL
//! ([`agreement_status_condition`]) by the same rule. The access rules in
//! [`super::Scope`] check the dates themselves, so an expired row never
//! shares anything whatever its stored status.

use chrono::NaiveDate;
use entity::enums::{AgreementStatus, ConsentStatus};
use entity::sharing_agreement;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::auth::{Role, Viewer};
use crate::ground::error::{Error, Result};

/// Whether `expires_on` lies before `today`.
fn past(expires_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    expires_on.is_some_and(|d| d < today)
}

/// The status an agreement reads as on `today`: a PROPOSED or ACTIVE
/// agreement past its `expires_on` is EXPIRED; REVOKED stays REVOKED.
pub fn agreement_status(
    stored: AgreementStatus,
    expires_on: Option<NaiveDate>,
    today: NaiveDate,
) -> AgreementStatus {
    match stored {
        AgreementStatus::Proposed | AgreementStatus::Active if past(expires_on, today) => {
            AgreementStatus::Expired
        }
        other => other,
    }
}

/// The status a consent reads as on `today`: an ACTIVE consent past its
/// `expires_on` is EXPIRED.
pub fn consent_status(
    stored: ConsentStatus,
    expires_on: Option<NaiveDate>,
    today: NaiveDate,
) -> ConsentStatus {
    match stored {
        ConsentStatus::Active if past(expires_on, today) => ConsentStatus::Expired,
        other => other,
    }
}

/// SQL: the agreement reads as `status` on `today` (the condition form of
/// [`agreement_status`]).
pub fn agreement_status_condition(status: AgreementStatus, today: NaiveDate) -> Condition {
    use sharing_agreement::Column as A;
    let not_expired = Condition::any()
        .add(A::ExpiresOn.is_null())
        .add(A::ExpiresOn.gte(today));
    match status {
        AgreementStatus::Proposed | AgreementStatus::Active => Condition::all()
            .add(A::Status.eq(status.as_str()))
            .add(not_expired),
        AgreementStatus::Revoked => Condition::all().add(A::Status.eq(status.as_str())),
        AgreementStatus::Expired => Condition::any()
            .add(A::Status.eq(AgreementStatus::Expired.as_str()))
            .add(
                Condition::all()
                    .add(A::Status.is_in([
                        AgreementStatus::Proposed.as_str(),
                        AgreementStatus::Active.as_str(),
                    ]))
                    .add(A::ExpiresOn.lt(today)),
            ),
    }
}

/// SQL: the agreements `viewer` may list — every one for a hub admin, the
/// ones its organization provides or receives for anyone else.
pub fn agreements_visible(viewer: &Viewer) -> Condition {
    use sharing_agreement::Column as A;
    if viewer.has(Role::HubAdmin) {
        Condition::all()
    } else {
        Condition::any()
            .add(A::ProviderOrgId.eq(viewer.org_id))
            .add(A::RecipientOrgId.eq(viewer.org_id))
    }
}

/// Recording or revoking a consent is for staff or org_admins of the
/// organization that keeps the consent (its owner is the viewer's own).
pub fn require_consent_steward(viewer: &Viewer, owner: Option<Uuid>) -> Result<()> {
    let staff = viewer.has(Role::Staff) || viewer.has(Role::OrgAdmin);
    if staff && !viewer.org_id.is_nil() && owner.is_none_or(|o| o == viewer.org_id) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only staff of the organization that recorded this consent may change it",
        ))
    }
}

/// Accepting an agreement is for the recipient's org_admin.
pub fn require_recipient_admin(viewer: &Viewer, recipient: Uuid) -> Result<()> {
    if viewer.has(Role::OrgAdmin) && viewer.org_id == recipient {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only an org_admin of the recipient organization may accept this agreement",
        ))
    }
}

/// Revoking an agreement is for either side's org_admin or a hub admin.
pub fn require_agreement_party(viewer: &Viewer, provider: Uuid, recipient: Uuid) -> Result<()> {
    let party = viewer.has(Role::OrgAdmin) && [provider, recipient].contains(&viewer.org_id);
    if party || viewer.has(Role::HubAdmin) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only an org_admin of the provider or the recipient, or a hub_admin, may do this",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    #[test]
    fn expiry_reads_from_the_date() {
        use AgreementStatus::*;
        assert_eq!(agreement_status(Active, Some(day(24)), day(25)), Expired);
        assert_eq!(agreement_status(Proposed, Some(day(24)), day(25)), Expired);
        assert_eq!(agreement_status(Active, Some(day(25)), day(25)), Active);
        assert_eq!(agreement_status(Active, None, day(25)), Active);
        assert_eq!(agreement_status(Revoked, Some(day(1)), day(25)), Revoked);
        assert_eq!(
            consent_status(ConsentStatus::Active, Some(day(24)), day(25)),
            ConsentStatus::Expired
        );
        assert_eq!(
            consent_status(ConsentStatus::Revoked, Some(day(24)), day(25)),
            ConsentStatus::Revoked
        );
    }

    #[test]
    fn roles_for_consents_and_agreements() {
        let org = Uuid::from_u128(1);
        let other = Uuid::from_u128(2);
        let viewer = |roles: &[Role]| Viewer {
            subject: "s".into(),
            org_id: org,
            org_slug: "hola".into(),
            roles: roles.to_vec(),
            participant_id: None,
            reach: None,
        };
        assert!(require_consent_steward(&viewer(&[Role::Staff]), Some(org)).is_ok());
        assert!(require_consent_steward(&viewer(&[Role::Staff]), Some(other)).is_err());
        assert!(require_consent_steward(&viewer(&[Role::HubAdmin]), Some(org)).is_err());
        assert!(require_recipient_admin(&viewer(&[Role::OrgAdmin]), org).is_ok());
        assert!(require_recipient_admin(&viewer(&[Role::Staff]), org).is_err());
        assert!(require_recipient_admin(&viewer(&[Role::OrgAdmin]), other).is_err());
        assert!(require_agreement_party(&viewer(&[Role::HubAdmin]), other, other).is_ok());
        assert!(require_agreement_party(&viewer(&[Role::OrgAdmin]), other, org).is_ok());
        assert!(require_agreement_party(&viewer(&[Role::OrgAdmin]), other, other).is_err());
    }
}
