//! Who an evaluator's report counts, over HTTP, on both databases: the
//! policy's sets (consents read once per statement, providers as sets)
//! must count exactly the rows the rules of DESIGN.md section 4 let feed a
//! report — a consent revoked, expired, not yet signed, for another
//! recipient or another category, a guardian's consent for a youth now
//! adult and never re-affirmed, an agreement ended, revoked or for service
//! coordination: none of them counts.
//!
//! The story: Arts2Work shares ENROLLMENT and PROGRESS with Harder+Co for
//! EVALUATION with the youth's consent; twelve apprentices consented
//! plainly, a minor through a guardian, an adult whose guardian consented
//! re-affirmed, and one consented to ENROLLMENT only (counted, but not
//! their hours). Nine more apprentices must not count. WLCAC's agreement
//! (no consent needed) ended yesterday, HOLA's was revoked and SpaceLA
//! shares for service coordination only.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::story::*;
use common::*;
use entity::enums::*;
use serde_json::json;

const SHARED: &str = "ENROLLMENT,PROGRESS";

hub_test!(only_consents_and_agreements_in_force_count, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let s = Story::new(&app.db);
    let a2w = s.org("alliance-arts2work", OrgKind::TrainingPartner).await;
    let wlcac = s.org("wlcac", OrgKind::LeadAgency).await;
    let hola = s.org("hola", OrgKind::CommunityPartner).await;
    let spacela = s.org("spacela", OrgKind::TrainingPartner).await;
    let harder = s.org("harder-co", OrgKind::Evaluator).await;
    let other = s.org("cfc", OrgKind::Funder).await;
    let feb = date(2026, 2, 2);
    let a2w_program = s.program(a2w, "Apprenticeship").ojt(2000.0).await;
    // Every apprentice: enrolled in February, 10 approved OJT hours (1000
    // for the one whose consent leaves PROGRESS out).
    let apprentice = |ojt: f64| {
        let (s, program) = (&s, &a2w_program);
        async move {
            let p = s.participant().await;
            let e = s.enroll(p, program).applied(feb).started(feb).await;
            s.hours(&e, HourKind::Ojt, ojt)
                .worked_on(date(2026, 3, 2))
                .approved(true)
                .await;
            p
        }
    };
    for _ in 0..12 {
        let p = apprentice(10.0).await;
        s.consent(p, a2w, SHARED).signed(days(-30)).await;
    }
    let known = || s.participant().known_to(&[a2w], "Dana", "Reyes");
    let minor = known().born(days(-15 * 365)).await;
    let adult_reaffirmed = known().born(days(-20 * 365)).await;
    for p in [minor, adult_reaffirmed] {
        let e = s.enroll(p, &a2w_program).applied(feb).started(feb).await;
        s.hours(&e, HourKind::Ojt, 10.0)
            .worked_on(date(2026, 3, 2))
            .approved(true)
            .await;
        let reaffirmed = (p == adult_reaffirmed).then(chrono::Utc::now);
        s.consent(p, a2w, SHARED)
            .signed(days(-30))
            .with(|m| {
                m.granted_by = sea_orm::Set("GUARDIAN".into());
                m.guardian_name = sea_orm::Set(Some("Guardian".into()));
                m.reaffirmed_at = sea_orm::Set(reaffirmed);
            })
            .await;
    }
    let enrollment_only = apprentice(1000.0).await;
    s.consent(enrollment_only, a2w, "ENROLLMENT")
        .signed(days(-30))
        .await;
    // Nine who must not count.
    let revoked = apprentice(10.0).await;
    s.consent(revoked, a2w, SHARED)
        .signed(days(-30))
        .status(ConsentStatus::Revoked)
        .await;
    let expired = apprentice(10.0).await;
    s.consent(expired, a2w, SHARED)
        .signed(days(-30))
        .with(|m| m.expires_on = sea_orm::Set(Some(days(-1))))
        .await;
    let not_yet = apprentice(10.0).await;
    s.consent(not_yet, a2w, SHARED).signed(days(1)).await;
    let elsewhere = apprentice(10.0).await;
    s.consent(elsewhere, a2w, SHARED)
        .signed(days(-30))
        .recipient(Some(other))
        .await;
    let other_category = apprentice(10.0).await;
    s.consent(other_category, a2w, "PROGRESS,OUTCOMES")
        .signed(days(-30))
        .await;
    let adult = known().born(days(-20 * 365)).await;
    s.enroll(adult, &a2w_program)
        .applied(feb)
        .started(feb)
        .await;
    s.consent(adult, a2w, SHARED)
        .signed(days(-30))
        .with(|m| {
            m.granted_by = sea_orm::Set("GUARDIAN".into());
            m.guardian_name = sea_orm::Set(Some("Guardian".into()));
        })
        .await;
    apprentice(10.0).await; // no consent at all
    for (provider, name) in [
        (wlcac, "Media"),
        (hola, "Leadership"),
        (spacela, "Internship"),
    ] {
        let program = s.program(provider, name).await;
        let p = s.participant().await;
        s.enroll(p, &program).applied(feb).started(feb).await;
    }
    s.agreement(a2w, harder, SHARED)
        .purpose(SharingPurpose::Evaluation)
        .requires_consent(true)
        .effective(date(2025, 7, 1))
        .await;
    s.agreement(wlcac, harder, SHARED)
        .purpose(SharingPurpose::Evaluation)
        .effective(date(2025, 7, 1))
        .expires(Some(days(-1)))
        .await;
    s.agreement(hola, harder, SHARED)
        .purpose(SharingPurpose::Reporting)
        .effective(date(2025, 7, 1))
        .with(|m| m.status = sea_orm::Set(AgreementStatus::Revoked))
        .await;
    s.agreement(spacela, harder, SHARED)
        .effective(date(2025, 7, 1))
        .await;

    let token = app.token("analyst@harder-co", "harder-co", &["evaluator"]);
    let query = "query($input: ReportInput!) { report(input: $input) {
        total { cells { metric value suppressed } } } }";
    let input =
        json!({ "input": { "metrics": ["ENROLLED", "OJT_HOURS"], "groupBy": ["PROGRAM"] } });
    let answer = app.query(Some(&token), query, input).await;
    assert_ok(&answer);
    let cells = answer["data"]["report"]["total"]["cells"].clone();
    let value = |metric: &str| {
        cells
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["metric"] == metric)
            .unwrap_or_else(|| panic!("no {metric} in {cells}"))["value"]
            .as_f64()
    };
    // 12 + the minor + the adult who re-affirmed + ENROLLMENT only.
    assert_eq!(value("ENROLLED"), Some(15.0), "{answer}");
    // Their hours, but not those of the one whose consent leaves out
    // PROGRESS.
    assert_eq!(value("OJT_HOURS"), Some(140.0), "{answer}");
});
