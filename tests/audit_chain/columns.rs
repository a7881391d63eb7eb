//! Every column of a sealed event is under its seal: changing any one of
//! them behind the triggers' back is named by `audit verify` — an empty
//! `detail` made NULL and a time moved included.

use chrono::{TimeDelta, Utc};
use entity::enums::AuditAction;
use sea_orm::{ColumnTrait, Iterable, QueryFilter, Set};
use uuid::Uuid;

use super::*;
use crate::hub_test;

/// An event with every column set (the writer leaves some NULL).
fn full_event(id: Uuid, n: usize, detail: &str) -> audit_event::ActiveModel {
    let now = Utc::now() - TimeDelta::seconds(5);
    audit_event::ActiveModel {
        id: Set(id),
        at: Set(now),
        actor_subject: Set(format!("staff{n}@wlcac")),
        actor_org_id: Set(Some(Uuid::new_v4())),
        action: Set(AuditAction::Read),
        entity: Set("participant".into()),
        entity_id: Set(Some(Uuid::new_v4())),
        participant_id: Set(Some(Uuid::new_v4())),
        owner_org_id: Set(Some(Uuid::new_v4())),
        categories: Set("IDENTITY".into()),
        request_id: Set(format!("req-{n}")),
        detail: Set(Some(detail.into())),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

hub_test!(
    tampering_with_any_column_of_a_sealed_event_is_named,
    |backend| {
        let app = spawn_app_with(backend, false, |_| {}).await;
        let columns: Vec<audit_event::Column> = audit_event::Column::iter().collect();
        assert_eq!(columns.len(), 14);
        // One event per column, and one more whose empty `detail` becomes NULL.
        let ids: Vec<Uuid> = (0..=columns.len()).map(|_| Uuid::new_v4()).collect();
        let empty = ids[columns.len()];
        let events = ids
            .iter()
            .enumerate()
            .map(|(n, &id)| full_event(id, n, if id == empty { "" } else { "d" }));
        audit_event::Entity::insert_many(events)
            .exec_without_returning(&app.db)
            .await
            .unwrap();
        // The server's sealer may have sealed them already; this seals the rest.
        let (ok, _, err) = audit(&app, &["seal"]);
        assert!(ok, "{err}");
        let (ok, out, err) = audit(&app, &["verify"]);
        assert!(ok && out.contains("0 not sealed yet"), "{out}{err}");
        let seals = audit_seal::Entity::find()
            .filter(audit_seal::Column::EventId.is_in(ids.clone()))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(seals.len(), ids.len());
        assert!(seals.iter().all(|s| s.format == 2), "{seals:?}");
        let seq = |id: Uuid| seals.iter().find(|s| s.event_id == id).unwrap().seq;

        let lit = |id| lit(backend, id);
        let time = "'2001-02-03T04:05:06+00:00'";
        let mut sql = Vec::new();
        let mut expected = Vec::new();
        for (column, &id) in columns.iter().zip(&ids) {
            use audit_event::Column as C;
            // Exhaustive: a new column must be tampered with here too.
            let set = match column {
                C::Id => format!("id = {}", lit(Uuid::new_v4())),
                C::At => format!("at = {time}"),
                C::ActorSubject => "actor_subject = 'nobody@wlcac'".into(),
                C::ActorOrgId => "actor_org_id = NULL".into(),
                C::Action => "action = 'DENY'".into(),
                C::Entity => "entity = 'hour_log'".into(),
                C::EntityId => "entity_id = NULL".into(),
                C::ParticipantId => format!("participant_id = {}", lit(Uuid::new_v4())),
                C::OwnerOrgId => "owner_org_id = NULL".into(),
                C::Categories => "categories = 'SENSITIVE'".into(),
                C::RequestId => "request_id = 'forged'".into(),
                C::Detail => "detail = 'e'".into(),
                C::CreatedAt => format!("created_at = {time}"),
                C::UpdatedAt => format!("updated_at = {time}"),
            };
            sql.push(format!(
                "UPDATE audit_event SET {set} WHERE id = {}",
                lit(id)
            ));
            expected.push((
                format!("{column:?}"),
                match column {
                    C::Id => format!("event {id} (seal {}) is missing: deleted", seq(id)),
                    _ => format!(
                        "event {id} (seal {}) does not match its hash: changed",
                        seq(id)
                    ),
                },
            ));
        }
        sql.push(format!(
            "UPDATE audit_event SET detail = NULL WHERE id = {}",
            lit(empty)
        ));
        expected.push((
            "Detail '' to NULL".into(),
            format!(
                "event {empty} (seal {}) does not match its hash: changed",
                seq(empty)
            ),
        ));
        behind_the_triggers(&app, &sql).await;

        let (ok, out, err) = audit(&app, &["verify"]);
        assert!(!ok, "a tampered log must not verify: {out}");
        for (column, line) in &expected {
            assert!(out.contains(line), "{column}: {line}\n{out}");
        }
        // Each change named once, and nothing else.
        assert!(
            err.contains(&format!("{} problem(s)", ids.len())),
            "{err}\n{out}"
        );
    }
);
