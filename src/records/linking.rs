//! Explicit identity decisions: `linkParticipant` joins two hub ids that are
//! one person (different spellings); `splitParticipant` (hub_admin) undoes a
//! wrong match by moving one organization's records to a new hub id.

use async_graphql::{ID, InputObject, SimpleObject};
use chrono::Utc;
use entity::enums::{AuditAction, Category};
use entity::{
    consent, credential, dual_enrollment, enrollment, mentorship, outcome, participant,
    participant_link, participant_profile, service,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::Viewer;
use crate::ground::error::{DbResultExt, Error, Result};
use crate::people::participants::require_visible;
use crate::policy::{self, Scopes};

/// Two hub ids that are one person; `otherId`'s records move to `id`.
#[derive(Debug, Clone, InputObject)]
pub struct LinkParticipantInput {
    /// The hub id that stays (for staff: one visible to your organization).
    pub id: ID,
    /// The hub id whose records move to `id` and that then ends (for
    /// staff: one visible to your organization).
    pub other_id: ID,
}

/// Moves one organization's records of a person to a new hub id.
#[derive(Debug, Clone, InputObject)]
pub struct SplitParticipantInput {
    /// The hub id that joined two people by mistake.
    pub id: ID,
    /// The organization whose profile was matched wrongly.
    pub org_slug: String,
}

/// The two hub ids after a split.
#[derive(Debug, Clone, SimpleObject)]
pub struct SplitResult {
    /// The hub id that keeps the other organizations' records.
    pub participant_id: ID,
    /// The new hub id of the split-off organization's records.
    pub new_participant_id: ID,
}

/// Re-points every participant-level row of `from` (of one owner, if given) to `to`.
async fn move_rows<C: ConnectionTrait>(
    conn: &C,
    from: Uuid,
    to: Uuid,
    only_owner: Option<Uuid>,
) -> std::result::Result<(), sea_orm::DbErr> {
    macro_rules! repoint {
        ($entity:ident, $owner:ident) => {{
            let mut update = $entity::Entity::update_many()
                .col_expr($entity::Column::ParticipantId, Expr::value(to))
                .filter($entity::Column::ParticipantId.eq(from));
            if let Some(owner) = only_owner {
                update = update.filter($entity::Column::$owner.eq(owner));
            }
            update.exec(conn).await?;
        }};
    }
    repoint!(participant_profile, OrgId);
    repoint!(participant_link, OrgId);
    repoint!(enrollment, OwnerOrgId);
    repoint!(credential, OwnerOrgId);
    repoint!(mentorship, OwnerOrgId);
    repoint!(dual_enrollment, OwnerOrgId);
    repoint!(service, OwnerOrgId);
    repoint!(outcome, OwnerOrgId);
    repoint!(consent, OwnerOrgId);
    // Who may list either hub id moved with their profiles and consents.
    policy::listing::refresh(conn, policy::listing::Touched::Participants(vec![from, to])).await
}

/// Joins `other_id` into `id`; both must be visible to the viewer's staff
/// (a hub_admin joins any two). Two profiles from the same organization are
/// a `CONFLICT`. A join that would let any organization read a row it
/// cannot read today (their consents pooled) is `FORBIDDEN` unless a
/// hub_admin makes it: one organization alone does not widen access.
pub async fn link(
    db: &DatabaseConnection,
    viewer: &Viewer,
    scopes: &Scopes,
    actor: &Actor,
    input: LinkParticipantInput,
) -> Result<Uuid> {
    // A hub_admin joins any two hub ids (the second party of a join that
    // widens someone's access); staff join two they can see.
    let hub = policy::acts_on_ids_only(viewer);
    let (id, other) = if hub {
        (
            exists(db, &input.id, "id").await?.id,
            exists(db, &input.other_id, "otherId").await?.id,
        )
    } else {
        policy::require_writer(viewer)?;
        (
            require_visible(db, scopes, &input.id, "id").await?,
            require_visible(db, scopes, &input.other_id, "otherId").await?,
        )
    };
    if id == other {
        return Err(Error::bad_input("otherId", "must name another hub id"));
    }
    let today = scopes.today();
    let txn = crate::ground::db::begin_write(db).await?;
    let before = crate::records::feed::split::readable_about(&txn, &[id, other], today).await?;
    move_rows(&txn, other, id, None)
        .await
        .on_constraint("otherId")
        .map_err(|e| match e {
            Error::Conflict(_) => Error::Conflict(
                "both hub ids have a profile from the same organization; reconcile them first"
                    .into(),
            ),
            other => other,
        })?;
    participant::Entity::delete_by_id(other)
        .exec(&txn)
        .await
        .on_constraint("otherId")?;
    // Joining two people pools their consents: if that lets any
    // organization read a row it cannot read today, one organization's
    // staff may not do it alone (the transaction rolls back).
    let widened = crate::records::feed::split::joined(&txn, other, id, today, before).await?;
    if !widened.is_empty() && !hub {
        return Err(Error::forbidden(
            "joining these records would let organizations read records they cannot read today; a hub_admin joins them after checking it is one person",
        ));
    }
    let actor_org = (!hub).then_some(viewer.org_id);
    let mut entry = Entry::about(AuditAction::Update, "participant", id, actor_org);
    entry.participant_id = Some(id);
    entry.categories = vec![Category::Identity];
    entry.detail = Some(format!("linked {other}"));
    audit::record(&txn, actor, vec![entry]).await?;
    txn.commit().await?;
    Ok(id)
}

/// Moves `org_slug`'s profile, link and records of `id` to a new hub id
/// (hub_admin only; acts on ids, reads no participant data).
pub async fn split(
    db: &DatabaseConnection,
    viewer: &Viewer,
    actor: &Actor,
    input: SplitParticipantInput,
) -> Result<SplitResult> {
    policy::require_hub_admin(viewer)?;
    let id =
        Uuid::parse_str(input.id.as_str()).map_err(|_| Error::bad_input("id", "must be a UUID"))?;
    let person = participant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("participant"))?;
    let org_id =
        crate::directory::organizations::id_by_slug(db, &input.org_slug, "orgSlug").await?;
    let profiles = participant_profile::Entity::find()
        .filter(participant_profile::Column::ParticipantId.eq(id))
        .all(db)
        .await?;
    if !profiles.iter().any(|p| p.org_id == org_id) {
        return Err(Error::bad_input(
            "orgSlug",
            "this organization has no profile of this hub id",
        ));
    }
    if profiles.len() < 2 {
        return Err(Error::bad_input(
            "orgSlug",
            "the hub id has only this organization's profile; nothing to split",
        ));
    }
    let now = Utc::now();
    let new_id = Uuid::new_v4();
    let txn = crate::ground::db::begin_write(db).await?;
    participant::Entity::insert(participant::ActiveModel {
        id: Set(new_id),
        match_key: Set(person.match_key),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    let today = Utc::now().date_naive();
    let readable = crate::records::feed::split::before(&txn, org_id, id, today).await?;
    move_rows(&txn, id, new_id, Some(org_id)).await?;
    crate::records::feed::split::after(&txn, org_id, id, new_id, today, readable).await?;
    // After a wrong match is undone nobody can tell whose account it was.
    crate::people::links::end_for_split(&txn, actor, id).await?;
    let mut entry = Entry::about(AuditAction::Update, "participant", id, Some(org_id));
    entry.participant_id = Some(id);
    entry.categories = vec![Category::Identity];
    entry.detail = Some(format!("split {new_id}"));
    audit::record(&txn, actor, vec![entry]).await?;
    txn.commit().await?;
    Ok(SplitResult {
        participant_id: ID(id.to_string()),
        new_participant_id: ID(new_id.to_string()),
    })
}

/// The hub id `text` names, if it exists (a hub_admin's join: ids only;
/// the row holds no personal data, only the match key's HMAC).
pub async fn exists(db: &DatabaseConnection, text: &ID, field: &str) -> Result<participant::Model> {
    let id =
        Uuid::parse_str(text.as_str()).map_err(|_| Error::bad_input(field, "must be a UUID"))?;
    participant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| Error::bad_input(field, "no such participant"))
}
