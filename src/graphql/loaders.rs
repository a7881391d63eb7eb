//! Per-request DataLoaders: nested fields batch their look-ups into one
//! query per kind, so statements per request follow the query's depth, not
//! the number of rows. Loaders of participant data hold the request's
//! [`Scopes`], so a batch never mixes viewers and no cache outlives a request.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use entity::{
    competency, competency_attainment, consent, credential, dual_enrollment, enrollment,
    enrollment_status_change, hour_log, mentor, mentorship, mentorship_meeting, organization,
    outcome, participant_link, pathway, program, service,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::ground::error::{Error, Result};
use crate::people::participants::{
    self, ContactSlice, DemographicsSlice, IdentitySlice, SensitiveSlice,
};
use crate::policy::Scopes;
use crate::records::reads;
use crate::records::rules::HourTotals;

/// A loader error: logged inside, `INTERNAL` outside.
pub type LoadError = Arc<String>;

/// Turns a loader error into the hub error, keeping "the database is
/// away" (`503`, see [`Error::DatabaseUnavailable`]) apart from the rest.
pub fn load_error(err: LoadError) -> Error {
    match err.strip_prefix("DatabaseUnavailable(") {
        Some(detail) => Error::DatabaseUnavailable(detail.trim_end_matches(')').to_owned()),
        None => Error::Internal(err.to_string()),
    }
}

fn to_load_error(err: Error) -> LoadError {
    Arc::new(format!("{err:?}"))
}

/// Runs a loader's batch on its own task under the span that started it
/// (the request's), so its statements join the request's trace.
pub(crate) fn spawn_in_span(
    batch: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'static>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(tracing::Instrument::in_current_span(batch))
}

/// How long a loader waits to collect the keys of one batch. The
/// participant queries do not rely on it: they prefetch each level of the
/// requested tree with [`load_now`] (see `graphql::prefetch`), and the
/// per-request cache answers the fields' `load_one` calls.
const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(2);

/// Loads `keys` at once — without the batching delay, on the caller's task
/// and span — and primes `loader`'s per-request cache with the answer, so
/// the fields' `load_one` calls find it there. For a prefetch, where every
/// key of a level is known already.
pub async fn load_now<K, T>(
    loader: &DataLoader<T, HashMapCache>,
    keys: impl IntoIterator<Item = K>,
) -> Result<HashMap<K, T::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    T: Loader<K, Error = LoadError>,
{
    let keys: Vec<K> = keys
        .into_iter()
        .collect::<std::collections::HashSet<K>>()
        .into_iter()
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let found = loader.loader().load(&keys).await.map_err(load_error)?;
    loader.feed_many(found.clone()).await;
    Ok(found)
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type Fetch<V> =
    for<'a> fn(&'a DatabaseConnection, &'a Scopes, &'a [Uuid]) -> BoxFuture<'a, Result<Vec<V>>>;

/// Rows of one kind grouped by a parent id (participant, enrollment…),
/// fetched in one scoped query per batch.
pub struct Grouped<V> {
    db: DatabaseConnection,
    scopes: Scopes,
    fetch: Fetch<V>,
    key: fn(&V) -> Uuid,
}

impl<V: Clone + Send + Sync + 'static> Loader<Uuid> for Grouped<V> {
    type Value = Vec<V>;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> std::result::Result<HashMap<Uuid, Vec<V>>, LoadError> {
        let rows = (self.fetch)(&self.db, &self.scopes, keys)
            .await
            .map_err(to_load_error)?;
        let mut grouped: HashMap<Uuid, Vec<V>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped.entry((self.key)(&row)).or_default().push(row);
        }
        Ok(grouped)
    }
}

/// Reference rows (organizations, pathways, programs, mentors,
/// competencies) by id; they carry no participant data.
pub struct ById<E: EntityTrait>(DatabaseConnection, fn(&E::Model) -> Uuid, E::Column);

impl<E> Loader<Uuid> for ById<E>
where
    E: EntityTrait,
    E::Model: Clone + Send + Sync,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> std::result::Result<HashMap<Uuid, E::Model>, LoadError> {
        let rows = E::find()
            .filter(self.2.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(|e| to_load_error(e.into()))?;
        Ok(rows.into_iter().map(|row| ((self.1)(&row), row)).collect())
    }
}

/// Hour totals of enrollments whose PROGRESS the viewer may read.
pub struct Totals {
    db: DatabaseConnection,
    scopes: Scopes,
}

impl Loader<Uuid> for Totals {
    /// `None` for an enrollment whose PROGRESS the viewer may not read, so
    /// that the answer is cached too.
    type Value = Option<HourTotals>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[Uuid],
    ) -> std::result::Result<HashMap<Uuid, Option<HourTotals>>, LoadError> {
        let mut found = reads::hour_totals(&self.db, &self.scopes, keys)
            .await
            .map_err(to_load_error)?;
        Ok(keys.iter().map(|k| (*k, found.remove(k))).collect())
    }
}

/// The version of the viewer's own profile of a participant.
pub struct OwnVersion {
    db: DatabaseConnection,
    scopes: Scopes,
}

impl Loader<Uuid> for OwnVersion {
    type Value = i32;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> std::result::Result<HashMap<Uuid, i32>, LoadError> {
        let org = self.scopes.viewer().org_id;
        let rows = participants::own_versions(&self.db, org, keys)
            .await
            .map_err(to_load_error)?;
        Ok(rows.into_iter().collect())
    }
}

/// Participants the viewer may see, by hub id (federation's `_entities`):
/// one scoped query per batch; hidden and unknown ids are both absent.
pub struct VisibleParticipants {
    db: DatabaseConnection,
    scopes: Scopes,
}

impl Loader<Uuid> for VisibleParticipants {
    type Value = entity::participant::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[Uuid],
    ) -> std::result::Result<HashMap<Uuid, entity::participant::Model>, LoadError> {
        let rows = participants::by_ids(&self.db, &self.scopes, keys)
            .await
            .map_err(to_load_error)?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

macro_rules! loaders {
    ($($(#[$doc:meta])* $field:ident: $value:ty = $fetch:expr, $key:expr;)+) => {
        /// The loaders of one request.
        pub struct Loaders {
            pub organizations: DataLoader<ById<organization::Entity>, HashMapCache>,
            pub pathways: DataLoader<ById<pathway::Entity>, HashMapCache>,
            pub programs: DataLoader<ById<program::Entity>, HashMapCache>,
            pub mentors: DataLoader<ById<mentor::Entity>, HashMapCache>,
            pub competencies: DataLoader<ById<competency::Entity>, HashMapCache>,
            pub hour_totals: DataLoader<Totals, HashMapCache>,
            pub own_versions: DataLoader<OwnVersion, HashMapCache>,
            pub visible_participants: DataLoader<VisibleParticipants, HashMapCache>,
            $($(#[$doc])* pub $field: DataLoader<Grouped<$value>, HashMapCache>,)+
        }

        impl Loaders {
            /// Fresh loaders for one request; `scopes` are the viewer's.
            pub fn new(db: &DatabaseConnection, scopes: Scopes) -> Loaders {
                let spawn = spawn_in_span;
                Loaders {
                    organizations: DataLoader::with_cache(ById(db.clone(), |m: &organization::Model| m.id, organization::Column::Id), spawn, HashMapCache::default()).delay(BATCH_DELAY),
                    pathways: DataLoader::with_cache(ById(db.clone(), |m: &pathway::Model| m.id, pathway::Column::Id), spawn, HashMapCache::default()).delay(BATCH_DELAY),
                    programs: DataLoader::with_cache(ById(db.clone(), |m: &program::Model| m.id, program::Column::Id), spawn, HashMapCache::default()).delay(BATCH_DELAY),
                    mentors: DataLoader::with_cache(ById(db.clone(), |m: &mentor::Model| m.id, mentor::Column::Id), spawn, HashMapCache::default()).delay(BATCH_DELAY),
                    competencies: DataLoader::with_cache(ById(db.clone(), |m: &competency::Model| m.id, competency::Column::Id), spawn, HashMapCache::default()).delay(BATCH_DELAY),
                    hour_totals: DataLoader::with_cache(Totals { db: db.clone(), scopes: scopes.clone() }, spawn, HashMapCache::default()).delay(BATCH_DELAY),
                    own_versions: DataLoader::with_cache(OwnVersion { db: db.clone(), scopes: scopes.clone() }, spawn, HashMapCache::default()).delay(BATCH_DELAY),
                    visible_participants: DataLoader::with_cache(VisibleParticipants { db: db.clone(), scopes: scopes.clone() }, spawn, HashMapCache::default()).delay(BATCH_DELAY),
                    $($field: DataLoader::with_cache(
                        Grouped { db: db.clone(), scopes: scopes.clone(), fetch: $fetch, key: $key },
                        spawn,
                        HashMapCache::default(),
                    ).delay(BATCH_DELAY),)+
                }
            }
        }
    };
}

loaders! {
    /// Readable names, by participant.
    identity: IdentitySlice = |db, s, ids| Box::pin(participants::profile_slices::<IdentitySlice, _>(db, s, ids)), |r| r.participant_id;
    /// Readable contact details, by participant.
    contact: ContactSlice = |db, s, ids| Box::pin(participants::profile_slices::<ContactSlice, _>(db, s, ids)), |r| r.participant_id;
    /// Readable demographics, by participant.
    demographics: DemographicsSlice = |db, s, ids| Box::pin(participants::profile_slices::<DemographicsSlice, _>(db, s, ids)), |r| r.participant_id;
    /// Readable priority populations, by participant.
    sensitive: SensitiveSlice = |db, s, ids| Box::pin(participants::profile_slices::<SensitiveSlice, _>(db, s, ids)), |r| r.participant_id;
    links: participant_link::Model = |db, s, ids| Box::pin(participants::links(db, s, ids)), |r| r.participant_id;
    enrollments: enrollment::Model = |db, s, ids| Box::pin(reads::enrollments(db, s, ids)), |r| r.participant_id;
    credentials: credential::Model = |db, s, ids| Box::pin(reads::credentials(db, s, ids)), |r| r.participant_id;
    mentorships: mentorship::Model = |db, s, ids| Box::pin(reads::mentorships(db, s, ids)), |r| r.participant_id;
    dual_enrollments: dual_enrollment::Model = |db, s, ids| Box::pin(reads::dual_enrollments(db, s, ids)), |r| r.participant_id;
    services: service::Model = |db, s, ids| Box::pin(reads::services(db, s, ids)), |r| r.participant_id;
    outcomes: outcome::Model = |db, s, ids| Box::pin(reads::outcomes(db, s, ids)), |r| r.participant_id;
    consents: consent::Model = |db, s, ids| Box::pin(reads::consents(db, s, ids)), |r| r.participant_id;
    /// By enrollment.
    status_changes: enrollment_status_change::Model = |db, s, ids| Box::pin(reads::status_changes(db, s, ids)), |r| r.enrollment_id;
    /// By enrollment.
    hour_logs: hour_log::Model = |db, s, ids| Box::pin(reads::hour_logs(db, s, ids)), |r| r.enrollment_id;
    /// By enrollment.
    attainments: competency_attainment::Model = |db, s, ids| Box::pin(reads::attainments(db, s, ids)), |r| r.enrollment_id;
    /// By mentorship.
    meetings: mentorship_meeting::Model = |db, s, ids| Box::pin(reads::meetings(db, s, ids)), |r| r.mentorship_id;
}
