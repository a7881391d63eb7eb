//! A youth's account link as its holders manage it (DESIGN.md section 11).
//!
//! A redeemed code links the youth's own token with the reach of the
//! organization that issued it. Every other organization that keeps a
//! profile of the youth widens the link to its own rows by confirming it
//! (its org_admin, after checking identity in person); a hub_admin may
//! confirm for every organization. Any holder's org_admin, or a hub_admin,
//! suspends a link: it moves to `account_link_ended`, its confirmations
//! go, and the youth can be given a new code. A split ends the links of
//! the person it divides. Holders see the link, who issued it and who
//! confirmed it; nobody sees the token's subject.

use async_graphql::{ID, InputObject};
use chrono::{DateTime, Utc};
use entity::enums::AuditAction;
use entity::{
    account_link_confirmation, account_link_ended, participant_account, participant_profile,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::{Role, Viewer};
use crate::ground::error::{Error, Result};
use crate::policy::{self, LinkReaders};

/// `confirmAccountLink` and `suspendAccountLink` input.
#[derive(Debug, Clone, InputObject)]
pub struct AccountLinkInput {
    /// The youth whose account link is meant.
    pub participant_id: ID,
}

/// A youth's account link: live, or ended (suspended or split).
#[derive(Debug, Clone)]
pub struct Link {
    pub participant_id: Uuid,
    pub issuer: Uuid,
    pub linked_at: DateTime<Utc>,
    pub confirmations: Vec<account_link_confirmation::Model>,
    /// When and why it ended (`SUSPENDED`, `SPLIT`), if it did.
    pub ended: Option<(DateTime<Utc>, String)>,
}

impl Link {
    fn live(
        account: participant_account::Model,
        confirmations: Vec<account_link_confirmation::Model>,
    ) -> Link {
        Link {
            participant_id: account.participant_id,
            issuer: account.linked_org_id,
            linked_at: account.linked_at,
            confirmations,
            ended: None,
        }
    }
}

fn participant(input: &AccountLinkInput) -> Result<Uuid> {
    Uuid::parse_str(input.participant_id.as_str())
        .map_err(|_| Error::bad_input("participantId", "must be a UUID"))
}

/// Whether the viewer's organization keeps a profile of `participant`.
async fn holds<C: ConnectionTrait>(db: &C, viewer: &Viewer, participant: Uuid) -> Result<bool> {
    Ok(participant_profile::Entity::find()
        .filter(participant_profile::Column::ParticipantId.eq(participant))
        .filter(participant_profile::Column::OrgId.eq(viewer.org_id))
        .count(db)
        .await?
        > 0)
}

/// A hub_admin, or an org_admin of an organization that keeps a profile of
/// the youth; anyone else is answered as if there were no such youth.
async fn require_holder_admin<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    participant: Uuid,
) -> Result<()> {
    if viewer.has(Role::HubAdmin) {
        return Ok(());
    }
    if !viewer.has(Role::OrgAdmin) {
        return Err(Error::forbidden(
            "only an org_admin of an organization that keeps the youth's profile, or a hub_admin, manages an account link",
        ));
    }
    if holds(db, viewer, participant).await? {
        Ok(())
    } else {
        Err(Error::NotFound("account link"))
    }
}

async fn live<C: ConnectionTrait>(
    db: &C,
    participant: Uuid,
) -> Result<
    Option<(
        participant_account::Model,
        Vec<account_link_confirmation::Model>,
    )>,
> {
    let Some(account) = participant_account::Entity::find()
        .filter(participant_account::Column::ParticipantId.eq(participant))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let confirmations = account_link_confirmation::Entity::find()
        .filter(account_link_confirmation::Column::AccountId.eq(account.id))
        .order_by_asc(account_link_confirmation::Column::ConfirmedAt)
        .order_by_asc(account_link_confirmation::Column::Id)
        .all(db)
        .await?;
    Ok(Some((account, confirmations)))
}

/// The youth's live link as a holder (staff or org_admin of an
/// organization keeping a profile) or a hub_admin sees it; `None` when
/// there is none. Anyone else is `FORBIDDEN`.
pub async fn of_participant<C: ConnectionTrait>(
    db: &C,
    viewer: &Viewer,
    participant: Uuid,
) -> Result<Option<Link>> {
    let sees = match policy::link_readers(viewer) {
        LinkReaders::Always => true,
        LinkReaders::Holders => holds(db, viewer, participant).await?,
        LinkReaders::Never => false,
    };
    if !sees {
        return Err(Error::forbidden_category(entity::enums::Category::Identity));
    }
    Ok(live(db, participant).await?.map(|(a, c)| Link::live(a, c)))
}

/// The viewer's own link (a youth reading `me { account }`).
pub async fn own<C: ConnectionTrait>(db: &C, participant: Uuid, account: Uuid) -> Result<Link> {
    match live(db, participant).await? {
        Some((a, c)) if a.id == account => Ok(Link::live(a, c)),
        _ => Err(Error::NotFound("account link")),
    }
}

/// Confirms the youth's live link for the viewer's organization (or, for a
/// hub_admin, for every organization); idempotent. The issuing
/// organization cannot confirm its own link: its reach is the link's
/// already, and a confirmation is a second party's.
pub async fn confirm<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    actor: &Actor,
    input: &AccountLinkInput,
) -> Result<Link> {
    let participant = participant(input)?;
    require_holder_admin(db, viewer, participant).await?;
    let hub = crate::policy::acts_on_ids_only(viewer);
    let org = (!hub).then_some(viewer.org_id);
    let txn = crate::ground::db::begin_write(db).await?;
    let (account, mut confirmations) = live(&txn, participant)
        .await?
        .ok_or(Error::NotFound("account link"))?;
    if org == Some(account.linked_org_id) {
        return Err(Error::bad_input(
            "participantId",
            "your organization issued this link's code; another organization that keeps the youth's profile, or a hub_admin, confirms it",
        ));
    }
    if !confirmations.iter().any(|c| c.org_id == org) {
        let now = Utc::now();
        let row =
            account_link_confirmation::Entity::insert(account_link_confirmation::ActiveModel {
                id: Set(Uuid::new_v4()),
                account_id: Set(account.id),
                participant_id: Set(participant),
                org_id: Set(org),
                confirmed_by: Set(viewer.subject.clone()),
                confirmed_at: Set(now),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .exec_with_returning(&txn)
            .await?;
        let mut entry = Entry::about(
            AuditAction::Create,
            "account_link_confirmation",
            row.id,
            org,
        );
        entry.participant_id = Some(participant);
        entry.detail = Some(if hub { "for=all" } else { "for=own" }.into());
        audit::record(&txn, actor, vec![entry]).await?;
        confirmations.push(row);
    }
    txn.commit().await?;
    Ok(Link::live(account, confirmations))
}

/// Moves the youth's live link to `account_link_ended` with `reason`, its
/// confirmations gone, audited; `None` when there was no link.
async fn end<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    participant: Uuid,
    reason: &str,
    by_org: Option<Uuid>,
) -> Result<Option<Link>> {
    let Some((account, confirmations)) = live(txn, participant).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    account_link_confirmation::Entity::delete_many()
        .filter(account_link_confirmation::Column::AccountId.eq(account.id))
        .exec(txn)
        .await?;
    participant_account::Entity::delete_by_id(account.id)
        .exec(txn)
        .await?;
    account_link_ended::Entity::insert(account_link_ended::ActiveModel {
        id: Set(account.id),
        subject: Set(account.subject.clone()),
        participant_id: Set(participant),
        linked_org_id: Set(account.linked_org_id),
        linked_by: Set(account.linked_by.clone()),
        linked_at: Set(account.linked_at),
        reason: Set(reason.to_owned()),
        ended_by_org_id: Set(by_org),
        ended_by: Set(actor.subject.clone()),
        ended_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(txn)
    .await?;
    let mut entry = Entry::about(
        AuditAction::Delete,
        "participant_account",
        account.id,
        Some(account.linked_org_id),
    );
    entry.participant_id = Some(participant);
    entry.detail = Some(format!("ended={reason}"));
    audit::record(txn, actor, vec![entry]).await?;
    let mut link = Link::live(account, confirmations);
    link.ended = Some((now, reason.to_owned()));
    Ok(Some(link))
}

/// Suspends the youth's live link (any holder's org_admin, or a
/// hub_admin): the token reads nothing from the next request on, and the
/// youth can be given a new code.
pub async fn suspend<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    actor: &Actor,
    input: &AccountLinkInput,
) -> Result<Link> {
    let participant = participant(input)?;
    require_holder_admin(db, viewer, participant).await?;
    let by_org = viewer.has(Role::OrgAdmin).then_some(viewer.org_id);
    let txn = crate::ground::db::begin_write(db).await?;
    let link = end(&txn, actor, participant, "SUSPENDED", by_org)
        .await?
        .ok_or(Error::NotFound("account link"))?;
    txn.commit().await?;
    Ok(link)
}

/// Ends the live link of `participant` inside a split's transaction: after
/// a wrong match is undone, nobody can tell whose account it was.
pub async fn end_for_split<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    participant: Uuid,
) -> Result<bool> {
    Ok(end(txn, actor, participant, "SPLIT", None).await?.is_some())
}
