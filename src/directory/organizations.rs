//! Organizations: the partners the hub joins.

use async_graphql::InputObject;
use chrono::Utc;
use entity::enums::{AuditAction, OrgKind};
use entity::organization;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::ground::error::{DbResultExt, Result};
use crate::ground::types::{Slug, text};

/// A new partner organization.
#[derive(Debug, Clone, InputObject)]
pub struct CreateOrganizationInput {
    /// Stable, unique slug, e.g. `iatse-local-600`.
    pub slug: String,
    /// Display name (at most 200 characters).
    pub name: String,
    /// What kind of partner it is.
    pub kind: OrgKind,
}

/// Every organization, by slug.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<organization::Model>> {
    Ok(organization::Entity::find()
        .order_by_asc(organization::Column::Slug)
        .all(db)
        .await?)
}

/// The organization with this slug, if any.
pub async fn by_slug<C: ConnectionTrait>(
    db: &C,
    slug: &str,
) -> Result<Option<organization::Model>> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db)
        .await?)
}

/// The id of the organization a slug given in input `field` names, or
/// `BAD_USER_INPUT` naming the field.
pub async fn id_by_slug<C: ConnectionTrait>(db: &C, slug: &str, field: &str) -> Result<Uuid> {
    match by_slug(db, slug).await? {
        Some(org) => Ok(org.id),
        None => Err(crate::ground::error::Error::bad_input(
            field,
            "no organization has this slug",
        )),
    }
}

/// The organizations with these ids (for loaders).
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<organization::Model>> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Creates an organization (the caller has checked the hub_admin role) and
/// audits it in the same transaction.
pub async fn create<C: TransactionTrait>(
    db: &C,
    actor: &Actor,
    input: CreateOrganizationInput,
) -> Result<organization::Model> {
    let slug = Slug::parse(&input.slug, "slug")?;
    let name = text(&input.name, "name", 200)?;
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    let row = organization::ActiveModel {
        id: Set(Uuid::new_v4()),
        slug: Set(slug.as_str().to_owned()),
        name: Set(name),
        kind: Set(input.kind),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let model = organization::Entity::insert(row)
        .exec_with_returning(&txn)
        .await
        .on_constraint("slug")?;
    audit::record(
        &txn,
        actor,
        vec![Entry::about(
            AuditAction::Create,
            "organization",
            model.id,
            Some(model.id),
        )],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
