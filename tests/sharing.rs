//! Consents and data-sharing agreements over HTTP (issue 8): the lifecycle
//! propose → accept → approve, consent granted and revoked with effect on
//! the next request, validation with fields, refusals audited as DENY,
//! optimistic versions, expiry read from the date, who lists which
//! agreements, and `accessExplanation` — whose every `allowed` must match
//! what the recipient's staff actually read.
//!
//! The story (tests/common/story.rs): Arts2Work (alliance-arts2work) keeps
//! an apprentice's records in every category; HOLA asks to read them.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeSet;

use common::story::*;
use common::*;
use entity::enums::Category;
use entity::sharing_agreement;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const A2W: &str = "alliance-arts2work";

const AGREEMENT_FIELDS: &str =
    "id version status categories purpose requiresConsent effectiveOn expiresOn
    proposedBy acceptedBy acceptedAt approvedBy approvedAt provider { slug } recipient { slug }";

fn propose_doc() -> String {
    format!(
        "mutation($input: ProposeAgreementInput!) {{ proposeAgreement(input: $input) {{ {AGREEMENT_FIELDS} }} }}"
    )
}

fn step_doc(mutation: &str) -> String {
    format!(
        "mutation($input: AgreementVersionInput!) {{ {mutation}(input: $input) {{ {AGREEMENT_FIELDS} }} }}"
    )
}

const GRANT: &str = "mutation($input: GrantConsentInput!) { grantConsent(input: $input) {
    id version status categories purpose grantedBy guardianName signedOn expiresOn revokedAt recipient { slug } recordedBy { slug } } }";
const REVOKE_CONSENT: &str = "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { id version status revokedAt } }";
const EXPLAIN: &str = "query($r: String!, $p: ID, $prov: String) { accessExplanation(recipientOrgSlug: $r, participantId: $p, providerOrgSlug: $prov) {
    category allowed reason agreement { id status } consent { id status } } }";

struct World {
    app: TestApp,
    participant: Uuid,
}

async fn world(backend: Backend) -> World {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let story = Story::new(&app.db);
    let partners = story.partners().await;
    let participant = story.apprentice(&partners, 0).await;
    World { app, participant }
}

/// Rows of `audit_event` with this action and entity.
async fn audited(app: &TestApp, action: &str, entity: &str) -> i64 {
    app.count(&format!(
        "audit_event WHERE action = '{action}' AND entity = '{entity}'"
    ))
    .await
}

impl World {
    async fn propose(&self, recipient: &str, categories: &[&str], consent: bool) -> Value {
        self.propose_as(
            &self.app.org_admin(A2W),
            recipient,
            categories,
            consent,
            days(-30),
            None,
        )
        .await
    }

    async fn propose_as(
        &self,
        token: &str,
        recipient: &str,
        categories: &[&str],
        consent: bool,
        effective: chrono::NaiveDate,
        expires: Option<chrono::NaiveDate>,
    ) -> Value {
        self.app
            .query(
                Some(token),
                &propose_doc(),
                json!({ "input": { "recipientOrgSlug": recipient, "categories": categories,
                    "purpose": "SERVICE_COORDINATION", "requiresConsent": consent,
                    "effectiveOn": effective, "expiresOn": expires } }),
            )
            .await
    }

    async fn step(&self, token: &str, mutation: &str, agreement: &Value) -> Value {
        self.app
            .query(
                Some(token),
                &step_doc(mutation),
                json!({ "input": { "id": agreement["id"], "version": agreement["version"] } }),
            )
            .await
    }

    /// Proposed by Arts2Work, accepted by HOLA, approved by the hub admin.
    async fn active_agreement(&self, categories: &[&str], consent: bool) -> Value {
        let proposed = self.propose("hola", categories, consent).await;
        assert_ok(&proposed);
        let accepted = self
            .step(
                &self.app.org_admin("hola"),
                "acceptAgreement",
                &proposed["data"]["proposeAgreement"],
            )
            .await;
        assert_ok(&accepted);
        let approved = self
            .step(
                &self.app.hub_admin(),
                "approveAgreement",
                &accepted["data"]["acceptAgreement"],
            )
            .await;
        assert_ok(&approved);
        approved["data"]["approveAgreement"].clone()
    }

    async fn grant(&self, token: &str, input: Value) -> Value {
        self.app
            .query(Some(token), GRANT, json!({ "input": input }))
            .await
    }

    /// Arts2Work staff record the apprentice's own consent.
    async fn consent(&self, recipient: Option<&str>, categories: &[&str]) -> Value {
        let answer = self
            .grant(
                &self.app.staff(A2W),
                json!({ "participantId": self.participant, "recipientOrgSlug": recipient,
                    "categories": categories, "purpose": "SERVICE_COORDINATION",
                    "grantedBy": "SELF", "signedOn": days(-1) }),
            )
            .await;
        assert_ok(&answer);
        answer["data"]["grantConsent"].clone()
    }

    async fn revoke_consent(&self, consent: &Value) -> Value {
        self.app
            .query(
                Some(&self.app.staff(A2W)),
                REVOKE_CONSENT,
                json!({ "input": { "id": consent["id"], "version": consent["version"] } }),
            )
            .await
    }

    /// The categories HOLA staff actually read of the apprentice.
    async fn hola_reads(&self) -> BTreeSet<Category> {
        let answer = self
            .app
            .query(
                Some(&self.app.staff("hola")),
                "query($id: ID!) { participant(id: $id) { givenName email birthDate priorityPopulations
                    enrollments { ojtHours } credentials { name } mentorships { status }
                    dualEnrollments { courseCode } services { kind } outcomes { kind } } }",
                json!({ "id": self.participant }),
            )
            .await;
        let p = &answer["data"]["participant"];
        let mut seen = BTreeSet::new();
        if p.is_null() {
            return seen;
        }
        for (field, category) in [
            ("givenName", Category::Identity),
            ("email", Category::Contact),
            ("birthDate", Category::Demographics),
            ("priorityPopulations", Category::Sensitive),
        ] {
            if !p[field].is_null() {
                seen.insert(category);
            }
        }
        for (field, category) in [
            ("enrollments", Category::Enrollment),
            ("credentials", Category::Credentials),
            ("mentorships", Category::Mentorship),
            ("dualEnrollments", Category::EducationRecords),
            ("services", Category::Services),
            ("outcomes", Category::Outcomes),
        ] {
            if p[field].as_array().is_some_and(|a| !a.is_empty()) {
                seen.insert(category);
            }
        }
        if p["enrollments"][0]["ojtHours"].is_number() {
            seen.insert(Category::Progress);
        }
        seen
    }

    /// `accessExplanation` about the apprentice, asked by Arts2Work's admin.
    async fn explain(&self, participant: bool) -> Vec<Value> {
        let p = participant.then_some(self.participant);
        let answer = self
            .app
            .query(
                Some(&self.app.org_admin(A2W)),
                EXPLAIN,
                json!({ "r": "hola", "p": p }),
            )
            .await;
        assert_ok(&answer);
        answer["data"]["accessExplanation"]
            .as_array()
            .unwrap()
            .clone()
    }

    /// The categories the explanation says HOLA reads.
    async fn explained_allowed(&self) -> BTreeSet<Category> {
        let rows = self.explain(true).await;
        assert_eq!(rows.len(), 11, "one row per category");
        rows.iter()
            .filter(|r| r["allowed"] == true)
            .map(|r| Category::parse(r["category"].as_str().unwrap()).unwrap())
            .collect()
    }
}

fn row<'a>(rows: &'a [Value], category: &str) -> &'a Value {
    rows.iter().find(|r| r["category"] == category).unwrap()
}

hub_test!(
    lifecycle_shares_then_a_revoked_consent_stops_on_the_next_request,
    |backend| {
        let w = world(backend).await;
        let hola_staff = w.app.staff("hola");
        assert!(w.hola_reads().await.is_empty(), "nothing shared yet");

        let proposed = w
            .propose("hola", &["IDENTITY", "CONTACT", "SERVICES"], true)
            .await;
        assert_ok(&proposed);
        let a = &proposed["data"]["proposeAgreement"];
        assert_eq!(a["status"], "PROPOSED");
        assert_eq!(a["version"], 1);
        assert_eq!(a["requiresConsent"], true);
        assert_eq!(a["proposedBy"], "admin@alliance-arts2work");
        assert_eq!(a["provider"]["slug"], A2W);
        assert_eq!(a["recipient"]["slug"], "hola");
        assert_eq!(a["categories"], json!(["IDENTITY", "CONTACT", "SERVICES"]));

        let accepted = w.step(&w.app.org_admin("hola"), "acceptAgreement", a).await;
        assert_ok(&accepted);
        let a = &accepted["data"]["acceptAgreement"];
        assert_eq!(a["status"], "PROPOSED", "accepted, still awaiting approval");
        assert_eq!(a["acceptedBy"], "admin@hola");
        assert!(a["acceptedAt"].is_string());
        assert_eq!(a["version"], 2);

        let approved = w.step(&w.app.hub_admin(), "approveAgreement", a).await;
        assert_ok(&approved);
        let a = &approved["data"]["approveAgreement"];
        assert_eq!(a["status"], "ACTIVE");
        assert_eq!(a["approvedBy"], "hub-admin@wlcac");
        assert!(a["approvedAt"].is_string());
        assert_eq!(a["version"], 3);
        assert_eq!(audited(&w.app, "CREATE", "sharing_agreement").await, 1);
        assert_eq!(audited(&w.app, "UPDATE", "sharing_agreement").await, 1);
        assert_eq!(audited(&w.app, "GRANT", "sharing_agreement").await, 1);

        // The agreement requires consent: still nothing.
        assert!(w.hola_reads().await.is_empty(), "consent is required");

        // IDENTITY for every partner, CONTACT for HOLA only.
        let identity = w.consent(None, &["IDENTITY"]).await;
        assert_eq!(identity["status"], "ACTIVE");
        assert_eq!(identity["version"], 1);
        assert!(identity["recipient"].is_null());
        assert_eq!(identity["recordedBy"]["slug"], A2W);
        assert_eq!(identity["grantedBy"], "SELF");
        let contact = w.consent(Some("hola"), &["CONTACT"]).await;
        assert_eq!(contact["recipient"]["slug"], "hola");
        assert_eq!(audited(&w.app, "GRANT", "consent").await, 2);
        assert_eq!(
            w.hola_reads().await,
            BTreeSet::from([Category::Identity, Category::Contact])
        );

        let revoked = w.revoke_consent(&contact).await;
        assert_ok(&revoked);
        let r = &revoked["data"]["revokeConsent"];
        assert_eq!(r["status"], "REVOKED");
        assert!(r["revokedAt"].is_string());
        assert_eq!(r["version"], 2);
        assert_eq!(audited(&w.app, "REVOKE", "consent").await, 1);

        // The very next request: email is null with FORBIDDEN naming CONTACT.
        let answer = w
            .app
            .query(
                Some(&hola_staff),
                "query($id: ID!) { participant(id: $id) { givenName email } }",
                json!({ "id": w.participant }),
            )
            .await;
        assert_eq!(answer["data"]["participant"]["givenName"], "Marisol0");
        assert!(answer["data"]["participant"]["email"].is_null());
        let error = one_error(&answer, "FORBIDDEN");
        assert_eq!(error["extensions"]["category"], "CONTACT");

        // Revoking the agreement (HOLA's side may) stops IDENTITY too.
        let revoked = w.step(&w.app.org_admin("hola"), "revokeAgreement", a).await;
        assert_ok(&revoked);
        assert_eq!(revoked["data"]["revokeAgreement"]["status"], "REVOKED");
        assert_eq!(audited(&w.app, "REVOKE", "sharing_agreement").await, 1);
        assert!(w.hola_reads().await.is_empty());
    }
);

hub_test!(
    under_18_on_the_signing_date_needs_a_named_guardian,
    |backend| {
        let w = world(backend).await;
        let staff = w.app.staff(A2W);
        // Eighteen years old ten days ago: a minor on a consent signed 20 days ago.
        let born = days(-10)
            .checked_sub_months(chrono::Months::new(12 * 18))
            .unwrap();
        let created = w
        .app
        .query(
            Some(&staff),
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { id } }",
            json!({ "input": { "givenName": "Teo", "familyName": "Vargas", "birthDate": born, "guardianName": "Rosa Vargas" } }),
        )
        .await;
        assert_ok(&created);
        let teo = created["data"]["createParticipant"]["id"].clone();
        let input = |granted: &str, guardian: Option<&str>, signed: chrono::NaiveDate| {
            json!({ "participantId": teo, "recipientOrgSlug": "hola", "categories": ["IDENTITY"],
                "purpose": "SERVICE_COORDINATION", "grantedBy": granted, "guardianName": guardian, "signedOn": signed })
        };
        let before = w.app.count("consent").await;
        for (granted, guardian, field) in [
            ("SELF", None, "grantedBy"),
            ("SELF", Some("Rosa Vargas"), "grantedBy"),
            ("GUARDIAN", None, "guardianName"),
            ("GUARDIAN", Some("   "), "guardianName"),
        ] {
            let answer = w.grant(&staff, input(granted, guardian, days(-20))).await;
            let error = one_error(&answer, "BAD_USER_INPUT");
            assert_eq!(
                error["extensions"]["field"], field,
                "{granted} {guardian:?}"
            );
        }
        assert_eq!(w.app.count("consent").await, before, "nothing written");

        let by_guardian = w
            .grant(&staff, input("GUARDIAN", Some(" Rosa Vargas "), days(-20)))
            .await;
        assert_ok(&by_guardian);
        assert_eq!(by_guardian["data"]["grantConsent"]["grantedBy"], "GUARDIAN");
        assert_eq!(
            by_guardian["data"]["grantConsent"]["guardianName"],
            "Rosa Vargas"
        );
        // Signed today, the same person is 18 and signs for themself.
        let adult = w.grant(&staff, input("SELF", None, days(0))).await;
        assert_ok(&adult);
        assert!(adult["data"]["grantConsent"]["guardianName"].is_null());

        // The other rules, each naming its field.
        let base = |patch: Value| {
            let mut v = input("SELF", None, days(0));
            for (k, x) in patch.as_object().unwrap() {
                v[k.as_str()] = x.clone();
            }
            v
        };
        for (patch, field) in [
            (json!({ "categories": [] }), "categories"),
            (json!({ "signedOn": days(1) }), "signedOn"),
            (json!({ "expiresOn": days(0) }), "expiresOn"),
            (
                json!({ "recipientOrgSlug": "no-such-org" }),
                "recipientOrgSlug",
            ),
            (json!({ "recipientOrgSlug": A2W }), "recipientOrgSlug"),
        ] {
            let answer = w.grant(&staff, base(patch.clone())).await;
            let error = one_error(&answer, "BAD_USER_INPUT");
            assert_eq!(error["extensions"]["field"], field, "{patch}");
        }
        assert_eq!(w.app.count("consent").await, before + 2);
    }
);

hub_test!(
    other_organizations_are_refused_and_each_refusal_audited,
    |backend| {
        let w = world(backend).await;
        let deny = || async { w.app.count("audit_event WHERE action = 'DENY'").await };
        let start = deny().await;

        // HOLA keeps no profile of the apprentice: refused, and refused the
        // same way for a participant that does not exist.
        let grant = |id: Value| {
            json!({ "participantId": id, "categories": ["IDENTITY"], "purpose": "SERVICE_COORDINATION",
                "grantedBy": "SELF", "signedOn": days(0) })
        };
        let real = w
            .grant(&w.app.staff("hola"), grant(json!(w.participant)))
            .await;
        let ghost = w
            .grant(&w.app.staff("hola"), grant(json!(Uuid::new_v4())))
            .await;
        let (e1, e2) = (
            one_error(&real, "FORBIDDEN"),
            one_error(&ghost, "FORBIDDEN"),
        );
        assert_eq!(e1["message"], e2["message"], "no existence leak");
        assert!(real["data"].is_null());
        assert_eq!(deny().await, start + 2);
        assert_eq!(audited(&w.app, "DENY", "consent").await, 2);
        assert_eq!(w.app.count("consent").await, 0);

        // Another organization's staff may not revoke Arts2Work's consent.
        let consent = w.consent(None, &["IDENTITY"]).await;
        let answer = w
            .app
            .query(
                Some(&w.app.staff("hola")),
                REVOKE_CONSENT,
                json!({ "input": { "id": consent["id"], "version": 1 } }),
            )
            .await;
        one_error(&answer, "FORBIDDEN");
        assert_eq!(deny().await, start + 3);

        // Agreements: staff may not propose; only the recipient accepts; only
        // a hub admin approves; a third party may not revoke.
        let staff_proposal = w
            .propose_as(
                &w.app.staff(A2W),
                "hola",
                &["IDENTITY"],
                true,
                days(0),
                None,
            )
            .await;
        one_error(&staff_proposal, "FORBIDDEN");
        let proposed = w.propose("hola", &["IDENTITY"], true).await;
        let a = proposed["data"]["proposeAgreement"].clone();
        for (token, mutation) in [
            (w.app.org_admin(A2W), "acceptAgreement"),
            (w.app.org_admin("spacela"), "acceptAgreement"),
            (w.app.hub_admin(), "acceptAgreement"),
            (w.app.org_admin("hola"), "approveAgreement"),
            (w.app.org_admin("spacela"), "revokeAgreement"),
            (w.app.staff("hola"), "revokeAgreement"),
        ] {
            let answer = w.step(&token, mutation, &a).await;
            one_error(&answer, "FORBIDDEN");
        }
        assert_eq!(deny().await, start + 10);
        assert_eq!(audited(&w.app, "DENY", "sharing_agreement").await, 7);
        let listed = w
            .app
            .query(
                Some(&w.app.hub_admin()),
                "{ sharingAgreements { status version acceptedBy } }",
                json!({}),
            )
            .await;
        assert_eq!(
            listed["data"]["sharingAgreements"],
            json!([{ "status": "PROPOSED", "version": 1, "acceptedBy": null }]),
            "nothing changed"
        );
    }
);

hub_test!(
    approving_before_the_recipient_accepted_is_bad_input,
    |backend| {
        let w = world(backend).await;
        let proposed = w.propose("hola", &["IDENTITY"], false).await;
        let a = proposed["data"]["proposeAgreement"].clone();
        let answer = w.step(&w.app.hub_admin(), "approveAgreement", &a).await;
        let error = one_error(&answer, "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "id");
        assert!(error["message"].as_str().unwrap().contains("not accepted"));
        assert_eq!(audited(&w.app, "GRANT", "sharing_agreement").await, 0);
        assert!(w.hola_reads().await.is_empty(), "nothing shared");
        // Accepted, then approved: it shares at once (no consent required).
        let accepted = w
            .step(&w.app.org_admin("hola"), "acceptAgreement", &a)
            .await;
        let approved = w
            .step(
                &w.app.hub_admin(),
                "approveAgreement",
                &accepted["data"]["acceptAgreement"],
            )
            .await;
        assert_ok(&approved);
        assert_eq!(w.hola_reads().await, BTreeSet::from([Category::Identity]));
        // Approving twice, or accepting an ACTIVE agreement, is BAD_USER_INPUT.
        let a = approved["data"]["approveAgreement"].clone();
        for (token, mutation) in [
            (w.app.hub_admin(), "approveAgreement"),
            (w.app.org_admin("hola"), "acceptAgreement"),
        ] {
            one_error(&w.step(&token, mutation, &a).await, "BAD_USER_INPUT");
        }
    }
);

hub_test!(a_stale_version_is_conflict_and_changes_nothing, |backend| {
    let w = world(backend).await;
    let proposed = w.propose("hola", &["IDENTITY"], true).await;
    let v1 = proposed["data"]["proposeAgreement"].clone();
    let accepted = w
        .step(&w.app.org_admin("hola"), "acceptAgreement", &v1)
        .await;
    assert_eq!(accepted["data"]["acceptAgreement"]["version"], 2);
    let audit_before = w.app.count("audit_event").await;
    for (token, mutation) in [
        (w.app.hub_admin(), "approveAgreement"),
        (w.app.org_admin(A2W), "revokeAgreement"),
    ] {
        let answer = w.step(&token, mutation, &v1).await;
        one_error(&answer, "CONFLICT");
    }
    let listed = w
        .app
        .query(
            Some(&w.app.hub_admin()),
            "{ sharingAgreements { status version approvedBy } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["sharingAgreements"],
        json!([{ "status": "PROPOSED", "version": 2, "approvedBy": null }])
    );

    let consent = w.consent(None, &["IDENTITY"]).await;
    let audit_before_consent = w.app.count("audit_event").await;
    assert_eq!(
        audit_before_consent,
        audit_before + 1,
        "only the GRANT was written"
    );
    let stale = w
        .revoke_consent(&json!({ "id": consent["id"], "version": 2 }))
        .await;
    one_error(&stale, "CONFLICT");
    let answer = w
        .app
        .query(
            Some(&w.app.staff(A2W)),
            "query($id: ID!) { consents(participantId: $id) { status version revokedAt } }",
            json!({ "id": w.participant }),
        )
        .await;
    assert_eq!(
        answer["data"]["consents"],
        json!([{ "status": "ACTIVE", "version": 1, "revokedAt": null }])
    );
    assert_eq!(w.app.count("audit_event").await, audit_before_consent);
});

hub_test!(expiry_reads_from_the_date_without_a_job, |backend| {
    let w = world(backend).await;
    let admin = w.app.org_admin(A2W);
    let expired = w
        .propose_as(
            &admin,
            "hola",
            &["IDENTITY"],
            false,
            days(-60),
            Some(days(-1)),
        )
        .await;
    assert_ok(&expired);
    assert_eq!(expired["data"]["proposeAgreement"]["status"], "EXPIRED");
    // An ACTIVE agreement past its end reads EXPIRED and shares nothing.
    let active = w.active_agreement(&["IDENTITY"], false).await;
    assert_eq!(w.hola_reads().await, BTreeSet::from([Category::Identity]));
    let id = Uuid::parse_str(active["id"].as_str().unwrap()).unwrap();
    sharing_agreement::Entity::update_many()
        .col_expr(sharing_agreement::Column::ExpiresOn, Expr::value(days(-1)))
        .filter(sharing_agreement::Column::Id.eq(id))
        .exec(&w.app.db)
        .await
        .unwrap();
    assert!(w.hola_reads().await.is_empty());
    let current = w
        .propose_as(&admin, "hola", &["CONTACT"], false, days(0), Some(days(30)))
        .await;
    let current_id = current["data"]["proposeAgreement"]["id"].clone();

    let list = |status: &'static str| {
        let w = &w;
        async move {
            let answer = w
                .app
                .query(
                    Some(&w.app.org_admin("hola")),
                    "query($s: AgreementStatus) { sharingAgreements(status: $s) { id status } }",
                    json!({ "s": status }),
                )
                .await;
            assert_ok(&answer);
            answer["data"]["sharingAgreements"]
                .as_array()
                .unwrap()
                .clone()
        }
    };
    let expired_rows = list("EXPIRED").await;
    assert_eq!(expired_rows.len(), 2, "{expired_rows:?}");
    assert!(expired_rows.iter().all(|r| r["status"] == "EXPIRED"));
    assert!(list("ACTIVE").await.is_empty());
    let proposed_rows = list("PROPOSED").await;
    assert_eq!(proposed_rows.len(), 1);
    assert_eq!(proposed_rows[0]["id"], current_id);

    // An expired proposal cannot be accepted.
    let answer = w
        .step(
            &w.app.org_admin("hola"),
            "acceptAgreement",
            &expired["data"]["proposeAgreement"],
        )
        .await;
    one_error(&answer, "BAD_USER_INPUT");

    // A consent past its end reads EXPIRED.
    let consent = w
        .grant(
            &w.app.staff(A2W),
            json!({ "participantId": w.participant, "categories": ["IDENTITY"], "purpose": "EVALUATION",
                    "grantedBy": "SELF", "signedOn": days(-30), "expiresOn": days(-1) }),
        )
        .await;
    assert_ok(&consent);
    assert_eq!(consent["data"]["grantConsent"]["status"], "EXPIRED");
});

hub_test!(who_lists_which_agreements, |backend| {
    let w = world(backend).await;
    assert_ok(&w.propose("hola", &["IDENTITY"], true).await);
    let wlcac = w
        .propose_as(
            &w.app.org_admin("wlcac"),
            "spacela",
            &["ENROLLMENT"],
            true,
            days(0),
            None,
        )
        .await;
    assert_ok(&wlcac);
    let providers = |token: String| {
        let w = &w;
        async move {
            let answer = w
                .app
                .query(
                    Some(&token),
                    "{ sharingAgreements { provider { slug } recipient { slug } } }",
                    json!({}),
                )
                .await;
            assert_ok(&answer);
            answer["data"]["sharingAgreements"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| {
                    format!(
                        "{}>{}",
                        a["provider"]["slug"].as_str().unwrap(),
                        a["recipient"]["slug"].as_str().unwrap()
                    )
                })
                .collect::<BTreeSet<_>>()
        }
    };
    let both = BTreeSet::from([
        "alliance-arts2work>hola".to_owned(),
        "wlcac>spacela".to_owned(),
    ]);
    assert_eq!(providers(w.app.hub_admin()).await, both);
    assert_eq!(
        providers(w.app.org_admin("hola")).await,
        BTreeSet::from(["alliance-arts2work>hola".to_owned()])
    );
    assert_eq!(
        providers(w.app.staff(A2W)).await,
        BTreeSet::from(["alliance-arts2work>hola".to_owned()])
    );
    assert_eq!(
        providers(w.app.staff("spacela")).await,
        BTreeSet::from(["wlcac>spacela".to_owned()])
    );
    assert!(providers(w.app.org_admin("harder-co")).await.is_empty());
    let anonymous = w
        .app
        .query(None, "{ sharingAgreements { id } }", json!({}))
        .await;
    one_error(&anonymous, "UNAUTHENTICATED");
});

hub_test!(access_explanation_names_what_is_missing, |backend| {
    let w = world(backend).await;
    let reason = |rows: &[Value], c: &str| row(rows, c)["reason"].as_str().unwrap().to_owned();
    let rows = w.explain(false).await;
    assert_eq!(rows.len(), 11);
    assert!(
        rows.iter()
            .all(|r| r["allowed"] == false && r["agreement"].is_null())
    );
    assert!(reason(&rows, "PROGRESS").contains("no sharing agreement"));

    let proposed = w
        .propose("hola", &["IDENTITY", "PROGRESS", "ENROLLMENT"], true)
        .await;
    let a = proposed["data"]["proposeAgreement"].clone();
    let rows = w.explain(false).await;
    assert!(reason(&rows, "PROGRESS").contains("not yet accepted by hola"));
    assert_eq!(row(&rows, "PROGRESS")["agreement"]["id"], a["id"]);
    assert!(reason(&rows, "CONTACT").contains("does not cover CONTACT"));

    let accepted = w
        .step(&w.app.org_admin("hola"), "acceptAgreement", &a)
        .await;
    let rows = w.explain(false).await;
    assert!(reason(&rows, "PROGRESS").contains("not yet approved"));
    w.step(
        &w.app.hub_admin(),
        "approveAgreement",
        &accepted["data"]["acceptAgreement"],
    )
    .await;

    // Coverage only: consent would be needed.
    let rows = w.explain(false).await;
    assert_eq!(row(&rows, "PROGRESS")["allowed"], false);
    assert!(reason(&rows, "PROGRESS").contains("requires the participant's consent"));
    // About the apprentice: no consent yet, then one for another recipient.
    let rows = w.explain(true).await;
    assert!(reason(&rows, "PROGRESS").contains("no consent covering PROGRESS"));
    let spacela = w
        .consent(Some("spacela"), &["IDENTITY", "ENROLLMENT", "PROGRESS"])
        .await;
    let rows = w.explain(true).await;
    assert!(reason(&rows, "PROGRESS").contains("another recipient"));
    assert_eq!(row(&rows, "PROGRESS")["consent"]["id"], spacela["id"]);
    // A consent for HOLA: allowed, naming agreement and consent.
    let hola = w
        .consent(Some("hola"), &["IDENTITY", "ENROLLMENT", "PROGRESS"])
        .await;
    let rows = w.explain(true).await;
    let progress = row(&rows, "PROGRESS");
    assert_eq!(progress["allowed"], true, "{progress}");
    assert_eq!(progress["agreement"]["id"], a["id"]);
    assert_eq!(progress["consent"]["id"], hola["id"]);
    assert!(w.hola_reads().await.contains(&Category::Progress));
    // Who may ask: a hub admin naming the provider, either side's org_admin.
    let ask = |token: String, provider: Option<&str>| {
        let w = &w;
        let provider = provider.map(str::to_owned);
        async move {
            w.app
                .query(
                    Some(&token),
                    EXPLAIN,
                    json!({ "r": "hola", "p": w.participant, "prov": provider }),
                )
                .await
        }
    };
    assert_ok(&ask(w.app.hub_admin(), Some(A2W)).await);
    assert_ok(&ask(w.app.org_admin("hola"), Some(A2W)).await);
    let error = one_error(&ask(w.app.hub_admin(), None).await, "BAD_USER_INPUT").clone();
    assert_eq!(error["extensions"]["field"], "providerOrgSlug");
    let denied_before = audited(&w.app, "DENY", "access_explanation").await;
    one_error(&ask(w.app.staff(A2W), None).await, "FORBIDDEN");
    one_error(
        &ask(w.app.org_admin("spacela"), Some(A2W)).await,
        "FORBIDDEN",
    );
    assert_eq!(
        audited(&w.app, "DENY", "access_explanation").await,
        denied_before + 2
    );
    // Revoked: denied, and the reason says so.
    assert_ok(&w.revoke_consent(&hola).await);
    let rows = w.explain(true).await;
    assert_eq!(row(&rows, "PROGRESS")["allowed"], false);
    assert!(reason(&rows, "PROGRESS").contains("was revoked"));

    // HOLA's admin no longer sees the apprentice, so may not ask about them.
    let hidden = ask(w.app.org_admin("hola"), Some(A2W)).await;
    let error = one_error(&hidden, "BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], "participantId");
});

hub_test!(
    access_explanation_agrees_with_what_the_recipient_reads,
    |backend| {
        let w = world(backend).await;
        let check = |label: &'static str| {
            let w = &w;
            async move {
                let explained = w.explained_allowed().await;
                let read = w.hola_reads().await;
                assert_eq!(explained, read, "{label}");
                read
            }
        };
        assert!(check("no agreement").await.is_empty());

        // Everything, without consent.
        let all: Vec<&str> = Category::all().iter().map(|c| c.as_str()).collect();
        let open = w.active_agreement(&all, false).await;
        assert_eq!(check("open agreement").await.len(), 11);
        assert_ok(
            &w.step(&w.app.org_admin(A2W), "revokeAgreement", &open)
                .await,
        );
        assert!(check("revoked agreement").await.is_empty());

        // With consent: PROGRESS without ENROLLMENT is not reachable.
        w.active_agreement(
            &[
                "IDENTITY",
                "CONTACT",
                "DEMOGRAPHICS",
                "PROGRESS",
                "SERVICES",
                "OUTCOMES",
                "MENTORSHIP",
            ],
            true,
        )
        .await;
        assert!(check("no consent").await.is_empty());
        let broad = w
            .consent(
                None,
                &["IDENTITY", "CONTACT", "PROGRESS", "SERVICES", "CREDENTIALS"],
            )
            .await;
        assert_eq!(
            check("consent for every partner").await,
            BTreeSet::from([Category::Identity, Category::Contact, Category::Services])
        );
        let outcomes = w.consent(Some("hola"), &["OUTCOMES", "MENTORSHIP"]).await;
        assert_eq!(check("two consents").await.len(), 5);
        // Without IDENTITY the participant is not listed for HOLA at all.
        assert_ok(&w.revoke_consent(&broad).await);
        assert!(check("no identity").await.is_empty());
        w.consent(Some("spacela"), &["IDENTITY"]).await;
        assert!(check("identity for another recipient").await.is_empty());
        w.consent(Some("hola"), &["IDENTITY"]).await;
        assert_eq!(
            check("identity back").await,
            BTreeSet::from([Category::Identity, Category::Outcomes, Category::Mentorship])
        );
        assert_ok(&w.revoke_consent(&outcomes).await);
        assert_eq!(
            check("outcomes revoked").await,
            BTreeSet::from([Category::Identity])
        );
    }
);
