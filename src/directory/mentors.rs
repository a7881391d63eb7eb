//! Mentors: union members and professionals an organization offers.

use async_graphql::InputObject;
use chrono::Utc;
use entity::enums::AuditAction;
use entity::mentor;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::Result;
use crate::ground::types::{email, optional_text, text};

/// A new mentor of the viewer's own organization.
#[derive(Debug, Clone, InputObject)]
pub struct CreateMentorInput {
    /// The mentor's name (at most 200 characters).
    pub name: String,
    /// Contact email; only your organization will read it.
    pub email: Option<String>,
    /// The craft, e.g. "Set Lighting".
    pub craft: Option<String>,
    /// The IATSE local number, e.g. "728".
    pub union_local: Option<String>,
    /// Whether the mentor takes mentees now; true when omitted.
    pub active: Option<bool>,
}

/// Filters of the `mentors` query.
#[derive(Debug, Clone, Default)]
pub struct MentorFilter {
    pub org_id: Option<Uuid>,
    pub craft: Option<String>,
    pub union_local: Option<String>,
}

/// Mentors matching the filter, by name.
pub async fn list<C: ConnectionTrait>(db: &C, filter: MentorFilter) -> Result<Vec<mentor::Model>> {
    let mut query = mentor::Entity::find()
        .order_by_asc(mentor::Column::Name)
        .order_by_asc(mentor::Column::Id);
    if let Some(org_id) = filter.org_id {
        query = query.filter(mentor::Column::OrgId.eq(org_id));
    }
    if let Some(craft) = filter.craft {
        query = query.filter(mentor::Column::Craft.eq(craft));
    }
    if let Some(local) = filter.union_local {
        query = query.filter(mentor::Column::UnionLocal.eq(local));
    }
    Ok(query.all(db).await?)
}

/// Creates a mentor owned by the viewer's organization (the caller has
/// checked the org_admin role), audited.
pub async fn create<C: TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    actor: &Actor,
    input: CreateMentorInput,
) -> Result<mentor::Model> {
    let name = text(&input.name, "name", 200)?;
    let email = input
        .email
        .as_deref()
        .map(|e| email(e, "email"))
        .transpose()?;
    let craft = optional_text(input.craft.as_deref(), "craft", 100)?;
    let union_local = optional_text(input.union_local.as_deref(), "unionLocal", 20)?;
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    let row = mentor::ActiveModel {
        id: Set(Uuid::new_v4()),
        org_id: Set(viewer.org_id),
        name: Set(name),
        email: Set(email),
        craft: Set(craft),
        union_local: Set(union_local),
        active: Set(input.active.unwrap_or(true)),
        external_id: Set(None),
        source: Set("hub".to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let model = mentor::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        vec![Entry::about(
            AuditAction::Create,
            "mentor",
            model.id,
            Some(viewer.org_id),
        )],
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}
