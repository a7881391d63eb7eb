//! The enrollment grain: enrollments `b` with their program, approved hours
//! per enrollment `h`, and the participant's credential, mentorship and
//! outcome flags (`c`, `m`, `o`) joined (`j`), reduced to one row per group
//! and participant (`pg`; `pt` for the total) and counted.

use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, JoinType, Query, SelectStatement, UnionType, WithClause};

use super::*;
use crate::reports::{Count, Sum, facts};

/// Per-enrollment flags of `j`: `(expression over b, h, c, m, o; column)`.
/// Each becomes "the participant has at least one such enrollment" in
/// `pg`/`pt` (MAX), then a count of participants (no `COUNT(DISTINCT)`:
/// `pg` has one row per group and participant).
const FLAGS: &[(&str, Count)] = &[
    (
        "CASE WHEN b.status = 'ACTIVE' THEN 1 ELSE 0 END",
        Count::Active,
    ),
    (
        "CASE WHEN b.status = 'COMPLETED' THEN 1 ELSE 0 END",
        Count::Completed,
    ),
    (
        "CASE WHEN c.pid IS NOT NULL THEN 1 ELSE 0 END",
        Count::Credentialed,
    ),
    ("COALESCE(o.graduated, 0)", Count::Graduated),
    (
        "CASE WHEN m.pid IS NOT NULL THEN 1 ELSE 0 END",
        Count::Mentored,
    ),
    ("COALESCE(o.employed, 0)", Count::Employed),
    ("COALESCE(o.union_member, 0)", Count::UnionMember),
    ("CASE WHEN h.ojt > 0 THEN 1 ELSE 0 END", Count::OjtPeople),
    ("CASE WHEN h.rti > 0 THEN 1 ELSE 0 END", Count::RtiPeople),
    (
        "CASE WHEN b.req_ojt IS NOT NULL THEN 1 ELSE 0 END",
        Count::OjtRequired,
    ),
    (
        "CASE WHEN b.req_ojt IS NOT NULL AND COALESCE(h.ojt, 0.0) >= b.req_ojt THEN 1 ELSE 0 END",
        Count::OjtMet,
    ),
    (
        "CASE WHEN b.req_rti IS NOT NULL THEN 1 ELSE 0 END",
        Count::RtiRequired,
    ),
    (
        "CASE WHEN b.req_rti IS NOT NULL AND COALESCE(h.rti, 0.0) >= b.req_rti THEN 1 ELSE 0 END",
        Count::RtiMet,
    ),
    (
        "CASE WHEN b.thr IS NOT NULL AND b.sched > 0 THEN 1 ELSE 0 END",
        Count::StipendBase,
    ),
];

/// `j`: one row per enrollment of `b` with its group columns, flags and
/// approved hours.
fn joined(plan: &Plan<'_>) -> SelectStatement {
    let stipend =
        crate::records::rules::stipend_eligible_sql("COALESCE(h.att, 0.0)", "b.sched", "b.thr");
    let mut q = Query::select();
    for (expr, alias) in dims(plan.group_by, "b", true) {
        q.expr_as(Expr::cust(expr), a(alias));
    }
    q.expr_as(Expr::cust("b.pid"), a("pid"));
    for (expr, count) in FLAGS {
        q.expr_as(Expr::cust(*expr), a(count.column()));
    }
    q.expr_as(
        Expr::cust(format!("CASE WHEN {stipend} THEN 1 ELSE 0 END")),
        a(Count::StipendEligible.column()),
    )
    .expr_as(Expr::cust("COALESCE(h.ojt, 0.0)"), a("ojt"))
    .expr_as(Expr::cust("COALESCE(h.rti, 0.0)"), a("rti"))
    .from(a("b"))
    .join(
        JoinType::LeftJoin,
        a("h"),
        Expr::cust("h.eid = b.eid AND b.progress_ok = 1"),
    )
    .join(JoinType::LeftJoin, a("c"), Expr::cust("c.pid = b.pid"))
    .join(JoinType::LeftJoin, a("m"), Expr::cust("m.pid = b.pid"))
    .join(JoinType::LeftJoin, a("o"), Expr::cust("o.pid = b.pid"));
    q
}

/// The flags of [`FLAGS`] and the stipend, in `j`'s column order.
fn flag_counts() -> impl Iterator<Item = Count> {
    FLAGS
        .iter()
        .map(|(_, c)| *c)
        .chain(std::iter::once(Count::StipendEligible))
}

/// `pg` (per group and participant) or `pt` (per participant): the
/// participant's flags (any enrollment) and summed hours.
fn per_person(plan: &Plan<'_>, total: bool) -> SelectStatement {
    let mut q = Query::select();
    if !total {
        for (expr, alias) in dims(plan.group_by, "j", false) {
            q.expr_as(Expr::cust(expr.clone()), a(alias));
            q.add_group_by([Expr::cust(expr)]);
        }
    }
    q.expr_as(Expr::cust("j.pid"), a("pid"));
    q.add_group_by([Expr::cust("j.pid")]);
    for count in flag_counts() {
        q.expr_as(
            Expr::cust(format!("MAX(j.{})", count.column())),
            a(count.column()),
        );
    }
    q.expr_as(Expr::cust("SUM(j.ojt)"), a("ojt"))
        .expr_as(Expr::cust("SUM(j.rti)"), a("rti"))
        .from(a("j"));
    q
}

pub(super) fn enrollment_statement(
    plan: &Plan<'_>,
    backend: DbBackend,
) -> sea_orm::sea_query::WithQuery {
    let branch = |total: bool| {
        let table = if total { "pt" } else { "pg" };
        let mut q = Query::select();
        select_dims(&mut q, &dims(plan.group_by, table, false), total);
        q.expr_as(Expr::cust("COUNT(*)"), a(Count::Enrolled.column()));
        for count in flag_counts() {
            q.expr_as(
                Expr::cust(format!(
                    "COUNT(CASE WHEN {table}.{} = 1 THEN 1 END)",
                    count.column()
                )),
                a(count.column()),
            );
        }
        let hours = |column: &str| match plan.clamp_hours {
            Some(max) => format!(
                "SUM(CASE WHEN {table}.{column} > {max:?} THEN {max:?} ELSE {table}.{column} END)"
            ),
            None => format!("SUM({table}.{column})"),
        };
        q.expr_as(Expr::cust(hours("ojt")), a(Sum::OjtHours.column()))
            .expr_as(Expr::cust(hours("rti")), a(Sum::RtiHours.column()))
            .from(a(table));
        q
    };
    let mut with = WithClause::new();
    for table in plan.scope.tables() {
        with.cte(table);
    }
    with.cte(shared_cte("b", base(plan, backend)))
        .cte(cte("h", facts::hours()))
        .cte(cte("c", facts::credentials(plan)))
        .cte(cte("m", facts::mentored(plan)))
        .cte(cte("o", facts::outcomes(plan)))
        .cte(shared_cte("j", joined(plan)))
        .cte(cte("pt", per_person(plan, true)));
    let mut main = branch(true);
    if !plan.group_by.is_empty() {
        with.cte(cte("pg", per_person(plan, false)));
        let mut grouped = branch(false);
        grouped.union(UnionType::All, main);
        main = grouped;
    }
    main.with(with)
}
