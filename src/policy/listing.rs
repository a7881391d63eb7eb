//! Access kept as data: which organization may list which participant,
//! and on which days (`participant_listing`).
//!
//! Listing is IDENTITY access to a profile ([`Scope::condition`] over
//! `participant_profile`): the reader's own profiles, another provider's
//! under an ACTIVE agreement covering IDENTITY that needs no consent, or
//! one that does with the youth's ACTIVE consent covering IDENTITY for the
//! reader or every partner. The rule is the one in `scope.rs`, written
//! once more here as grants with their days instead of a test against
//! today: a grant holds from the later of the agreement's and the
//! consent's first day to the earliest of their last days and, for a
//! guardian's consent not re-affirmed, the day before the youth's 18th
//! birthday (by the earliest birth date of any profile). So no date
//! passing needs a write: the row's days are checked on the request's day.
//!
//! [`refresh`] rewrites the grants a write may have moved, inside that
//! write's transaction: every write of profiles, agreements, consents,
//! erasure and linking calls it (`tests/architecture.rs` checks that each
//! file that writes those tables does). `totalCount` counts the grants
//! ([`count`]) and pages read their candidates from them ([`ordered`]),
//! each candidate still tested against the policy's conditions, so a stale
//! grant could only hide a participant. `tests/listing.rs` checks on both
//! databases, for every demo viewer, after each kind of write and across
//! the days a grant starts and lapses, that the count equals the list and
//! the list equals what `participant(id)` answers by the conditions alone.

use entity::enums::{AgreementStatus, Category, ConsentStatus, GrantedBy};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{Condition, ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};
use uuid::Uuid;

use super::Scope;

const TABLE: &str = "participant_listing";

/// Which grants a write may have moved.
#[derive(Debug, Clone)]
pub enum Touched {
    /// Every grant about these participants (their profiles, consents or
    /// birth dates changed; they were erased, linked or split).
    Participants(Vec<Uuid>),
    /// The grants one agreement gives: its recipient's, to its provider's
    /// profiles.
    Agreement { provider: Uuid, recipient: Uuid },
    /// All of them (the demo, a synthetic data set, a database migrated
    /// to this table).
    Everyone,
}

/// Rewrites the grants `touched` names, as the profiles, agreements and
/// consents stand inside `txn`. Refreshes are serialized (PostgreSQL: an
/// advisory lock held to commit), so one that reads another's write sees
/// it committed, and none writes grants from a consent or an agreement
/// another transaction is ending.
pub async fn refresh<C: ConnectionTrait>(txn: &C, touched: Touched) -> Result<(), DbErr> {
    crate::ground::db::serialize_on(txn, TABLE.as_bytes()).await?;
    let backend = txn.get_database_backend();
    match touched {
        Touched::Participants(mut ids) => {
            ids.sort_unstable();
            ids.dedup();
            for chunk in ids.chunks(400) {
                let values: Vec<Value> = chunk.iter().map(|id| Value::from(*id)).collect();
                let list = (1..=chunk.len())
                    .map(|i| param(backend, i))
                    .collect::<Vec<_>>()
                    .join(", ");
                let cut = Restriction {
                    profile: format!("pp.participant_id IN ({list})"),
                    reader: None,
                };
                run(
                    txn,
                    &format!("DELETE FROM {TABLE} WHERE participant_id IN ({list})"),
                    &values,
                )
                .await?;
                run(txn, &derive(backend, &cut), &values).await?;
            }
        }
        Touched::Agreement {
            provider,
            recipient,
        } => {
            let values = [Value::from(provider), Value::from(recipient)];
            let (p, r) = (param(backend, 1), param(backend, 2));
            run(
                txn,
                &format!("DELETE FROM {TABLE} WHERE owner_org_id = {p} AND reader_org_id = {r}"),
                &values,
            )
            .await?;
            let cut = Restriction {
                profile: format!("pp.org_id = {p}"),
                reader: Some(r),
            };
            run(txn, &derive(backend, &cut), &values).await?;
        }
        Touched::Everyone => {
            run(txn, &format!("DELETE FROM {TABLE}"), &[]).await?;
            let cut = Restriction {
                profile: "1 = 1".into(),
                reader: None,
            };
            run(txn, &derive(backend, &cut), &[]).await?;
        }
    }
    Ok(())
}

/// Builds the grants when the table is empty while profiles exist: a
/// database migrated to this version. Called when the hub starts.
pub async fn ensure_built(db: &sea_orm::DatabaseConnection) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let empty = db
        .query_one_raw(Statement::from_string(
            backend,
            format!(
                "SELECT 1 AS x FROM participant_profile WHERE NOT EXISTS (SELECT 1 FROM {TABLE}) LIMIT 1"
            ),
        ))
        .await?
        .is_some();
    if empty {
        let txn = crate::ground::db::begin_write(db).await?;
        refresh(&txn, Touched::Everyone).await?;
        txn.commit().await?;
    }
    Ok(empty)
}

/// The participants `identity`'s organization may list on its day, as a
/// query of their ids (one per grant: a participant may appear more than
/// once); `None` when the scope is not an organization's (a youth's own,
/// or one that reads nothing), which the policy's conditions answer.
pub fn listed(identity: &Scope) -> Option<SelectStatement> {
    let t = Alias::new(TABLE);
    let mut query = grants(identity, t.clone())?;
    query.column((t, Alias::new("participant_id")));
    Some(query)
}

/// The grants `identity`'s organization holds on its day, from
/// `participant_listing` named `t`, nothing selected.
fn grants(identity: &Scope, t: Alias) -> Option<SelectStatement> {
    let reader = identity.organization_reader()?;
    debug_assert_eq!(identity.category(), Category::Identity);
    let day = Value::from(identity.today());
    Some(
        Query::select()
            .from_as(Alias::new(TABLE), t.clone())
            .and_where(Expr::col((t.clone(), Alias::new("reader_org_id"))).eq(reader))
            .cond_where(
                Condition::any()
                    .add(Expr::col((t.clone(), Alias::new("valid_from"))).is_null())
                    .add(Expr::col((t.clone(), Alias::new("valid_from"))).lte(day.clone())),
            )
            .cond_where(
                Condition::any()
                    .add(Expr::col((t.clone(), Alias::new("valid_until"))).is_null())
                    .add(Expr::col((t, Alias::new("valid_until"))).gte(day)),
            )
            .to_owned(),
    )
}

/// What `identity`'s organization may list on its day after `after`, in
/// hub-id order, each participant once: its grants as `table` (column
/// `participant_id`), grouped by participant — one range of the reader's
/// index read in order, which both databases group and order without a
/// sort. A page adds the policy's conditions and its filter on
/// `table.participant_id` and stops after `first + 1`: it reads no more
/// grants than it shows for a reader that may list many, and no more than
/// the reader's grants for one that may list few (the policy's conditions
/// alone walk every participant). A grant can narrow a page, never widen
/// it. Selects `table.participant_id` as `id`. `None` as for [`listed`].
pub fn ordered(identity: &Scope, table: &str, after: Option<Uuid>) -> Option<SelectStatement> {
    let t = Alias::new(table);
    let mut query = grants(identity, t.clone())?;
    let id = (t, Alias::new("participant_id"));
    if let Some(after) = after {
        query.and_where(Expr::col(id.clone()).gt(after));
    }
    query
        .expr_as(Expr::col(id.clone()), Alias::new("id"))
        .group_by_col(id.clone())
        .order_by(id, sea_orm::sea_query::Order::Asc);
    Some(query)
}

/// How many participants `identity`'s organization may list on its day:
/// one range of the reader's index, grouped by participant as it is read
/// in order, and the groups counted. (`COUNT(DISTINCT …)` sorts what the
/// index already orders: 13.6 against 8.1 ms for 47 493 grants, p50 of
/// 10 alternating runs under a generic plan.)
pub fn count(identity: &Scope) -> Option<SelectStatement> {
    let t = Alias::new(TABLE);
    let mut per_participant = grants(identity, t.clone())?;
    let id = (t, Alias::new("participant_id"));
    per_participant.column(id.clone()).group_by_col(id);
    Some(
        Query::select()
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from_subquery(per_participant, Alias::new("listed"))
            .to_owned(),
    )
}

/// The last day a person born on `birth` is a minor, as the policy
/// decides it ([`super::eighteenth_birthday_cutoff`]: adult once born on or
/// before today 18 years ago, that day moved back to the month's end when
/// it does not exist), as SQL over the date expression `birth`.
pub fn last_minor_day(backend: DatabaseBackend, birth: &str) -> String {
    match backend {
        // `date + interval` keeps a 29 February on the 28th where the
        // year has none; the policy's first adult day is then 1 March.
        DatabaseBackend::Postgres => format!(
            "(({birth}) + INTERVAL '18 years')::date - CASE WHEN to_char(({birth}), 'MM-DD') = '02-29' THEN 0 ELSE 1 END"
        ),
        // SQLite rolls a missing 29 February over to 1 March.
        _ => format!("date(({birth}), '+18 years', '-1 day')"),
    }
}

/// Which profiles and readers a derivation covers.
struct Restriction {
    /// A condition on the profile `pp`.
    profile: String,
    /// The one reader, as a bound parameter.
    reader: Option<String>,
}

/// `INSERT … SELECT` of the grants over the profiles `cut` names.
fn derive(backend: DatabaseBackend, cut: &Restriction) -> String {
    let pg = backend == DatabaseBackend::Postgres;
    // The states and the category as the policy spells them (`scope.rs`);
    // constants of the code, not input, so written into the text.
    let identity = Category::Identity.as_str();
    let active_agreement = AgreementStatus::Active.as_str();
    let active_consent = ConsentStatus::Active.as_str();
    let guardian_signed = GrantedBy::Guardian.as_str();
    let covers = |col: &str| {
        format!(
            "({col} = '{identity}' OR {col} LIKE '{identity},%' OR {col} LIKE '%,{identity}' OR {col} LIKE '%,{identity},%')"
        )
    };
    let reader = |col: &str| match &cut.reader {
        Some(r) => format!(" AND {col} = {r}"),
        None => String::new(),
    };
    let profile = &cut.profile;
    let earliest_birth = "SELECT MIN(gp.birth_date) FROM participant_profile gp WHERE gp.participant_id = c.participant_id";
    let guardian = format!(
        "CASE WHEN c.granted_by = '{guardian_signed}' AND c.reaffirmed_at IS NULL THEN {} END",
        last_minor_day(backend, earliest_birth)
    );
    let (from, until) = if pg {
        (
            "GREATEST(sa.effective_on, c.signed_on)".to_owned(),
            format!("LEAST(sa.expires_on, c.expires_on, {guardian})"),
        )
    } else {
        let far = "'9999-12-31'";
        (
            "max(sa.effective_on, c.signed_on)".to_owned(),
            format!(
                "NULLIF(min(COALESCE(sa.expires_on, {far}), COALESCE(c.expires_on, {far}), COALESCE({guardian}, {far})), {far})"
            ),
        )
    };
    let agreement = |consent: &str| {
        format!(
            "FROM participant_profile pp JOIN sharing_agreement sa ON sa.provider_org_id = pp.org_id{consent} \
             WHERE {profile} AND sa.status = '{active_agreement}' AND {}{}",
            covers("sa.categories"),
            reader("sa.recipient_org_id")
        )
    };
    let own = match &cut.reader {
        // One agreement's grants never include a reader's own profiles.
        Some(_) => String::new(),
        None => format!(
            "SELECT pp.org_id, pp.participant_id, pp.org_id, NULL, NULL FROM participant_profile pp WHERE {profile} UNION ALL "
        ),
    };
    format!(
        "INSERT INTO {TABLE} (reader_org_id, participant_id, owner_org_id, valid_from, valid_until) \
         {own}SELECT sa.recipient_org_id, pp.participant_id, pp.org_id, sa.effective_on, sa.expires_on \
         {} AND sa.requires_consent = FALSE UNION ALL \
         SELECT sa.recipient_org_id, pp.participant_id, pp.org_id, {from}, {until} \
         {} AND sa.requires_consent = TRUE AND c.status = '{active_consent}' AND {} \
         AND (c.recipient_org_id IS NULL OR c.recipient_org_id = sa.recipient_org_id)",
        agreement(""),
        agreement(" JOIN consent c ON c.participant_id = pp.participant_id"),
        covers("c.categories")
    )
}

fn param(backend: DatabaseBackend, i: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("${i}"),
        _ => format!("?{i}"),
    }
}

async fn run<C: ConnectionTrait>(txn: &C, sql: &str, values: &[Value]) -> Result<(), DbErr> {
    txn.execute_raw(Statement::from_sql_and_values(
        txn.get_database_backend(),
        sql,
        values.to_vec(),
    ))
    .await?;
    Ok(())
}
