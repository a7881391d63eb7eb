//! Unit tests of the explanation rules, without a database.

use super::*;
use chrono::Utc;
use entity::enums::{OrgKind, SharingPurpose, join_set};

fn org(slug: &str, n: u128) -> organization::Model {
    organization::Model {
        id: Uuid::from_u128(n),
        slug: slug.into(),
        name: slug.into(),
        kind: OrgKind::TrainingPartner,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
}

fn agreement(
    cats: &[Category],
    status: AgreementStatus,
    consent: bool,
) -> sharing_agreement::Model {
    sharing_agreement::Model {
        id: Uuid::from_u128(10),
        provider_org_id: Uuid::from_u128(1),
        recipient_org_id: Uuid::from_u128(2),
        categories: join_set(cats, Category::as_str),
        purpose: SharingPurpose::ServiceCoordination,
        requires_consent: consent,
        status,
        effective_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        expires_on: None,
        destroy_by: None,
        destroyed_at: None,
        lapse_settled_on: None,
        proposed_by: "admin@a".into(),
        accepted_by: None,
        accepted_at: None,
        approved_by: None,
        approved_at: None,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

fn consent(cats: &[Category], recipient: Option<u128>, status: ConsentStatus) -> consent::Model {
    consent::Model {
        id: Uuid::from_u128(20),
        participant_id: Uuid::from_u128(30),
        owner_org_id: Uuid::from_u128(1),
        recipient_org_id: recipient.map(Uuid::from_u128),
        categories: join_set(cats, Category::as_str),
        purpose: SharingPurpose::ServiceCoordination,
        granted_by: "SELF".into(),
        guardian_name: None,
        signed_on: NaiveDate::from_ymd_opt(2026, 2, 1).unwrap_or_default(),
        expires_on: None,
        status,
        revoked_at: None,
        lapse_settled_on: None,
        reaffirmed_at: None,
        version: 1,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

/// The one row about `category`; a missing or repeated one fails the test.
fn row(rows: &[Explanation], category: Category) -> &Explanation {
    let mut about = rows.iter().filter(|r| r.category == category);
    let found = about
        .next()
        .unwrap_or_else(|| panic!("no row for {category:?}"));
    assert!(about.next().is_none(), "two rows for {category:?}");
    found
}

#[test]
fn reasons_follow_the_rules() {
    let (a2w, hola) = (org("a2w", 1), org("hola", 2));
    let none = explain(
        &Facts {
            provider: &a2w,
            recipient: &hola,
            agreements: &[],
            participant: None,
        },
        today(),
    );
    assert_eq!(none.len(), 11);
    assert!(
        none.iter()
            .all(|r| !r.allowed && r.reason.contains("no sharing agreement"))
    );

    let proposed = [agreement(
        &[Category::Identity],
        AgreementStatus::Proposed,
        false,
    )];
    let rows = explain(
        &Facts {
            provider: &a2w,
            recipient: &hola,
            agreements: &proposed,
            participant: None,
        },
        today(),
    );
    assert!(
        row(&rows, Category::Identity)
            .reason
            .contains("not yet accepted")
    );
    assert!(
        row(&rows, Category::Contact)
            .reason
            .contains("does not cover CONTACT")
    );

    let active = [agreement(
        &[Category::Identity, Category::Progress],
        AgreementStatus::Active,
        true,
    )];
    let rows = explain(
        &Facts {
            provider: &a2w,
            recipient: &hola,
            agreements: &active,
            participant: None,
        },
        today(),
    );
    assert!(!row(&rows, Category::Identity).allowed);
    assert!(
        row(&rows, Category::Identity)
            .reason
            .contains("requires the participant's consent")
    );

    let consents = [consent(
        &[Category::Identity, Category::Progress],
        None,
        ConsentStatus::Active,
    )];
    let facts = |listed| Facts {
        provider: &a2w,
        recipient: &hola,
        agreements: &active,
        participant: Some(ParticipantFacts {
            consents: &consents,
            listed,
            adult: false,
        }),
    };
    let rows = explain(&facts(true), today());
    assert!(row(&rows, Category::Identity).allowed);
    assert!(row(&rows, Category::Identity).consent.is_some());
    // PROGRESS is allowed by the rules, but unreachable without ENROLLMENT.
    assert!(!row(&rows, Category::Progress).allowed);
    assert!(
        row(&rows, Category::Progress)
            .reason
            .contains("ENROLLMENT is not shared")
    );
    let rows = explain(&facts(false), today());
    assert!(!row(&rows, Category::Identity).allowed);

    let revoked = [consent(
        &[Category::Identity],
        Some(2),
        ConsentStatus::Revoked,
    )];
    let other = [consent(
        &[Category::Identity],
        Some(3),
        ConsentStatus::Active,
    )];
    for (consents, says) in [(&revoked, "was revoked"), (&other, "another recipient")] {
        let rows = explain(
            &Facts {
                provider: &a2w,
                recipient: &hola,
                agreements: &active,
                participant: Some(ParticipantFacts {
                    consents,
                    listed: true,
                    adult: false,
                }),
            },
            today(),
        );
        assert!(!row(&rows, Category::Identity).allowed);
        assert!(
            row(&rows, Category::Identity).reason.contains(says),
            "{says}"
        );
    }
}
