//! Data-sharing agreements (FERPA 99.31 written agreements): proposed by
//! the provider's org_admin, accepted by the recipient's org_admin, approved
//! by a hub admin (then ACTIVE), revoked by either side or a hub admin.
//! Every step checks the `version` the caller read and writes its audit
//! entry in the same transaction.

use async_graphql::{ID, InputObject};
use chrono::{NaiveDate, Utc};
use entity::enums::{AgreementStatus, AuditAction, Category, SharingPurpose, join_set, split_set};
use entity::sharing_agreement::{self, Column as A};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::directory::organizations;
use crate::ground::error::{Error, Result};
use crate::ground::versioned;
use crate::policy::{self, sharing};
use crate::records::enrollments::uuid;
use crate::records::feed::AccessChange;
use crate::sharing::consents::stale;

/// A proposal from the viewer's organization (the provider) to a recipient.
#[derive(Debug, Clone, InputObject)]
pub struct ProposeAgreementInput {
    /// The organization that may read the data (not your own).
    pub recipient_org_slug: String,
    /// The data categories shared; at least one.
    pub categories: Vec<Category>,
    /// What the data may be used for.
    pub purpose: SharingPurpose,
    /// Whether each participant's consent is needed too (default true).
    #[graphql(default = true)]
    pub requires_consent: bool,
    /// The first day it shares, once ACTIVE (ISO date).
    pub effective_on: NaiveDate,
    /// After `effectiveOn`; null means no end date.
    pub expires_on: Option<NaiveDate>,
    /// By when the recipient must have destroyed what it received, once
    /// the agreement has ended (not before `expiresOn`).
    pub destroy_by: Option<NaiveDate>,
}

/// Names an agreement and the `version` the caller read.
#[derive(Debug, Clone, InputObject)]
pub struct AgreementVersionInput {
    /// The agreement's id.
    pub id: ID,
    /// The `version` you read; a stale one is `CONFLICT`.
    pub version: i32,
}

fn entry(action: AuditAction, row: &sharing_agreement::Model, detail: &str) -> Entry {
    let mut entry = Entry::about(
        action,
        "sharing_agreement",
        row.id,
        Some(row.provider_org_id),
    );
    entry.categories = split_set(&row.categories, Category::parse);
    entry.detail = Some(format!("{detail};recipient={}", row.recipient_org_id));
    entry
}

/// The agreements the viewer may list, optionally only those reading as
/// `status` today (EXPIRED by date, in SQL), newest first.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    status: Option<AgreementStatus>,
    today: NaiveDate,
) -> Result<Vec<sharing_agreement::Model>> {
    let mut query = sharing_agreement::Entity::find().filter(sharing::agreements_visible(viewer));
    if let Some(status) = status {
        query = query.filter(sharing::agreement_status_condition(status, today));
    }
    Ok(query
        .order_by_desc(A::CreatedAt)
        .order_by_asc(A::Id)
        .all(db)
        .await?)
}

/// The agreements from `provider` to `recipient`, whatever their status.
pub async fn between<C: ConnectionTrait>(
    db: &C,
    provider: Uuid,
    recipient: Uuid,
) -> Result<Vec<sharing_agreement::Model>> {
    Ok(sharing_agreement::Entity::find()
        .filter(A::ProviderOrgId.eq(provider))
        .filter(A::RecipientOrgId.eq(recipient))
        .order_by_desc(A::CreatedAt)
        .all(db)
        .await?)
}

/// Proposes an agreement from the viewer's organization (status PROPOSED,
/// version 1); audited as CREATE.
pub async fn propose(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: ProposeAgreementInput,
) -> Result<sharing_agreement::Model> {
    policy::require_org_admin(viewer)?;
    let recipient =
        organizations::id_by_slug(db, &input.recipient_org_slug, "recipientOrgSlug").await?;
    if recipient == viewer.org_id {
        return Err(Error::bad_input(
            "recipientOrgSlug",
            "names your own organization; an agreement shares with another one",
        ));
    }
    if input.categories.is_empty() {
        return Err(Error::bad_input(
            "categories",
            "must name at least one category",
        ));
    }
    if input.expires_on.is_some_and(|d| d <= input.effective_on) {
        return Err(Error::bad_input("expiresOn", "must be after effectiveOn"));
    }
    if let Some(destroy_by) = input.destroy_by
        && (destroy_by <= input.effective_on || input.expires_on.is_some_and(|e| destroy_by < e))
    {
        return Err(Error::bad_input(
            "destroyBy",
            "must be after effectiveOn and not before expiresOn",
        ));
    }
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    let row = sharing_agreement::Entity::insert(sharing_agreement::ActiveModel {
        id: Set(Uuid::new_v4()),
        provider_org_id: Set(viewer.org_id),
        recipient_org_id: Set(recipient),
        categories: Set(join_set(&input.categories, Category::as_str)),
        purpose: Set(input.purpose),
        requires_consent: Set(input.requires_consent),
        status: Set(AgreementStatus::Proposed),
        effective_on: Set(input.effective_on),
        expires_on: Set(input.expires_on),
        destroy_by: Set(input.destroy_by),
        destroyed_at: Set(None),
        lapse_settled_on: Set(None),
        proposed_by: Set(viewer.subject.clone()),
        accepted_by: Set(None),
        accepted_at: Set(None),
        approved_by: Set(None),
        approved_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(AuditAction::Create, &row, "status=PROPOSED")],
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// A step of the lifecycle: who may take it, what must hold, what changes.
struct Step {
    action: AuditAction,
    detail: &'static str,
    allowed: fn(&Viewer, &sharing_agreement::Model) -> Result<()>,
    check: fn(&sharing_agreement::Model, AgreementStatus) -> Result<()>,
    changes: fn(&Viewer) -> Vec<(A, SimpleExpr)>,
}

/// Runs a step on the agreement `input` names, inside one transaction: the
/// role check (a missing agreement is refused like a foreign one, except for
/// a hub admin, who may know every agreement), the version, the state rule,
/// the update and its audit entry.
async fn step(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: AgreementVersionInput,
    today: NaiveDate,
    step: Step,
) -> Result<sharing_agreement::Model> {
    let id = uuid(&input.id, "id")?;
    let txn = crate::ground::db::begin_write(db).await?;
    let Some(row) = sharing_agreement::Entity::find_by_id(id).one(&txn).await? else {
        if viewer.has(crate::auth::Role::HubAdmin) {
            return Err(Error::NotFound("sharing agreement"));
        }
        return Err(Error::forbidden(
            "your organization is not a party to this sharing agreement",
        ));
    };
    (step.allowed)(viewer, &row)?;
    if row.version != input.version {
        return Err(stale(row.version).error(input.version));
    }
    (step.check)(
        &row,
        sharing::agreement_status(row.status, row.expires_on, today),
    )?;
    let now = Utc::now();
    let access = AccessChange::of_agreement(&row, today);
    let before = access.readable(&txn).await?;
    let mut update = sharing_agreement::Entity::update_many();
    for (column, value) in (step.changes)(viewer) {
        update = update.col_expr(column, value);
    }
    let updated = versioned::update(
        &txn,
        update,
        (A::Id, id),
        (A::Version, input.version),
        (A::UpdatedAt, now),
        // Another writer got in since the read above: it moved the version on.
        stale(row.version + 1),
    )
    .await?;
    access.settle(&txn, before).await?;
    policy::listing::refresh(
        &txn,
        policy::listing::Touched::Agreement {
            provider: row.provider_org_id,
            recipient: row.recipient_org_id,
        },
    )
    .await?;
    audit::record(&txn, actor, vec![entry(step.action, &row, step.detail)]).await?;
    txn.commit().await?;
    Ok(updated)
}

fn must_be_proposed(status: AgreementStatus) -> Result<()> {
    match status {
        AgreementStatus::Proposed => Ok(()),
        other => Err(Error::bad_input(
            "id",
            format!("the agreement is {}, not PROPOSED", other.as_str()),
        )),
    }
}

fn now_value() -> SimpleExpr {
    Expr::value(Utc::now())
}

/// The recipient's org_admin accepts a PROPOSED agreement; audited as UPDATE.
pub async fn accept(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: AgreementVersionInput,
    today: NaiveDate,
) -> Result<sharing_agreement::Model> {
    let accept = Step {
        action: AuditAction::Update,
        detail: "accepted",
        allowed: |v, row| sharing::require_recipient_admin(v, row.recipient_org_id),
        check: |row, status| {
            must_be_proposed(status)?;
            if row.accepted_by.is_some() {
                return Err(Error::bad_input("id", "the agreement is already accepted"));
            }
            Ok(())
        },
        changes: |v| {
            vec![
                (A::AcceptedBy, Expr::value(v.subject.clone())),
                (A::AcceptedAt, now_value()),
            ]
        },
    };
    step(db, viewer, actor, input, today, accept).await
}

/// A hub admin approves an agreement the recipient accepted: it becomes
/// ACTIVE (and shares from its `effectiveOn`); audited as GRANT.
pub async fn approve(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: AgreementVersionInput,
    today: NaiveDate,
) -> Result<sharing_agreement::Model> {
    policy::require_hub_admin(viewer)?;
    let approve = Step {
        action: AuditAction::Grant,
        detail: "status=ACTIVE",
        allowed: |v, _| policy::require_hub_admin(v),
        check: |row, status| {
            must_be_proposed(status)?;
            if row.accepted_by.is_none() {
                return Err(Error::bad_input(
                    "id",
                    "the recipient has not accepted this agreement yet",
                ));
            }
            Ok(())
        },
        changes: |v| {
            vec![
                (A::Status, Expr::value(AgreementStatus::Active.as_str())),
                (A::ApprovedBy, Expr::value(v.subject.clone())),
                (A::ApprovedAt, now_value()),
            ]
        },
    };
    step(db, viewer, actor, input, today, approve).await
}

/// Either side's org_admin or a hub admin revokes an agreement; sharing
/// stops from the next request on; audited as REVOKE.
pub async fn revoke(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: AgreementVersionInput,
    today: NaiveDate,
) -> Result<sharing_agreement::Model> {
    let revoke = Step {
        action: AuditAction::Revoke,
        detail: "status=REVOKED",
        allowed: |v, row| {
            sharing::require_agreement_party(v, row.provider_org_id, row.recipient_org_id)
        },
        check: |_, status| match status {
            AgreementStatus::Revoked => {
                Err(Error::bad_input("id", "the agreement is already revoked"))
            }
            _ => Ok(()),
        },
        changes: |_| vec![(A::Status, Expr::value(AgreementStatus::Revoked.as_str()))],
    };
    step(db, viewer, actor, input, today, revoke).await
}
