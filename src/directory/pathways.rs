//! Pathways: career pathways (CTDL/O*NET-aligned) that programs lead into.

use async_graphql::InputObject;
use chrono::Utc;
use entity::enums::AuditAction;
use entity::pathway;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::ground::error::{DbResultExt, Error, Result};
use crate::ground::types::{Code, optional_text, text};

/// A new pathway.
#[derive(Debug, Clone, InputObject)]
pub struct CreatePathwayInput {
    /// Stable, unique code, e.g. `DIGITAL_VIDEO_EDITING`.
    pub code: String,
    /// Display name (at most 200 characters).
    pub name: String,
    /// Industry sector, e.g. "Arts, Media & Entertainment".
    pub sector: String,
    /// O*NET-SOC code, e.g. `27-4032`.
    pub soc_code: Option<String>,
}

/// Every pathway, by code.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<pathway::Model>> {
    Ok(pathway::Entity::find()
        .order_by_asc(pathway::Column::Code)
        .all(db)
        .await?)
}

/// The pathway with this code, if any.
pub async fn by_code<C: ConnectionTrait>(db: &C, code: &str) -> Result<Option<pathway::Model>> {
    Ok(pathway::Entity::find()
        .filter(pathway::Column::Code.eq(code))
        .one(db)
        .await?)
}

/// The pathways with these ids (for loaders).
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<pathway::Model>> {
    Ok(pathway::Entity::find()
        .filter(pathway::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

fn soc_code(value: Option<&str>) -> Result<Option<String>> {
    let Some(code) = optional_text(value, "socCode", 10)? else {
        return Ok(None);
    };
    let b = code.as_bytes();
    let ok = code.len() == 7
        && b[2] == b'-'
        && code
            .chars()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit());
    if ok {
        Ok(Some(code))
    } else {
        Err(Error::bad_input("socCode", "must look like 27-4032"))
    }
}

/// Creates a pathway (the caller has checked the hub_admin role), audited.
pub async fn create<C: TransactionTrait>(
    db: &C,
    actor: &Actor,
    input: CreatePathwayInput,
) -> Result<pathway::Model> {
    let code = Code::parse(&input.code, "code")?;
    let name = text(&input.name, "name", 200)?;
    let sector = text(&input.sector, "sector", 200)?;
    let soc_code = soc_code(input.soc_code.as_deref())?;
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    let row = pathway::ActiveModel {
        id: Set(Uuid::new_v4()),
        code: Set(code.as_str().to_owned()),
        name: Set(name),
        sector: Set(sector),
        soc_code: Set(soc_code),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let model = pathway::Entity::insert(row)
        .exec_with_returning(&txn)
        .await
        .on_constraint("code")?;
    audit::record(
        &txn,
        actor,
        vec![Entry::about(AuditAction::Create, "pathway", model.id, None)],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
