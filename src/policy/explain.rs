//! Why a recipient may or may not read a provider's data, category by
//! category (`accessExplanation`).
//!
//! The explanation is built from the same rules as [`super::Scope`]: the
//! predicates [`agreement_in_force`] and [`consent_in_force`] are the Rust
//! form of `Scope::agreement_query` and `Scope::consent_query`, condition for
//! condition, and a change to one must be made to the other (the tests in
//! `tests/sharing.rs` compare every category's `allowed` with what the
//! recipient's staff actually read over GraphQL). Two facts of the read path
//! are added on top, because they decide what a recipient really sees: a
//! participant is listed for an organization only with a profile of its own
//! or IDENTITY access, and hours and competencies (PROGRESS) are reached
//! through the provider's enrollments (ENROLLMENT).

use chrono::NaiveDate;
use entity::enums::{AgreementStatus, Category, ConsentStatus, split_set};
use entity::{consent, organization, sharing_agreement};
use uuid::Uuid;

use super::Scopes;
use super::sharing::agreement_status;
use crate::auth::{Role, Viewer};
use crate::ground::error::{Error, Result};

/// One category's answer.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub category: Category,
    /// Whether the recipient's staff read this category of the provider's
    /// data (about the participant, when one was given) today.
    pub allowed: bool,
    /// Why, in one sentence, naming the agreement and consent concerned.
    pub reason: String,
    /// The agreement that allows it, or the one closest to allowing it.
    pub agreement: Option<sharing_agreement::Model>,
    /// The consent that allows it, or the one closest to allowing it.
    pub consent: Option<consent::Model>,
}

/// What the explanation is computed from.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub provider: &'a organization::Model,
    pub recipient: &'a organization::Model,
    /// Every agreement from the provider to the recipient, whatever its status.
    pub agreements: &'a [sharing_agreement::Model],
    /// The participant's side, when one was asked about.
    pub participant: Option<ParticipantFacts<'a>>,
}

/// What matters about the participant.
#[derive(Debug, Clone)]
pub struct ParticipantFacts<'a> {
    /// Every consent of the participant, whatever its status or recipient.
    pub consents: &'a [consent::Model],
    /// Whether the participant is listed for the recipient at all.
    pub listed: bool,
    /// Whether a profile's birth date makes the participant 18 or older
    /// today (a guardian's consent then needs their re-affirmation).
    pub adult: bool,
}

/// Who may ask: a hub admin, or an org_admin of the provider or the recipient.
pub fn require_explainer(viewer: &Viewer, provider: Uuid, recipient: Uuid) -> Result<()> {
    let party = viewer.has(Role::OrgAdmin) && [provider, recipient].contains(&viewer.org_id);
    if party || viewer.has(Role::HubAdmin) {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only a hub_admin or an org_admin of the provider or the recipient may ask",
        ))
    }
}

/// The scopes the recipient's staff have on `today` (to ask whether the
/// participant is listed for the recipient, as its staff's reads are).
pub fn recipient_scopes(recipient: &organization::Model, today: NaiveDate) -> Scopes {
    let viewer = Viewer {
        subject: String::new(),
        org_id: recipient.id,
        org_slug: recipient.slug.clone(),
        roles: vec![Role::Staff],
        participant_id: None,
        reach: None,
    };
    Scopes::new(&viewer, today)
}

/// Whether a stored category set names `category` (as `scope::covers`).
fn covers(stored: &str, category: Category) -> bool {
    split_set(stored, Category::parse).contains(&category)
}

fn not_expired(expires_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    expires_on.is_none_or(|d| d >= today)
}

/// `Scope::agreement_query` without its consent part: ACTIVE, covering the
/// category, and today within its dates.
pub fn agreement_in_force(
    a: &sharing_agreement::Model,
    category: Category,
    today: NaiveDate,
) -> bool {
    a.status == AgreementStatus::Active
        && covers(&a.categories, category)
        && a.effective_on <= today
        && not_expired(a.expires_on, today)
}

/// `Scope::consent_query`: ACTIVE, for the recipient or every partner,
/// covering the category, signed and not expired; a guardian's consent
/// only while the participant is under 18 or once they re-affirmed it.
pub fn consent_in_force(
    c: &consent::Model,
    recipient: Uuid,
    category: Category,
    today: NaiveDate,
    adult: bool,
) -> bool {
    c.status == ConsentStatus::Active
        && guardian_consent_holds(c, adult)
        && c.recipient_org_id.is_none_or(|r| r == recipient)
        && covers(&c.categories, category)
        && c.signed_on <= today
        && not_expired(c.expires_on, today)
}

/// `scope::guardian_consent_holds`.
fn guardian_consent_holds(c: &consent::Model, adult: bool) -> bool {
    c.granted_by != entity::enums::GrantedBy::Guardian.as_str()
        || !adult
        || c.reaffirmed_at.is_some()
}

/// Every category's answer, in the order of [`Category::all`].
pub fn explain(facts: &Facts<'_>, today: NaiveDate) -> Vec<Explanation> {
    let mut rows: Vec<Explanation> = Category::all()
        .iter()
        .map(|&category| decide(facts, category, today))
        .collect();
    let enrollment_allowed = rows
        .iter()
        .any(|r| r.category == Category::Enrollment && r.allowed);
    for row in &mut rows {
        if row.allowed && row.category == Category::Progress && !enrollment_allowed {
            row.allowed = false;
            row.reason = format!(
                "{}; but hours and competencies are read through {}'s enrollments, and ENROLLMENT is not shared",
                row.reason, facts.provider.slug
            );
        }
        if let Some(p) = &facts.participant
            && row.allowed
            && !p.listed
        {
            row.allowed = false;
            row.reason = format!(
                "{}; but {} has no profile of this participant and no IDENTITY access, so the participant is not listed for it at all",
                row.reason, facts.recipient.slug
            );
        }
    }
    rows
}

fn answer(
    category: Category,
    allowed: bool,
    reason: String,
    agreement: Option<&sharing_agreement::Model>,
    consent: Option<&consent::Model>,
) -> Explanation {
    Explanation {
        category,
        allowed,
        reason,
        agreement: agreement.cloned(),
        consent: consent.cloned(),
    }
}

fn decide(facts: &Facts<'_>, category: Category, today: NaiveDate) -> Explanation {
    let (provider, recipient) = (&facts.provider.slug, &facts.recipient.slug);
    let c = category.as_str();
    let in_force: Vec<&sharing_agreement::Model> = facts
        .agreements
        .iter()
        .filter(|a| agreement_in_force(a, category, today))
        .collect();
    if in_force.is_empty() {
        return no_agreement(facts, category, today);
    }
    if let Some(a) = in_force.iter().find(|a| !a.requires_consent) {
        let reason = format!(
            "agreement {} from {provider} to {recipient} covers {c} and does not require consent",
            a.id
        );
        return answer(category, true, reason, Some(a), None);
    }
    let a = in_force[0];
    let Some(p) = &facts.participant else {
        let reason = format!(
            "agreement {} from {provider} to {recipient} covers {c} but requires the participant's consent; ask about a participant to check it",
            a.id
        );
        return answer(category, false, reason, Some(a), None);
    };
    let recipient_id = facts.recipient.id;
    if let Some(k) = p
        .consents
        .iter()
        .find(|k| consent_in_force(k, recipient_id, category, today, p.adult))
    {
        let whom = match k.recipient_org_id {
            Some(_) => recipient.to_string(),
            None => "every partner".to_owned(),
        };
        let reason = format!(
            "agreement {} from {provider} to {recipient} covers {c} and consent {} (for {whom}) covers it",
            a.id, k.id
        );
        return answer(category, true, reason, Some(a), Some(k));
    }
    let (reason, k) = missing_consent(
        p.consents,
        recipient_id,
        recipient,
        category,
        today,
        p.adult,
    );
    let reason = format!(
        "agreement {} from {provider} to {recipient} covers {c} and requires consent, but {reason}",
        a.id
    );
    answer(category, false, reason, Some(a), k)
}

/// Why no agreement in force covers the category, naming the closest one.
fn no_agreement(facts: &Facts<'_>, category: Category, today: NaiveDate) -> Explanation {
    let (provider, recipient) = (&facts.provider.slug, &facts.recipient.slug);
    let c = category.as_str();
    let Some(closest) = facts.agreements.iter().min_by_key(|a| rank(a, today)) else {
        let reason = format!("there is no sharing agreement from {provider} to {recipient}");
        return answer(category, false, reason, None, None);
    };
    let covering = facts
        .agreements
        .iter()
        .filter(|a| covers(&a.categories, category))
        .min_by_key(|a| rank(a, today));
    let Some(a) = covering else {
        let reason = format!(
            "agreement {} from {provider} to {recipient} does not cover {c} (it covers {})",
            closest.id,
            closest.categories.replace(',', ", ")
        );
        return answer(category, false, reason, Some(closest), None);
    };
    let why = match agreement_status(a.status, a.expires_on, today) {
        AgreementStatus::Active => format!("takes effect only on {}", a.effective_on),
        AgreementStatus::Proposed if a.accepted_by.is_some() => {
            format!("was accepted by {recipient} but is not yet approved by a hub_admin")
        }
        AgreementStatus::Proposed => format!("is proposed and not yet accepted by {recipient}"),
        AgreementStatus::Expired => match a.expires_on {
            Some(d) => format!("expired on {d}"),
            None => "has expired".to_owned(),
        },
        AgreementStatus::Revoked => "was revoked".to_owned(),
    };
    let reason = format!(
        "agreement {} from {provider} to {recipient} covers {c} but {why}",
        a.id
    );
    answer(category, false, reason, Some(a), None)
}

/// Closest to sharing first: in force later, awaiting approval, awaiting
/// acceptance, expired, revoked.
fn rank(a: &sharing_agreement::Model, today: NaiveDate) -> u8 {
    match agreement_status(a.status, a.expires_on, today) {
        AgreementStatus::Active => 0,
        AgreementStatus::Proposed if a.accepted_by.is_some() => 1,
        AgreementStatus::Proposed => 2,
        AgreementStatus::Expired => 3,
        AgreementStatus::Revoked => 4,
    }
}

/// Why no consent in force covers the category for the recipient, naming
/// the closest consent.
fn missing_consent<'a>(
    consents: &'a [consent::Model],
    recipient_id: Uuid,
    recipient: &str,
    category: Category,
    today: NaiveDate,
    adult: bool,
) -> (String, Option<&'a consent::Model>) {
    let c = category.as_str();
    let for_recipient = |k: &&consent::Model| k.recipient_org_id.is_none_or(|r| r == recipient_id);
    let covering = |k: &&consent::Model| covers(&k.categories, category);
    if let Some(k) = consents.iter().filter(for_recipient).find(covering) {
        let why = if k.status == ConsentStatus::Revoked {
            "was revoked".to_owned()
        } else if !guardian_consent_holds(k, adult) {
            "was signed by a guardian and needs the participant's re-affirmation since their 18th birthday".to_owned()
        } else if k.signed_on > today {
            format!("is signed only on {}", k.signed_on)
        } else {
            match k.expires_on {
                Some(d) => format!("expired on {d}"),
                None => "is not in force".to_owned(),
            }
        };
        return (format!("consent {} covering {c} {why}", k.id), Some(k));
    }
    if let Some(k) = consents.iter().find(covering) {
        return (
            format!(
                "consent {} covering {c} names another recipient, not {recipient}",
                k.id
            ),
            Some(k),
        );
    }
    if let Some(k) = consents.iter().find(for_recipient) {
        return (format!("consent {} does not cover {c}", k.id), Some(k));
    }
    (
        format!("the participant has no consent covering {c} for {recipient}"),
        None,
    )
}

#[cfg(test)]
mod tests;
