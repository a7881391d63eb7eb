//! The page statement, built once per shape: building it — the policy's
//! conditions for every level as a sea-query tree, rendered to SQL — took
//! about half of the hub's CPU for a detail page (`perf`, release build,
//! docs/benchmarks.md). Its text depends only on the viewer's scopes, the
//! [`Shape`](super::Shape) and the filter, and its values on those and on
//! the cursor, `first` and the participant's id; so it is built once with
//! stand-in values for those three, and each request patches its own into
//! a copy of the values.
//!
//! The key holds everything else the statement is built from, whole (the
//! scopes with the viewer and the day, the shape, the filter, the
//! backend): two requests share a statement only when the policy would
//! build the same one for both. A statement whose stand-ins are not found
//! exactly once among its values is not cached.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use sea_orm::sea_query::Values;
use sea_orm::{DatabaseBackend, Statement, Value};
use uuid::Uuid;

/// Stand-ins: a cursor or an id no participant has, and a page size no
/// request asks for (`first` is at most 100).
const ID: Uuid = Uuid::from_u128(0x5e41_7cac_4e00_4000_8000_0000_5e41_7cac);
const FIRST: u64 = 987_654_321;

/// How many statements are kept (a detail page's is ~23 KB); past it
/// the cache starts again.
const CAPACITY: usize = 256;

/// What varies between requests of one shape.
#[derive(Debug, Clone, Copy)]
pub(super) struct Varying {
    /// The cursor of a page, or the participant of `participant(id)`.
    pub(super) id: Option<Uuid>,
    /// `first` of a page (the statement reads `first + 1`).
    pub(super) first: Option<u64>,
}

impl Varying {
    /// The stand-ins for `self`.
    pub(super) fn stand_ins(self) -> Varying {
        Varying {
            id: self.id.map(|_| ID),
            first: self.first.map(|_| FIRST),
        }
    }
}

struct Built {
    sql: String,
    values: Values,
    id: Option<usize>,
    limit: Option<usize>,
}

static CACHE: LazyLock<Mutex<HashMap<String, Arc<Built>>>> = LazyLock::new(Mutex::default);

/// The statement for `key` and `varying`: the cached one with `varying`
/// patched in, or `build(stand-ins)`, cached when its stand-ins are found,
/// else `build(varying)` itself.
pub(super) fn statement(
    backend: DatabaseBackend,
    key: String,
    varying: Varying,
    build: impl Fn(Varying) -> Statement,
) -> Statement {
    let key = format!(
        "{backend:?}|{key}|{:?}|{:?}",
        varying.id.is_some(),
        varying.first.is_some()
    );
    let cached = CACHE.lock().ok().and_then(|c| c.get(&key).cloned());
    let built = match cached {
        Some(built) => built,
        None => match find(build(varying.stand_ins()), varying) {
            Some(built) => {
                let built = Arc::new(built);
                if let Ok(mut cache) = CACHE.lock() {
                    if cache.len() >= CAPACITY {
                        cache.clear();
                    }
                    cache.insert(key, built.clone());
                }
                built
            }
            None => return build(varying),
        },
    };
    let mut values = built.values.clone();
    if let (Some(at), Some(id)) = (built.id, varying.id) {
        values.0[at] = Value::from(id);
    }
    if let (Some(at), Some(first)) = (built.limit, varying.first) {
        values.0[at] = Value::from(first + 1);
    }
    Statement::from_sql_and_values(backend, built.sql.clone(), values)
}

/// `statement` with the places of its stand-ins, when each stand-in the
/// request varies appears exactly once.
fn find(statement: Statement, varying: Varying) -> Option<Built> {
    let values = statement.values?;
    let only = |wanted: Value| {
        let mut at = values.0.iter().enumerate().filter(|(_, v)| **v == wanted);
        match (at.next(), at.next()) {
            (Some((n, _)), None) => Some(n),
            _ => None,
        }
    };
    let id = match varying.id {
        Some(_) => Some(only(Value::from(ID))?),
        None => None,
    };
    let limit = match varying.first {
        Some(_) => Some(only(Value::from(FIRST + 1))?),
        None => None,
    };
    Some(Built {
        sql: statement.sql,
        values,
        id,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, Viewer};
    use crate::people::participants::{self, ParticipantFilter};
    use crate::policy::Scopes;
    use crate::records::page::{EnrollmentShape, MentorshipShape, Shape, build, ids_of};

    fn scopes(org: u128) -> Scopes {
        let viewer = Viewer {
            subject: "staff@a".into(),
            org_id: Uuid::from_u128(org),
            org_slug: "a".into(),
            roles: vec![Role::Staff],
            participant_id: None,
            reach: None,
        };
        Scopes::new(
            &viewer,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap_or_default(),
        )
    }

    /// A statement from the cache is the statement built for the request
    /// itself — text and values — whatever its cursor, page size or id,
    /// on both backends; another viewer gets its own.
    #[test]
    fn a_cached_statement_is_the_one_built_for_the_request() {
        let shape = Shape {
            identity: true,
            contact: true,
            enrollments: Some(EnrollmentShape {
                totals: true,
                attendance: true,
                hour_logs: Some(Default::default()),
                status_history: true,
                ..Default::default()
            }),
            mentorships: Some(MentorshipShape {
                mentor: true,
                mentor_email: true,
                meetings: true,
                ..Default::default()
            }),
            ..Default::default()
        };
        let searched = ParticipantFilter {
            search: Some("ana".into()),
            ..Default::default()
        };
        // Unfiltered, a page reads a range of the grants; filtered, the
        // policy's correlated form.
        for filter in [searched, ParticipantFilter::default()] {
            for backend in [DatabaseBackend::Postgres, DatabaseBackend::Sqlite] {
                for org in [7, 8] {
                    let scopes = scopes(org);
                    for (after, first) in [
                        (None, 50),
                        (Some(Uuid::from_u128(3)), 50),
                        (Some(Uuid::from_u128(4)), 7),
                    ] {
                        let fresh = build(
                            backend,
                            &scopes,
                            &shape,
                            participants::page_ids(&scopes, &filter, first, after),
                        );
                        let cached = statement(
                            backend,
                            format!("test-page|{scopes:?}|{shape:?}|{filter:?}"),
                            Varying {
                                id: after,
                                first: Some(first),
                            },
                            |v| {
                                build(
                                    backend,
                                    &scopes,
                                    &shape,
                                    participants::page_ids(
                                        &scopes,
                                        &filter,
                                        v.first.unwrap_or(first),
                                        v.id,
                                    ),
                                )
                            },
                        );
                        assert_eq!(
                            cached, fresh,
                            "{backend:?}, org {org}, after {after:?}, first {first}"
                        );
                    }
                    for id in [Uuid::from_u128(5), Uuid::from_u128(6)] {
                        let fresh = build(
                            backend,
                            &scopes,
                            &shape,
                            ids_of(participants::by_id_query(&scopes, id)),
                        );
                        let cached = statement(
                            backend,
                            format!("test-id|{scopes:?}|{shape:?}"),
                            Varying {
                                id: Some(id),
                                first: None,
                            },
                            |v| {
                                build(
                                    backend,
                                    &scopes,
                                    &shape,
                                    ids_of(participants::by_id_query(&scopes, v.id.unwrap_or(id))),
                                )
                            },
                        );
                        assert_eq!(cached, fresh, "{backend:?}, org {org}, id {id}");
                    }
                }
            }
        }
        let cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        assert!(
            cache.keys().filter(|k| k.contains("test-page")).count() >= 16,
            "each filter, backend, viewer and cursor built once and kept"
        );
    }
}
