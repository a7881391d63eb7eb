//! Optimistic concurrency, written once: a row with a `version` column is
//! changed only by a writer who read its current version, and every change
//! moves the version on and stamps `updated_at`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, UpdateMany};
use uuid::Uuid;

use crate::ground::error::{Error, Result};

/// What the `CONFLICT` for a stale version tells the caller to do. The
/// texts are part of the API: clients and tests read them.
#[derive(Debug, Clone, Copy)]
pub enum Stale {
    /// "version N is stale: read the {noun} again".
    ReadAgain(&'static str),
    /// "version N is stale: the {noun} is at version {current}; read it
    /// again", for a caller that knows the version the row is at.
    At { noun: &'static str, current: i32 },
}

impl Stale {
    /// The `CONFLICT` for a caller who read version `read`.
    pub fn error(self, read: i32) -> Error {
        Error::Conflict(match self {
            Stale::ReadAgain(noun) => format!("version {read} is stale: read the {noun} again"),
            Stale::At { noun, current } => format!(
                "version {read} is stale: the {noun} is at version {current}; read it again"
            ),
        })
    }
}

/// Runs `update` (the caller's column changes) on the row whose `key`
/// column equals the given id and whose `version` column still equals the
/// version the caller read, adding `version = version + 1` and
/// `updated_at = now` to the same statement, so the check and the write
/// cannot be separated by another writer. A filter already on `update`
/// (the owning organization, say) narrows the row further.
///
/// Returns whether a row changed. `false` means nothing changed: the
/// version was stale or no row matched, which this function does not tell
/// apart (see [`update`] for the usual answer).
pub async fn update_if_current<E, C>(
    txn: &C,
    update: UpdateMany<E>,
    key: (E::Column, Uuid),
    version: (E::Column, i32),
    updated_at: (E::Column, DateTime<Utc>),
) -> Result<bool>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let (key_column, id) = key;
    let (version_column, read) = version;
    let (updated_at_column, now) = updated_at;
    let result = update
        .col_expr(version_column, Expr::col(version_column).add(1))
        .col_expr(updated_at_column, Expr::value(now))
        .filter(key_column.eq(id))
        .filter(version_column.eq(read))
        .exec(txn)
        .await?;
    Ok(result.rows_affected > 0)
}

/// [`update_if_current`], answering a row that did not change with the
/// `CONFLICT` `stale` describes, and otherwise with the row as the update
/// left it, read back inside `txn`. Call it inside the write transaction
/// (`db::begin_write`) that also writes the change's audit entry, and commit
/// after both: then a stale version writes neither.
pub async fn update<E, C>(
    txn: &C,
    update: UpdateMany<E>,
    key: (E::Column, Uuid),
    version: (E::Column, i32),
    updated_at: (E::Column, DateTime<Utc>),
    stale: Stale,
) -> Result<E::Model>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    if !update_if_current(txn, update, key, version, updated_at).await? {
        return Err(stale.error(version.1));
    }
    let (key_column, id) = key;
    E::find()
        .filter(key_column.eq(id))
        .one(txn)
        .await?
        // The update holds the row (PostgreSQL's row lock, SQLite's write
        // lock) until commit: it cannot be gone unless the database fails.
        .ok_or_else(|| Error::Internal("a row just updated could not be read back".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conflict_texts() {
        assert_eq!(
            Stale::ReadAgain("enrollment").error(3).message(),
            "version 3 is stale: read the enrollment again"
        );
        assert_eq!(
            Stale::At {
                noun: "record",
                current: 5
            }
            .error(4)
            .message(),
            "version 4 is stale: the record is at version 5; read it again"
        );
        assert_eq!(Stale::ReadAgain("course").error(1).code(), "CONFLICT");
    }
}
