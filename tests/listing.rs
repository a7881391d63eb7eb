//! Who may list whom is kept as data (`participant_listing`); `totalCount`
//! counts it and pages read their candidates from it. These tests hold it
//! to the policy: for every demo organization, the count equals what
//! `participants` lists, and the list equals what `participant(id)` — the
//! policy's own conditions alone — answers, after each kind of write
//! that moves access (a new profile, a consent revoked, an agreement
//! approved or revoked, an erasure, a join and a split) and across the
//! days grants start and lapse (a guardian's consent at a 29 February
//! birthday, agreements' and consents' ends).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use common::*;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

/// The same page twice, down the compiled path and down the resolvers
/// (`source` takes them), beside the count. Pages and the count read the
/// grants kept as data (pages then test each participant against the
/// policy's conditions); [`by_policy`] asks `participant(id)`, which reads
/// the policy's conditions alone.
const PAGE: &str = "query($after: String, $filter: ParticipantFilterInput) {
  compiled: participants(first: 100, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
  resolvers: participants(first: 100, after: $after, filter: $filter) {
    pageInfo { hasNextPage endCursor } edges { node { id source } } } }";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn slugs(app: &TestApp) -> Vec<String> {
    let answer = app
        .query(
            Some(&app.hub_admin()),
            "{ organizations { slug } }",
            json!({}),
        )
        .await;
    assert_ok(&answer);
    answer["data"]["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["slug"].as_str().unwrap().to_owned())
        .collect()
}

/// What `participants` lists for `token` under `filter`, page by page,
/// after checking that both paths list the same and that every page's
/// `totalCount` is that many.
async fn listed(app: &TestApp, token: &str, filter: Value) -> Vec<String> {
    let mut ids = Vec::new();
    let mut counts = Vec::new();
    let mut after = Value::Null;
    loop {
        let answer = app
            .query(
                Some(token),
                PAGE,
                json!({ "after": after, "filter": filter }),
            )
            .await;
        assert_ok(&answer);
        let page = &answer["data"]["resolvers"];
        let compiled = &answer["data"]["compiled"];
        counts.push(compiled["totalCount"].as_u64().unwrap());
        let of = |page: &Value| -> Vec<String> {
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            of(compiled),
            of(page),
            "the compiled page against the resolvers', filter {filter}"
        );
        assert_eq!(compiled["pageInfo"], page["pageInfo"]);
        ids.extend(of(page));
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    for count in counts {
        assert_eq!(
            count,
            ids.len() as u64,
            "totalCount against the list, filter {filter}"
        );
    }
    ids
}

/// Every participant `participant(id)` answers for `token` — the policy's
/// conditions alone, without the grants — asked for each participant in
/// the database, 25 to a request (the alias limit is 30).
async fn by_policy(app: &TestApp, token: &str) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            backend,
            "SELECT id FROM participant",
        ))
        .await
        .unwrap();
    let everyone: Vec<uuid::Uuid> = rows
        .iter()
        .map(|row| row.try_get::<uuid::Uuid>("", "id").unwrap())
        .collect();
    let mut seen = Vec::new();
    for chunk in everyone.chunks(25) {
        let fields: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(n, id)| format!("p{n}: participant(id: \"{id}\") {{ id }}"))
            .collect();
        let answer = app
            .query(
                Some(token),
                &format!("{{ {} }}", fields.join(" ")),
                json!({}),
            )
            .await;
        let data = answer["data"].as_object().unwrap();
        seen.extend(
            data.values()
                .filter_map(|p| p["id"].as_str().map(str::to_owned)),
        );
    }
    seen.sort();
    seen
}

/// For every organization's staff: the count is the list, unfiltered and
/// for its own profiles, and the list is every participant the policy's
/// conditions alone let it read. Answers how many each lists.
async fn check(app: &TestApp, orgs: &[String], when: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for slug in orgs {
        let token = app.staff(slug);
        let all = listed(app, &token, Value::Null).await;
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            by_policy(app, &token).await,
            "{when}: {slug} lists whom participant(id) answers"
        );
        let own = listed(app, &token, json!({ "orgSlug": slug })).await;
        assert!(own.len() <= all.len(), "{when}: {slug}");
        // Filters the page reads per candidate and the count as sets.
        for filter in [json!({ "status": "ACTIVE" }), json!({ "search": "a" })] {
            let some = listed(app, &token, filter.clone()).await;
            assert!(some.len() <= all.len(), "{when}: {slug}, {filter}");
        }
        out.insert(slug.clone(), all.len());
    }
    assert!(
        out.values().filter(|n| **n > 0).count() >= 5,
        "{when}: the demo lists someone for most organizations: {out:?}"
    );
    out
}

async fn ok(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let answer = app.query(Some(token), query, variables).await;
    assert_ok(&answer);
    answer["data"].clone()
}

const AGREEMENT: &str =
    "id version status categories requiresConsent provider { slug } recipient { slug }";

async fn active_agreement(
    app: &TestApp,
    provider: &str,
    recipient: &str,
    consent: bool,
    effective: NaiveDate,
) -> Value {
    let proposed = ok(
        app,
        &app.org_admin(provider),
        &format!("mutation($input: ProposeAgreementInput!) {{ proposeAgreement(input: $input) {{ {AGREEMENT} }} }}"),
        json!({ "input": { "recipientOrgSlug": recipient, "categories": ["IDENTITY"],
            "purpose": "SERVICE_COORDINATION", "requiresConsent": consent, "effectiveOn": effective } }),
    )
    .await["proposeAgreement"]
        .clone();
    let step = |mutation: &'static str, row: Value, token: String| async move {
        ok(
            app,
            &token,
            &format!("mutation($input: AgreementVersionInput!) {{ {mutation}(input: $input) {{ {AGREEMENT} }} }}"),
            json!({ "input": { "id": row["id"], "version": row["version"] } }),
        )
        .await[mutation]
            .clone()
    };
    let accepted = step("acceptAgreement", proposed, app.org_admin(recipient)).await;
    step("approveAgreement", accepted, app.hub_admin()).await
}

hub_test!(
    the_count_is_the_list_for_every_viewer_across_writes,
    |backend| {
        let app = spawn_app(backend).await;
        let orgs = slugs(&app).await;
        assert!(orgs.len() >= 20, "{orgs:?}");
        let start = check(&app, &orgs, "the demo").await;

        // A new profile: its organization lists one more.
        let staff = app.staff("hola");
        ok(
        &app,
        &staff,
        "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { id } }",
        json!({ "input": { "givenName": "Inés", "familyName": "Quintero", "birthDate": "2004-05-10" } }),
    )
    .await;
        let now = check(&app, &orgs, "after createParticipant").await;
        assert_eq!(now["hola"], start["hola"] + 1);

        // A CSV import of three youths: its organization lists three more.
        let csv = "external_id,given_name,family_name,birth_date,email,phone,postal_code,guardian_name,priority_populations\n\
        HOLA-L1,Ada,Listing,2004-01-10,,,90002,,\n\
        HOLA-L2,Bea,Listing,2005-02-11,,,90002,,\n\
        HOLA-L3,Cy,Listing,2006-03-12,,,90002,,\n";
        let (status, imported) = app.upload(Some(&staff), "participants", csv, false).await;
        assert_eq!(status, 200, "{imported}");
        assert_eq!(imported["inserted"], 3, "{imported}");
        let after_import = check(&app, &orgs, "after an import").await;
        assert_eq!(after_import["hola"], now["hola"] + 3);

        // Consents covering IDENTITY revoked by the organizations that
        // recorded them: the count follows the list.
        let mut revoked = 0;
        'orgs: for slug in &orgs {
            let admin = app.org_admin(slug);
            let data = ok(
            &app,
            &admin,
            "{ participants(first: 100) { edges { node { consents { id version status categories recordedBy { slug } } } } } }",
            json!({}),
        )
        .await;
            for edge in data["participants"]["edges"].as_array().unwrap() {
                for c in edge["node"]["consents"].as_array().unwrap_or(&Vec::new()) {
                    let identity = c["categories"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|k| k == "IDENTITY");
                    if c["status"] == "ACTIVE"
                        && identity
                        && c["recordedBy"]["slug"] == slug.as_str()
                    {
                        ok(
                        &app,
                        &admin,
                        "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { id } }",
                        json!({ "input": { "id": c["id"], "version": c["version"] } }),
                    )
                    .await;
                        revoked += 1;
                        check(&app, &orgs, "after revokeConsent").await;
                        if revoked == 2 {
                            break 'orgs;
                        }
                        continue 'orgs;
                    }
                }
            }
        }
        assert_eq!(
            revoked, 2,
            "the demo has consents covering IDENTITY to revoke"
        );

        // A new agreement without consent: its recipient lists the provider's
        // youth; revoking it takes them away again.
        let before = check(&app, &orgs, "before the agreement").await;
        let agreement = active_agreement(&app, "wlcac", "csula", false, date(2026, 1, 1)).await;
        assert_eq!(agreement["status"], "ACTIVE");
        let with = check(&app, &orgs, "after approveAgreement").await;
        assert!(with["csula"] > before["csula"], "{before:?} {with:?}");
        ok(
        &app,
        &app.org_admin("wlcac"),
        &format!("mutation($input: AgreementVersionInput!) {{ revokeAgreement(input: $input) {{ {AGREEMENT} }} }}"),
        json!({ "input": { "id": agreement["id"], "version": agreement["version"] } }),
    )
    .await;
        let after = check(&app, &orgs, "after revokeAgreement").await;
        assert_eq!(after["csula"], before["csula"]);

        // Erasure, a join and a split (a hub_admin's).
        let hub = app.hub_admin();
        let hola = listed(&app, &app.staff("hola"), json!({ "orgSlug": "hola" })).await;
        let a2w = listed(
            &app,
            &app.staff("alliance-arts2work"),
            json!({ "orgSlug": "alliance-arts2work" }),
        )
        .await;
        ok(
        &app,
        &hub,
        "mutation($input: EraseParticipantInput!) { eraseParticipant(input: $input) { participantId } }",
        json!({ "input": { "participantId": hola[0], "reason": "the youth asked" } }),
    )
    .await;
        check(&app, &orgs, "after eraseParticipant").await;
        // Two hub ids of two organizations; a pair whose profiles share a
        // third organization is a CONFLICT, so the first pair that joins.
        let mut joined = None;
        'pairs: for one in hola[1..].iter().filter(|id| !a2w.contains(id)).take(5) {
            for other in a2w.iter().filter(|id| !hola.contains(id)).take(5) {
                let answer = app
                .query(
                    Some(&hub),
                    "mutation($input: LinkParticipantInput!) { linkParticipant(input: $input) { id } }",
                    json!({ "input": { "id": one, "otherId": other } }),
                )
                .await;
                if answer["errors"].is_null() {
                    joined = Some(one.clone());
                    break 'pairs;
                }
                assert_eq!(codes(&answer), ["CONFLICT"], "{answer}");
            }
        }
        let one = joined.expect("two hub ids that join");
        check(&app, &orgs, "after linkParticipant").await;
        ok(
        &app,
        &hub,
        "mutation($input: SplitParticipantInput!) { splitParticipant(input: $input) { newParticipantId } }",
        json!({ "input": { "id": one, "orgSlug": "alliance-arts2work" } }),
    )
    .await;
        check(&app, &orgs, "after splitParticipant").await;

        // Days that start and end grants: before most were signed, and past
        // the ends the demo's agreements and consents carry.
        for day in [
            date(2024, 1, 1),
            date(2027, 6, 1),
            date(2029, 1, 1),
            date(2036, 1, 1),
        ] {
            app.state.clock.set(Some(day));
            check(&app, &orgs, &format!("on {day}")).await;
        }
    }
);

hub_test!(
    a_guardians_consent_lists_until_the_day_before_a_29_february_birthday,
    |backend| {
        let app = spawn_app(backend).await;
        app.state.clock.set(Some(date(2026, 2, 1)));
        // Born 29 February 2008: a minor until 28 February 2026, an adult on
        // 1 March 2026 (the policy's cutoff).
        let created = ok(
            &app,
            &app.staff("hola"),
            "mutation($input: CreateParticipantInput!) { createParticipant(input: $input) { id } }",
            json!({ "input": { "givenName": "Leap", "familyName": "Day", "birthDate": "2008-02-29",
            "guardianName": "Rosa Day" } }),
        )
        .await;
        let youth = created["createParticipant"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        active_agreement(&app, "hola", "manifest-works", true, date(2026, 1, 1)).await;
        let reader = app.staff("manifest-works");
        let lists = |day: NaiveDate| {
            let (app, reader, youth) = (&app, &reader, &youth);
            async move {
                app.state.clock.set(Some(day));
                listed(app, reader, Value::Null).await.contains(youth)
            }
        };
        assert!(!lists(date(2026, 2, 1)).await, "no consent yet");
        app.state.clock.set(Some(date(2026, 2, 1)));
        ok(
        &app,
        &app.staff("hola"),
        "mutation($input: GrantConsentInput!) { grantConsent(input: $input) { id } }",
        json!({ "input": { "participantId": youth, "categories": ["IDENTITY"], "purpose": "SERVICE_COORDINATION",
            "grantedBy": "GUARDIAN", "guardianName": "Rosa Day", "signedOn": "2026-02-01" } }),
    )
    .await;
        assert!(lists(date(2026, 2, 1)).await, "the guardian consented");
        assert!(lists(date(2026, 2, 28)).await, "still a minor");
        assert!(
            !lists(date(2026, 3, 1)).await,
            "18 today: the guardian's consent lapsed"
        );
        assert!(!lists(date(2027, 1, 1)).await);
    }
);

hub_test!(
    a_database_without_grants_gets_them_when_the_hub_starts,
    |backend| {
        let app = spawn_app(backend).await;
        let token = app.staff("alliance-arts2work");
        let before = listed(&app, &token, Value::Null).await;
        assert!(!before.is_empty());
        // A database migrated to the table: no grants yet, so the count (which
        // reads them) says nobody while the list (the policy) lists them.
        app.db
            .execute_unprepared("DELETE FROM participant_listing")
            .await
            .unwrap();
        let answer = app
            .query(
                Some(&token),
                "{ participants(first: 1) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(answer["data"]["participants"]["totalCount"], 0);
        assert!(
            pathways_hub::policy::listing::ensure_built(&app.db)
                .await
                .unwrap()
        );
        assert!(
            !pathways_hub::policy::listing::ensure_built(&app.db)
                .await
                .unwrap()
        );
        assert_eq!(listed(&app, &token, Value::Null).await, before);
    }
);

hub_test!(the_last_minor_day_in_sql_is_the_policys, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let db_backend = app.db.get_database_backend();
    let mut births = Vec::new();
    for year in [2004, 2007, 2008, 2010, 2012] {
        for (m, d) in [(1, 31), (2, 27), (2, 28), (2, 29), (3, 1), (12, 31)] {
            if let Some(day) = NaiveDate::from_ymd_opt(year, m, d) {
                births.push(day);
            }
        }
    }
    for birth in births {
        let param = if backend == Backend::Postgres {
            "CAST($1 AS DATE)"
        } else {
            "?1"
        };
        let sql = format!(
            "SELECT CAST({} AS TEXT) AS d",
            pathways_hub::policy::listing::last_minor_day(db_backend, param)
        );
        let row = app
            .db
            .query_one_raw(sea_orm::Statement::from_sql_and_values(
                db_backend,
                sql,
                [sea_orm::Value::from(birth)],
            ))
            .await
            .unwrap()
            .unwrap();
        let text: String = row.try_get("", "d").unwrap();
        let last: NaiveDate = text[..10].parse().unwrap();
        let adult = |day: NaiveDate| birth <= pathways_hub::policy::eighteenth_birthday_cutoff(day);
        assert!(!adult(last), "{birth}: a minor on {last}");
        assert!(
            adult(last.succ_opt().unwrap()),
            "{birth}: an adult the day after {last}"
        );
    }
});
