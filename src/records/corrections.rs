//! Requests to correct a record (FERPA 99.20, DESIGN.md section 10): the
//! youth names a field of a row about them and what it should say; the
//! organization that keeps the row accepts (the field changes, versioned
//! and audited) or declines with an answer the youth reads.
//!
//! A request for a row that is not about the youth — or does not exist —
//! is refused alike, so nothing is revealed. Audit entries name the field,
//! never the values.

use async_graphql::{ID, InputObject};
use chrono::{NaiveDate, Utc};
use entity::enums::{AuditAction, Category, CorrectableEntity, CorrectionStatus};
use entity::{correction_request, credential, enrollment, participant_profile};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Value,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::{Role, Viewer};
use crate::ground::error::{Error, Result};
use crate::ground::types::{optional_text, text};
use crate::ground::versioned::Stale;
use crate::records::enrollments::uuid;

/// `requestCorrection` input.
#[derive(Debug, Clone, InputObject)]
pub struct RequestCorrectionInput {
    /// The kind of row to correct.
    pub entity: CorrectableEntity,
    /// The row's id (as in `me`).
    pub entity_id: ID,
    /// The field, as named in the API (e.g. `familyName`, `startedOn`).
    pub field: String,
    /// What it should say (a date as YYYY-MM-DD); empty clears an
    /// optional field.
    pub proposed_value: String,
    /// Why, in the youth's words (at most 1000 characters).
    pub reason: String,
}

/// `resolveCorrection` input.
#[derive(Debug, Clone, InputObject)]
pub struct ResolveCorrectionInput {
    /// The OPEN request (to your organization).
    pub id: ID,
    /// The `version` you read; a stale one is `CONFLICT`.
    pub version: i32,
    /// Accept: the field changes. Decline: `answer` says why.
    pub accept: bool,
    /// Required when declining; the youth reads it.
    pub answer: Option<String>,
}

/// The fields a youth may ask to correct, by kind of row: (API name,
/// category, kind of value).
fn correctable(entity: CorrectableEntity) -> &'static [(&'static str, Category, Kind)] {
    use Category::*;
    use Kind::*;
    match entity {
        CorrectableEntity::ParticipantProfile => &[
            ("givenName", Identity, Name),
            ("familyName", Identity, Name),
            ("preferredName", Identity, OptionalName),
            ("email", Contact, Email),
            ("phone", Contact, Phone),
            ("postalCode", Contact, Postal),
            ("guardianName", Contact, OptionalName),
        ],
        CorrectableEntity::Enrollment => &[
            ("appliedOn", Enrollment, Day),
            ("startedOn", Enrollment, OptionalDay),
            ("exitedOn", Enrollment, OptionalDay),
        ],
        CorrectableEntity::Credential => {
            &[("name", Credentials, Name), ("awardedOn", Credentials, Day)]
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Name,
    OptionalName,
    Email,
    Phone,
    Postal,
    Day,
    OptionalDay,
}

/// The proposed value checked as the field's own writes check it.
fn value(kind: Kind, proposed: &str) -> Result<Value> {
    const FIELD: &str = "proposedValue";
    let day = |v: &str| {
        NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
            .map_err(|_| Error::bad_input(FIELD, "must be a date as YYYY-MM-DD"))
    };
    Ok(match kind {
        Kind::Name => text(proposed, FIELD, 200)?.into(),
        Kind::OptionalName => optional_text(Some(proposed), FIELD, 200)?.into(),
        Kind::Email => match optional_text(Some(proposed), FIELD, 254)? {
            Some(v) => Some(crate::ground::types::email(&v, FIELD)?).into(),
            None => Option::<String>::None.into(),
        },
        Kind::Phone => crate::people::registration::phone(Some(proposed))
            .map_err(|_| Error::bad_input(FIELD, "must be a phone number"))?
            .into(),
        Kind::Postal => crate::people::registration::postal(Some(proposed))
            .map_err(|_| Error::bad_input(FIELD, "must be a postal code"))?
            .into(),
        Kind::Day => day(proposed)?.into(),
        Kind::OptionalDay if proposed.trim().is_empty() => Option::<NaiveDate>::None.into(),
        Kind::OptionalDay => Some(day(proposed)?).into(),
    })
}

/// The row's (participant, owner), if it exists.
async fn row_of<C: ConnectionTrait>(
    db: &C,
    entity: CorrectableEntity,
    id: Uuid,
) -> Result<Option<(Uuid, Uuid)>> {
    Ok(match entity {
        CorrectableEntity::ParticipantProfile => participant_profile::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|r| (r.participant_id, r.org_id)),
        CorrectableEntity::Enrollment => enrollment::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|r| (r.participant_id, r.owner_org_id)),
        CorrectableEntity::Credential => credential::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|r| (r.participant_id, r.owner_org_id)),
    })
}

fn table(entity: CorrectableEntity) -> &'static str {
    match entity {
        CorrectableEntity::ParticipantProfile => "participant_profile",
        CorrectableEntity::Enrollment => "enrollment",
        CorrectableEntity::Credential => "credential",
    }
}

fn field_of(entity: CorrectableEntity, field: &str) -> Result<(Category, Kind)> {
    correctable(entity)
        .iter()
        .find(|(name, _, _)| *name == field)
        .map(|(_, category, kind)| (*category, *kind))
        .ok_or_else(|| {
            let names: Vec<&str> = correctable(entity).iter().map(|(n, _, _)| *n).collect();
            Error::bad_input(
                "field",
                format!(
                    "must be one of {} for {}",
                    names.join(", "),
                    entity.as_str()
                ),
            )
        })
}

/// Files a youth's request about a row about them.
pub async fn request(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: RequestCorrectionInput,
) -> Result<correction_request::Model> {
    let Some(me) = viewer
        .participant_id
        .filter(|_| viewer.has(Role::Participant))
    else {
        return Err(Error::forbidden(
            "a correction is requested by the youth, with their own token",
        ));
    };
    let id = uuid(&input.entity_id, "entityId")?;
    let (participant, owner) = row_of(db, input.entity, id)
        .await?
        .filter(|(p, _)| *p == me)
        .ok_or(Error::NotFound("record"))?;
    let (category, kind) = field_of(input.entity, &input.field)?;
    value(kind, &input.proposed_value)?;
    let reason = text(&input.reason, "reason", 1000)?;
    let now = Utc::now();
    let txn = crate::ground::db::begin_write(db).await?;
    let row = correction_request::Entity::insert(correction_request::ActiveModel {
        id: Set(Uuid::new_v4()),
        participant_id: Set(participant),
        owner_org_id: Set(owner),
        entity: Set(input.entity),
        entity_id: Set(id),
        field: Set(input.field.clone()),
        proposed_value: Set(input.proposed_value.trim().to_owned()),
        reason: Set(reason),
        status: Set(CorrectionStatus::Open),
        answer: Set(None),
        requested_by: Set(viewer.subject.clone()),
        resolved_by: Set(None),
        resolved_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    let mut entry = Entry::about(
        AuditAction::Create,
        "correction_request",
        row.id,
        Some(owner),
    );
    entry.participant_id = Some(participant);
    entry.categories = vec![category];
    entry.detail = Some(format!("{}.{}", table(input.entity), input.field));
    audit::record(&txn, actor, vec![entry]).await?;
    txn.commit().await?;
    Ok(row)
}

/// Requests about the youth, newest first.
pub async fn of_person<C: ConnectionTrait>(
    db: &C,
    participant: Uuid,
) -> Result<Vec<correction_request::Model>> {
    Ok(correction_request::Entity::find()
        .filter(correction_request::Column::ParticipantId.eq(participant))
        .order_by_desc(correction_request::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Requests to the viewer's organization (staff or org_admin), oldest
/// first, of `status` when given.
pub async fn for_organization<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    status: Option<CorrectionStatus>,
) -> Result<Vec<correction_request::Model>> {
    crate::policy::require_writer(viewer)?;
    let mut query = correction_request::Entity::find()
        .filter(correction_request::Column::OwnerOrgId.eq(viewer.org_id));
    if let Some(status) = status {
        query = query.filter(correction_request::Column::Status.eq(status));
    }
    Ok(query
        .order_by_asc(correction_request::Column::CreatedAt)
        .all(db)
        .await?)
}

/// The owning organization's staff accept (the field changes, versioned and
/// audited) or decline (with an answer) an open request.
pub async fn resolve(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: ResolveCorrectionInput,
) -> Result<correction_request::Model> {
    use correction_request::Column as R;
    crate::policy::require_writer(viewer)?;
    let id = uuid(&input.id, "id")?;
    let answer = optional_text(input.answer.as_deref(), "answer", 1000)?;
    if !input.accept && answer.is_none() {
        return Err(Error::bad_input(
            "answer",
            "say why when declining: the youth reads it",
        ));
    }
    let txn = crate::ground::db::begin_write(db).await?;
    let request = correction_request::Entity::find_by_id(id)
        .filter(R::OwnerOrgId.eq(viewer.org_id))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound("correction request"))?;
    let stale = Stale::At {
        noun: "correction request",
        current: request.version,
    };
    if request.version != input.version {
        return Err(stale.error(input.version));
    }
    if request.status != CorrectionStatus::Open {
        return Err(Error::bad_input("id", "this request is already resolved"));
    }
    let (category, kind) = field_of(request.entity, &request.field)?;
    let now = Utc::now();
    let mut entries = Vec::new();
    if input.accept {
        let new = value(kind, &request.proposed_value)?;
        apply(&txn, &request, new).await?;
        let mut entry = Entry::about(
            AuditAction::Update,
            table(request.entity),
            request.entity_id,
            Some(request.owner_org_id),
        );
        entry.participant_id = Some(request.participant_id);
        entry.categories = vec![category];
        entry.detail = Some(format!(
            "corrected={} request={}",
            request.field, request.id
        ));
        entries.push(entry);
    }
    let status = if input.accept {
        CorrectionStatus::Accepted
    } else {
        CorrectionStatus::Declined
    };
    let updated = crate::ground::versioned::update(
        &txn,
        correction_request::Entity::update_many()
            .col_expr(R::Status, Expr::value(status.as_str()))
            .col_expr(R::Answer, Expr::value(answer))
            .col_expr(R::ResolvedBy, Expr::value(viewer.subject.clone()))
            .col_expr(R::ResolvedAt, Expr::value(now)),
        (R::Id, id),
        (R::Version, input.version),
        (R::UpdatedAt, now),
        Stale::At {
            noun: "correction request",
            current: request.version + 1,
        },
    )
    .await?;
    let mut entry = Entry::about(
        AuditAction::Update,
        "correction_request",
        id,
        Some(request.owner_org_id),
    );
    entry.participant_id = Some(request.participant_id);
    entry.categories = vec![category];
    entry.detail = Some(format!("status={}", status.as_str()));
    entries.push(entry);
    audit::record(&txn, actor, entries).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Writes the accepted value into the row (its version moves on where the
/// table has one).
async fn apply<C: ConnectionTrait>(
    txn: &C,
    request: &correction_request::Model,
    new: Value,
) -> Result<()> {
    let now = Utc::now();
    let bump =
        |column: &str| -> SimpleExpr { Expr::col(sea_orm::sea_query::Alias::new(column)).add(1) };
    let changed = match request.entity {
        CorrectableEntity::ParticipantProfile => {
            use participant_profile::Column as P;
            let column = match request.field.as_str() {
                "givenName" => P::GivenName,
                "familyName" => P::FamilyName,
                "preferredName" => P::PreferredName,
                "email" => P::Email,
                "phone" => P::Phone,
                "postalCode" => P::PostalCode,
                _ => P::GuardianName,
            };
            participant_profile::Entity::update_many()
                .col_expr(column, Expr::value(new))
                .col_expr(P::Version, bump("version"))
                .col_expr(P::UpdatedAt, Expr::value(now))
                .filter(P::Id.eq(request.entity_id))
                .filter(P::OrgId.eq(request.owner_org_id))
                .exec(txn)
                .await?
        }
        CorrectableEntity::Enrollment => {
            use enrollment::Column as E;
            let column = match request.field.as_str() {
                "appliedOn" => E::AppliedOn,
                "startedOn" => E::StartedOn,
                _ => E::ExitedOn,
            };
            enrollment::Entity::update_many()
                .col_expr(column, Expr::value(new))
                .col_expr(E::Version, bump("version"))
                .col_expr(E::UpdatedAt, Expr::value(now))
                .filter(E::Id.eq(request.entity_id))
                .filter(E::OwnerOrgId.eq(request.owner_org_id))
                .exec(txn)
                .await?
        }
        CorrectableEntity::Credential => {
            use credential::Column as K;
            let column = match request.field.as_str() {
                "name" => K::Name,
                _ => K::AwardedOn,
            };
            credential::Entity::update_many()
                .col_expr(column, Expr::value(new))
                .col_expr(K::UpdatedAt, Expr::value(now))
                .filter(K::Id.eq(request.entity_id))
                .filter(K::OwnerOrgId.eq(request.owner_org_id))
                .exec(txn)
                .await?
        }
    };
    if changed.rows_affected == 1 {
        Ok(())
    } else {
        Err(Error::bad_input(
            "id",
            "the record this request is about no longer exists",
        ))
    }
}
