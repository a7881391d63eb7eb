//! A chain sealed before issue 30 (format 1: the seals' hashes below are
//! what that release's sealer wrote for these events) still verifies after
//! the upgrade, and the chain goes on in format 2; a changed event is
//! still named in either format, whatever a seal's `format` is set to.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use entity::enums::AuditAction;
use migration::{Migrator, MigratorTrait};
use sea_orm::{Set, Statement};
use uuid::Uuid;

use super::*;
use crate::common::fresh_database;
use crate::hub_test;

fn uuid(n: u128) -> Uuid {
    Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0000 | n)
}

/// The three events of the old chain, and the hash each was sealed with.
fn old_chain() -> Vec<(audit_event::ActiveModel, &'static str)> {
    let at: DateTime<Utc> =
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap() + TimeDelta::microseconds(123_456);
    let event = |n: u128, action, org, detail: Option<&str>| audit_event::ActiveModel {
        id: Set(uuid(n)),
        at: Set(at),
        actor_subject: Set("staff@wlcac".into()),
        actor_org_id: Set(org),
        action: Set(action),
        entity: Set("participant".into()),
        entity_id: Set(Some(uuid(0xb))),
        participant_id: Set(Some(uuid(0xb))),
        owner_org_id: Set(Some(uuid(0xa))),
        categories: Set("IDENTITY;CONTACT".into()),
        request_id: Set("req-1".into()),
        detail: Set(detail.map(str::to_owned)),
        created_at: Set(at),
        updated_at: Set(at),
    };
    vec![
        (
            event(1, AuditAction::Read, Some(uuid(0xa)), None),
            "ddbcbff44e82bd3fa1b8bea33c27c2a68847c6e419313b81d6fb0bda770e079d",
        ),
        (
            event(2, AuditAction::Export, None, Some("")),
            "b473516bc3182e4a41f87007e7758657f43f7d601b7590a1f8645ab9487394a0",
        ),
        (
            event(
                3,
                AuditAction::Update,
                Some(uuid(0xa)),
                Some("field=family_name"),
            ),
            "dbe9fb48ed8cf02a43c32ee7f8f0baf86fe3dabfb3ac760f5c4febac0b795ab7",
        ),
    ]
}

async fn formats(db: &DatabaseConnection) -> Vec<i64> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT CAST(format AS BIGINT) AS f FROM audit_seal ORDER BY seq",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<i64>("", "f").unwrap())
        .collect()
}

hub_test!(a_chain_sealed_in_format_1_still_verifies, |backend| {
    let (url, _cleanup) = fresh_database(backend).await;
    let db = sea_orm::Database::connect(&url).await.unwrap();
    // The schema as it was: every migration before the seal's format.
    let before = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261205_000020_audit_seal_format")
        .unwrap();
    Migrator::up(&db, Some(before as u32)).await.unwrap();
    let lit = |id| lit(backend, id);
    for (seq, (event, hash)) in (1..).zip(old_chain()) {
        let id = uuid(seq);
        audit_event::Entity::insert(event)
            .exec_without_returning(&db)
            .await
            .unwrap();
        // What that release's sealer did: a seal, and the queue emptied.
        for sql in [
            format!(
                "INSERT INTO audit_seal (seq, event_id, hash, sealed_at) \
                 VALUES ({seq}, {}, '{hash}', '2026-11-28T12:00:01+00:00')",
                lit(id)
            ),
            format!("DELETE FROM audit_unsealed WHERE event_id = {}", lit(id)),
        ] {
            db.execute_unprepared(&sql).await.unwrap();
        }
    }

    // The upgraded CLI migrates (the seals become format 1) and verifies.
    let (ok, out, err) = audit_on(&url, &[], &["verify"]);
    assert!(ok, "{out}{err}");
    assert!(
        out.contains("audit log verifies: 3 sealed events, head 3:dbe9fb48"),
        "{out}"
    );
    assert_eq!(formats(&db).await, [1, 1, 1]);
    // New events are sealed in format 2, on the same chain.
    let now = Utc::now() - TimeDelta::seconds(1);
    for n in [4, 5] {
        let mut event = old_chain().remove(0).0;
        event.id = Set(uuid(n));
        event.at = Set(now);
        audit_event::Entity::insert(event)
            .exec_without_returning(&db)
            .await
            .unwrap();
    }
    let (ok, out, err) = audit_on(&url, &[], &["seal"]);
    assert!(ok && out.contains("sealed 2 events"), "{out}{err}");
    assert_eq!(formats(&db).await, [1, 1, 1, 2, 2]);
    let (ok, out, err) = audit_on(&url, &[], &["verify"]);
    assert!(ok && out.contains("5 sealed events"), "{out}{err}");

    // Changed events are named in both formats, and a seal's format set
    // to the other one does not let a changed event pass.
    behind_the_triggers_of(
        &db,
        backend,
        &[
            format!(
                "UPDATE audit_event SET actor_subject = 'x' WHERE id = {}",
                lit(uuid(1))
            ),
            format!(
                "UPDATE audit_event SET detail = 'x' WHERE id = {}",
                lit(uuid(4))
            ),
            format!(
                "UPDATE audit_event SET detail = 'x' WHERE id = {}",
                lit(uuid(5))
            ),
            "UPDATE audit_seal SET format = 1 WHERE seq = 5".to_owned(),
            // Format 1's weakness, kept for its seals: an empty detail
            // made NULL goes unseen there (format 2 names it: columns.rs).
            format!(
                "UPDATE audit_event SET detail = NULL WHERE id = {}",
                lit(uuid(2))
            ),
        ],
    )
    .await;
    let (ok, out, err) = audit_on(&url, &[], &["verify"]);
    assert!(!ok, "{out}");
    for (n, seq) in [(1, 1), (4, 4), (5, 5)] {
        let line = format!(
            "event {} (seal {seq}) does not match its hash: changed",
            uuid(n)
        );
        assert!(out.contains(&line), "{line}\n{out}");
    }
    assert!(err.contains("3 problem(s)"), "{err}\n{out}");
    // A format no hub writes is named as such.
    behind_the_triggers_of(
        &db,
        backend,
        &["UPDATE audit_seal SET format = 7 WHERE seq = 4".into()],
    )
    .await;
    let (ok, out, _) = audit_on(&url, &[], &["verify"]);
    assert!(
        !ok && out.contains("seal 4 names format 7, which no hub writes"),
        "{out}"
    );
});
