//! Registering many people in one transaction (the participant import):
//! the same checks and identity resolution as
//! [`registration::create`](super::registration::create), but set-based —
//! the match keys locked in one statement, known people found in one
//! look-up, and participants, profiles, links and audit events written as
//! multi-row inserts — instead of eight statements per person.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{participant, participant_link, participant_profile};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::identity::match_key;
use super::registration::{
    ALREADY_HAS_PROFILE, CreateParticipantInput, check, created_entry, new_rows,
};
use crate::audit::{self, Actor};
use crate::auth::Viewer;
use crate::ground::error::{Error, Result};

/// Rows per multi-row insert (PostgreSQL takes at most 65 535 bound
/// values per statement; a profile has 16 columns).
const ROWS: usize = 1000;

/// Registers `people` (line number, input) for the viewer's organization
/// inside `txn`. A line the database would refuse — the organization
/// already has a profile of that person, or the file names one person
/// twice — comes back as that line's error and nothing of it is written;
/// the caller decides whether to commit. A database error (a constraint
/// no check here foresaw) fails the whole call.
pub async fn create_many<C: ConnectionTrait>(
    txn: &C,
    viewer: &Viewer,
    actor: &Actor,
    secret: &[u8],
    people: Vec<(usize, CreateParticipantInput)>,
) -> Result<Vec<(usize, Error)>> {
    let mut errors = Vec::new();
    let mut checked = Vec::with_capacity(people.len());
    for (line, input) in people {
        match check(&input) {
            Ok(c) => {
                let key = match_key(secret, &c.given, &c.family, input.birth_date);
                checked.push((line, input, c, key));
            }
            Err(err) => errors.push((line, err)),
        }
    }
    let keys: Vec<&[u8]> = checked.iter().map(|(.., key)| key.as_bytes()).collect();
    crate::ground::db::serialize_on_all(txn, &keys).await?;
    // Who is known already, by match key, and which of them the
    // organization has a profile of.
    let mut known: HashMap<String, Uuid> = HashMap::new();
    for chunk in checked.chunks(ROWS) {
        let rows: Vec<(Uuid, String)> = participant::Entity::find()
            .select_only()
            .column(participant::Column::Id)
            .column(participant::Column::MatchKey)
            .filter(participant::Column::MatchKey.is_in(chunk.iter().map(|(.., k)| k.clone())))
            .into_tuple()
            .all(txn)
            .await?;
        known.extend(rows.into_iter().map(|(id, key)| (key, id)));
    }
    let mut profiled: HashSet<Uuid> = HashSet::new();
    let ids: Vec<Uuid> = known.values().copied().collect();
    for chunk in ids.chunks(ROWS) {
        let rows: Vec<Uuid> = participant_profile::Entity::find()
            .select_only()
            .column(participant_profile::Column::ParticipantId)
            .filter(participant_profile::Column::OrgId.eq(viewer.org_id))
            .filter(participant_profile::Column::ParticipantId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        profiled.extend(rows);
    }
    let now = Utc::now();
    let (mut people, mut profiles, mut links, mut entries) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // The hub ids that gain a profile here: only their grants move.
    let mut added: Vec<Uuid> = Vec::new();
    for (line, input, c, key) in checked {
        let id = match known.get(&key) {
            Some(id) => *id,
            None => {
                let id = Uuid::new_v4();
                people.push(participant::ActiveModel {
                    id: Set(id),
                    match_key: Set(key.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                });
                known.insert(key, id);
                id
            }
        };
        // Known to the organization already, or earlier in this file.
        if !profiled.insert(id) {
            errors.push((line, Error::Conflict(ALREADY_HAS_PROFILE.into())));
            continue;
        }
        let (profile, link) = new_rows(viewer, id, &input, c, now)?;
        profiles.push(profile);
        added.push(id);
        links.push(link);
        entries.push(created_entry(viewer, id));
    }
    if !errors.is_empty() {
        return Ok(errors);
    }
    for chunk in people.chunks(ROWS) {
        participant::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    for chunk in profiles.chunks(ROWS) {
        participant_profile::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    for chunk in links.chunks(ROWS) {
        participant_link::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    crate::policy::listing::refresh(txn, crate::policy::listing::Touched::Participants(added))
        .await?;
    for chunk in entries.chunks(ROWS) {
        audit::record(txn, actor, chunk.to_vec()).await?;
    }
    Ok(errors)
}
