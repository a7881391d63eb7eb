//! The youth's own account (DESIGN.md section 10): an org_admin of an
//! organization that holds a profile of the youth issues a one-time code
//! (short, expiring, single use, stored only as its SHA-256); the youth
//! redeems it with their own token, whose `sub` is then linked to their hub
//! id in `participant_account`. From then on that token reads as the role
//! `participant` (see `policy::Scope`), as far as the link reaches: what
//! the issuing organization may read, widened by the confirmations of
//! other holders (`people::links`, DESIGN.md section 11).

use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::enums::AuditAction;
use entity::{account_code, account_link_confirmation, participant_account, participant_profile};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::{self, Actor, Entry};
use crate::auth::{AccountReach, Viewer};
use crate::ground::error::{Error, Result};
use crate::policy;

/// How long a code can be redeemed.
pub const CODE_TTL_HOURS: i64 = 72;
/// Symbols of a code: capitals and digits without look-alikes (0/O, 1/I/L).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 10;

/// `issueAccountCode` input.
#[derive(Debug, Clone, InputObject)]
pub struct IssueAccountCodeInput {
    /// The youth, who must have a profile at your organization.
    pub participant_id: ID,
}

/// A code to hand to the youth (shown once; the hub keeps only its hash).
#[derive(Debug, Clone, SimpleObject)]
pub struct AccountCode {
    /// e.g. `K7QX2-MH4TP`: ten symbols, case and dash ignored.
    pub code: String,
    /// When the code stops working (RFC 3339, UTC): 72 hours after issue.
    pub expires_at: DateTime<Utc>,
}

/// `redeemAccountCode` input.
#[derive(Debug, Clone, InputObject)]
pub struct RedeemAccountCodeInput {
    /// The code as handed to you (case, spaces and dashes ignored).
    pub code: String,
}

/// The hex SHA-256 of a code as the youth may type it (case, spaces and
/// dashes ignored).
fn code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

/// Ten symbols from the OS's random source (the 122 random bits of two v4
/// UUIDs, read in base 31).
fn new_code() -> String {
    let mut n = Uuid::new_v4().as_u128() ^ Uuid::new_v4().as_u128().rotate_left(64);
    let mut code = String::with_capacity(CODE_LEN + 1);
    for i in 0..CODE_LEN {
        if i == CODE_LEN / 2 {
            code.push('-');
        }
        code.push(ALPHABET[(n % ALPHABET.len() as u128) as usize] as char);
        n /= ALPHABET.len() as u128;
    }
    code
}

/// Whether a profile's birth date makes the participant 18 or older on `today`.
pub async fn is_adult<C: ConnectionTrait>(
    db: &C,
    participant: Uuid,
    today: NaiveDate,
) -> Result<bool> {
    let cutoff = crate::policy::eighteenth_birthday_cutoff(today);
    Ok(participant_profile::Entity::find()
        .filter(participant_profile::Column::ParticipantId.eq(participant))
        .filter(participant_profile::Column::BirthDate.lte(cutoff))
        .count(db)
        .await?
        > 0)
}

/// Whether the participant is 18 or older on `today` by the birth dates
/// the viewer may read (DEMOGRAPHICS); `None` when it may read none.
pub async fn is_adult_as_read<C: ConnectionTrait>(
    db: &C,
    scopes: &crate::policy::Scopes,
    participant: Uuid,
    today: NaiveDate,
) -> Result<Option<bool>> {
    use participant_profile::Column as P;
    let births: Vec<Option<NaiveDate>> = participant_profile::Entity::find()
        .select_only()
        .column(P::BirthDate)
        .filter(P::ParticipantId.eq(participant))
        .filter(scopes.of(entity::enums::Category::Demographics).condition(
            (participant_profile::Entity, P::OrgId),
            (participant_profile::Entity, P::ParticipantId),
        ))
        .into_tuple()
        .all(db)
        .await?;
    if births.is_empty() {
        return Ok(None);
    }
    let cutoff = crate::policy::eighteenth_birthday_cutoff(today);
    Ok(Some(births.into_iter().flatten().any(|b| b <= cutoff)))
}

/// Issues a code for a youth whose profile the viewer's organization holds.
pub async fn issue_code<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    actor: &Actor,
    input: &IssueAccountCodeInput,
) -> Result<AccountCode> {
    policy::require_org_admin(viewer)?;
    let participant = Uuid::parse_str(input.participant_id.as_str())
        .map_err(|_| Error::bad_input("participantId", "must be a UUID"))?;
    let holds = participant_profile::Entity::find()
        .filter(participant_profile::Column::ParticipantId.eq(participant))
        .filter(participant_profile::Column::OrgId.eq(viewer.org_id))
        .count(db)
        .await?;
    if holds == 0 {
        // The same answer whether the person exists elsewhere or not at all.
        return Err(Error::NotFound("participant"));
    }
    let code = new_code();
    let now = Utc::now();
    let expires_at = now + Duration::hours(CODE_TTL_HOURS);
    let id = Uuid::new_v4();
    let txn = crate::ground::db::begin_write(db).await?;
    account_code::Entity::insert(account_code::ActiveModel {
        id: Set(id),
        code_hash: Set(code_hash(&code)),
        participant_id: Set(participant),
        issued_by_org_id: Set(viewer.org_id),
        issued_by: Set(viewer.subject.clone()),
        expires_at: Set(expires_at),
        redeemed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    let mut entry = Entry::about(AuditAction::Create, "account_code", id, Some(viewer.org_id));
    entry.participant_id = Some(participant);
    audit::record(&txn, actor, vec![entry]).await?;
    txn.commit().await?;
    Ok(AccountCode { code, expires_at })
}

/// How long failed redemptions are remembered for the limit.
pub const REDEEM_WINDOW_MINUTES: i64 = 15;
/// Failed redemptions one subject may make in a window; the next attempt
/// is `RATE_LIMITED` until the oldest failure leaves the window.
pub const REDEEM_FAILURES_PER_SUBJECT: u64 = 5;
/// Attempts one client address may make in a window (every attempt, each
/// alias of a request too), in this process.
pub const REDEEM_ATTEMPTS_PER_ADDRESS: u32 = 20;
/// The audit detail of a failed redemption (what the limit counts).
const REDEEM_REFUSED: &str = "redeem refused: wrong, used or expired code";

/// Redemption attempts per client address (DESIGN.md section 11: failed
/// redemptions are limited per subject and per address; each alias
/// counts). Per subject the count is the audit log's, so every instance
/// sees it; per address it is this process's.
pub struct RedeemLimits {
    addresses: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
}

impl Default for RedeemLimits {
    fn default() -> Self {
        let period = std::time::Duration::from_secs(
            (REDEEM_WINDOW_MINUTES as u64 * 60) / u64::from(REDEEM_ATTEMPTS_PER_ADDRESS),
        );
        let burst = std::num::NonZeroU32::new(REDEEM_ATTEMPTS_PER_ADDRESS)
            .unwrap_or(std::num::NonZeroU32::MIN);
        let quota = governor::Quota::with_period(period)
            .unwrap_or_else(|| governor::Quota::per_minute(burst))
            .allow_burst(burst);
        RedeemLimits {
            addresses: governor::RateLimiter::keyed(quota),
        }
    }
}

impl RedeemLimits {
    /// Counts one attempt from `address`; `RATE_LIMITED` past the quota.
    pub fn attempt(&self, address: Option<std::net::IpAddr>) -> Result<()> {
        use governor::clock::{Clock, DefaultClock};
        let Some(address) = address else {
            return Ok(());
        };
        self.addresses.check_key(&address).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Error::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

/// `RATE_LIMITED` when `subject` failed to redeem a code too often in the
/// window (counted from the audit log: durable and hub-wide).
async fn subject_limited<C: ConnectionTrait>(
    db: &C,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    use entity::audit_event::Column as A;
    let since = now - Duration::minutes(REDEEM_WINDOW_MINUTES);
    let failures: Vec<DateTime<Utc>> = entity::audit_event::Entity::find()
        .select_only()
        .column(A::At)
        .filter(A::ActorSubject.eq(subject))
        .filter(A::ActorOrgId.is_null())
        .filter(A::Action.eq(AuditAction::Deny))
        .filter(A::Entity.eq("account_code"))
        .filter(A::Detail.eq(REDEEM_REFUSED))
        .filter(A::At.gt(since))
        .order_by_desc(A::At)
        .limit(REDEEM_FAILURES_PER_SUBJECT)
        .into_tuple()
        .all(db)
        .await?;
    if failures.len() as u64 >= REDEEM_FAILURES_PER_SUBJECT {
        // Free again when the oldest of those leaves the window.
        let oldest = failures.last().copied().unwrap_or(now);
        let free_at = oldest + Duration::minutes(REDEEM_WINDOW_MINUTES);
        return Err(Error::RateLimited {
            retry_after_secs: (free_at - now).num_seconds().max(1) as u64,
        });
    }
    Ok(())
}

/// Links the viewer's own token to the youth a valid code was issued for;
/// answers the youth's hub id. A wrong, used or expired code gets one
/// answer, and the refusal is audited. The link reaches what the issuing
/// organization may read (DESIGN.md section 11) until other holders
/// confirm it. Failed attempts are limited per subject (and, by the
/// caller, per client address).
pub async fn redeem<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    viewer: &Viewer,
    actor: &Actor,
    input: &RedeemAccountCodeInput,
) -> Result<Uuid> {
    if !viewer.org_slug.is_empty() {
        return Err(Error::forbidden(
            "a code is redeemed with the youth's own token, not an organization's",
        ));
    }
    if viewer.participant_id.is_some() {
        return Err(Error::Conflict(
            "this token is already linked to a hub record".into(),
        ));
    }
    let now = Utc::now();
    subject_limited(db, &viewer.subject, now).await?;
    let txn = crate::ground::db::begin_write(db).await?;
    let found = account_code::Entity::find()
        .filter(account_code::Column::CodeHash.eq(code_hash(&input.code)))
        .one(&txn)
        .await?;
    let claimed = match &found {
        Some(code) if code.redeemed_at.is_none() && code.expires_at > now => {
            account_code::Entity::update_many()
                .col_expr(account_code::Column::RedeemedAt, Expr::value(now))
                .col_expr(account_code::Column::UpdatedAt, Expr::value(now))
                .filter(account_code::Column::Id.eq(code.id))
                .filter(account_code::Column::RedeemedAt.is_null())
                .exec(&txn)
                .await?
                .rows_affected
                == 1
        }
        _ => false,
    };
    let (Some(code), true) = (found, claimed) else {
        drop(txn);
        let mut entry = Entry::denied("account_code", REDEEM_REFUSED);
        entry.action = AuditAction::Deny;
        audit::record(db, actor, vec![entry]).await?;
        return Err(Error::bad_input(
            "code",
            "this code is not valid: it may be mistyped, already used or expired; ask for a new one",
        ));
    };
    let taken = participant_account::Entity::find()
        .filter(participant_account::Column::ParticipantId.eq(code.participant_id))
        .count(&txn)
        .await?;
    if taken > 0 {
        return Err(Error::Conflict(
            "this person already has an account; ask an organization that keeps your record to suspend it if it is not yours".into(),
        ));
    }
    let id = Uuid::new_v4();
    participant_account::Entity::insert(participant_account::ActiveModel {
        id: Set(id),
        subject: Set(viewer.subject.clone()),
        participant_id: Set(code.participant_id),
        linked_org_id: Set(code.issued_by_org_id),
        linked_by: Set(code.issued_by.clone()),
        linked_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    let mut entry = Entry::about(
        AuditAction::Create,
        "participant_account",
        id,
        Some(code.issued_by_org_id),
    );
    entry.participant_id = Some(code.participant_id);
    audit::record(&txn, actor, vec![entry]).await?;
    txn.commit().await?;
    Ok(code.participant_id)
}

/// The organization that linked the youth's account (it records their
/// own consents).
pub async fn steward<C: ConnectionTrait>(db: &C, participant: Uuid) -> Result<Uuid> {
    participant_account::Entity::find()
        .filter(participant_account::Column::ParticipantId.eq(participant))
        .one(db)
        .await?
        .map(|a| a.linked_org_id)
        .ok_or(Error::NotFound("account"))
}

/// The hub id linked to a token's subject, if any, and how far the link
/// reaches (its issuer and its confirmations): one statement, the account
/// with its confirmations joined (it runs on every request of a youth).
pub async fn linked<C: ConnectionTrait>(
    db: &C,
    subject: &str,
) -> Result<Option<(Uuid, AccountReach)>> {
    use account_link_confirmation::Column as C;
    use participant_account::Column as A;
    use sea_orm::sea_query::{Alias, ExprTrait, JoinType, Query};
    let (a, c) = (Alias::new("acct"), Alias::new("conf"));
    let query = Query::select()
        .column((a.clone(), A::Id))
        .column((a.clone(), A::ParticipantId))
        .column((a.clone(), A::LinkedOrgId))
        .expr_as(Expr::col((c.clone(), C::Id)), Alias::new("confirmation"))
        .expr_as(Expr::col((c.clone(), C::OrgId)), Alias::new("confirmed_by"))
        .from_as(participant_account::Entity, a.clone())
        .join_as(
            JoinType::LeftJoin,
            account_link_confirmation::Entity,
            c.clone(),
            Expr::col((c, C::AccountId)).equals((a.clone(), A::Id)),
        )
        .and_where(Expr::col((a, A::Subject)).eq(subject))
        .to_owned();
    let rows = db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let account: Uuid = first.try_get("", "id")?;
    let participant: Uuid = first.try_get("", "participant_id")?;
    let issuer: Uuid = first.try_get("", "linked_org_id")?;
    let mut reach = AccountReach {
        account,
        issuer,
        everyone: false,
        confirmed: Vec::new(),
    };
    for row in &rows {
        // A row without a confirmation: the account alone.
        if row.try_get::<Option<Uuid>>("", "confirmation")?.is_none() {
            continue;
        }
        match row.try_get::<Option<Uuid>>("", "confirmed_by")? {
            Some(org) => reach.confirmed.push(org),
            None => reach.everyone = true,
        }
    }
    Ok(Some((participant, reach)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_symbols_of_the_alphabet_and_hash_as_typed() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LEN + 1);
        assert!(
            code.chars()
                .filter(|c| *c != '-')
                .all(|c| ALPHABET.contains(&(c as u8)))
        );
        assert_ne!(new_code(), code);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(code_hash(&typed), code_hash(&code));
        assert_ne!(code_hash("AAAAA-AAAAA"), code_hash("AAAAA-AAAAB"));
    }
}
