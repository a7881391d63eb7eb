//! The rows a page's upserts name, as JSON.

use std::collections::{BTreeMap, HashMap};

use entity::change_log;
use entity::enums::{ChangeOperation, RecordKind};
use entity::{
    competency_attainment, credential, dual_enrollment, enrollment, hour_log, mentorship,
    mentorship_meeting, outcome, participant_profile, service,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::ground::error::{Error, Result};

/// The rows the upserts of `entries` name, as JSON with camelCase keys, by
/// id. The entries were read through the policy; a profile gives only its
/// IDENTITY fields (the feed's category for profiles).
pub(super) async fn records<C: ConnectionTrait>(
    db: &C,
    entries: &[change_log::Model],
) -> Result<HashMap<Uuid, Value>> {
    let mut by_kind: BTreeMap<RecordKind, Vec<Uuid>> = BTreeMap::new();
    for e in entries {
        if e.operation == ChangeOperation::Upsert {
            by_kind.entry(e.kind).or_default().push(e.entity_id);
        }
    }
    let mut out = HashMap::new();
    for (kind, ids) in by_kind {
        let rows: Vec<(Uuid, Value)> = match kind {
            RecordKind::ParticipantProfile => {
                let rows = participant_profile::Entity::find()
                    .filter(participant_profile::Column::Id.is_in(ids))
                    .all(db)
                    .await?;
                rows.iter().map(profile_identity).collect::<Result<_>>()?
            }
            RecordKind::Enrollment => json_rows(
                enrollment::Entity::find()
                    .filter(enrollment::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::HourLog => json_rows(
                hour_log::Entity::find()
                    .filter(hour_log::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::CompetencyAttainment => json_rows(
                competency_attainment::Entity::find()
                    .filter(competency_attainment::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::Credential => json_rows(
                credential::Entity::find()
                    .filter(credential::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::Mentorship => json_rows(
                mentorship::Entity::find()
                    .filter(mentorship::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::MentorshipMeeting => json_rows(
                mentorship_meeting::Entity::find()
                    .filter(mentorship_meeting::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::DualEnrollment => json_rows(
                dual_enrollment::Entity::find()
                    .filter(dual_enrollment::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::Service => json_rows(
                service::Entity::find()
                    .filter(service::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
            RecordKind::Outcome => json_rows(
                outcome::Entity::find()
                    .filter(outcome::Column::Id.is_in(ids))
                    .all(db)
                    .await?,
                |r| r.id,
            )?,
        };
        out.extend(rows);
    }
    Ok(out)
}

fn json_rows<T: Serialize>(rows: Vec<T>, id: impl Fn(&T) -> Uuid) -> Result<Vec<(Uuid, Value)>> {
    rows.iter()
        .map(|r| {
            let value = serde_json::to_value(r)
                .map_err(|e| Error::Internal(format!("change feed record: {e}")))?;
            Ok((id(r), value))
        })
        .collect()
}

/// A profile's IDENTITY fields (names), without contact, demographic or
/// sensitive fields: those categories are read through `participant`.
fn profile_identity(r: &participant_profile::Model) -> Result<(Uuid, Value)> {
    const IDENTITY: &[&str] = &[
        "id",
        "participantId",
        "orgId",
        "givenName",
        "familyName",
        "preferredName",
        "version",
        "createdAt",
        "updatedAt",
    ];
    let (id, value) = json_rows(vec![r.clone()], |r| r.id)?
        .pop()
        .ok_or_else(|| Error::Internal("change feed record".into()))?;
    let Value::Object(map) = value else {
        return Ok((id, value));
    };
    let kept = map
        .into_iter()
        .filter(|(k, _)| IDENTITY.contains(&k.as_str()))
        .collect();
    Ok((id, Value::Object(kept)))
}
