//! The youth's own record (DESIGN.md section 10; issue 21): a one-time
//! code links a youth's own token; `me` shows every row about them from
//! every organization and nothing about anyone else; their disclosures are
//! the READ audit rows about them; 18 or older they grant and revoke their
//! own consents, and a guardian's consent lapses on their 18th birthday
//! until they re-affirm it; corrections go to the organization that keeps
//! the row.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use common::story::{PartnerStory, Story, date};
use common::{TestApp, assert_ok, one_error, spawn_app_with};
use entity::enums::ServiceKind;
use entity::{account_code, audit_event, participant_profile};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const ISSUE: &str = "mutation($input: IssueAccountCodeInput!) { issueAccountCode(input: $input) { code expiresAt } }";
const REDEEM: &str =
    "mutation($input: RedeemAccountCodeInput!) { redeemAccountCode(input: $input) }";
const ME: &str = "{ me {
  id
  participant { id givenName familyName email
    enrollments { id keptBy { slug } hourLogs { id keptBy { slug } } }
    credentials { id keptBy { slug } }
    services { id keptBy { slug } } }
  profiles { id organization { slug } familyName email version }
  consents { id status grantedBy needsReaffirmation version recordedBy { slug } }
  correctionRequests { id field status answer }
} }";
const DISCLOSURES: &str =
    "query($first: Int, $after: String) { me { disclosures(first: $first, after: $after) {
  edges { node { id at reader { slug } keptBy { slug } category agreementId description } }
  pageInfo { hasNextPage endCursor } } } }";
const GRANT: &str = "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id status grantedBy version recordedBy { slug } } }";
const REVOKE: &str =
    "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { id status } }";
const REAFFIRM: &str = "mutation($input: ReaffirmConsentInput!) { reaffirmConsent(input: $input) { id version needsReaffirmation } }";
/// An aggregate report (valid for any role; only the role decides).
const REPORT: &str = "{ report(input: { metrics: [ENROLLED] }) { rows { cells { value } } total { cells { value } } } }";
const ENROLLMENTS: &str = "query($id: ID!) { participant(id: $id) { id enrollments { id } } }";

/// A youth's own token: a subject and no organization.
fn youth_token(app: &TestApp, subject: &str) -> String {
    app.token(subject, "", &[])
}

/// Links `subject`'s own token to `participant` with a code Arts2Work's
/// org_admin issues; answers the token.
async fn link(app: &TestApp, participant: Uuid, subject: &str) -> String {
    let issued = app
        .query(
            Some(&app.org_admin("alliance-arts2work")),
            ISSUE,
            json!({ "input": { "participantId": participant } }),
        )
        .await;
    assert_ok(&issued);
    let code = issued["data"]["issueAccountCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = youth_token(app, subject);
    let redeemed = app
        .query(Some(&token), REDEEM, json!({ "input": { "code": code } }))
        .await;
    assert_eq!(
        redeemed["data"]["redeemAccountCode"],
        participant.to_string(),
        "{redeemed}"
    );
    token
}

const CONFIRM: &str = "mutation($input: AccountLinkInput!) { confirmAccountLink(input: $input) { issuedBy { slug } confirmedBy { organization { slug } } everyOrganization } }";

/// Confirms `participant`'s account link with `token` (another holder's
/// org_admin, or a hub_admin): the link widens to that organization's
/// rows (DESIGN.md section 11).
async fn confirm(app: &TestApp, participant: Uuid, token: &str) {
    let answer = app
        .query(
            Some(token),
            CONFIRM,
            json!({ "input": { "participantId": participant } }),
        )
        .await;
    assert_ok(&answer);
}

/// Arts2Work's apprentice, also known to HOLA (a service) and SpaceLA (a
/// credential); another youth at Arts2Work.
async fn world(app: &TestApp) -> (PartnerStory, Uuid, Uuid) {
    let s = Story::new(&app.db);
    let story = s.partners().await;
    let p = s.apprentice(&story, 1).await;
    for org in [story.viewer, story.other] {
        s.holder(p, org, "Marisol1", "Quintero").await;
    }
    s.service(
        p,
        story.viewer,
        ServiceKind::CaseManagement,
        date(2026, 9, 1),
    )
    .await;
    s.credential(p, story.other, "OSHA 10", date(2026, 8, 1))
        .await;
    let other = s.apprentice(&story, 2).await;
    (story, p, other)
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
    a_youth_reads_their_whole_record_and_nothing_else,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let (story, p, other) = world(&app).await;
        // A certificate SpaceLA itself awarded: a badge the youth can fetch.
        let spacela = story.other;
        let certificate = Story::new(&app.db)
            .credential(p, spacela, "Set Lighting Basics", date(2026, 9, 15))
            .with(|c| c.issuer_org_id = Set(Some(spacela)))
            .await;
        let token = link(&app, p, "youth|marisol").await;

        // At first the account reaches what Arts2Work, whose code made the
        // link, may read: its own rows only (no agreement in this world).
        let first = app.query(Some(&token), ME, json!({})).await;
        assert_ok(&first);
        assert_eq!(
            kept_by(&first["data"]["me"]["participant"]["services"]),
            ["alliance-arts2work".to_owned()].into()
        );
        assert_eq!(
            first["data"]["me"]["profiles"].as_array().unwrap().len(),
            1,
            "{first}"
        );
        // HOLA and SpaceLA, which keep profiles too, confirm the link.
        confirm(&app, p, &app.org_admin("hola")).await;
        confirm(&app, p, &app.org_admin("spacela")).await;

        let answer = app.query(Some(&token), ME, json!({})).await;
        assert_ok(&answer);
        let me = &answer["data"]["me"];
        assert_eq!(me["id"], p.to_string());
        let record = &me["participant"];
        assert_eq!(record["familyName"], "Quintero");
        let kept = me["profiles"].as_array().unwrap();
        let a2w = kept
            .iter()
            .find(|p| p["organization"]["slug"] == "alliance-arts2work")
            .unwrap();
        assert_eq!(a2w["email"], "marisol1@example.com");
        // Rows of three partners, each naming who keeps it.
        assert_eq!(
            kept_by(&record["enrollments"]),
            ["alliance-arts2work".to_owned()].into()
        );
        assert_eq!(
            record["enrollments"][0]["hourLogs"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            kept_by(&record["services"]),
            ["alliance-arts2work".to_owned(), "hola".to_owned()].into()
        );
        assert_eq!(
            kept_by(&record["credentials"]),
            ["alliance-arts2work".to_owned(), "spacela".to_owned()].into()
        );
        let profiles: BTreeSet<&str> = me["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["organization"]["slug"].as_str().unwrap())
            .collect();
        assert_eq!(profiles, ["alliance-arts2work", "hola", "spacela"].into());

        // Nothing about anyone else, no lists, no aggregates, no audit log.
        let theirs = app
            .query(Some(&token), ENROLLMENTS, json!({ "id": other }))
            .await;
        one_error(&theirs, "FORBIDDEN");
        for query in [
            "{ participants(first: 5) { totalCount } }",
            "{ auditEvents(first: 5) { totalCount } }",
            "{ changes(since: 0) { maxChangeVersion } }",
            REPORT,
        ] {
            let answer = app.query(Some(&token), query, json!({})).await;
            one_error(&answer, "FORBIDDEN");
            assert!(
                answer["data"].is_null()
                    || answer["data"]
                        .as_object()
                        .unwrap()
                        .values()
                        .all(Value::is_null),
                "{answer}"
            );
        }
        // The same report is a valid query: an evaluator gets it, so the
        // youth's refusal above is the role check, not the query.
        let evaluator = app.token("analyst@harder-co", "harder-co", &["evaluator"]);
        let report = app.query(Some(&evaluator), REPORT, json!({})).await;
        assert_ok(&report);
        assert!(
            report["data"]["report"]["total"]["cells"][0]["value"].is_number(),
            "{report}"
        );
        // Their own badge, through `me`: only the one a partner awarded.
        let badges = app
            .query(
                Some(&token),
                "{ me { credentialBadges { credential } } }",
                json!({}),
            )
            .await;
        assert_ok(&badges);
        let badges = badges["data"]["me"]["credentialBadges"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(badges.len(), 1, "{badges:?}");
        let badge = &badges[0]["credential"];
        assert_eq!(badge["id"], format!("urn:uuid:{certificate}"));
        assert_eq!(badge["issuer"]["name"], "SPACELA");
        assert_eq!(badge["credentialSubject"]["id"], format!("urn:uuid:{p}"));
        // Their own reads are recorded as SELF reads (no organization), so
        // a stranger reading through a hijacked link would show.
        let reads = audit_event::Entity::find()
            .filter(audit_event::Column::ParticipantId.eq(p))
            .filter(audit_event::Column::Action.eq("READ"))
            .all(&app.db)
            .await
            .unwrap();
        assert!(!reads.is_empty());
        assert!(
            reads
                .iter()
                .all(|r| r.actor_org_id.is_none() && r.detail.as_deref() == Some("SELF")),
            "{reads:?}"
        );

        // An organization's token is not a youth's, and an unlinked youth has
        // no record.
        one_error(
            &app.query(Some(&app.staff("hola")), ME, json!({})).await,
            "FORBIDDEN",
        );
        one_error(
            &app.query(Some(&youth_token(&app, "youth|nobody")), ME, json!({}))
                .await,
            "FORBIDDEN",
        );
    }
);

hub_test!(
    disclosures_are_the_read_audit_rows_about_the_youth,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let (story, p, other) = world(&app).await;
        let s = Story::new(&app.db);
        s.agreement(story.owner, story.viewer, "IDENTITY,ENROLLMENT")
            .await;
        let token = link(&app, p, "youth|marisol").await;
        // HOLA reads both apprentices' enrollments, twice (two requests).
        for id in [p, other, p, other] {
            assert_ok(
                &app.query(Some(&app.staff("hola")), ENROLLMENTS, json!({ "id": id }))
                    .await,
            );
        }
        let expected: BTreeSet<String> = audit_event::Entity::find()
            .filter(audit_event::Column::ParticipantId.eq(p))
            .filter(audit_event::Column::Action.eq("READ"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.id.to_string())
            .collect();
        assert_eq!(expected.len(), 2, "ENROLLMENT in each request");
        // Paged one at a time, they are exactly those rows.
        let mut seen = BTreeSet::new();
        let mut after: Option<String> = None;
        loop {
            let answer = app
                .query(
                    Some(&token),
                    DISCLOSURES,
                    json!({ "first": 1, "after": after }),
                )
                .await;
            assert_ok(&answer);
            let page = &answer["data"]["me"]["disclosures"];
            for edge in page["edges"].as_array().unwrap() {
                let node = &edge["node"];
                assert_eq!(node["reader"]["slug"], "hola");
                assert_eq!(node["keptBy"]["slug"], "alliance-arts2work");
                assert!(node["agreementId"].is_string(), "{node}");
                let text = node["description"].as_str().unwrap();
                assert!(text.starts_with("HOLA read your "), "{text}");
                assert!(
                    text.contains("under their data-sharing agreement"),
                    "{text}"
                );
                assert!(!text.contains("staff@hola"), "{text}");
                assert!(seen.insert(node["id"].as_str().unwrap().to_owned()));
            }
            if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen, expected);
    }
);

hub_test!(
    a_code_is_single_use_expires_and_refusals_are_audited,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let (_story, p, other) = world(&app).await;
        let admin = app.org_admin("alliance-arts2work");
        let issue = |id: Uuid| {
            let app = &app;
            let admin = admin.clone();
            async move {
                let answer = app
                    .query(
                        Some(&admin),
                        ISSUE,
                        json!({ "input": { "participantId": id } }),
                    )
                    .await;
                assert_ok(&answer);
                answer["data"]["issueAccountCode"]["code"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            }
        };
        let code = issue(p).await;
        // Stored hashed only.
        let stored = account_code::Entity::find().all(&app.db).await.unwrap();
        assert!(
            stored
                .iter()
                .all(|c| c.code_hash != code && c.code_hash.len() == 64)
        );

        // Typed in lower case with spaces, it works once.
        let first = youth_token(&app, "youth|marisol");
        let typed = code.to_lowercase().replace('-', " ");
        let answer = app
            .query(Some(&first), REDEEM, json!({ "input": { "code": typed } }))
            .await;
        assert_eq!(
            answer["data"]["redeemAccountCode"],
            p.to_string(),
            "{answer}"
        );
        let second = youth_token(&app, "youth|someone-else");
        let again = app
            .query(Some(&second), REDEEM, json!({ "input": { "code": code } }))
            .await;
        assert_eq!(
            one_error(&again, "BAD_USER_INPUT")["extensions"]["field"],
            "code"
        );

        // Expired: refused with the same answer.
        let late = issue(other).await;
        account_code::Entity::update_many()
            .col_expr(
                account_code::Column::ExpiresAt,
                sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::minutes(1)),
            )
            .filter(account_code::Column::ParticipantId.eq(other))
            .exec(&app.db)
            .await
            .unwrap();
        let expired = app
            .query(Some(&second), REDEEM, json!({ "input": { "code": late } }))
            .await;
        assert_eq!(
            one_error(&expired, "BAD_USER_INPUT")["message"],
            one_error(&again, "BAD_USER_INPUT")["message"]
        );
        // An organization's token cannot redeem; an org_admin of an
        // organization without a profile of the youth cannot issue.
        let fresh = issue(other).await;
        one_error(
            &app.query(
                Some(&app.staff("hola")),
                REDEEM,
                json!({ "input": { "code": fresh } }),
            )
            .await,
            "FORBIDDEN",
        );
        let stranger = app.org_admin("harder-co");
        one_error(
            &app.query(
                Some(&stranger),
                ISSUE,
                json!({ "input": { "participantId": p } }),
            )
            .await,
            "NOT_FOUND",
        );
        // Every refusal is in the audit log.
        let denials = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("DENY"))
            .all(&app.db)
            .await
            .unwrap();
        let by = |subject: &str| {
            denials
                .iter()
                .filter(|d| d.actor_subject == subject)
                .count()
        };
        assert_eq!(by("youth|someone-else"), 2, "{denials:?}");
        assert_eq!(by("staff@hola"), 1, "{denials:?}");
        assert_eq!(
            by("admin@harder-co"),
            0,
            "NOT_FOUND is not a refusal of a right"
        );
    }
);

/// Consent input for HOLA, signed on `day`.
fn consent_input(p: Uuid, granted_by: &str, day: NaiveDate) -> Value {
    json!({ "input": {
        "participantId": p, "recipientOrgSlug": "hola", "categories": ["IDENTITY", "ENROLLMENT"],
        "purpose": "SERVICE_COORDINATION", "grantedBy": granted_by, "signedOn": day.to_string(),
    } })
}

hub_test!(
    a_guardian_consent_lapses_on_the_18th_birthday_until_reaffirmed,
    |backend| {
        let birthday = date(2026, 6, 15);
        let eve = date(2026, 6, 14);
        let app = spawn_app_with(backend, false, |config| config.fixed_today = Some(eve)).await;
        let s = Story::new(&app.db);
        let story = s.partners().await;
        let p = s
            .participant()
            .known_to(&[story.owner], "Dani", "Reyes")
            .born(date(2008, 6, 15))
            .await;
        s.enroll(p, &story.program).applied(date(2026, 1, 5)).await;
        s.agreement(story.owner, story.viewer, "IDENTITY,ENROLLMENT")
            .requires_consent(true)
            .effective(date(2025, 1, 1))
            .await;
        // Their guardian signed in January.
        let guardian = app
            .query(Some(&app.org_admin("alliance-arts2work")), GRANT, {
                let mut input = consent_input(p, "GUARDIAN", date(2026, 1, 10));
                input["input"]["guardianName"] = json!("Ana Reyes");
                input
            })
            .await;
        assert_ok(&guardian);
        let consent = guardian["data"]["grantConsent"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let token = link(&app, p, "youth|dani").await;
        // Only Arts2Work keeps a profile: a hub_admin confirms the link, so
        // the youth may consent in their own name.
        confirm(&app, p, &app.hub_admin()).await;
        let hola_reads = || async {
            let answer = app
                .query(Some(&app.staff("hola")), ENROLLMENTS, json!({ "id": p }))
                .await;
            !answer["data"]["participant"].is_null()
        };

        // HOLA sees the consent naming it, but not the youth's age: whether it
        // needs re-affirming is DEMOGRAPHICS, which HOLA may not read.
        let seen = app
            .query(
                Some(&app.staff("hola")),
                "query($id: ID!) { participant(id: $id) { consents { id needsReaffirmation } } }",
                json!({ "id": p }),
            )
            .await;
        assert_eq!(
            seen["data"]["participant"]["consents"][0]["id"],
            consent.as_str(),
            "{seen}"
        );
        assert!(seen["data"]["participant"]["consents"][0]["needsReaffirmation"].is_null());
        let error = one_error(&seen, "FORBIDDEN");
        assert_eq!(error["extensions"]["category"], "DEMOGRAPHICS");
        // At 17: HOLA reads under the guardian's consent; the youth cannot
        // grant their own, and is told a guardian signs.
        assert!(hola_reads().await);
        let refused = app
            .query(Some(&token), GRANT, consent_input(p, "SELF", eve))
            .await;
        let error = one_error(&refused, "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "grantedBy");
        assert!(
            error["message"].as_str().unwrap().contains("GUARDIAN"),
            "{error}"
        );
        let me = app.query(Some(&token), ME, json!({})).await;
        assert_eq!(
            me["data"]["me"]["consents"][0]["needsReaffirmation"], false,
            "{me}"
        );
        let early = app
            .query(
                Some(&token),
                REAFFIRM,
                json!({ "input": { "id": consent, "version": 1 } }),
            )
            .await;
        one_error(&early, "BAD_USER_INPUT");

        // The 18th birthday: the guardian's consent counts as not given.
        app.state.clock.set(Some(birthday));
        assert!(!hola_reads().await);
        let me = app.query(Some(&token), ME, json!({})).await;
        assert_eq!(
            me["data"]["me"]["consents"][0]["needsReaffirmation"], true,
            "{me}"
        );
        // Re-affirmed, it counts again.
        let reaffirmed = app
            .query(
                Some(&token),
                REAFFIRM,
                json!({ "input": { "id": consent, "version": 1 } }),
            )
            .await;
        assert_ok(&reaffirmed);
        assert_eq!(
            reaffirmed["data"]["reaffirmConsent"]["needsReaffirmation"],
            false
        );
        assert!(hola_reads().await);

        // At 18 they revoke it, and grant their own, recorded by Arts2Work.
        let revoked = app
            .query(
                Some(&token),
                REVOKE,
                json!({ "input": { "id": consent, "version": 2 } }),
            )
            .await;
        assert_eq!(
            revoked["data"]["revokeConsent"]["status"], "REVOKED",
            "{revoked}"
        );
        assert!(!hola_reads().await);
        let own = app
            .query(Some(&token), GRANT, consent_input(p, "SELF", birthday))
            .await;
        assert_ok(&own);
        assert_eq!(
            own["data"]["grantConsent"]["recordedBy"]["slug"],
            "alliance-arts2work"
        );
        assert!(hola_reads().await);
        // Every write and refusal of theirs is audited with their subject.
        let theirs = audit_event::Entity::find()
            .filter(audit_event::Column::ActorSubject.eq("youth|dani"))
            .all(&app.db)
            .await
            .unwrap();
        let actions: Vec<&str> = theirs.iter().map(|a| a.action.as_str()).collect();
        for action in ["DENY", "GRANT", "REVOKE", "CREATE"] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
    }
);

const REQUEST: &str = "mutation($input: RequestCorrectionInput!) { requestCorrection(input: $input) { id status field version } }";
const RESOLVE: &str = "mutation($input: ResolveCorrectionInput!) { resolveCorrection(input: $input) { id status answer version } }";
const OPEN: &str =
    "{ correctionRequests(status: OPEN) { id field proposedValue reason participantId version } }";

hub_test!(the_correction_lifecycle, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let (_story, p, other) = world(&app).await;
    let token = link(&app, p, "youth|marisol").await;
    let me = app.query(Some(&token), ME, json!({})).await;
    let profiles = me["data"]["me"]["profiles"].as_array().unwrap().clone();
    let a2w = profiles
        .iter()
        .find(|p| p["organization"]["slug"] == "alliance-arts2work")
        .unwrap()
        .clone();
    let enrollment = me["data"]["me"]["participant"]["enrollments"][0]["id"].clone();
    let ask = |entity: &str, id: &Value, field: &str, value: &str| {
        json!({ "input": { "entity": entity, "entityId": id, "field": field,
            "proposedValue": value, "reason": "My family name is spelled with an accent." } })
    };

    // A request about a row of another youth, or of no row at all, is
    // refused alike.
    let theirs = participant_profile::Entity::find()
        .filter(participant_profile::Column::ParticipantId.eq(other))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let refused = app
        .query(
            Some(&token),
            REQUEST,
            ask("PARTICIPANT_PROFILE", &json!(theirs.id), "familyName", "X"),
        )
        .await;
    let missing = app
        .query(
            Some(&token),
            REQUEST,
            ask(
                "PARTICIPANT_PROFILE",
                &json!(Uuid::new_v4()),
                "familyName",
                "X",
            ),
        )
        .await;
    assert_eq!(
        one_error(&refused, "NOT_FOUND")["message"],
        one_error(&missing, "NOT_FOUND")["message"]
    );
    // A field that cannot be corrected, and a value of the wrong kind.
    let field = app
        .query(
            Some(&token),
            REQUEST,
            ask("PARTICIPANT_PROFILE", &a2w["id"], "matchKey", "X"),
        )
        .await;
    assert_eq!(
        one_error(&field, "BAD_USER_INPUT")["extensions"]["field"],
        "field"
    );
    let day = app
        .query(
            Some(&token),
            REQUEST,
            ask("ENROLLMENT", &enrollment, "startedOn", "last spring"),
        )
        .await;
    assert_eq!(
        one_error(&day, "BAD_USER_INPUT")["extensions"]["field"],
        "proposedValue"
    );
    // Staff cannot file one.
    one_error(
        &app.query(
            Some(&app.staff("alliance-arts2work")),
            REQUEST,
            ask("PARTICIPANT_PROFILE", &a2w["id"], "familyName", "X"),
        )
        .await,
        "FORBIDDEN",
    );

    // Two requests to Arts2Work.
    let name = app
        .query(
            Some(&token),
            REQUEST,
            ask("PARTICIPANT_PROFILE", &a2w["id"], "familyName", "Quintéro"),
        )
        .await;
    assert_ok(&name);
    let start = app
        .query(
            Some(&token),
            REQUEST,
            ask("ENROLLMENT", &enrollment, "startedOn", "2026-07-01"),
        )
        .await;
    assert_ok(&start);
    // Arts2Work's staff see them; HOLA's do not.
    let open = app
        .query(Some(&app.staff("alliance-arts2work")), OPEN, json!({}))
        .await;
    assert_eq!(
        open["data"]["correctionRequests"].as_array().unwrap().len(),
        2,
        "{open}"
    );
    let hola = app.query(Some(&app.staff("hola")), OPEN, json!({})).await;
    assert_eq!(hola["data"]["correctionRequests"], json!([]), "{hola}");
    let name_id = name["data"]["requestCorrection"]["id"].clone();
    let start_id = start["data"]["requestCorrection"]["id"].clone();
    one_error(
        &app.query(
            Some(&app.staff("hola")),
            RESOLVE,
            json!({ "input": { "id": name_id, "version": 1, "accept": true } }),
        )
        .await,
        "NOT_FOUND",
    );

    // Accepted: the field changes, the profile's version moves on, and the
    // change is audited without the value.
    let accepted = app
        .query(
            Some(&app.staff("alliance-arts2work")),
            RESOLVE,
            json!({ "input": { "id": name_id, "version": 1, "accept": true } }),
        )
        .await;
    assert_eq!(
        accepted["data"]["resolveCorrection"]["status"], "ACCEPTED",
        "{accepted}"
    );
    let profile = participant_profile::Entity::find_by_id(
        Uuid::parse_str(a2w["id"].as_str().unwrap()).unwrap(),
    )
    .one(&app.db)
    .await
    .unwrap()
    .unwrap();
    assert_eq!(profile.family_name, "Quintéro");
    assert_eq!(profile.version, a2w["version"].as_i64().unwrap() as i32 + 1);
    let updates = audit_event::Entity::find()
        .filter(audit_event::Column::Entity.eq("participant_profile"))
        .filter(audit_event::Column::Action.eq("UPDATE"))
        .all(&app.db)
        .await
        .unwrap();
    assert_eq!(updates.len(), 1, "{updates:?}");
    let detail = updates[0].detail.clone().unwrap();
    assert!(
        detail.contains("familyName") && !detail.contains("Quint"),
        "{detail}"
    );
    // Resolved once only.
    one_error(
        &app.query(
            Some(&app.staff("alliance-arts2work")),
            RESOLVE,
            json!({ "input": { "id": name_id, "version": 2, "accept": true } }),
        )
        .await,
        "BAD_USER_INPUT",
    );

    // Declined needs an answer, which the youth reads; the date stays.
    let bare = app
        .query(
            Some(&app.staff("alliance-arts2work")),
            RESOLVE,
            json!({ "input": { "id": start_id, "version": 1, "accept": false } }),
        )
        .await;
    assert_eq!(
        one_error(&bare, "BAD_USER_INPUT")["extensions"]["field"],
        "answer"
    );
    let declined = app
        .query(
            Some(&app.staff("alliance-arts2work")),
            RESOLVE,
            json!({ "input": { "id": start_id, "version": 1, "accept": false,
                "answer": "Your first day on set was June 3; the sign-in sheet is on file." } }),
        )
        .await;
    assert_eq!(
        declined["data"]["resolveCorrection"]["status"], "DECLINED",
        "{declined}"
    );
    let me = app.query(Some(&token), ME, json!({})).await;
    let requests = me["data"]["me"]["correctionRequests"].as_array().unwrap();
    let answered = requests.iter().find(|r| r["field"] == "startedOn").unwrap();
    assert_eq!(answered["status"], "DECLINED");
    assert!(answered["answer"].as_str().unwrap().contains("June 3"));
    assert_eq!(
        me["data"]["me"]["participant"]["enrollments"][0]["id"], enrollment,
        "the enrollment is still there"
    );
});

hub_test!(the_me_page_works_on_a_phone, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let (story, p, _other) = world(&app).await;
    let s = Story::new(&app.db);
    s.agreement(story.owner, story.viewer, "IDENTITY,ENROLLMENT")
        .requires_consent(true)
        .await;
    let consent = s.consent(p, story.owner, "IDENTITY,ENROLLMENT").await;
    // HOLA reads the apprentice's enrollment under the consent.
    assert_ok(
        &app.query(Some(&app.staff("hola")), ENROLLMENTS, json!({ "id": p }))
            .await,
    );
    let issued = app
        .query(
            Some(&app.org_admin("alliance-arts2work")),
            ISSUE,
            json!({ "input": { "participantId": p } }),
        )
        .await;
    let code = issued["data"]["issueAccountCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let youth = json!({
        "token": youth_token(&app, "youth|marisol"),
        "code": code,
        "participantId": p,
        "confirmers": [app.org_admin("hola"), app.org_admin("spacela")],
    });
    let shots = common::browser::screenshots("me-page", backend);
    let out =
        common::browser::run(&app, "me_page.mjs", &shots, &[("YOUTH", youth.to_string())]).await;
    assert!(out.contains("\"ok\":true"), "{out}");
    assert!(shots.join("me.png").exists() && shots.join("after.png").exists());
    // What the youth did in the browser is in the database and the audit.
    let revoked = entity::consent::Entity::find_by_id(consent)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked.status.as_str(), "REVOKED");
    assert_eq!(
        app.count("correction_request WHERE status = 'OPEN'").await,
        1
    );
    assert_eq!(
        app.count("audit_event WHERE actor_subject = 'youth|marisol' AND action = 'REVOKE'")
            .await,
        1
    );
    assert_eq!(
        app.count("audit_event WHERE actor_subject = 'youth|marisol' AND action = 'GRANT'")
            .await,
        1
    );
    assert_eq!(
        app.count("consent WHERE status = 'ACTIVE' AND granted_by = 'SELF'")
            .await,
        1,
        "the consent the youth gave in the browser"
    );
    // The wrong code was refused and audited.
    assert_eq!(
        app.count("audit_event WHERE actor_subject = 'youth|marisol' AND action = 'DENY'")
            .await,
        1
    );
});
