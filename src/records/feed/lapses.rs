//! Access that ends by date: an agreement or a consent whose `expires_on`
//! has passed. No write happens when a date passes, so the first reader
//! of the feed (or the webhook check) after it settles the lapse: in one
//! transaction it claims the row (`lapse_settled_on`, set once) and writes
//! the tombstones of what each reader could read on the last valid day
//! and cannot today — the policy of both days, as SQL, like every other
//! access change ([`AccessChange`]).
//!
//! A guardian's consent lapses the same way on the youth's 18th birthday
//! (until the youth re-affirms it): settled once (`consent_majority`),
//! with the day before that birthday as its last valid day.

use chrono::NaiveDate;
use entity::enums::{Category, ConsentStatus, split_set};
use entity::{consent, consent_majority, sharing_agreement};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, TransactionSession, TransactionTrait,
};
use uuid::Uuid;

use super::AccessChange;
use crate::ground::error::Result;

/// Settles the lapses up to `today` that concern readers of `org` (every
/// organization when `None`); answers how many feed entries it wrote.
pub async fn settle<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    org: Option<Uuid>,
    today: NaiveDate,
) -> Result<usize> {
    use consent::Column as K;
    use sharing_agreement::Column as A;
    let mut written = 0;

    let mut agreements = sharing_agreement::Entity::find()
        .filter(A::ExpiresOn.lt(today))
        .filter(A::LapseSettledOn.is_null());
    if let Some(org) = org {
        agreements = agreements.filter(A::RecipientOrgId.eq(org));
    }
    for row in agreements.all(db).await? {
        let Some(last_day) = row.expires_on else {
            continue;
        };
        let txn = crate::ground::db::begin_write(db).await?;
        if claim::<sharing_agreement::Entity, _>(&txn, A::Id, row.id, A::LapseSettledOn, today)
            .await?
        {
            let before = AccessChange::of_agreement(&row, last_day)
                .readable(&txn)
                .await?;
            let after = AccessChange::of_agreement(&row, today)
                .readable(&txn)
                .await?;
            written += AccessChange::record(&txn, &before, &after).await?;
        }
        txn.commit().await?;
    }

    let mut consents = consent::Entity::find()
        .filter(K::ExpiresOn.lt(today))
        .filter(K::LapseSettledOn.is_null())
        .filter(K::Status.ne(ConsentStatus::Revoked));
    if let Some(org) = org {
        consents = consents.filter(
            Condition::any()
                .add(K::RecipientOrgId.eq(org))
                .add(K::RecipientOrgId.is_null()),
        );
    }
    for row in consents.all(db).await? {
        let Some(last_day) = row.expires_on else {
            continue;
        };
        let txn = crate::ground::db::begin_write(db).await?;
        if claim::<consent::Entity, _>(&txn, K::Id, row.id, K::LapseSettledOn, today).await? {
            let categories = split_set(&row.categories, Category::parse);
            let access = |day| {
                AccessChange::of_consent(
                    &txn,
                    row.participant_id,
                    row.recipient_org_id,
                    categories.clone(),
                    day,
                )
            };
            let before = access(last_day).await?.readable(&txn).await?;
            let after = access(today).await?.readable(&txn).await?;
            written += AccessChange::record(&txn, &before, &after).await?;
        }
        txn.commit().await?;
    }
    written += settle_majorities(db, org, today).await?;
    Ok(written)
}

/// The guardian-signed consents of youth who turned 18 by `today`, not
/// re-affirmed and not yet settled: tombstones for what their readers
/// could read the day before the birthday and cannot today.
async fn settle_majorities<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    org: Option<Uuid>,
    today: NaiveDate,
) -> Result<usize> {
    use consent::Column as K;
    use entity::participant_profile::Column as P;
    let cutoff = crate::policy::eighteenth_birthday_cutoff(today);
    let mut guardian = consent::Entity::find()
        .filter(K::GrantedBy.eq(entity::enums::GrantedBy::Guardian.as_str()))
        .filter(K::ReaffirmedAt.is_null())
        .filter(K::Status.ne(ConsentStatus::Revoked))
        .filter(
            K::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(consent_majority::Column::ConsentId)
                    .from(consent_majority::Entity)
                    .to_owned(),
            ),
        )
        .filter(
            K::ParticipantId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(P::ParticipantId)
                    .from(entity::participant_profile::Entity)
                    .and_where(Expr::col(P::BirthDate).lte(cutoff))
                    .to_owned(),
            ),
        );
    if let Some(org) = org {
        guardian = guardian.filter(
            Condition::any()
                .add(K::RecipientOrgId.eq(org))
                .add(K::RecipientOrgId.is_null()),
        );
    }
    let mut written = 0;
    for row in guardian.all(db).await? {
        let born = entity::participant_profile::Entity::find()
            .select_only()
            .column(P::BirthDate)
            .filter(P::ParticipantId.eq(row.participant_id))
            .filter(P::BirthDate.is_not_null())
            .into_tuple::<Option<NaiveDate>>()
            .all(db)
            .await?
            .into_iter()
            .flatten()
            .min();
        let Some(last_day) = born
            .and_then(|b| b.checked_add_months(chrono::Months::new(18 * 12)))
            .and_then(|birthday| birthday.pred_opt())
        else {
            continue;
        };
        let txn = crate::ground::db::begin_write(db).await?;
        let claimed = consent_majority::Entity::insert(consent_majority::ActiveModel {
            consent_id: Set(row.id),
            participant_id: Set(row.participant_id),
            settled_on: Set(today),
            created_at: Set(chrono::Utc::now()),
            updated_at: Set(chrono::Utc::now()),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(consent_majority::Column::ConsentId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?
            == 1;
        if claimed {
            let categories = split_set(&row.categories, Category::parse);
            let access = |day| {
                AccessChange::of_consent(
                    &txn,
                    row.participant_id,
                    row.recipient_org_id,
                    categories.clone(),
                    day,
                )
            };
            let before = access(last_day).await?.readable(&txn).await?;
            let after = access(today).await?.readable(&txn).await?;
            written += AccessChange::record(&txn, &before, &after).await?;
        }
        txn.commit().await?;
    }
    Ok(written)
}

/// Marks the row settled on `today` unless another reader already did;
/// whether this transaction claimed it.
async fn claim<E: EntityTrait, C: ConnectionTrait>(
    txn: &C,
    id_column: E::Column,
    id: Uuid,
    settled: E::Column,
    today: NaiveDate,
) -> Result<bool> {
    let updated = E::update_many()
        .col_expr(settled, Expr::value(today))
        .filter(id_column.eq(id))
        .filter(settled.is_null())
        .exec(txn)
        .await?;
    Ok(updated.rows_affected == 1)
}
