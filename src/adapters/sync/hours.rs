//! Sync of a tracker's hour logs into `hour_log`, under the enrollment the
//! partner's participant id leads to.

use std::collections::HashMap;

use chrono::Utc;
use entity::enums::AuditAction;
use entity::{enrollment, hour_log};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{SyncSummary, entry};
use crate::adapters::records::HourLogRecord;
use crate::adapters::{Partner, RecordKind};
use crate::audit::Entry;
use crate::ground::error::Result;

pub(super) async fn keep_hours<C: ConnectionTrait>(
    txn: &C,
    partner: &Partner,
    org: Uuid,
    hours: Vec<(Uuid, HourLogRecord)>,
    summary: &mut SyncSummary,
    entries: &mut Vec<Entry>,
) -> Result<()> {
    use hour_log::Column as H;
    let existing: HashMap<String, hour_log::Model> = hour_log::Entity::find()
        .filter(H::OwnerOrgId.eq(org))
        .filter(H::ExternalId.is_in(hours.iter().map(|(_, h)| h.external_id.clone())))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|row| row.external_id.clone().map(|e| (e, row)))
        .collect();
    // The partner organization's enrollments of these participants.
    let enrollments = enrollment::Entity::find()
        .filter(enrollment::Column::OwnerOrgId.eq(org))
        .filter(enrollment::Column::ParticipantId.is_in(hours.iter().map(|(p, _)| *p)))
        .order_by_desc(enrollment::Column::AppliedOn)
        .all(txn)
        .await?;
    let now = Utc::now();
    for (p, h) in hours {
        if !(h.hours > 0.0 && h.hours <= 24.0) {
            summary.reject("hours must be more than 0 and at most 24");
            continue;
        }
        let enrollment = match &h.enrollment_external_id {
            Some(ext) => enrollments
                .iter()
                .find(|e| e.participant_id == p && e.external_id.as_deref() == Some(ext)),
            None => enrollments.iter().find(|e| e.participant_id == p),
        };
        let Some(enrollment) = enrollment else {
            summary.reject("no enrollment of the participant at the partner organization");
            continue;
        };
        let approved_by = h.approved.then(|| format!("sync:{}", partner.name()));
        match existing.get(&h.external_id) {
            Some(row)
                if row.enrollment_id == enrollment.id
                    && row.kind == h.kind
                    && row.worked_on == h.worked_on
                    && row.hours == h.hours
                    && row.approved == h.approved =>
            {
                summary.unchanged += 1;
            }
            Some(row) => {
                hour_log::Entity::update(hour_log::ActiveModel {
                    id: Set(row.id),
                    enrollment_id: Set(enrollment.id),
                    kind: Set(h.kind),
                    worked_on: Set(h.worked_on),
                    hours: Set(h.hours),
                    approved: Set(h.approved),
                    approved_by: Set(approved_by),
                    approved_at: Set(h.approved.then_some(now)),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Update,
                    "hour_log",
                    row.id,
                    p,
                    org,
                    RecordKind::HourLogs,
                ));
                summary.updated += 1;
            }
            None => {
                let id = Uuid::new_v4();
                hour_log::Entity::insert(hour_log::ActiveModel {
                    id: Set(id),
                    enrollment_id: Set(enrollment.id),
                    owner_org_id: Set(org),
                    kind: Set(h.kind),
                    worked_on: Set(h.worked_on),
                    hours: Set(h.hours),
                    logged_by: Set(format!("sync:{}", partner.name())),
                    approved: Set(h.approved),
                    approved_by: Set(approved_by),
                    approved_at: Set(h.approved.then_some(now)),
                    external_id: Set(Some(h.external_id.clone())),
                    source: Set(partner.name().to_owned()),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Create,
                    "hour_log",
                    id,
                    p,
                    org,
                    RecordKind::HourLogs,
                ));
                summary.inserted += 1;
            }
        }
    }
    Ok(())
}
