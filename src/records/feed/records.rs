//! The rows a page's upserts name, as JSON: exactly the fields the row's
//! GraphQL type shows (DESIGN.md section 11) — never the staff subjects
//! of the organization that keeps it (`loggedBy`, `approvedBy`,
//! `assessedBy`) nor its own external ids — and who the row is about now,
//! so that an entry written before a split is not answered with a row that
//! belongs to another person since.

use std::collections::{BTreeMap, HashMap};

use entity::change_log;
use entity::enums::{ChangeOperation, RecordKind};
use entity::{
    competency_attainment, credential, dual_enrollment, enrollment, hour_log, mentorship,
    mentorship_meeting, outcome, participant_profile, service,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::ground::error::{Error, Result};

/// The fields of each kind a record carries: the row's GraphQL type's,
/// with the ids that name its participant, parent and keeper.
fn shown(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::ParticipantProfile => &[
            "id",
            "participantId",
            "orgId",
            "givenName",
            "familyName",
            "preferredName",
            "version",
        ],
        RecordKind::Enrollment => &[
            "id",
            "participantId",
            "programId",
            "ownerOrgId",
            "status",
            "appliedOn",
            "startedOn",
            "exitedOn",
            "exitReason",
            "source",
            "version",
        ],
        RecordKind::HourLog => &[
            "id",
            "enrollmentId",
            "ownerOrgId",
            "kind",
            "workedOn",
            "hours",
            "approved",
            "approvedAt",
            "source",
        ],
        RecordKind::CompetencyAttainment => &[
            "id",
            "enrollmentId",
            "competencyId",
            "ownerOrgId",
            "attainedOn",
            "level",
        ],
        RecordKind::Credential => &[
            "id",
            "participantId",
            "ownerOrgId",
            "issuerOrgId",
            "issuerName",
            "name",
            "kind",
            "awardedOn",
            "expiresOn",
            "evidenceUrl",
            "source",
        ],
        RecordKind::Mentorship => &[
            "id",
            "participantId",
            "mentorId",
            "ownerOrgId",
            "status",
            "startedOn",
            "endedOn",
            "version",
        ],
        RecordKind::MentorshipMeeting => &["id", "mentorshipId", "ownerOrgId", "metOn", "minutes"],
        RecordKind::DualEnrollment => &[
            "id",
            "participantId",
            "ownerOrgId",
            "highSchoolOrgId",
            "collegeOrgId",
            "courseCode",
            "courseTitle",
            "term",
            "unitsAttempted",
            "unitsEarned",
            "grade",
            "status",
            "source",
            "version",
        ],
        RecordKind::Service => &[
            "id",
            "participantId",
            "ownerOrgId",
            "providerOrgId",
            "kind",
            "providedOn",
            "amountCents",
        ],
        RecordKind::Outcome => &[
            "id",
            "participantId",
            "ownerOrgId",
            "kind",
            "employerName",
            "occupation",
            "hourlyWageCents",
            "unionLocal",
            "startedOn",
            "verified",
        ],
    }
}

/// A row as the feed answers it: who it is about now, and its fields.
pub(super) struct Record {
    pub participant: Uuid,
    pub value: Value,
}

/// The rows the upserts of `entries` name, by id: the participant each is
/// about now and its fields as JSON with camelCase keys ([`shown`]). The
/// entries were read through the policy.
pub(super) async fn records<C: ConnectionTrait>(
    db: &C,
    entries: &[change_log::Model],
) -> Result<HashMap<Uuid, Record>> {
    let mut by_kind: BTreeMap<RecordKind, Vec<Uuid>> = BTreeMap::new();
    for e in entries {
        if e.operation == ChangeOperation::Upsert {
            by_kind.entry(e.kind).or_default().push(e.entity_id);
        }
    }
    let mut out = HashMap::new();
    for (kind, ids) in by_kind {
        // (id, participant now, the row)
        let rows: Vec<(Uuid, Uuid, Value)> = match kind {
            RecordKind::ParticipantProfile => json_rows(
                participant_profile::Entity::find()
                    .filter(participant_profile::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| (r.id, r.participant_id),
            )?,
            RecordKind::Enrollment => json_rows(
                enrollment::Entity::find()
                    .filter(enrollment::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| (r.id, r.participant_id),
            )?,
            RecordKind::HourLog => {
                let rows = hour_log::Entity::find()
                    .filter(hour_log::Column::Id.is_in(ids))
                    .all(db)
                    .await?;
                let of = enrollments_of(db, rows.iter().map(|r| r.enrollment_id)).await?;
                json_rows(rows, |r| {
                    (r.id, of.get(&r.enrollment_id).copied().unwrap_or_default())
                })?
            }
            RecordKind::CompetencyAttainment => {
                let rows = competency_attainment::Entity::find()
                    .filter(competency_attainment::Column::Id.is_in(ids))
                    .all(db)
                    .await?;
                let of = enrollments_of(db, rows.iter().map(|r| r.enrollment_id)).await?;
                json_rows(rows, |r| {
                    (r.id, of.get(&r.enrollment_id).copied().unwrap_or_default())
                })?
            }
            RecordKind::Credential => json_rows(
                credential::Entity::find()
                    .filter(credential::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| (r.id, r.participant_id),
            )?,
            RecordKind::Mentorship => json_rows(
                mentorship::Entity::find()
                    .filter(mentorship::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| (r.id, r.participant_id),
            )?,
            RecordKind::MentorshipMeeting => {
                let rows = mentorship_meeting::Entity::find()
                    .filter(mentorship_meeting::Column::Id.is_in(ids))
                    .all(db)
                    .await?;
                let parents: Vec<Uuid> = rows.iter().map(|r| r.mentorship_id).collect();
                let of: HashMap<Uuid, Uuid> = mentorship::Entity::find()
                    .select_only()
                    .column(mentorship::Column::Id)
                    .column(mentorship::Column::ParticipantId)
                    .filter(mentorship::Column::Id.is_in(parents))
                    .into_tuple::<(Uuid, Uuid)>()
                    .all(db)
                    .await?
                    .into_iter()
                    .collect();
                json_rows(rows, |r| {
                    (r.id, of.get(&r.mentorship_id).copied().unwrap_or_default())
                })?
            }
            RecordKind::DualEnrollment => json_rows(
                dual_enrollment::Entity::find()
                    .filter(dual_enrollment::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| (r.id, r.participant_id),
            )?,
            RecordKind::Service => json_rows(
                service::Entity::find()
                    .filter(service::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| (r.id, r.participant_id),
            )?,
            RecordKind::Outcome => json_rows(
                outcome::Entity::find()
                    .filter(outcome::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| (r.id, r.participant_id),
            )?,
        };
        let keep = shown(kind);
        out.extend(rows.into_iter().map(|(id, participant, value)| {
            let value = match value {
                Value::Object(map) => Value::Object(
                    map.into_iter()
                        .filter(|(k, _)| keep.contains(&k.as_str()))
                        .collect(),
                ),
                other => other,
            };
            (id, Record { participant, value })
        }));
    }
    Ok(out)
}

/// The participant of each of `enrollments`.
async fn enrollments_of<C: ConnectionTrait>(
    db: &C,
    enrollments: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, Uuid>> {
    let ids: Vec<Uuid> = enrollments.collect();
    Ok(enrollment::Entity::find()
        .select_only()
        .column(enrollment::Column::Id)
        .column(enrollment::Column::ParticipantId)
        .filter(enrollment::Column::Id.is_in(ids))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

fn json_rows<T: Serialize>(
    rows: Vec<T>,
    keys: impl Fn(&T) -> (Uuid, Uuid),
) -> Result<Vec<(Uuid, Uuid, Value)>> {
    rows.iter()
        .map(|r| {
            let value = serde_json::to_value(r)
                .map_err(|e| Error::Internal(format!("change feed record: {e}")))?;
            let (id, participant) = keys(r);
            Ok((id, participant, value))
        })
        .collect()
}
