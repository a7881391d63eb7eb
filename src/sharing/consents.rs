//! Consents: `grantConsent` and `revokeConsent` (DESIGN.md sections 3 and 4).
//!
//! A consent is recorded by an organization that keeps a profile of the
//! participant (its steward, `owner_org_id`). Under 18 on the signing date
//! (by the steward's own profile) it must be signed by a named guardian.
//! Revoking takes effect on the next request: the policy reads the status.
//!
//! A youth with their own token (role `participant`), 18 or older, grants
//! and revokes their own consents, recorded by the organization that linked
//! their account; from their 18th birthday they re-affirm a consent their
//! guardian signed (`reaffirmConsent`), which until then counts as not
//! given (`policy::Scope`).

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
use crate::auth::{Role, Viewer};
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
    /// The participant's hub id; your organization must keep a profile of
    /// them (a youth: your own hub id).
    pub participant_id: ID,
    /// The organization that may receive the data; null means every partner
    /// the viewer's organization's agreements name.
    pub recipient_org_slug: Option<String>,
    /// The data categories shared; at least one.
    pub categories: Vec<Category>,
    /// What the data may be used for.
    pub purpose: SharingPurpose,
    /// GUARDIAN (with `guardianName`) when the participant is under 18 on `signedOn`.
    pub granted_by: GrantedBy,
    /// The guardian who signed (at most 200 characters); required with
    /// GUARDIAN.
    pub guardian_name: Option<String>,
    /// Not in the future.
    pub signed_on: NaiveDate,
    /// After `signedOn`; null means no end date.
    pub expires_on: Option<NaiveDate>,
}

/// Revokes a consent whose `version` the caller read.
#[derive(Debug, Clone, InputObject)]
pub struct RevokeConsentInput {
    /// A consent your organization recorded.
    pub id: ID,
    /// The `version` you read; a stale one is `CONFLICT`.
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
    let participant_id = uuid(&input.participant_id, "participantId")?;
    // Who records it, and the birth date the signer is checked against.
    let (steward, birth_date) = if viewer.has(Role::Participant) {
        youth_signer(db, viewer, participant_id, &input).await?
    } else {
        require_consent_steward(viewer, None)?;
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
        (viewer.org_id, profile.birth_date)
    };
    let recipient = match input.recipient_org_slug.as_deref() {
        Some(slug) => {
            let id = organizations::id_by_slug(db, slug, "recipientOrgSlug").await?;
            if id == steward {
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
    let guardian = signer(&input, birth_date)?;
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
        owner_org_id: Set(steward),
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
        reaffirmed_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    access.settle(&txn, before).await?;
    crate::policy::listing::refresh(
        &txn,
        crate::policy::listing::Touched::Participants(vec![row.participant_id]),
    )
    .await?;
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

/// Revokes a consent of the viewer's organization (or, for a youth, any
/// consent about them) if `version` is current (`CONFLICT` otherwise, and
/// nothing changes); audited as REVOKE. A consent of another organization
/// and a missing one are refused alike.
pub async fn revoke(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: RevokeConsentInput,
) -> Result<consent::Model> {
    if !viewer.has(Role::Participant) {
        require_consent_steward(viewer, None)?;
    }
    let id = uuid(&input.id, "id")?;
    let txn = crate::ground::db::begin_write(db).await?;
    let row = consent::Entity::find_by_id(id).one(&txn).await?;
    let row = own_consent(viewer, row)?;
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
    crate::policy::listing::refresh(
        &txn,
        crate::policy::listing::Touched::Participants(vec![row.participant_id]),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(AuditAction::Revoke, &row, "status=REVOKED".into())],
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// The consent if the viewer may change it: its steward's org_admin, or
/// the youth it is about. A missing consent is refused like another's.
fn own_consent(viewer: &Viewer, row: Option<consent::Model>) -> Result<consent::Model> {
    if viewer.has(Role::Participant) {
        return row
            .filter(|r| Some(r.participant_id) == viewer.participant_id)
            .ok_or(Error::NotFound("consent"));
    }
    let owner = row.as_ref().map(|r| r.owner_org_id);
    require_consent_steward(viewer, Some(owner.unwrap_or_else(Uuid::nil)))?;
    row.ok_or(Error::NotFound("consent"))
}

/// A youth granting their own consent: only for themself and signed by
/// themself; the organization that linked their account records it. The
/// signer is checked against their earliest birth date on record (none on
/// record counts as under 18, as for an organization).
async fn youth_signer(
    db: &DatabaseConnection,
    viewer: &Viewer,
    participant_id: Uuid,
    input: &GrantConsentInput,
) -> Result<(Uuid, Option<NaiveDate>)> {
    if viewer.participant_id != Some(participant_id) {
        return Err(Error::forbidden(
            "you may grant consent only for your own record",
        ));
    }
    if input.granted_by == GrantedBy::Guardian {
        return Err(Error::bad_input(
            "grantedBy",
            "a guardian's consent is recorded by an organization that keeps your profile",
        ));
    }
    crate::policy::require_confirmed_account(viewer)?;
    let steward = crate::people::accounts::steward(db, participant_id).await?;
    let birth_date = participant_profile::Entity::find()
        .filter(participant_profile::Column::ParticipantId.eq(participant_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| p.birth_date)
        .min();
    Ok((steward, birth_date))
}

/// Re-affirms a consent a guardian signed, by the youth, 18 or older.
#[derive(Debug, Clone, InputObject)]
pub struct ReaffirmConsentInput {
    /// A consent about you that your guardian signed.
    pub id: ID,
    /// The `version` you read; a stale one is `CONFLICT`.
    pub version: i32,
}

/// The youth, 18 or older, re-affirms a consent their guardian signed: it
/// counts again from now (`Scope` reads `reaffirmed_at`). Audited as GRANT.
pub async fn reaffirm(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: ReaffirmConsentInput,
    today: NaiveDate,
) -> Result<consent::Model> {
    if !viewer.has(Role::Participant) {
        return Err(Error::forbidden(
            "only the youth re-affirms their guardian's consent, with their own token",
        ));
    }
    crate::policy::require_confirmed_account(viewer)?;
    let id = uuid(&input.id, "id")?;
    let txn = crate::ground::db::begin_write(db).await?;
    let row = own_consent(viewer, consent::Entity::find_by_id(id).one(&txn).await?)?;
    if row.version != input.version {
        return Err(stale(row.version).error(input.version));
    }
    if row.granted_by != GrantedBy::Guardian.as_str() {
        return Err(Error::bad_input("id", "you signed this consent yourself"));
    }
    if row.status == ConsentStatus::Revoked || row.reaffirmed_at.is_some() {
        return Err(Error::bad_input(
            "id",
            "this consent is revoked or already re-affirmed",
        ));
    }
    if !crate::people::accounts::is_adult(&txn, row.participant_id, today).await? {
        return Err(Error::bad_input(
            "id",
            "a guardian's consent is re-affirmed from your 18th birthday on",
        ));
    }
    let now = Utc::now();
    let access = AccessChange::of_consent(
        &txn,
        row.participant_id,
        row.recipient_org_id,
        split_set(&row.categories, Category::parse),
        today,
    )
    .await?;
    let before = access.readable(&txn).await?;
    let update =
        consent::Entity::update_many().col_expr(consent::Column::ReaffirmedAt, Expr::value(now));
    let updated = versioned::update(
        &txn,
        update,
        (consent::Column::Id, id),
        (consent::Column::Version, input.version),
        (consent::Column::UpdatedAt, now),
        stale(row.version + 1),
    )
    .await?;
    access.settle(&txn, before).await?;
    crate::policy::listing::refresh(
        &txn,
        crate::policy::listing::Touched::Participants(vec![row.participant_id]),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        vec![entry(AuditAction::Grant, &row, "reaffirmed=SELF".into())],
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
