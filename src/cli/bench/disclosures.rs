//! The floors' disclosure rows. A hand-written page is a floor for the
//! hub only if it does what the hub must: read the page **and** record
//! one disclosure row per participant shown (issue 31), as DESIGN.md
//! section 4's log of disclosures needs (reader, participant, categories,
//! when). The floors write them to a bare table of the bench's own, with
//! the one index the youth's "who read my record" needs; on PostgreSQL in
//! the page's own statement (a writable `WITH`), on SQLite as a second
//! statement after it.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, Statement, Value};
use uuid::Uuid;

pub(super) const TABLE: &str = "bench_floor_disclosure";

/// Creates the table when it is missing.
pub(super) async fn ensure(db: &DatabaseConnection) -> Result<(), DbErr> {
    let columns = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            "id bigserial PRIMARY KEY, reader_org_id uuid NOT NULL, participant_id uuid NOT NULL, \
             categories text NOT NULL, created_at timestamptz NOT NULL DEFAULT now()"
        }
        _ => {
            "id INTEGER PRIMARY KEY, reader_org_id BLOB NOT NULL, participant_id BLOB NOT NULL, \
             categories TEXT NOT NULL, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP"
        }
    };
    db.execute_unprepared(&format!("CREATE TABLE IF NOT EXISTS {TABLE} ({columns})"))
        .await?;
    db.execute_unprepared(&format!(
        "CREATE INDEX IF NOT EXISTS ix_{TABLE}_participant ON {TABLE} (participant_id)"
    ))
    .await?;
    Ok(())
}

/// PostgreSQL: a `WITH` item recording the reader `viewer` (a parameter)
/// read each participant `ids` (a query of one column `id`) selects.
pub(super) fn pg_item(viewer: &str, ids: &str) -> String {
    format!(
        "seen AS (INSERT INTO {TABLE} (reader_org_id, participant_id, categories) \
         SELECT {viewer}, s.id, 'IDENTITY' FROM ({ids}) s)"
    )
}

/// SQLite: records that `viewer` read `ids`, in one statement.
pub(super) async fn record(db: &DatabaseConnection, viewer: Uuid, ids: &[Uuid]) -> bool {
    if ids.is_empty() {
        return true;
    }
    let rows = (0..ids.len())
        .map(|i| format!("(?1, ?{}, 'IDENTITY')", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let mut values = vec![Value::from(viewer)];
    values.extend(ids.iter().map(|id| Value::from(*id)));
    db.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Sqlite,
        format!("INSERT INTO {TABLE} (reader_org_id, participant_id, categories) VALUES {rows}"),
        values,
    ))
    .await
    .is_ok()
}
