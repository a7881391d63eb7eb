//! Youth accounts can't be used by one organization to reach past its
//! share (issue 30, paths 1 and 4; DESIGN.md section 11). Tried as the
//! attacker would, over HTTP: HOLA's org_admin issues a code for a youth
//! HOLA holds and redeems it with a token of its own making; the account
//! reads what HOLA may read and no more, cannot consent in the youth's
//! name, shows in the youth's disclosures, and another holder suspends it
//! so the real youth can link. Guessing codes is limited per subject and
//! per address, every alias counted.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeSet;

use common::story::{PartnerStory, Story, date};
use common::{TestApp, assert_ok, codes, one_error, spawn_app_with};
use entity::audit_event;
use entity::enums::ServiceKind;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const ISSUE: &str =
    "mutation($input: IssueAccountCodeInput!) { issueAccountCode(input: $input) { code } }";
const REDEEM: &str =
    "mutation($input: RedeemAccountCodeInput!) { redeemAccountCode(input: $input) }";
const CONFIRM: &str = "mutation($input: AccountLinkInput!) { confirmAccountLink(input: $input) { issuedBy { slug } confirmedBy { organization { slug } } } }";
const SUSPEND: &str = "mutation($input: AccountLinkInput!) { suspendAccountLink(input: $input) { endedAt endReason } }";
const MINE: &str =
    "{ me { participant { enrollments { id keptBy { slug } } services { keptBy { slug } } }
  account { issuedBy { slug } confirmedBy { organization { slug } } } } }";
const STAFF_VIEW: &str =
    "query($id: ID!) { participant(id: $id) { enrollments { id } services { keptBy { slug } }
  account { issuedBy { slug } confirmedBy { organization { slug } } } } }";
const GRANT: &str = "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }";

/// Arts2Work's apprentice, whom HOLA also keeps a profile of (and gave a
/// service); Arts2Work shares ENROLLMENT with HOLA without consent, but
/// not SERVICES.
async fn world(app: &TestApp) -> (PartnerStory, Uuid) {
    let s = Story::new(&app.db);
    let story = s.partners().await;
    let p = s.apprentice(&story, 1).await;
    s.holder(p, story.viewer, "Marisol1", "Quintero").await;
    s.service(
        p,
        story.viewer,
        ServiceKind::CaseManagement,
        date(2026, 9, 1),
    )
    .await;
    s.agreement(story.owner, story.viewer, "IDENTITY,ENROLLMENT")
        .requires_consent(false)
        .await;
    (story, p)
}

async fn issue(app: &TestApp, issuer: &str, participant: Uuid) -> String {
    let issued = app
        .query(
            Some(&app.org_admin(issuer)),
            ISSUE,
            json!({ "input": { "participantId": participant } }),
        )
        .await;
    assert_ok(&issued);
    issued["data"]["issueAccountCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn redeem(app: &TestApp, token: &str, code: &str) -> Value {
    app.query(Some(token), REDEEM, json!({ "input": { "code": code } }))
        .await
}

fn kept_by(nodes: &Value) -> BTreeSet<String> {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["keptBy"]["slug"].as_str().unwrap().to_owned())
        .collect()
}

hub_test!(
    an_org_admin_who_redeems_its_own_code_reads_no_more_than_its_staff,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let (story, p) = world(&app).await;
        // HOLA's org_admin issues a code and redeems it with a token of its
        // own making (any org-less token of the youth sign-in would do).
        let code = issue(&app, "hola", p).await;
        let forged = app.token("attacker|made-by-hola", "", &[]);
        assert_eq!(
            redeem(&app, &forged, &code).await["data"]["redeemAccountCode"],
            p.to_string()
        );

        // The account reads exactly what HOLA's staff read: Arts2Work's
        // enrollment (shared with HOLA), HOLA's own service, and not
        // Arts2Work's service (SERVICES is not shared).
        let staff = app
            .query(Some(&app.staff("hola")), STAFF_VIEW, json!({ "id": p }))
            .await;
        let mine = app.query(Some(&forged), MINE, json!({})).await;
        assert_ok(&mine);
        let record = &mine["data"]["me"]["participant"];
        assert_eq!(
            record["enrollments"].as_array().unwrap().len(),
            staff["data"]["participant"]["enrollments"]
                .as_array()
                .unwrap()
                .len()
        );
        assert_eq!(kept_by(&record["services"]), ["hola".to_owned()].into());
        assert_eq!(
            kept_by(&record["services"]),
            kept_by(&staff["data"]["participant"]["services"])
        );
        assert_eq!(mine["data"]["me"]["account"]["issuedBy"]["slug"], "hola");

        // It cannot consent in the youth's name: nobody else confirmed it.
        let grant = app
            .query(
                Some(&forged),
                GRANT,
                json!({ "input": { "participantId": p, "categories": ["SERVICES"],
                    "purpose": "SERVICE_COORDINATION", "grantedBy": "SELF",
                    "recipientOrgSlug": "hola", "signedOn": "2026-11-01" } }),
            )
            .await;
        one_error(&grant, "FORBIDDEN");

        // The issuer cannot confirm its own link; holders see who issued it.
        one_error(
            &app.query(
                Some(&app.org_admin("hola")),
                CONFIRM,
                json!({ "input": { "participantId": p } }),
            )
            .await,
            "BAD_USER_INPUT",
        );
        let seen = app
            .query(
                Some(&app.staff("alliance-arts2work")),
                STAFF_VIEW,
                json!({ "id": p }),
            )
            .await;
        assert_eq!(
            seen["data"]["participant"]["account"]["issuedBy"]["slug"], "hola",
            "{seen}"
        );
        // An organization that may read the youth but keeps no profile of
        // them sees no link: null and FORBIDDEN (IDENTITY).
        let wlcac = app
            .query(
                Some(&app.hub_admin()),
                r#"{ organization(slug: "wlcac") { id } }"#,
                json!({}),
            )
            .await;
        let wlcac = Uuid::parse_str(wlcac["data"]["organization"]["id"].as_str().unwrap()).unwrap();
        Story::new(&app.db)
            .agreement(story.owner, wlcac, "IDENTITY")
            .await;
        let seen = app
            .query(
                Some(&app.org_admin("wlcac")),
                "query($id: ID!) { participant(id: $id) { id account { issuedBy { slug } } } }",
                json!({ "id": p }),
            )
            .await;
        assert_eq!(seen["data"]["participant"]["id"], p.to_string(), "{seen}");
        assert!(seen["data"]["participant"]["account"].is_null(), "{seen}");
        let refused = one_error(&seen, "FORBIDDEN");
        assert_eq!(refused["extensions"]["category"], "IDENTITY");
        let spacela = app
            .query(
                Some(&app.org_admin("spacela")),
                CONFIRM,
                json!({ "input": { "participantId": p } }),
            )
            .await;
        one_error(&spacela, "NOT_FOUND");

        // Arts2Work, which also keeps the youth's profile, suspends the
        // link: the forged token reads nothing from the next request on.
        let suspended = app
            .query(
                Some(&app.org_admin("alliance-arts2work")),
                SUSPEND,
                json!({ "input": { "participantId": p } }),
            )
            .await;
        assert_ok(&suspended);
        assert_eq!(
            suspended["data"]["suspendAccountLink"]["endReason"],
            "SUSPENDED"
        );
        one_error(
            &app.query(Some(&forged), MINE, json!({})).await,
            "FORBIDDEN",
        );

        // The real youth links with Arts2Work's code; HOLA confirms, so the
        // account widens to HOLA's own rows too.
        let youth = app.token("youth|marisol", "", &[]);
        let code = issue(&app, "alliance-arts2work", p).await;
        assert_ok(&redeem(&app, &youth, &code).await);
        let before = app.query(Some(&youth), MINE, json!({})).await;
        assert_eq!(
            kept_by(&before["data"]["me"]["participant"]["services"]),
            ["alliance-arts2work".to_owned()].into()
        );
        let confirmed = app
            .query(
                Some(&app.org_admin("hola")),
                CONFIRM,
                json!({ "input": { "participantId": p } }),
            )
            .await;
        assert_ok(&confirmed);
        let after = app.query(Some(&youth), MINE, json!({})).await;
        assert_eq!(
            kept_by(&after["data"]["me"]["participant"]["services"]),
            ["alliance-arts2work".to_owned(), "hola".to_owned()].into()
        );
        assert_eq!(
            after["data"]["me"]["account"]["confirmedBy"][0]["organization"]["slug"],
            "hola"
        );

        // The hijacker's reads are in the youth's disclosures as SELF
        // reads they did not make.
        let disclosures = app
            .query(
                Some(&youth),
                "{ me { disclosures(first: 100) { edges { node { readBy keptBy { slug } } } } } }",
                json!({}),
            )
            .await;
        assert_ok(&disclosures);
        let self_reads = audit_event::Entity::find()
            .filter(audit_event::Column::ActorSubject.eq("attacker|made-by-hola"))
            .filter(audit_event::Column::Action.eq("READ"))
            .count(&app.db)
            .await
            .unwrap();
        assert!(self_reads > 0);
        let shown = disclosures["data"]["me"]["disclosures"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["node"]["readBy"] == "SELF")
            .count();
        assert!(shown > 0, "{disclosures}");
    }
);

hub_test!(
    guessing_codes_is_limited_per_subject_and_per_address,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let (_story, p) = world(&app).await;
        let guesser = app.token("youth|guesser", "", &[]);
        // One request with 20 aliased redeems: each alias counts.
        let aliased: String = (0..20)
            .map(|i| format!("r{i}: redeemAccountCode(input: {{code: \"AAAAA-AAA{i:02}\"}})"))
            .collect::<Vec<_>>()
            .join(" ");
        let answer = app
            .query(
                Some(&guesser),
                &format!("mutation {{ {aliased} }}"),
                json!({}),
            )
            .await;
        let got = codes(&answer);
        assert_eq!(got.len(), 20, "{answer}");
        assert_eq!(
            got.iter().filter(|c| *c == "BAD_USER_INPUT").count(),
            5,
            "{got:?}"
        );
        assert_eq!(
            got.iter().filter(|c| *c == "RATE_LIMITED").count(),
            15,
            "{got:?}"
        );
        // More single guesses are refused without being tried.
        for _ in 0..10 {
            let again = redeem(&app, &guesser, "AAAAA-BBBBB").await;
            one_error(&again, "RATE_LIMITED");
        }
        // Only the tried guesses are audited.
        let denied = audit_event::Entity::find()
            .filter(audit_event::Column::ActorSubject.eq("youth|guesser"))
            .filter(audit_event::Column::Entity.eq("account_code"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(denied, 5);
        // A real code is not redeemed by a subject in its backoff.
        let code = issue(&app, "hola", p).await;
        one_error(&redeem(&app, &guesser, &code).await, "RATE_LIMITED");

        // Fresh subjects from the same address: the address's quota (20
        // attempts, the 21 above counted) runs out for them too.
        let fresh = app.token("youth|fresh", "", &[]);
        let answer = redeem(&app, &fresh, &code).await;
        one_error(&answer, "RATE_LIMITED");
    }
);
