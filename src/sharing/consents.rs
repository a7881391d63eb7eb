//! Consents: `grantConsent` and `revokeConsent` (DESIGN.md sections 3 and 4).
//!
//! A consent is recorded by an organization that keeps a profile of the
//! participant (its steward, `owner_org_id`). Under 18 on the signing date
//! (by the steward's own profile) it must be signed by a named guardian.
//! Revoking takes effect on the next request: the policy reads the status.

use async_graphql::{ID, InputObject};
use chrono::{NaiveDate, Utc};
use entity::enums::{
    AuditAction, Category, ConsentStatus, GrantedBy, SharingPurpose, join_set, split_set,
};
use entity::{consent, participant_profile};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::directory::organizations;
use crate::ground::error::{Error, Result};
use crate::ground::types::optional_text;
use crate::ground::versioned::{self, Stale};
use crate::policy::sharing::require_consent_steward;
use crate::records::enrollments::uuid;
use crate::records::feed::AccessChange;

/// A consent the participant (or their guardian) signed.
#[derive(Debug, Clone, InputObject)]
pub struct GrantConsentInput {
    pub participant_id: ID,
    /// The organization that may receive the data; null means every partner
    /// the viewer's organization's agreements name.
    pub recipient_org_slug: Option<String>,
    /// The data categories shared; at least one.
    pub categories: Vec<Category>,
    pub purpose: SharingPurpose,
    /// GUARDIAN (with `guardianName`) when the participant is under 18 on `signedOn`.
    pub granted_by: GrantedBy,
    pub guardian_name: Option<String>,
    /// Not in the future.
    pub signed_on: NaiveDate,
    /// After `signedOn`; null means no end date.
    pub expires_on: Option<NaiveDate>,
}

/// Revokes a consent whose `version` the caller read.
#[derive(Debug, Clone, InputObject)]
pub struct RevokeConsentInput {
    pub id: ID,
    pub version: i32,
}

fn entry(action: AuditAction, row: &consent::Model, detail: String) -> Entry {
    let mut entry = Entry::about(action, "consent", row.id, Some(row.owner_org_id));
    entry.participant_id = Some(row.participant_id);
    entry.categories = entity::enums::split_set(&row.categories, Category::parse);
    entry.detail = Some(detail);
    entry
}

/// Who signs, checked against the participant's age on the signing date:
/// under 18 (or with no birth date on record) a named guardian must sign.
fn signer(input: &GrantConsentInput, birth_date: Option<NaiveDate>) -> Result<Option<String>> {
    let guardian = optional_text(input.guardian_name.as_deref(), "guardianName", 200)?;
    let minor =
        birth_date.is_none_or(|born| input.signed_on.years_since(born).is_none_or(|age| age < 18));
    if minor && input.granted_by != GrantedBy::Guardian {
        return Err(Error::bad_input(
            "grantedBy",
            "must be GUARDIAN: the participant is under 18 on signedOn (or has no birth date on record)",
        ));
    }
    match input.granted_by {
        GrantedBy::Guardian if guardian.is_none() => Err(Error::bad_input(
            "guardianName",
            "is required when a guardian signs",
        )),
        GrantedBy::Guardian => Ok(guardian),
        GrantedBy::SelfSigned => Ok(None),
    }
}

/// Records a consent for the viewer's organization, ACTIVE at version one,
/// with its GRANT audit entry in one transaction. A viewer whose
/// organization has no profile of the participant is refused the same way
/// whether or not the participant exists.
pub async fn grant(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: GrantConsentInput,
    today: NaiveDate,
) -> Result<consent::Model> {
    require_consent_steward(viewer, None)?;
    let participant_id = uuid(&input.participant_id, "participantId")?;
    let profile = participant_profile::Entity::find()
        .filter(participant_profile::Column::ParticipantId.eq(participant_id))
        .filter(participant_profile::Column::OrgId.eq(viewer.org_id))
        .one(db)
        .await?
        .ok_or_else(|| {
            Error::forbidden(
                "only an organization that keeps a profile of this participant may record their consent",
            )
        })?;
    let recipient = match input.recipient_org_slug.as_deref() {
        Some(slug) => {
            let id = organizations::id_by_slug(db, slug, "recipientOrgSlug").await?;
            if id == viewer.org_id {
                return Err(Error::bad_input(
                    "recipientOrgSlug",
                    "names your own organization, which needs no consent to read its records",
                ));
            }
            Some(id)
        }
        None => None,
    };
    if input.categories.is_empty() {
        return Err(Error::bad_input(
            "categories",
            "must name at least one category",
        ));
    }
    if input.signed_on > today {
        return Err(Error::bad_input("signedOn", "must not be in the future"));
    }
    if input.expires_on.is_some_and(|d| d <= input.signed_on) {
        return Err(Error::bad_input("expiresOn", "must be after signedOn"));
    }
    let guardian = signer(&input, profile.birth_date)?;
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    let access = AccessChange::of_consent(
        &txn,
        participant_id,
        recipient,
        input.categories.clone(),
        today,
    )
    .await?;
    let before = access.readable(&txn).await?;
    let row = consent::Entity::insert(consent::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(participant_id),
        owner_org_id: Set(viewer.org_id),
        recipient_org_id: Set(recipient),
        categories: Set(join_set(&input.categories, Category::as_str)),
        purpose: Set(input.purpose),
        granted_by: Set(input.granted_by.as_str().to_owned()),
        guardian_name: Set(guardian),
        signed_on: Set(input.signed_on),
        expires_on: Set(input.expires_on),
        status: Set(ConsentStatus::Active),
        revoked_at: Set(None),
        lapse_settled_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    access.settle(&txn, before).await?;
    let whom = recipient.map_or_else(|| "all".to_owned(), |r| r.to_string());
    audit::record(
        &txn,
        actor,
        vec![entry(AuditAction::Grant, &row, format!("recipient={whom}"))],
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Revokes a consent of the viewer's organization if `version` is current
/// (`CONFLICT` otherwise, and nothing changes); audited as REVOKE. A consent
/// of another organization and a missing one are refused alike.
pub async fn revoke(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: RevokeConsentInput,
) -> Result<consent::Model> {
    require_consent_steward(viewer, None)?;
    let id = uuid(&input.id, "id")?;
    let txn = crate::ground::db::begin_write(db).await?;
    let row = consent::Entity::find_by_id(id).one(&txn).await?;
    // A missing consent is refused like another organization's.
    let owner = row.as_ref().map(|r| r.owner_org_id);
    require_consent_steward(viewer, Some(owner.unwrap_or_else(Uuid::nil)))?;
    let row = row.ok_or(Error::NotFound("consent"))?;
    if row.version != input.version {
        return Err(stale(row.version).error(input.version));
    }
    if row.status == ConsentStatus::Revoked {
        return Err(Error::bad_input("id", "this consent is already revoked"));
    }
    let now = Utc::now();
    let access = AccessChange::of_consent(
        &txn,
        row.participant_id,
        row.recipient_org_id,
        split_set(&row.categories, Category::parse),
        now.date_naive(),
    )
    .await?;
    let before = access.readable(&txn).await?;
    let update = consent::Entity::update_many()
        .col_expr(
            consent::Column::Status,
            Expr::value(ConsentStatus::Revoked.as_str()),
        )
        .col_expr(consent::Column::RevokedAt, Expr::value(now));
    let updated = versioned::update(
        &txn,
        update,
        (consent::Column::Id, id),
        (consent::Column::Version, input.version),
        (consent::Column::UpdatedAt, now),
        // Another writer got in since the read above: it moved the version on.
        stale(row.version + 1),
    )
    .await?;
    access.settle(&txn, before).await?;
    audit::record(
        &txn,
        actor,
        vec![entry(AuditAction::Revoke, &row, "status=REVOKED".into())],
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The `CONFLICT` of a consent or agreement whose version is `current`
/// (not the one the caller read).
pub(crate) fn stale(current: i32) -> Stale {
    Stale::At {
        noun: "record",
        current,
    }
}
