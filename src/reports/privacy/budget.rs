//! Each evaluator organization's privacy-loss budget per calendar year
//! (`privacy_budget`), shared by every hub instance on the database.
//!
//! Spending is one statement, `UPDATE … SET spent = spent + cost WHERE
//! spent + cost <= budget RETURNING …`: the database applies it to the
//! row atomically, so two instances answering at the same moment cannot
//! both spend the last of a budget (PostgreSQL locks the row for the
//! update and re-checks the condition on the newest version; SQLite
//! writes one transaction at a time).

use entity::privacy_budget::{self, Column as B};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::ground::error::{Error, Result};

/// Tolerance for sums of ε in floating point.
const SLACK: f64 = 1e-9;

/// Spends `cost` of `org_id`'s budget for `year` (created with
/// `yearly_budget` on first use); answers what is left, or
/// `PRIVACY_BUDGET_EXHAUSTED` when the budget cannot pay.
pub async fn spend<C: ConnectionTrait>(
    db: &C,
    org_id: Uuid,
    year: i32,
    cost: f64,
    yearly_budget: f64,
) -> Result<f64> {
    let now = chrono::Utc::now();
    let create = Query::insert()
        .into_table(privacy_budget::Entity)
        .columns([
            B::Id,
            B::OrgId,
            B::Year,
            B::Budget,
            B::Spent,
            B::CreatedAt,
            B::UpdatedAt,
        ])
        .values_panic([
            Uuid::new_v4().into(),
            org_id.into(),
            year.into(),
            yearly_budget.into(),
            0.0f64.into(),
            now.into(),
            now.into(),
        ])
        .on_conflict(
            OnConflict::columns([B::OrgId, B::Year])
                .do_nothing()
                .to_owned(),
        )
        .to_owned();
    db.execute(&create).await?;
    let update = Query::update()
        .table(privacy_budget::Entity)
        .value(B::Spent, Expr::col(B::Spent).add(cost))
        .value(B::UpdatedAt, now)
        .and_where(Expr::col(B::OrgId).eq(org_id))
        .and_where(Expr::col(B::Year).eq(year))
        .and_where(
            Expr::col(B::Spent)
                .add(cost)
                .lte(Expr::col(B::Budget).add(SLACK)),
        )
        .returning(Query::returning().columns([B::Spent, B::Budget]))
        .to_owned();
    if let Some(row) = db.query_one(&update).await? {
        let spent: f64 = row.try_get("", "spent")?;
        let budget: f64 = row.try_get("", "budget")?;
        return Ok((budget - spent).max(0.0));
    }
    let left = privacy_budget::Entity::find()
        .filter(B::OrgId.eq(org_id))
        .filter(B::Year.eq(year))
        .one(db)
        .await?
        .map_or(0.0, |b| (b.budget - b.spent).max(0.0));
    Err(Error::PrivacyBudgetExhausted {
        year,
        remaining: left,
    })
}
