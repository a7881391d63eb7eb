//! The floor of `bench report`: the same report (every metric, by program
//! and quarter, and the total) as one hand-written PostgreSQL statement,
//! with the policy written out as tightly as we know how — the viewer's
//! report agreements reduced to one row per provider with a flag per
//! category (consent needed or not), the consents in force read once into
//! a materialized table and each category's consenting participants
//! hashed from it, the hours joined by hash, the per-person reduction and
//! the total in one grouping-sets pass, the median by `percentile_cont`.
//! It is not the hub's SQL: it is what a person writing this one report by
//! hand for PostgreSQL would run, to show how far the hub is from it.

use std::time::Instant;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, Value};
use uuid::Uuid;

/// Whose rows the floor counts: the rule of `policy::ReportScope`.
#[derive(Debug, Clone, Copy)]
pub enum FloorViewer {
    /// An evaluator: rows shared under the organization's EVALUATION or
    /// REPORTING agreements, with consent where they require it.
    Evaluator(Uuid),
    /// An org_admin: the organization's own rows.
    OrgAdmin(Uuid),
}

/// The categories a report reads, with the short name of their flags.
const CATEGORIES: [(&str, &str); 6] = [
    ("e", "ENROLLMENT"),
    ("p", "PROGRESS"),
    ("c", "CREDENTIALS"),
    ("m", "MENTORSHIP"),
    ("o", "OUTCOMES"),
    ("d", "EDUCATION_RECORDS"),
];

/// `ag`: per provider whose rows feed the report, `<k>_free` (a report
/// agreement covers the category without consent) and `<k>_cons` (one
/// covers it with consent). `$1` is the viewer's organization, `$2` today.
fn agreements(viewer: FloorViewer) -> String {
    let mut flags = Vec::new();
    for (k, name) in CATEGORIES {
        let covers = format!("(',' || categories || ',') LIKE '%,{name},%'");
        match viewer {
            FloorViewer::Evaluator(_) => {
                flags.push(format!(
                    "bool_or(NOT requires_consent AND {covers}) AS {k}_free"
                ));
                flags.push(format!(
                    "bool_or(requires_consent AND {covers}) AS {k}_cons"
                ));
            }
            FloorViewer::OrgAdmin(_) => {
                flags.push(format!("TRUE AS {k}_free, FALSE AS {k}_cons"));
            }
        }
    }
    match viewer {
        FloorViewer::Evaluator(_) => format!(
            "SELECT provider_org_id AS org, {} FROM sharing_agreement \
             WHERE recipient_org_id = $1 AND status = 'ACTIVE' AND purpose IN ('EVALUATION', 'REPORTING') \
             AND effective_on <= $2 AND (expires_on IS NULL OR expires_on >= $2) GROUP BY provider_org_id",
            flags.join(", ")
        ),
        FloorViewer::OrgAdmin(_) => format!("SELECT CAST($1 AS uuid) AS org, {}", flags.join(", ")),
    }
}

/// A fact table `x` restricted to the rows whose category `k` feeds the
/// report.
fn readable(k: &str, name: &str) -> String {
    format!(
        "JOIN ag ON ag.org = x.owner_org_id WHERE (ag.{k}_free OR (ag.{k}_cons AND x.participant_id IN \
         (SELECT pid FROM cf WHERE cats LIKE '%,{name},%')))"
    )
}

/// The whole statement; `$1` the viewer's organization, `$2` today, `$3`
/// the birth date on or before which a youth is an adult today.
fn statement(viewer: FloorViewer) -> String {
    let [_, _, cred, ment, outc, dual] = CATEGORIES;
    format!(
        "WITH ag AS MATERIALIZED ({ag}), \
         cf AS MATERIALIZED (SELECT c.participant_id AS pid, ',' || c.categories || ',' AS cats FROM consent c \
           WHERE c.status = 'ACTIVE' AND (c.recipient_org_id IS NULL OR c.recipient_org_id = $1) \
           AND c.signed_on <= $2 AND (c.expires_on IS NULL OR c.expires_on >= $2) \
           AND (c.granted_by <> 'GUARDIAN' OR c.reaffirmed_at IS NOT NULL OR COALESCE((SELECT MIN(gp.birth_date) \
             FROM participant_profile gp WHERE gp.participant_id = c.participant_id) > $3, TRUE))), \
         b AS MATERIALIZED (SELECT e.id AS eid, e.participant_id AS pid, e.status, e.program_id AS prog, \
           CAST(EXTRACT(YEAR FROM COALESCE(e.started_on, e.applied_on)) AS BIGINT) AS py, \
           (CAST(EXTRACT(MONTH FROM COALESCE(e.started_on, e.applied_on)) AS BIGINT) + 2) / 3 AS ps, \
           pr.required_ojt_hours AS req_ojt, pr.required_rti_hours AS req_rti, \
           pr.scheduled_hours AS sched, pr.stipend_threshold_pct AS thr, \
           (ag.p_free OR (ag.p_cons AND e.participant_id IN (SELECT pid FROM cf WHERE cats LIKE '%,PROGRESS,%'))) AS prog_ok \
           FROM enrollment e JOIN ag ON ag.org = e.owner_org_id JOIN program pr ON pr.id = e.program_id \
           WHERE ag.e_free OR (ag.e_cons AND e.participant_id IN (SELECT pid FROM cf WHERE cats LIKE '%,ENROLLMENT,%'))), \
         cr AS (SELECT x.participant_id AS pid FROM credential x {cr} GROUP BY x.participant_id), \
         me AS (SELECT x.participant_id AS pid FROM mentorship x {me} AND x.status IN ('ACTIVE', 'PAUSED', 'ENDED') \
           GROUP BY x.participant_id), \
         oc AS (SELECT x.participant_id AS pid, \
           MAX(CASE WHEN x.kind = 'EMPLOYED' THEN 1 ELSE 0 END) AS employed, \
           MAX(CASE WHEN x.kind = 'UNION_MEMBERSHIP' THEN 1 ELSE 0 END) AS union_member, \
           MAX(CASE WHEN x.kind = 'HS_GRADUATED' THEN 1 ELSE 0 END) AS graduated, \
           MAX(CASE WHEN x.kind = 'EMPLOYED' THEN x.hourly_wage_cents END) AS wage \
           FROM outcome x {oc} GROUP BY x.participant_id), \
         du AS (SELECT x.participant_id AS pid, SUM(x.units_attempted) AS attempted, \
           SUM(COALESCE(x.units_earned, 0.0)) AS earned FROM dual_enrollment x {du} GROUP BY x.participant_id), \
         pp AS (SELECT b.prog, b.py, b.ps, b.pid, GROUPING(b.prog, b.py, b.ps) AS t, \
           bool_or(b.status = 'ACTIVE') AS active, bool_or(b.status = 'COMPLETED') AS completed, \
           bool_or(b.req_ojt IS NOT NULL) AS ojt_req, \
           bool_or(b.req_ojt IS NOT NULL AND COALESCE(h.ojt, 0) >= b.req_ojt) AS ojt_met, \
           bool_or(b.req_rti IS NOT NULL) AS rti_req, \
           bool_or(b.req_rti IS NOT NULL AND COALESCE(h.rti, 0) >= b.req_rti) AS rti_met, \
           bool_or(h.ojt > 0) AS ojt_people, bool_or(h.rti > 0) AS rti_people, \
           bool_or(b.thr IS NOT NULL AND b.sched > 0) AS stipend_base, \
           bool_or(b.sched > 0 AND b.thr IS NOT NULL AND COALESCE(h.att, 0.0) * 1000.0 / b.sched >= b.thr * 10.0 - 0.5) AS stipend, \
           SUM(COALESCE(h.ojt, 0)) AS ojt, SUM(COALESCE(h.rti, 0)) AS rti \
           FROM b LEFT JOIN enrollment_hours h ON h.enrollment_id = b.eid AND b.prog_ok \
           GROUP BY GROUPING SETS ((b.prog, b.py, b.ps, b.pid), (b.pid))) \
         SELECT pp.t, pp.prog, pp.py, pp.ps, COUNT(*) AS enrolled, \
           COUNT(*) FILTER (WHERE active) AS active, COUNT(*) FILTER (WHERE completed) AS completed, \
           COUNT(cr.pid) AS credentialed, COUNT(*) FILTER (WHERE oc.graduated = 1) AS graduated, \
           COUNT(me.pid) AS mentored, COUNT(*) FILTER (WHERE oc.employed = 1) AS employed, \
           COUNT(*) FILTER (WHERE oc.union_member = 1) AS union_member, \
           COUNT(*) FILTER (WHERE ojt_people) AS ojt_people, COUNT(*) FILTER (WHERE rti_people) AS rti_people, \
           COUNT(*) FILTER (WHERE ojt_req) AS ojt_required, COUNT(*) FILTER (WHERE ojt_met) AS ojt_met, \
           COUNT(*) FILTER (WHERE rti_req) AS rti_required, COUNT(*) FILTER (WHERE rti_met) AS rti_met, \
           COUNT(*) FILTER (WHERE stipend_base) AS stipend_base, COUNT(*) FILTER (WHERE stipend) AS stipend, \
           SUM(pp.ojt) AS ojt_hours, SUM(pp.rti) AS rti_hours, \
           COUNT(du.attempted) AS dual_people, SUM(du.attempted) AS dual_attempted, SUM(du.earned) AS dual_earned, \
           COUNT(oc.wage) AS wage_earners, percentile_cont(0.5) WITHIN GROUP (ORDER BY oc.wage) AS median_wage \
         FROM pp LEFT JOIN cr ON cr.pid = pp.pid LEFT JOIN me ON me.pid = pp.pid \
           LEFT JOIN oc ON oc.pid = pp.pid LEFT JOIN du ON du.pid = pp.pid \
         GROUP BY pp.t, pp.prog, pp.py, pp.ps",
        ag = agreements(viewer),
        cr = readable("c", cred.1),
        me = readable("m", ment.1),
        oc = readable("o", outc.1),
        du = readable("d", dual.1),
    )
}

/// What one run of the floor answered: its group rows and the total's
/// participants (to set beside the hub's: the two must count the same).
#[derive(Debug, Clone, Copy, Default)]
pub struct FloorAnswer {
    pub rows: usize,
    pub participants: i64,
}

/// Runs the floor once, in a read-only transaction tuned as the hub's
/// report is (`jit = off`, `work_mem = 32MB`). `None` on SQLite (the
/// floor is PostgreSQL's) or on a database error.
pub async fn run_once(db: &DatabaseConnection, viewer: FloorViewer) -> Option<(FloorAnswer, f64)> {
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return None;
    }
    let today = chrono::Utc::now().date_naive();
    let adult = crate::policy::eighteenth_birthday_cutoff(today);
    let org = match viewer {
        FloorViewer::Evaluator(org) | FloorViewer::OrgAdmin(org) => org,
    };
    let sql = statement(viewer);
    let started = Instant::now();
    let txn = sea_orm::TransactionTrait::begin(db).await.ok()?;
    for set in [
        "SET TRANSACTION READ ONLY",
        "SET LOCAL jit = off",
        "SET LOCAL work_mem = '32MB'",
    ] {
        txn.execute_unprepared(set).await.ok()?;
    }
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            sql,
            [Value::from(org), Value::from(today), Value::from(adult)],
        ))
        .await
        .ok()?;
    txn.commit().await.ok()?;
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let mut answer = FloorAnswer::default();
    for row in rows {
        if row.try_get::<i32>("", "t").ok()? == 0 {
            answer.rows += 1;
        } else {
            answer.participants = row.try_get("", "enrolled").ok()?;
        }
    }
    Some((answer, millis))
}
