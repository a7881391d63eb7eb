//! A credential's named issuer confirms it (DESIGN.md section 11): one
//! organization may record that another member organization issued a
//! credential (a college's degree, a union's card), but the hub issues and
//! signs it as that organization's badge only once that organization's own
//! staff confirmed it. Until then — and for an issuer outside the hub —
//! there is no badge.

use async_graphql::{ID, InputObject};
use chrono::Utc;
use entity::enums::{AuditAction, Category};
use entity::{credential, credential_confirmation};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::{Error, Result};
use crate::policy;

/// `confirmCredential` input.
#[derive(Debug, Clone, InputObject)]
pub struct ConfirmCredentialInput {
    /// The credential that names your organization as its issuer.
    pub id: ID,
}

/// Confirms, as staff of the organization a credential names as its
/// issuer, that it issued it; idempotent. A credential that does not name
/// the viewer's organization is `NOT_FOUND`, whether or not it exists.
pub async fn confirm<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    actor: &Actor,
    input: &ConfirmCredentialInput,
) -> Result<credential::Model> {
    policy::require_writer(viewer)?;
    let id =
        Uuid::parse_str(input.id.as_str()).map_err(|_| Error::bad_input("id", "must be a UUID"))?;
    let txn = crate::ground::db::begin_write(db).await?;
    let row = credential::Entity::find_by_id(id)
        .filter(credential::Column::IssuerOrgId.eq(viewer.org_id))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("credential"))?;
    let done = credential_confirmation::Entity::find_by_id(id)
        .count(&txn)
        .await?
        > 0;
    if !done && row.owner_org_id != viewer.org_id {
        let now = Utc::now();
        credential_confirmation::Entity::insert(credential_confirmation::ActiveModel {
            credential_id: Set(id),
            participant_id: Set(row.participant_id),
            org_id: Set(viewer.org_id),
            confirmed_by: Set(viewer.subject.clone()),
            confirmed_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await?;
        let mut entry = Entry::about(
            AuditAction::Update,
            "credential",
            id,
            Some(row.owner_org_id),
        );
        entry.participant_id = Some(row.participant_id);
        entry.categories = vec![Category::Credentials];
        entry.detail = Some("issuer confirmed".into());
        audit::record(&txn, actor, vec![entry]).await?;
    }
    txn.commit().await?;
    Ok(row)
}

/// The condition under which a credential (in `credential`'s own table)
/// may be a hub badge: its issuer is the organization that recorded it,
/// or the named issuer confirmed it.
pub fn badge_issuable() -> Condition {
    use credential::Column as K;
    let c = Alias::new("cc");
    Condition::all().add(K::IssuerOrgId.is_not_null()).add(
        Condition::any()
            .add(
                Expr::col((credential::Entity, K::IssuerOrgId))
                    .equals((credential::Entity, K::OwnerOrgId)),
            )
            .add(Expr::exists(
                Query::select()
                    .expr(Expr::val(1))
                    .from_as(credential_confirmation::Entity, c.clone())
                    .and_where(
                        Expr::col((c.clone(), credential_confirmation::Column::CredentialId))
                            .equals((credential::Entity, K::Id)),
                    )
                    .and_where(
                        Expr::col((c, credential_confirmation::Column::OrgId))
                            .equals((credential::Entity, K::IssuerOrgId)),
                    )
                    .to_owned(),
            )),
    )
}
