//! The change feed (DESIGN.md section 10): `changes(since, first, kinds)`
//! under the policy as of now, tombstones for the one reader that lost
//! access, paging that neither loses nor repeats a change while writes
//! continue, and reads audited like any read.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::story::{PartnerStory, Story, days};
use common::{TestApp, spawn_app_with};
use entity::{audit_event, consent, enrollment, hour_log, sharing_agreement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::sync::Notify;
use uuid::Uuid;

const CHANGES: &str = "query($since: Int!, $first: Int, $kinds: [RecordKind!]) {
  changes(since: $since, first: $first, kinds: $kinds) {
    nodes { kind id participantId changeVersion operation ownerOrgId category record }
    maxChangeVersion hasMore
  }
}";

const REVOKE_CONSENT: &str =
    "mutation($input: RevokeConsentInput!) { revokeConsent(input: $input) { id status } }";

const LOG_HOURS: &str = "mutation($input: LogHoursInput!) { logHours(input: $input) { id } }";

#[path = "changes/webhooks.rs"]
mod webhooks;

/// One page as JSON, or the errors.
async fn page(app: &TestApp, token: &str, since: i64, first: Option<i64>) -> Value {
    app.query(
        Some(token),
        CHANGES,
        json!({ "since": since, "first": first }),
    )
    .await
}

/// Every change after `since`, paging `first` at a time; the version to
/// resume from.
async fn drain(app: &TestApp, token: &str, since: i64, first: i64) -> (Vec<Value>, i64) {
    let mut since = since;
    let mut nodes = Vec::new();
    loop {
        let answer = page(app, token, since, Some(first)).await;
        assert!(answer["errors"].is_null(), "{answer}");
        let p = &answer["data"]["changes"];
        nodes.extend(p["nodes"].as_array().unwrap().iter().cloned());
        let next = p["maxChangeVersion"].as_i64().unwrap();
        assert!(next >= since, "the feed went backwards: {since} → {next}");
        since = next;
        if !p["hasMore"].as_bool().unwrap() {
            return (nodes, since);
        }
    }
}

fn kinds(nodes: &[Value]) -> BTreeSet<String> {
    nodes
        .iter()
        .map(|n| n["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn shared_apprentice(app: &TestApp) -> (PartnerStory, Uuid, Uuid) {
    Story::new(&app.db).shared_apprentice().await
}

hub_test!(the_feed_shows_what_the_policy_allows_now, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let (story, p, _) = shared_apprentice(&app).await;
    let a2w = app.staff("alliance-arts2work");
    let hola = app.staff("hola");
    let spacela = app.staff("spacela");

    // The owner sees every kind of its rows.
    let (own, _) = drain(&app, &a2w, 0, 7).await;
    assert_eq!(
        kinds(&own),
        [
            "COMPETENCY_ATTAINMENT",
            "CREDENTIAL",
            "DUAL_ENROLLMENT",
            "ENROLLMENT",
            "HOUR_LOG",
            "MENTORSHIP",
            "MENTORSHIP_MEETING",
            "OUTCOME",
            "PARTICIPANT_PROFILE",
            "SERVICE",
        ]
        .into_iter()
        .map(String::from)
        .collect::<BTreeSet<_>>()
    );
    // Versions strictly increase, and every node is an upsert with its row.
    let versions: Vec<i64> = own
        .iter()
        .map(|n| n["changeVersion"].as_i64().unwrap())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(own.iter().all(|n| n["operation"] == "UPSERT"));
    let hours: Vec<&Value> = own.iter().filter(|n| n["kind"] == "HOUR_LOG").collect();
    assert_eq!(hours.len(), 4);
    assert!(hours.iter().all(|n| n["record"]["id"] == n["id"]));
    let total: f64 = hours
        .iter()
        .map(|n| n["record"]["hours"].as_f64().unwrap())
        .sum();
    assert_eq!(total, 218.0);

    // HOLA sees only the shared categories, all about the apprentice.
    let (shared, _) = drain(&app, &hola, 0, 100).await;
    assert_eq!(
        kinds(&shared),
        [
            "COMPETENCY_ATTAINMENT",
            "ENROLLMENT",
            "HOUR_LOG",
            "PARTICIPANT_PROFILE"
        ]
        .into_iter()
        .map(String::from)
        .collect::<BTreeSet<_>>()
    );
    assert!(
        shared
            .iter()
            .all(|n| n["participantId"] == p.to_string()
                && n["ownerOrgId"] == story.owner.to_string())
    );
    // A profile gives its names, never contact or sensitive fields.
    let profile = shared
        .iter()
        .find(|n| n["kind"] == "PARTICIPANT_PROFILE")
        .unwrap();
    assert_eq!(profile["record"]["givenName"], "Marisol1");
    assert!(profile["record"].get("email").is_none());
    assert!(profile["record"].get("priorityPopulations").is_none());
    assert!(profile["record"].get("birthDate").is_none());

    // A bystander sees nothing.
    let (none, _) = drain(&app, &spacela, 0, 100).await;
    assert!(none.is_empty(), "{none:?}");

    // HOLA's read is audited as READs of the owner's data.
    let reads = audit_event::Entity::find()
        .filter(audit_event::Column::ActorOrgId.eq(story.viewer))
        .filter(audit_event::Column::ParticipantId.eq(p))
        .filter(audit_event::Column::OwnerOrgId.eq(story.owner))
        .all(&app.db)
        .await
        .unwrap();
    let categories: BTreeSet<&str> = reads.iter().map(|r| r.categories.as_str()).collect();
    assert_eq!(
        categories,
        ["ENROLLMENT", "IDENTITY", "PROGRESS"].into_iter().collect()
    );
    assert!(reads.iter().all(|r| r.action.as_str() == "READ"));

    // `kinds` narrows the feed.
    let answer = app
        .query(
            Some(&hola),
            CHANGES,
            json!({ "since": 0, "kinds": ["HOUR_LOG"] }),
        )
        .await;
    let nodes = answer["data"]["changes"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 4);
    assert!(nodes.iter().all(|n| n["kind"] == "HOUR_LOG"));
});

hub_test!(
    a_revocation_is_a_tombstone_for_that_reader_only,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let (_story, p, consent_id) = shared_apprentice(&app).await;
        let hola = app.staff("hola");
        let a2w = app.staff("alliance-arts2work");
        let spacela = app.staff("spacela");
        let (before, hola_at) = drain(&app, &hola, 0, 100).await;
        let (_, a2w_at) = drain(&app, &a2w, 0, 100).await;
        let (_, spacela_at) = drain(&app, &spacela, 0, 100).await;
        let readable: BTreeSet<(String, String)> = before
            .iter()
            .map(|n| {
                (
                    n["kind"].as_str().unwrap().to_owned(),
                    n["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert!(readable.len() >= 7, "{readable:?}");

        let version = consent::Entity::find_by_id(consent_id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .version;
        let revoked = app
            .query(
                Some(&app.org_admin("alliance-arts2work")),
                REVOKE_CONSENT,
                json!({ "input": { "id": consent_id, "version": version } }),
            )
            .await;
        assert_eq!(
            revoked["data"]["revokeConsent"]["status"], "REVOKED",
            "{revoked}"
        );

        // HOLA gets one tombstone per row it could read, naming only kind, id
        // and participant.
        let (after, _) = drain(&app, &hola, hola_at, 3).await;
        let tombstones: BTreeSet<(String, String)> = after
            .iter()
            .map(|n| {
                assert_eq!(n["operation"], "DELETE", "{n}");
                assert!(n["record"].is_null() && n["ownerOrgId"].is_null(), "{n}");
                assert_eq!(n["participantId"], p.to_string());
                (
                    n["kind"].as_str().unwrap().to_owned(),
                    n["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(tombstones, readable);
        assert_eq!(after.len(), readable.len());
        // The owner and a bystander see no tombstone.
        let (owner_after, _) = drain(&app, &a2w, a2w_at, 100).await;
        assert!(owner_after.iter().all(|n| n["operation"] != "DELETE"));
        let (bystander, _) = drain(&app, &spacela, spacela_at, 100).await;
        assert!(bystander.is_empty(), "{bystander:?}");
        // From the start, HOLA now reads nothing but its tombstones.
        let (replay, _) = drain(&app, &hola, 0, 100).await;
        assert!(replay.iter().all(|n| n["operation"] == "DELETE"));
    }
);

/// (kind, id) of each change, every one a tombstone naming only kind, id
/// and participant.
fn tombstones(nodes: &[Value]) -> BTreeSet<(String, String)> {
    nodes
        .iter()
        .map(|n| {
            assert_eq!(n["operation"], "DELETE", "{n}");
            assert!(n["record"].is_null() && n["ownerOrgId"].is_null(), "{n}");
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn upserts(nodes: &[Value]) -> BTreeSet<(String, String)> {
    nodes
        .iter()
        .filter(|n| n["operation"] == "UPSERT")
        .map(|n| {
            (
                n["kind"].as_str().unwrap().to_owned(),
                n["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

hub_test!(access_that_ends_by_date_is_a_tombstone_once, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    let (story, _p, consent_id) = shared_apprentice(&app).await;
    let s = Story::new(&app.db);
    // HOLA's agreement took effect a month ago (the consent's last day
    // must fall within it).
    sharing_agreement::Entity::update_many()
        .col_expr(
            sharing_agreement::Column::EffectiveOn,
            sea_orm::sea_query::Expr::value(days(-30)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    // SpaceLA reads Arts2Work's enrollments under an agreement of its own,
    // without consent, until ten days from now.
    let agreement = s
        .agreement(story.owner, story.other, "ENROLLMENT")
        .effective(days(-30))
        .expires(Some(days(10)))
        .await;
    let hola = app.staff("hola");
    let spacela = app.staff("spacela");
    let a2w = app.staff("alliance-arts2work");
    let (hola_before, hola_at) = drain(&app, &hola, 0, 100).await;
    let (spacela_before, spacela_at) = drain(&app, &spacela, 0, 100).await;
    let (_, a2w_at) = drain(&app, &a2w, 0, 100).await;
    let hola_read = upserts(&hola_before);
    let spacela_read = upserts(&spacela_before);
    assert!(hola_read.len() >= 7, "{hola_read:?}");
    assert_eq!(spacela_read.len(), 1, "{spacela_read:?}");

    // The consent's last day was yesterday: nothing was written when the
    // date passed, yet HOLA's next read has a tombstone for each row.
    consent::Entity::update_many()
        .col_expr(
            consent::Column::ExpiresOn,
            sea_orm::sea_query::Expr::value(days(-1)),
        )
        .filter(consent::Column::Id.eq(consent_id))
        .exec(&app.db)
        .await
        .unwrap();
    let (hola_after, hola_at) = drain(&app, &hola, hola_at, 3).await;
    assert_eq!(tombstones(&hola_after), hola_read);
    assert_eq!(hola_after.len(), hola_read.len());
    // SpaceLA's own agreement still holds: it sees no tombstone.
    let (spacela_mid, spacela_at) = drain(&app, &spacela, spacela_at, 100).await;
    assert!(spacela_mid.is_empty(), "{spacela_mid:?}");

    // The agreement ended yesterday: SpaceLA's enrollment becomes a
    // tombstone for SpaceLA alone.
    sharing_agreement::Entity::update_many()
        .col_expr(
            sharing_agreement::Column::ExpiresOn,
            sea_orm::sea_query::Expr::value(days(-1)),
        )
        .filter(sharing_agreement::Column::Id.eq(agreement))
        .exec(&app.db)
        .await
        .unwrap();
    let (spacela_after, spacela_at) = drain(&app, &spacela, spacela_at, 100).await;
    assert_eq!(tombstones(&spacela_after), spacela_read);
    let (hola_more, _) = drain(&app, &hola, hola_at, 100).await;
    assert!(hola_more.is_empty(), "{hola_more:?}");
    let (owner_after, _) = drain(&app, &a2w, a2w_at, 100).await;
    assert!(
        owner_after.iter().all(|n| n["operation"] != "DELETE"),
        "{owner_after:?}"
    );

    // Settled once: reading again writes nothing more.
    let (again, _) = drain(&app, &spacela, spacela_at, 100).await;
    assert!(again.is_empty(), "{again:?}");
    let settled = sharing_agreement::Entity::find_by_id(agreement)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.lapse_settled_on, Some(days(0)));
    let settled = consent::Entity::find_by_id(consent_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settled.lapse_settled_on, Some(days(0)));
});

hub_test!(
    paging_while_writes_continue_loses_and_repeats_nothing,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let s = Story::new(&app.db);
        let story = s.partners().await;
        let p = s.apprentice(&story, 1).await;
        let e = enrollment::Entity::find()
            .filter(enrollment::Column::ParticipantId.eq(p))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let a2w = app.staff("alliance-arts2work");
        let (_, start) = drain(&app, &a2w, 0, 100).await;

        const WRITES: usize = 40;
        // Writes committed so far; halfway the writer waits until the reader
        // has paged once, so a page is surely read between the writes.
        let committed = Arc::new(AtomicUsize::new(0));
        let paged_halfway = Arc::new(Notify::new());
        let writer = {
            let app_url = app.url.clone();
            let token = app.token(
                "writer@alliance-arts2work",
                "alliance-arts2work",
                &["staff"],
            );
            let committed = committed.clone();
            let paged_halfway = paged_halfway.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for i in 0..WRITES {
                    if i == WRITES / 2 {
                        paged_halfway.notified().await;
                    }
                    let body = json!({
                        "query": LOG_HOURS,
                        "variables": { "input": {
                            "enrollmentId": e, "kind": "OJT",
                            "workedOn": days(-(i as i64 % 20)).to_string(), "hours": 1.5
                        } }
                    });
                    let answer: Value = client
                        .post(&app_url)
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                        .unwrap()
                        .json()
                        .await
                        .unwrap();
                    assert!(answer["errors"].is_null(), "{answer}");
                    committed.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        // Page three at a time while the writes go on, then once more after.
        let mut since = start;
        let mut seen: Vec<Value> = Vec::new();
        // Drains that began after the first write and ended before the last;
        // what had been fed when the writer was let go on.
        let mut during_writes = 0;
        let mut fed_halfway = None;
        while !writer.is_finished() {
            let before = committed.load(Ordering::SeqCst);
            let (nodes, next) = drain(&app, &a2w, since, 3).await;
            seen.extend(nodes);
            since = next;
            let after = committed.load(Ordering::SeqCst);
            if before >= 1 && after < WRITES {
                during_writes += 1;
            }
            if before >= WRITES / 2 && fed_halfway.is_none() {
                fed_halfway = Some(seen.iter().filter(|n| n["kind"] == "HOUR_LOG").count());
                paged_halfway.notify_one();
            }
        }
        writer.await.unwrap();
        assert!(during_writes >= 1, "no page was read while writes went on");
        // Halfway, everything committed so far had been fed: the feed kept up
        // with the writes, not only caught up after them.
        assert_eq!(fed_halfway, Some(WRITES / 2));
        let (nodes, _) = drain(&app, &a2w, since, 3).await;
        seen.extend(nodes);

        let versions: Vec<i64> = seen
            .iter()
            .map(|n| n["changeVersion"].as_i64().unwrap())
            .collect();
        assert!(
            versions.windows(2).all(|w| w[0] < w[1]),
            "repeated or out of order: {versions:?}"
        );
        let fed: BTreeMap<String, usize> =
            seen.iter()
                .filter(|n| n["kind"] == "HOUR_LOG")
                .fold(BTreeMap::new(), |mut m, n| {
                    *m.entry(n["id"].as_str().unwrap().to_owned()).or_default() += 1;
                    m
                });
        let written: BTreeSet<String> = hour_log::Entity::find()
            .filter(hour_log::Column::LoggedBy.eq("writer@alliance-arts2work"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.id.to_string())
            .collect();
        assert_eq!(written.len(), WRITES);
        assert_eq!(fed.keys().cloned().collect::<BTreeSet<_>>(), written);
        assert!(fed.values().all(|&n| n == 1), "{fed:?}");
    }
);

hub_test!(
    a_deleted_row_is_a_tombstone_for_those_who_may_read_it,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let (story, _p, _) = shared_apprentice(&app).await;
        let hola = app.staff("hola");
        let spacela = app.staff("spacela");
        let (_, hola_at) = drain(&app, &hola, 0, 100).await;
        let (_, spacela_at) = drain(&app, &spacela, 0, 100).await;
        let gone = hour_log::Entity::find()
            .filter(hour_log::Column::OwnerOrgId.eq(story.owner))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        hour_log::Entity::delete_by_id(gone.id)
            .exec(&app.db)
            .await
            .unwrap();
        let (after, _) = drain(&app, &hola, hola_at, 100).await;
        assert_eq!(after.len(), 1, "{after:?}");
        assert_eq!(after[0]["operation"], "DELETE");
        assert_eq!(after[0]["kind"], "HOUR_LOG");
        assert_eq!(after[0]["id"], gone.id.to_string());
        let (bystander, _) = drain(&app, &spacela, spacela_at, 100).await;
        assert!(bystander.is_empty(), "{bystander:?}");
    }
);

hub_test!(bad_arguments_and_roles_are_refused, |backend| {
    let app = spawn_app_with(backend, false, |_| {}).await;
    shared_apprentice(&app).await;
    let hola = app.staff("hola");
    for (variables, field) in [
        (json!({ "since": -1 }), "since"),
        (json!({ "since": 0, "first": 0 }), "first"),
        (json!({ "since": 0, "first": 1001 }), "first"),
    ] {
        let answer = app.query(Some(&hola), CHANGES, variables).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{answer}"
        );
        assert_eq!(
            answer["errors"][0]["extensions"]["field"], field,
            "{answer}"
        );
    }
    let evaluator = app.token("eval@harder-co", "harder-co", &["evaluator"]);
    let answer = app
        .query(Some(&evaluator), CHANGES, json!({ "since": 0 }))
        .await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let answer = app.query(None, CHANGES, json!({ "since": 0 })).await;
    assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    // Caught up: the same version comes back, with nothing.
    let (_, at) = drain(&app, &hola, 0, 100).await;
    let answer = page(&app, &hola, at, None).await;
    assert_eq!(answer["data"]["changes"]["nodes"], json!([]));
    assert_eq!(answer["data"]["changes"]["maxChangeVersion"], at);
});

const ERASE: &str = "mutation($input: EraseParticipantInput!) {
  eraseParticipant(input: $input) { participantId rowsDeleted tombstones }
}";

hub_test!(
    erasure_leaves_only_the_audit_trail_and_tombstones,
    |backend| {
        use entity::{
            change_log, credential, dual_enrollment, mentorship, mentorship_meeting, outcome,
            participant, participant_link, participant_profile, service,
        };
        let app = spawn_app_with(backend, false, |_| {}).await;
        let (story, p, _) = shared_apprentice(&app).await;
        let hola = app.staff("hola");
        let (readable, hola_at) = drain(&app, &hola, 0, 100).await;
        let audit_before = audit_event::Entity::find()
            .filter(audit_event::Column::ParticipantId.eq(p))
            .all(&app.db)
            .await
            .unwrap()
            .len();
        let enrollments: Vec<Uuid> = enrollment::Entity::find()
            .filter(enrollment::Column::ParticipantId.eq(p))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect();
        let mentorships: Vec<Uuid> = mentorship::Entity::find()
            .filter(mentorship::Column::ParticipantId.eq(p))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();

        // Refused: not a hub_admin; a bad reason; someone unknown.
        let input =
            |id: Uuid, reason: &str| json!({ "input": { "participantId": id, "reason": reason } });
        let answer = app
            .query(
                Some(&app.org_admin("alliance-arts2work")),
                ERASE,
                input(p, "request"),
            )
            .await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{answer}"
        );
        let admin = app.hub_admin();
        let answer = app.query(Some(&admin), ERASE, input(p, " ")).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{answer}"
        );
        assert_eq!(answer["errors"][0]["extensions"]["field"], "reason");
        let answer = app
            .query(Some(&admin), ERASE, input(Uuid::new_v4(), "request"))
            .await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{answer}"
        );
        assert!(
            participant::Entity::find_by_id(p)
                .one(&app.db)
                .await
                .unwrap()
                .is_some()
        );

        let answer = app
            .query(Some(&admin), ERASE, input(p, "youth's written request"))
            .await;
        let erased = &answer["data"]["eraseParticipant"];
        assert_eq!(erased["participantId"], p.to_string(), "{answer}");
        assert!(erased["rowsDeleted"].as_i64().unwrap() >= 15, "{answer}");
        assert_eq!(
            erased["tombstones"].as_u64().unwrap() as usize,
            readable.len()
        );

        // No row of the person is left...
        macro_rules! none_of {
        ($($table:ident . $column:ident in $ids:expr),+ $(,)?) => {$(
            let left = $table::Entity::find()
                .filter($table::Column::$column.is_in($ids.iter().copied()))
                .all(&app.db)
                .await
                .unwrap();
            assert!(left.is_empty(), "{} still holds {} rows", stringify!($table), left.len());
        )+};
    }
        none_of!(
            participant . Id in [p],
            participant_profile . ParticipantId in [p],
            participant_link . ParticipantId in [p],
            enrollment . ParticipantId in [p],
            hour_log . EnrollmentId in enrollments,
            credential . ParticipantId in [p],
            mentorship . ParticipantId in [p],
            mentorship_meeting . MentorshipId in mentorships,
            dual_enrollment . ParticipantId in [p],
            service . ParticipantId in [p],
            outcome . ParticipantId in [p],
            consent . ParticipantId in [p],
        );
        // ...but the audit trail, one entry longer and without content, and
        // the feed's tombstones.
        let audit_after = audit_event::Entity::find()
            .filter(audit_event::Column::ParticipantId.eq(p))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(audit_after.len(), audit_before + 1);
        assert!(
            audit_after
                .iter()
                .all(|a| !a.detail.clone().unwrap_or_default().contains("Marisol"))
        );
        let feed = change_log::Entity::find()
            .filter(change_log::Column::ParticipantId.eq(p))
            .all(&app.db)
            .await
            .unwrap();
        assert!(!feed.is_empty());
        assert!(feed.iter().all(|c| c.operation.as_str() == "DELETE"));
        // HOLA's copy can go: a tombstone for every row it could read.
        let (after, _) = drain(&app, &hola, hola_at, 100).await;
        let ids = |nodes: &[Value]| -> BTreeSet<String> {
            nodes
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert!(after.iter().all(|n| n["operation"] == "DELETE"));
        assert_eq!(ids(&after), ids(&readable));
        // The owner is told of every row it had.
        let (owner_feed, _) = drain(&app, &app.staff("alliance-arts2work"), 0, 200).await;
        assert!(owner_feed.iter().all(|n| n["operation"] == "DELETE"));
        // Profile, enrollment, 4 hour logs, a competency, a credential, a
        // mentorship and its meeting, a dual enrollment, a service, an outcome.
        assert_eq!(ids(&owner_feed).len(), 13, "{owner_feed:?}");
        assert!(
            owner_feed
                .iter()
                .all(|n| n["participantId"] == p.to_string())
        );
        let _ = story;
    }
);

/// PostgreSQL draws versions as changes are written and commits them in
/// any order: a change committed after a lower version still in flight is
/// held back until that one commits, so a partner never pages past it.
/// (SQLite has one writer: a second write waits for the first to commit.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_still_in_flight_holds_the_feed_back() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = spawn_app_with(common::Backend::Postgres, false, |_| {}).await;
    let s = Story::new(&app.db);
    let story = s.partners().await;
    let enrollment_of = |p: uuid::Uuid| {
        let db = app.db.clone();
        async move {
            enrollment::Entity::find()
                .filter(enrollment::Column::ParticipantId.eq(p))
                .one(&db)
                .await
                .unwrap()
                .unwrap()
                .id
        }
    };
    let e = enrollment_of(s.apprentice(&story, 1).await).await;
    // The later write is another apprentice's: hour writes of one
    // enrollment wait for each other (its row of report facts,
    // `enrollment_hours`, is locked until the writing transaction ends).
    let other = enrollment_of(s.apprentice(&story, 2).await).await;
    let a2w = app.staff("alliance-arts2work");
    let (_, at) = drain(&app, &a2w, 0, 100).await;

    // A transaction changes an hour log and stays open...
    let slow = app.db.begin().await.unwrap();
    slow.execute_unprepared(&format!(
        "UPDATE hour_log SET approved = NOT approved WHERE enrollment_id = '{e}'"
    ))
    .await
    .unwrap();
    // ...while a later write commits.
    let logged = app
        .query(
            Some(&a2w),
            LOG_HOURS,
            json!({ "input": { "enrollmentId": other, "kind": "RTI",
                "workedOn": days(-1).to_string(), "hours": 3.0 } }),
        )
        .await;
    let new_id = logged["data"]["logHours"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (held, held_at) = drain(&app, &a2w, at, 100).await;
    assert!(held.is_empty(), "paged past a version in flight: {held:?}");
    assert_eq!(held_at, at);

    slow.commit().await.unwrap();
    let (after, _) = drain(&app, &a2w, at, 100).await;
    let ids: Vec<&str> = after.iter().map(|n| n["id"].as_str().unwrap()).collect();
    // The four updated hour logs first (lower versions), then the new one.
    assert_eq!(ids.len(), 5, "{after:?}");
    assert_eq!(ids[4], new_id);
}
