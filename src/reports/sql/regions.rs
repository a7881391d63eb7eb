//! People per cell of the grid program × month, and people with an
//! enrollment in a region of it, over the rows that feed the viewer's
//! reports (the release ledger's measures; only counts leave the database).

use entity::enrollment;
use entity::enums::Category;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend};

use super::{Period, a, period_sql};
use crate::ground::error::Result;
use crate::policy::ReportScope;
use crate::reports::ledger::rules::{Atom, Population, Programs, Region};

/// The month of an enrollment's cohort date as `year × 12 + month − 1`.
fn month_sql(backend: DbBackend) -> String {
    let (year, month) = period_sql(backend, Period::Month);
    format!("(({year}) * 12 + ({month}) - 1)")
}

/// The enrollments that feed the viewer's reports.
fn in_scope(scope: &ReportScope) -> SelectStatement {
    use enrollment::Column as E;
    Query::select()
        .from(enrollment::Entity)
        .cond_where(scope.condition(
            Category::Enrollment,
            (enrollment::Entity, E::OwnerOrgId),
            (enrollment::Entity, E::ParticipantId),
        ))
        .to_owned()
}

/// People with an enrollment in each non-empty cell.
pub(in crate::reports) async fn atoms<C: ConnectionTrait>(
    db: &C,
    scope: &ReportScope,
) -> Result<Vec<Atom>> {
    let month = month_sql(db.get_database_backend());
    let program = Expr::col((enrollment::Entity, enrollment::Column::ProgramId));
    let q = in_scope(scope)
        .expr_as(program.clone(), a("program"))
        .expr_as(Expr::cust(month.clone()), a("month"))
        .expr_as(
            Expr::cust("COUNT(DISTINCT \"enrollment\".\"participant_id\")"),
            a("people"),
        )
        .add_group_by([program, Expr::cust(month)])
        .to_owned();
    let q = scope.statement(db.get_database_backend(), q);
    let mut out = Vec::new();
    for row in db.query_all_raw(q).await? {
        out.push(Atom {
            program: row.try_get("", "program")?,
            month: row.try_get("", "month")?,
            people: row.try_get("", "people")?,
        });
    }
    Ok(out)
}

fn population_condition(population: &Population, month: &str) -> Condition {
    let mut all = Condition::all();
    if let Programs::Only(set) = &population.programs {
        all = all.add(
            Expr::col((enrollment::Entity, enrollment::Column::ProgramId))
                .is_in(set.iter().copied()),
        );
    }
    if let Some(lo) = population.months.lo {
        all = all.add(Expr::cust(month.to_owned()).gte(lo));
    }
    if let Some(hi) = population.months.hi {
        all = all.add(Expr::cust(month.to_owned()).lte(hi));
    }
    all
}

/// People with an enrollment in `region`.
pub(in crate::reports) async fn people_in<C: ConnectionTrait>(
    db: &C,
    scope: &ReportScope,
    region: &Region,
) -> Result<i64> {
    let month = month_sql(db.get_database_backend());
    let q = in_scope(scope)
        .expr_as(
            Expr::cust("COUNT(DISTINCT \"enrollment\".\"participant_id\")"),
            a("people"),
        )
        .cond_where(population_condition(&region.big, &month))
        .cond_where(population_condition(&region.small, &month).not())
        .to_owned();
    let q = scope.statement(db.get_database_backend(), q);
    Ok(match db.query_one_raw(q).await? {
        Some(row) => row.try_get("", "people")?,
        None => 0,
    })
}
