//! An event left unsealed longer than `audit.unsealed_alert_secs` (the
//! sealer stopped, or the event went past its queue) makes `audit verify`
//! fail and name it; younger ones are only counted.

use chrono::{TimeDelta, Utc};
use entity::enums::AuditAction;
use sea_orm::Set;
use uuid::Uuid;

use super::*;
use crate::common::fresh_database;
use crate::hub_test;

/// Inserts an event written `age` ago (no server runs: nothing seals it).
async fn event_of_age(db: &DatabaseConnection, age: TimeDelta) -> Uuid {
    let id = Uuid::new_v4();
    let at = Utc::now() - age;
    audit_event::Entity::insert(audit_event::ActiveModel {
        id: Set(id),
        at: Set(at),
        actor_subject: Set("staff@wlcac".into()),
        actor_org_id: Set(None),
        action: Set(AuditAction::Read),
        entity: Set("participant".into()),
        entity_id: Set(None),
        participant_id: Set(None),
        owner_org_id: Set(None),
        categories: Set("IDENTITY".into()),
        request_id: Set("req".into()),
        detail: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    id
}

hub_test!(an_event_unsealed_too_long_fails_verify, |backend| {
    let (url, _cleanup) = fresh_database(backend).await;
    let db = pathways_hub::ground::db::connect_url(&url, 2, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    pathways_hub::ground::db::migrate(&db).await.unwrap();
    let old = event_of_age(&db, TimeDelta::hours(2)).await;
    event_of_age(&db, TimeDelta::seconds(1)).await;

    // Default alarm: a minute. The two-hour-old event is named, with its age.
    let (ok, out, err) = audit_on(&url, &[], &["verify"]);
    assert!(!ok, "{out}");
    let line = format!(
        "1 event(s) not sealed for longer than 60 s (audit.unsealed_alert_secs), \
         the oldest, event {old}, for 720"
    );
    assert!(out.contains(&line), "{line}\n{out}");
    assert!(err.contains("1 problem(s)"), "{err}");
    // A looser alarm (from the environment) only counts them.
    let three_hours = [("PATHWAYS_AUDIT__UNSEALED_ALERT_SECS", "10800")];
    let (ok, out, err) = audit_on(&url, &three_hours, &["verify"]);
    assert!(ok && out.contains("; 2 not sealed yet"), "{out}{err}");
    // At 0 any event waiting fails it.
    let (ok, out, _) = audit_on(
        &url,
        &[("PATHWAYS_AUDIT__UNSEALED_ALERT_SECS", "0")],
        &["verify"],
    );
    assert!(
        !ok && out.contains("2 event(s) not sealed for longer than 0 s"),
        "{out}"
    );
    // Sealed, they verify.
    let (ok, out, err) = audit_on(&url, &[], &["seal"]);
    assert!(ok && out.contains("sealed 2 events"), "{out}{err}");
    let (ok, out, err) = audit_on(&url, &[], &["verify"]);
    assert!(ok && out.contains("; 0 not sealed yet"), "{out}{err}");

    // An event that went past the sealer's queue (its trigger off) is
    // never sealed: verify names it once it is older than the alarm.
    let hidden = event_of_age(&db, TimeDelta::minutes(5)).await;
    db.execute_unprepared(&format!(
        "DELETE FROM audit_unsealed WHERE event_id = {}",
        lit(backend, hidden)
    ))
    .await
    .unwrap();
    let (ok, out, err) = audit_on(&url, &[], &["seal"]);
    assert!(ok && out.contains("sealed 0 events"), "{out}{err}");
    let (ok, out, _) = audit_on(&url, &[], &["verify"]);
    assert!(!ok, "{out}");
    assert!(
        out.contains(&format!("the oldest, event {hidden}, for 30")),
        "{out}"
    );
});
