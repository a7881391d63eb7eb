//! Sync of a college's dual-enrollment courses into `dual_enrollment`.

use std::collections::HashMap;

use chrono::Utc;
use entity::enums::AuditAction;
use entity::{dual_enrollment, organization};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{SyncSummary, entry};
use crate::adapters::records::DualEnrollmentRecord;
use crate::adapters::{Partner, RecordKind};
use crate::audit::Entry;
use crate::ground::error::Result;

pub(super) async fn keep_courses<C: ConnectionTrait>(
    txn: &C,
    partner: &Partner,
    org: Uuid,
    courses: Vec<(Uuid, DualEnrollmentRecord)>,
    summary: &mut SyncSummary,
    entries: &mut Vec<Entry>,
) -> Result<()> {
    use dual_enrollment::Column as D;
    let existing: HashMap<String, dual_enrollment::Model> = dual_enrollment::Entity::find()
        .filter(D::OwnerOrgId.eq(org))
        .filter(D::ExternalId.is_in(courses.iter().map(|(_, d)| d.external_id.clone())))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|row| row.external_id.clone().map(|e| (e, row)))
        .collect();
    let schools: HashMap<String, Uuid> = organization::Entity::find()
        .filter(
            organization::Column::Slug.is_in(
                courses
                    .iter()
                    .filter_map(|(_, d)| d.high_school_org.clone()),
            ),
        )
        .all(txn)
        .await?
        .into_iter()
        .map(|o| (o.slug, o.id))
        .collect();
    let now = Utc::now();
    for (p, d) in courses {
        let Some(school) = d
            .high_school_org
            .as_ref()
            .and_then(|s| schools.get(s))
            .copied()
        else {
            summary.reject("high_school_org names no organization");
            continue;
        };
        if d.units_attempted < 0.0 || d.units_earned.is_some_and(|u| u < 0.0) {
            summary.reject("units must not be negative");
            continue;
        }
        match existing.get(&d.external_id) {
            Some(row)
                if row.participant_id == p
                    && row.high_school_org_id == school
                    && row.course_code == d.course_code
                    && row.course_title == d.course_title
                    && row.term == d.term
                    && row.units_attempted == d.units_attempted
                    && row.units_earned == d.units_earned
                    && row.grade == d.grade
                    && row.status == d.status =>
            {
                summary.unchanged += 1;
            }
            Some(row) if row.participant_id != p => {
                summary.reject("the record moved to another participant");
            }
            Some(row) => {
                dual_enrollment::Entity::update(dual_enrollment::ActiveModel {
                    id: Set(row.id),
                    high_school_org_id: Set(school),
                    course_code: Set(d.course_code),
                    course_title: Set(d.course_title),
                    term: Set(d.term),
                    units_attempted: Set(d.units_attempted),
                    units_earned: Set(d.units_earned),
                    grade: Set(d.grade),
                    status: Set(d.status),
                    version: Set(row.version + 1),
                    updated_at: Set(now),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Update,
                    "dual_enrollment",
                    row.id,
                    p,
                    org,
                    RecordKind::DualEnrollments,
                ));
                summary.updated += 1;
            }
            None => {
                let id = Uuid::new_v4();
                dual_enrollment::Entity::insert(dual_enrollment::ActiveModel {
                    id: Set(id),
                    participant_id: Set(p),
                    owner_org_id: Set(org),
                    high_school_org_id: Set(school),
                    college_org_id: Set(org),
                    course_code: Set(d.course_code),
                    course_title: Set(d.course_title),
                    term: Set(d.term),
                    units_attempted: Set(d.units_attempted),
                    units_earned: Set(d.units_earned),
                    grade: Set(d.grade),
                    status: Set(d.status),
                    external_id: Set(Some(d.external_id)),
                    source: Set(partner.name().to_owned()),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                entries.push(entry(
                    AuditAction::Create,
                    "dual_enrollment",
                    id,
                    p,
                    org,
                    RecordKind::DualEnrollments,
                ));
                summary.inserted += 1;
            }
        }
    }
    Ok(())
}
