//! The participant grain: one row per participant and group, for sums that
//! must count a person once (dual-enrollment units) and the median hourly
//! wage (window functions, portable to SQLite and PostgreSQL).

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, JoinType, Query, SelectStatement, UnionType, WithClause};

use super::*;
use crate::reports::{Count, Sum, facts};

/// `x` (grouped) or `xt` (total): one row per participant (and group) with
/// units, wage, and the wage's rank among the group's wages.
fn ranked(plan: &Plan<'_>, total: bool) -> SelectStatement {
    let group = if total {
        Vec::new()
    } else {
        dims(plan.group_by, "b", true)
    };
    let mut people = Query::select();
    people.distinct();
    for (expr, alias) in &group {
        people.expr_as(Expr::cust(expr.clone()), a(alias));
    }
    people.expr_as(Expr::cust("b.pid"), a("pid")).from(a("b"));
    let partition: Vec<String> = group
        .iter()
        .map(|(_, alias)| format!("p.{alias}"))
        .collect();
    let by_group = if partition.is_empty() {
        String::new()
    } else {
        format!("PARTITION BY {}", partition.join(", "))
    };
    let by_group_and_null = if partition.is_empty() {
        "PARTITION BY CASE WHEN o.wage IS NULL THEN 1 ELSE 0 END".to_owned()
    } else {
        format!(
            "PARTITION BY {}, CASE WHEN o.wage IS NULL THEN 1 ELSE 0 END",
            partition.join(", ")
        )
    };
    let mut q = Query::select();
    for (_, alias) in &group {
        q.expr_as(Expr::cust(format!("p.{alias}")), a(alias));
    }
    q.expr_as(Expr::cust("d.attempted"), a("attempted"))
        .expr_as(Expr::cust("d.earned"), a("earned"))
        .expr_as(Expr::cust("o.wage"), a("wage"))
        .expr_as(
            Expr::cust(format!(
                "ROW_NUMBER() OVER ({by_group_and_null} ORDER BY o.wage)"
            )),
            a("rn"),
        )
        .expr_as(
            Expr::cust(format!("COUNT(o.wage) OVER ({by_group})")),
            a("n"),
        )
        .from_subquery(people.to_owned(), a("p"))
        .join(JoinType::LeftJoin, a("d"), Expr::cust("d.pid = p.pid"))
        .join(JoinType::LeftJoin, a("o"), Expr::cust("o.pid = p.pid"));
    q.to_owned()
}

pub(super) fn participant_statement(
    plan: &Plan<'_>,
    backend: DbBackend,
) -> sea_orm::sea_query::WithQuery {
    let branch = |total: bool| {
        let table = if total { "xt" } else { "x" };
        let mut q = Query::select();
        select_dims(&mut q, &dims(plan.group_by, table, false), total);
        q.expr_as(
            Expr::cust(format!("COUNT({table}.attempted)")),
            a(Count::DualPeople.column()),
        )
        .expr_as(
            Expr::cust(format!("COUNT({table}.wage)")),
            a(Count::WageEarners.column()),
        )
        .expr_as(
            Expr::cust(format!("SUM({table}.attempted)")),
            a(Sum::DualAttempted.column()),
        )
        .expr_as(
            Expr::cust(format!("SUM({table}.earned)")),
            a(Sum::DualEarned.column()),
        )
        .expr_as(
            Expr::cust(format!(
                "CAST(AVG(CASE WHEN {table}.wage IS NOT NULL AND {table}.rn IN (({table}.n + 1) / 2, ({table}.n + 2) / 2) THEN {table}.wage END) AS DOUBLE PRECISION)"
            )),
            a(Sum::MedianWageCents.column()),
        )
        .from(a(table));
        q
    };
    let mut main = branch(true);
    let mut with = WithClause::new();
    for table in plan.scope.tables() {
        with.cte(table);
    }
    with.cte(shared_cte("b", base(plan, backend)))
        .cte(cte("d", facts::dual_units(plan)))
        .cte(cte("o", facts::outcomes(plan)))
        .cte(cte("xt", ranked(plan, true)));
    if !plan.group_by.is_empty() {
        with.cte(cte("x", ranked(plan, false)));
        let mut grouped = branch(false);
        grouped.union(UnionType::All, main);
        main = grouped;
    }
    main.with(with)
}
