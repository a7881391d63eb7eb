//! The floor of `bench graph`: the case-manager page read with hand-written
//! SQL — the same policy conditions written out — in its strongest form,
//! one prepared statement that returns the whole page as JSON; and, for
//! comparison with earlier figures, the old floor of one statement per kind.

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

/// The earlier floor: one unprepared statement per kind (ids first, then
/// profiles, enrollments, hour logs and mentorships), one after another.
/// Kept to report the old floor next to the new one once.
async fn page_by_kind(db: &DatabaseConnection, viewer: Uuid, after: Uuid) -> bool {
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

/// The policy of DESIGN.md section 4 as `policy::Scope` writes it today —
/// [`policy`]'s conditions plus the guardian rule (a consent a guardian
/// gave stops counting once the youth is an adult, until they reaffirm it)
/// — with the viewer, today and the adult birth-date cutoff as bound
/// parameters (`v`, `d`, `adult`), so the statement text is the same for
/// every page and viewer and the driver prepares it once per connection.
pub(super) fn bound_policy(
    (v, d, adult): (&str, &str, &str),
    owner: &str,
    participant: &str,
    category: &str,
) -> String {
    let covers = |col: &str| {
        format!(
            "({col} = '{category}' OR {col} LIKE '{category},%' OR {col} LIKE '%,{category}' OR {col} LIKE '%,{category},%')"
        )
    };
    format!(
        "({owner} = {v} OR EXISTS (SELECT 1 FROM sharing_agreement sa WHERE sa.provider_org_id = {owner} AND sa.recipient_org_id = {v} \
         AND sa.status = 'ACTIVE' AND {} AND sa.effective_on <= {d} AND (sa.expires_on IS NULL OR sa.expires_on >= {d}) \
         AND (sa.requires_consent = FALSE OR EXISTS (SELECT 1 FROM consent c WHERE c.participant_id = {participant} AND c.status = 'ACTIVE' \
         AND (c.recipient_org_id IS NULL OR c.recipient_org_id = {v}) AND {} AND c.signed_on <= {d} \
         AND (c.expires_on IS NULL OR c.expires_on >= {d}) \
         AND (c.granted_by <> 'GUARDIAN' OR c.reaffirmed_at IS NOT NULL OR NOT EXISTS (SELECT 1 FROM participant_profile gp \
         WHERE gp.participant_id = c.participant_id AND gp.birth_date <= {adult}))))))",
        covers("sa.categories"),
        covers("c.categories")
    )
}

/// The whole case-manager page as one statement returning one JSON
/// document — the strongest hand-written form: JSON aggregation in the
/// database (`json_agg` on PostgreSQL, `json_group_array` on SQLite), the
/// policy written out per level, viewer, cursor and day bound as parameters.
pub(super) fn page_sql(backend: DatabaseBackend) -> String {
    let pg = backend == DatabaseBackend::Postgres;
    let (v, after, d, adult) = if pg {
        ("$1", "$2", "$3", "$4")
    } else {
        ("?1", "?2", "?3", "?4")
    };
    let bound = (v, d, adult);
    // An array of `object` over `from`, `[]` when empty.
    let array = |object: String, from: String| {
        if pg {
            format!("(SELECT COALESCE(json_agg({object}), '[]'::json) FROM {from})")
        } else {
            format!("json((SELECT json_group_array({object}) FROM {from}))")
        }
    };
    let object = |pairs: &[(&str, String)]| {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("'{k}', {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        if pg {
            format!("json_build_object({body})")
        } else {
            format!("json_object({body})")
        }
    };
    let id = |col: &str| {
        if pg {
            col.to_owned()
        } else {
            format!("lower(hex({col}))")
        }
    };
    // Approved hours of the enrollment, null where its PROGRESS may not be
    // read (as the hub answers them).
    let approved = |kind: &str| {
        format!(
            "(CASE WHEN {} THEN (SELECT COALESCE(SUM(ha.hours), 0) FROM hour_log ha \
             WHERE ha.enrollment_id = e.id AND ha.kind = '{kind}' AND ha.approved) END)",
            bound_policy(bound, "e.owner_org_id", "e.participant_id", "PROGRESS")
        )
    };
    let hour_logs = array(
        object(&[
            ("workedOn", "h.worked_on".into()),
            ("kind", "h.kind".into()),
            ("hours", "h.hours".into()),
            ("approved", "h.approved".into()),
        ]),
        format!(
            "hour_log h WHERE h.enrollment_id = e.id AND {}",
            bound_policy(bound, "h.owner_org_id", "e.participant_id", "PROGRESS")
        ),
    );
    let enrollments = array(
        object(&[
            ("status", "e.status".into()),
            ("program", object(&[("name", "pr.name".into())])),
            ("ojtHours", approved("OJT")),
            ("rtiHours", approved("RTI")),
            ("hourLogs", hour_logs),
        ]),
        format!(
            "enrollment e JOIN program pr ON pr.id = e.program_id WHERE e.participant_id = pg.id AND {}",
            bound_policy(bound, "e.owner_org_id", "e.participant_id", "ENROLLMENT")
        ),
    );
    let mentorships = array(
        object(&[
            ("status", "m.status".into()),
            (
                "mentor",
                object(&[("name", "me.name".into()), ("craft", "me.craft".into())]),
            ),
        ]),
        format!(
            "mentorship m JOIN mentor me ON me.id = m.mentor_id WHERE m.participant_id = pg.id AND {}",
            bound_policy(bound, "m.owner_org_id", "m.participant_id", "MENTORSHIP")
        ),
    );
    let profiles = array(
        object(&[
            ("org", id("pp.org_id")),
            ("givenName", "pp.given_name".into()),
            ("familyName", "pp.family_name".into()),
        ]),
        format!(
            "participant_profile pp WHERE pp.participant_id = pg.id AND {}",
            bound_policy(bound, "pp.org_id", "pp.participant_id", "IDENTITY")
        ),
    );
    let node = object(&[
        ("id", id("pg.id")),
        ("profiles", profiles),
        ("enrollments", enrollments),
        ("mentorships", mentorships),
    ]);
    let page = if pg {
        format!("COALESCE(json_agg({node} ORDER BY pg.id), '[]'::json)")
    } else {
        format!("json_group_array({node})")
    };
    // On PostgreSQL the statement also records one disclosure row per
    // participant shown (`disclosures`); SQLite records them after it.
    let seen = if pg {
        format!(
            ", {}",
            super::disclosures::pg_item("$1", "SELECT id FROM pg")
        )
    } else {
        String::new()
    };
    // Who is on the page: one ordered, de-duplicated range of the
    // reader's grants kept as data (`participant_listing`), the hub's
    // source of candidates, without the hub's second test of each id
    // against the policy's conditions.
    format!(
        "WITH pg AS (SELECT DISTINCT l.participant_id AS id FROM participant_listing l WHERE l.reader_org_id = {v} \
         AND l.participant_id > {after} AND (l.valid_from IS NULL OR l.valid_from <= {d}) \
         AND (l.valid_until IS NULL OR l.valid_until >= {d}) ORDER BY l.participant_id LIMIT 50){seen} \
         SELECT {page}{} AS page FROM pg",
        if pg { "::text" } else { "" }
    )
}

/// The strongest count we can write by hand of the participants a viewer
/// may list (`totalCount`): the IDENTITY policy as sets — the reader's
/// providers and the consenting participants, each read once, as
/// `policy::Scope::set_condition` has it — over the profiles, with no
/// join to `participant` (every profile has its participant). Viewer, day
/// and adult cutoff bound (`$1`…`$3`).
pub(super) fn count_sql(backend: DatabaseBackend) -> String {
    let pg = backend == DatabaseBackend::Postgres;
    let (v, d, adult) = if pg {
        ("$1", "$2", "$3")
    } else {
        ("?1", "?2", "?3")
    };
    let covers = |col: &str| {
        format!(
            "({col} = 'IDENTITY' OR {col} LIKE 'IDENTITY,%' OR {col} LIKE '%,IDENTITY' OR {col} LIKE '%,IDENTITY,%')"
        )
    };
    let providers = |consent: &str| {
        format!(
            "SELECT sa.provider_org_id FROM sharing_agreement sa WHERE sa.recipient_org_id = {v} AND sa.status = 'ACTIVE' \
             AND {} AND sa.effective_on <= {d} AND (sa.expires_on IS NULL OR sa.expires_on >= {d}) AND sa.requires_consent = {consent}",
            covers("sa.categories")
        )
    };
    format!(
        "SELECT COUNT(DISTINCT vp.participant_id) AS n FROM participant_profile vp WHERE vp.org_id = {v} \
         OR vp.org_id IN ({}) OR (vp.org_id IN ({}) AND vp.participant_id IN (SELECT c.participant_id FROM consent c \
         WHERE c.status = 'ACTIVE' AND (c.recipient_org_id IS NULL OR c.recipient_org_id = {v}) AND {} AND c.signed_on <= {d} \
         AND (c.expires_on IS NULL OR c.expires_on >= {d}) AND (c.granted_by <> 'GUARDIAN' OR c.reaffirmed_at IS NOT NULL \
         OR NOT EXISTS (SELECT 1 FROM participant_profile gp WHERE gp.participant_id = c.participant_id AND gp.birth_date <= {adult}))))",
        providers("FALSE"),
        providers("TRUE"),
        covers("c.categories")
    )
}

/// The values a floor statement binds: `ids` (the viewer, then the cursor
/// or the participant when the statement takes one), today and the day a
/// person born on or before it is an adult.
pub(super) fn bound(ids: &[Uuid]) -> Vec<sea_orm::Value> {
    let today = Utc::now().date_naive();
    let mut values: Vec<sea_orm::Value> = ids.iter().map(|id| sea_orm::Value::from(*id)).collect();
    values.push(sea_orm::Value::from(today));
    values.push(sea_orm::Value::from(
        crate::policy::eighteenth_birthday_cutoff(today),
    ));
    values
}

/// The count by [`count_sql`] (the policy as sets, over the profiles)
/// for `viewer` today: an independent check of what the hub counts.
pub async fn floor_count(db: &DatabaseConnection, viewer: Uuid) -> Result<i64, sea_orm::DbErr> {
    let b = db.get_database_backend();
    counted(db, count_sql(b), bound(&[viewer])).await
}

/// The strongest count we can write by hand now that access is kept as
/// data: the reader's grants in `participant_listing` valid today, one
/// range of its index grouped by participant in index order, the groups
/// counted. Viewer and day bound.
pub(super) fn listing_count_sql(backend: DatabaseBackend) -> String {
    let (v, d) = if backend == DatabaseBackend::Postgres {
        ("$1", "$2")
    } else {
        ("?1", "?2")
    };
    format!(
        "SELECT COUNT(*) AS n FROM (SELECT participant_id FROM participant_listing WHERE reader_org_id = {v} \
         AND (valid_from IS NULL OR valid_from <= {d}) AND (valid_until IS NULL OR valid_until >= {d}) \
         GROUP BY participant_id) AS listed"
    )
}

/// The count by [`listing_count_sql`] for `viewer` today.
pub async fn listing_count(db: &DatabaseConnection, viewer: Uuid) -> Result<i64, sea_orm::DbErr> {
    let b = db.get_database_backend();
    // The viewer and today (no adult cutoff: the grants carry their days).
    let mut values = bound(&[viewer]);
    values.truncate(2);
    counted(db, listing_count_sql(b), values).await
}

async fn counted(
    db: &DatabaseConnection,
    sql: String,
    values: Vec<sea_orm::Value>,
) -> Result<i64, sea_orm::DbErr> {
    let b = db.get_database_backend();
    db.query_one_raw(Statement::from_sql_and_values(b, sql, values))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("count".into()))?
        .try_get::<i64>("", "n")
}

/// One page by [`page_sql`] as JSON text: one round trip, one prepared
/// statement.
async fn page_text(
    db: &DatabaseConnection,
    sql: &str,
    viewer: Uuid,
    after: Uuid,
) -> Result<String, sea_orm::DbErr> {
    let b = db.get_database_backend();
    let values = bound(&[viewer, after]);
    db.query_one_raw(Statement::from_sql_and_values(b, sql, values))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("page".into()))?
        .try_get::<String>("", "page")
}

/// One page and its disclosure rows (on SQLite a second statement, for
/// the ids the page read).
async fn page(db: &DatabaseConnection, sql: &str, viewer: Uuid, after: Uuid) -> bool {
    let Ok(json) = page_text(db, sql, viewer, after).await else {
        return false;
    };
    if !json.starts_with('[') {
        return false;
    }
    if db.get_database_backend() == DatabaseBackend::Postgres {
        return true;
    }
    let ids: Vec<Uuid> = serde_json::from_str::<Vec<serde_json::Value>>(&json)
        .unwrap_or_default()
        .iter()
        .filter_map(|node| node["id"].as_str().and_then(|id| Uuid::parse_str(id).ok()))
        .collect();
    super::disclosures::record(db, viewer, &ids).await
}

/// The floor's page after `after` for organization `viewer`, parsed: the
/// participants (`id` as hex on SQLite), each with the profiles, enrollments
/// (program, approved OJT/RTI hours, hour logs) and mentorships the
/// viewer may read. For the test that the floor reads what the hub does.
pub async fn floor_page(
    db: &DatabaseConnection,
    viewer: Uuid,
    after: Uuid,
) -> crate::ground::error::Result<serde_json::Value> {
    super::disclosures::ensure(db).await?;
    let sql = page_sql(db.get_database_backend());
    let text = page_text(db, &sql, viewer, after).await?;
    serde_json::from_str(&text).map_err(|e| crate::ground::error::Error::Internal(e.to_string()))
}

/// Which hand-written form [`measure`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Floor {
    /// One prepared JSON-aggregating statement per page ([`page_sql`]).
    OneStatement,
    /// One unprepared statement per kind, one after another (the floor of
    /// earlier figures).
    ByKind,
    /// The pager: [`page_sql`], then [`listing_count_sql`].
    Pager,
}

/// Latencies (ms) of the hand-written page at `clients` concurrency, how
/// many pages failed, and the elapsed seconds.
pub(super) async fn measure(
    db: &DatabaseConnection,
    floor: Floor,
    viewer: Uuid,
    clients: usize,
    seconds: u64,
) -> (Vec<f64>, u64, f64) {
    let db = db.clone();
    let sql = std::sync::Arc::new(page_sql(db.get_database_backend()));
    super::graph::load(clients, seconds, move |after| {
        let (db, sql) = (db.clone(), sql.clone());
        async move {
            match floor {
                Floor::OneStatement => page(&db, &sql, viewer, after).await,
                Floor::ByKind => page_by_kind(&db, viewer, after).await,
                Floor::Pager => {
                    page(&db, &sql, viewer, after).await && listing_count(&db, viewer).await.is_ok()
                }
            }
        }
    })
    .await
}
