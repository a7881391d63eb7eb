//! The floor of `bench graph`: the case-manager page read with hand-written
//! SQL — the same policy conditions inlined — as a tuned hand-written
//! implementation would: one statement per kind, no GraphQL, no JSON.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use uuid::Uuid;

fn uuid_lit(backend: DatabaseBackend, id: Uuid) -> String {
    match backend {
        DatabaseBackend::Sqlite => format!("X'{}'", id.simple()),
        _ => format!("'{id}'"),
    }
}

/// The policy of DESIGN.md section 4 as a SQL text, for the floor only (the
/// hub itself builds it with sea-query in `policy::Scope`).
fn policy(
    backend: DatabaseBackend,
    viewer: Uuid,
    owner: &str,
    participant: &str,
    category: &str,
) -> String {
    let v = uuid_lit(backend, viewer);
    let today = Utc::now().date_naive().format("%Y-%m-%d");
    let covers = |col: &str| {
        format!(
            "({col} = '{category}' OR {col} LIKE '{category},%' OR {col} LIKE '%,{category}' OR {col} LIKE '%,{category},%')"
        )
    };
    format!(
        "({owner} = {v} OR EXISTS (SELECT 1 FROM sharing_agreement sa WHERE sa.provider_org_id = {owner} AND sa.recipient_org_id = {v} \
         AND sa.status = 'ACTIVE' AND {} AND sa.effective_on <= '{today}' AND (sa.expires_on IS NULL OR sa.expires_on >= '{today}') \
         AND (sa.requires_consent = FALSE OR EXISTS (SELECT 1 FROM consent c WHERE c.participant_id = {participant} AND c.status = 'ACTIVE' \
         AND (c.recipient_org_id IS NULL OR c.recipient_org_id = {v}) AND {} AND c.signed_on <= '{today}' \
         AND (c.expires_on IS NULL OR c.expires_on >= '{today}')))))",
        covers("sa.categories"),
        covers("c.categories")
    )
}

async fn page(db: &DatabaseConnection, viewer: Uuid, after: Uuid) -> bool {
    let b = db.get_database_backend();
    let run = |sql: String| async move { db.query_all_raw(Statement::from_string(b, sql)).await };
    let ids = match run(format!(
        "SELECT p.id FROM participant p WHERE p.id > {} AND EXISTS (SELECT 1 FROM participant_profile vp \
         WHERE vp.participant_id = p.id AND {}) ORDER BY p.id LIMIT 50",
        uuid_lit(b, after),
        policy(b, viewer, "vp.org_id", "vp.participant_id", "IDENTITY")
    ))
    .await
    {
        Ok(rows) => rows.iter().filter_map(|r| r.try_get::<Uuid>("", "id").ok()).collect::<Vec<_>>(),
        Err(_) => return false,
    };
    if ids.is_empty() {
        return true;
    }
    let list = ids
        .iter()
        .map(|id| uuid_lit(b, *id))
        .collect::<Vec<_>>()
        .join(",");
    let queries = [
        format!(
            "SELECT pp.participant_id, pp.org_id, pp.given_name, pp.family_name, pp.updated_at FROM participant_profile pp \
             WHERE pp.participant_id IN ({list}) AND {}",
            policy(b, viewer, "pp.org_id", "pp.participant_id", "IDENTITY")
        ),
        format!(
            "SELECT e.id, e.participant_id, e.status, pr.name FROM enrollment e JOIN program pr ON pr.id = e.program_id \
             WHERE e.participant_id IN ({list}) AND {}",
            policy(
                b,
                viewer,
                "e.owner_org_id",
                "e.participant_id",
                "ENROLLMENT"
            )
        ),
        format!(
            "SELECT h.enrollment_id, h.worked_on, h.kind, h.hours, h.approved FROM hour_log h JOIN enrollment e ON e.id = h.enrollment_id \
             WHERE e.participant_id IN ({list}) AND {} AND {}",
            policy(
                b,
                viewer,
                "e.owner_org_id",
                "e.participant_id",
                "ENROLLMENT"
            ),
            policy(b, viewer, "h.owner_org_id", "e.participant_id", "PROGRESS")
        ),
        format!(
            "SELECT m.participant_id, m.status, me.name, me.craft FROM mentorship m JOIN mentor me ON me.id = m.mentor_id \
             WHERE m.participant_id IN ({list}) AND {}",
            policy(
                b,
                viewer,
                "m.owner_org_id",
                "m.participant_id",
                "MENTORSHIP"
            )
        ),
    ];
    for sql in queries {
        if run(sql).await.is_err() {
            return false;
        }
    }
    true
}

/// Latencies (ms) of the hand-written page at `clients` concurrency, and
/// how many pages failed.
pub(super) async fn measure(
    db: &DatabaseConnection,
    viewer: Uuid,
    clients: usize,
    seconds: u64,
) -> (Vec<f64>, u64) {
    let db = db.clone();
    let (latencies, errors, _) = super::graph::load(clients, seconds, move |after| {
        let db = db.clone();
        async move { page(&db, viewer, after).await }
    })
    .await;
    (latencies, errors)
}
