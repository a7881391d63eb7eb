//! The floor of `bench graph --shape detail`: a participant's detail page
//! ([`super::DETAIL_QUERY`]: every profile field, the links, every record
//! kind with the organizations it names) read with hand-written SQL in its
//! strongest form — one prepared statement returning the page as one JSON
//! document, the policy written out per level as [`super::floor`] writes
//! it, the viewer, the participant and the day bound.

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use uuid::Uuid;

use super::floor::{bound, bound_policy};

/// JSON building for one backend.
struct Json {
    pg: bool,
}

impl Json {
    fn object(&self, pairs: &[(&str, String)]) -> String {
        let body = pairs
            .iter()
            .map(|(k, v)| format!("'{k}', {v}"))
            .collect::<Vec<_>>()
            .join(", ");
        if self.pg {
            format!("json_build_object({body})")
        } else {
            format!("json_object({body})")
        }
    }

    /// An array of `object` over `from` (`[]` when empty), in `order`.
    fn array(&self, object: String, from: String, order: &str) -> String {
        if self.pg {
            format!(
                "(SELECT COALESCE(json_agg({object} ORDER BY {order}), '[]'::json) FROM {from})"
            )
        } else {
            format!("json((SELECT json_group_array({object} ORDER BY {order}) FROM {from}))")
        }
    }

    fn id(&self, col: &str) -> String {
        if self.pg {
            col.to_owned()
        } else {
            format!("lower(hex({col}))")
        }
    }

    /// The organization `alias` (joined by the caller).
    fn organization(&self, alias: &str) -> String {
        self.object(&[
            ("id", self.id(&format!("{alias}.id"))),
            ("slug", format!("{alias}.slug")),
            ("name", format!("{alias}.name")),
            ("kind", format!("{alias}.kind")),
        ])
    }

    fn nested(&self, select: String) -> String {
        if self.pg {
            format!("({select})")
        } else {
            format!("json(({select}))")
        }
    }
}

/// The detail page of participant `$2` for the staff of organization `$1`
/// on day `$3` (adult cutoff `$4`), or no row when the viewer may not list
/// them.
pub(super) fn detail_sql(backend: DatabaseBackend) -> String {
    let pg = backend == DatabaseBackend::Postgres;
    let j = Json { pg };
    let (v, who, d, adult) = if pg {
        ("$1", "$2", "$3", "$4")
    } else {
        ("?1", "?2", "?3", "?4")
    };
    let policy = |owner: &str, participant: &str, category: &str| {
        bound_policy((v, d, adult), owner, participant, category)
    };
    // The profile read in `category`: the viewer's own, else the latest.
    let profile = |category: &str, columns: &[(&str, &str)]| {
        let mut pairs = vec![("org", j.id("pp.org_id"))];
        pairs.extend(columns.iter().map(|(k, c)| (*k, format!("pp.{c}"))));
        j.nested(format!(
            "SELECT {} FROM participant_profile pp WHERE pp.participant_id = p.id AND {} \
             ORDER BY CASE WHEN pp.org_id = {v} THEN 0 ELSE 1 END, pp.updated_at DESC LIMIT 1",
            j.object(&pairs),
            policy("pp.org_id", "pp.participant_id", category)
        ))
    };
    let approved = |kind: &str| {
        format!(
            "(CASE WHEN {} THEN (SELECT COALESCE(SUM(ha.hours), 0) FROM hour_log ha \
             WHERE ha.enrollment_id = e.id AND ha.kind = '{kind}' AND ha.approved) END)",
            policy("e.owner_org_id", "e.participant_id", "PROGRESS")
        )
    };
    let hour_logs = j.array(
        j.object(&[
            ("id", j.id("h.id")),
            ("workedOn", "h.worked_on".into()),
            ("kind", "h.kind".into()),
            ("hours", "h.hours".into()),
            ("approved", "h.approved".into()),
        ]),
        format!(
            "hour_log h WHERE h.enrollment_id = e.id AND {}",
            policy("h.owner_org_id", "e.participant_id", "PROGRESS")
        ),
        "h.worked_on, h.id",
    );
    // Rows of `table` about the participant readable in `category`.
    let rows = |table: &str, alias: &str, joins: &str, category: &str| {
        format!(
            "{table} {alias} {joins} WHERE {alias}.participant_id = p.id AND {}",
            policy(
                &format!("{alias}.owner_org_id"),
                &format!("{alias}.participant_id"),
                category
            )
        )
    };
    let node = j.object(&[
        ("id", j.id("p.id")),
        (
            "identity",
            profile(
                "IDENTITY",
                &[("g", "given_name"), ("f", "family_name"), ("p", "preferred_name")],
            ),
        ),
        (
            "contact",
            profile(
                "CONTACT",
                &[("e", "email"), ("ph", "phone"), ("pc", "postal_code"), ("gn", "guardian_name")],
            ),
        ),
        (
            "demographics",
            profile(
                "DEMOGRAPHICS",
                &[("b", "birth_date"), ("g", "gender"), ("r", "race_ethnicity")],
            ),
        ),
        ("sensitive", profile("SENSITIVE", &[("pp", "priority_populations")])),
        (
            "links",
            j.array(
                j.object(&[
                    ("externalId", "l.external_id".into()),
                    ("source", "l.source".into()),
                    ("organization", j.organization("lo")),
                ]),
                format!(
                    "participant_link l JOIN organization lo ON lo.id = l.org_id \
                     WHERE l.participant_id = p.id AND {}",
                    policy("l.org_id", "l.participant_id", "IDENTITY")
                ),
                "l.external_id, l.id",
            ),
        ),
        (
            "enrollments",
            j.array(
                j.object(&[
                    ("id", j.id("e.id")),
                    ("status", "e.status".into()),
                    ("program", j.object(&[("id", j.id("pr.id")), ("name", "pr.name".into())])),
                    ("ojtHours", approved("OJT")),
                    ("rtiHours", approved("RTI")),
                    ("hourLogs", hour_logs),
                ]),
                rows("enrollment", "e", "JOIN program pr ON pr.id = e.program_id", "ENROLLMENT"),
                "e.applied_on, e.id",
            ),
        ),
        (
            "mentorships",
            j.array(
                j.object(&[
                    ("id", j.id("m.id")),
                    ("status", "m.status".into()),
                    ("mentor", j.object(&[("id", j.id("me.id")), ("name", "me.name".into()), ("craft", "me.craft".into())])),
                ]),
                rows("mentorship", "m", "JOIN mentor me ON me.id = m.mentor_id", "MENTORSHIP"),
                "m.created_at, m.id",
            ),
        ),
        (
            "services",
            j.array(
                j.object(&[
                    ("keptBy", j.organization("svk")),
                    ("id", j.id("sv.id")),
                    ("kind", "sv.kind".into()),
                    ("provider", j.organization("svp")),
                    ("providedOn", "sv.provided_on".into()),
                    ("amountCents", "sv.amount_cents".into()),
                ]),
                rows(
                    "service",
                    "sv",
                    "JOIN organization svk ON svk.id = sv.owner_org_id JOIN organization svp ON svp.id = sv.provider_org_id",
                    "SERVICES",
                ),
                "sv.provided_on, sv.id",
            ),
        ),
        (
            "credentials",
            j.array(
                j.object(&[
                    ("keptBy", j.organization("crk")),
                    ("id", j.id("cr.id")),
                    ("name", "cr.name".into()),
                    ("kind", "cr.kind".into()),
                    ("issuerName", "cr.issuer_name".into()),
                    ("awardedOn", "cr.awarded_on".into()),
                    ("expiresOn", "cr.expires_on".into()),
                ]),
                rows("credential", "cr", "JOIN organization crk ON crk.id = cr.owner_org_id", "CREDENTIALS"),
                "cr.awarded_on, cr.id",
            ),
        ),
        (
            "outcomes",
            j.array(
                j.object(&[
                    ("keptBy", j.organization("ock")),
                    ("id", j.id("oc.id")),
                    ("kind", "oc.kind".into()),
                    ("employerName", "oc.employer_name".into()),
                    ("occupation", "oc.occupation".into()),
                    ("hourlyWageCents", "oc.hourly_wage_cents".into()),
                    ("startedOn", "oc.started_on".into()),
                ]),
                rows("outcome", "oc", "JOIN organization ock ON ock.id = oc.owner_org_id", "OUTCOMES"),
                "oc.created_at, oc.id",
            ),
        ),
        (
            "dualEnrollments",
            j.array(
                j.object(&[
                    ("keptBy", j.organization("dek")),
                    ("id", j.id("de.id")),
                    ("courseCode", "de.course_code".into()),
                    ("courseTitle", "de.course_title".into()),
                    ("term", "de.term".into()),
                    ("unitsEarned", "de.units_earned".into()),
                    ("grade", "de.grade".into()),
                ]),
                rows("dual_enrollment", "de", "JOIN organization dek ON dek.id = de.owner_org_id", "EDUCATION_RECORDS"),
                "de.term, de.id",
            ),
        ),
    ]);
    // On PostgreSQL the statement also records the disclosure row of the
    // participant shown (`disclosures`); SQLite records it after it.
    let seen = if pg {
        format!(
            "WITH {} ",
            super::disclosures::pg_item(v, &format!("SELECT CAST({who} AS uuid) AS id"))
        )
    } else {
        String::new()
    };
    format!(
        "{seen}SELECT {node}{} AS page FROM participant p WHERE p.id = {who} AND EXISTS (SELECT 1 FROM participant_profile vp \
         WHERE vp.participant_id = p.id AND {})",
        if pg { "::text" } else { "" },
        policy("vp.org_id", "vp.participant_id", "IDENTITY"),
    )
}

/// One detail page by [`detail_sql`]: whether it answered a document.
pub(super) async fn detail(db: &DatabaseConnection, sql: &str, viewer: Uuid, id: Uuid) -> bool {
    let answered = detail_text(db, sql, viewer, id)
        .await
        .is_some_and(|page| page.starts_with('{'));
    if !answered || db.get_database_backend() == DatabaseBackend::Postgres {
        return answered;
    }
    super::disclosures::record(db, viewer, &[id]).await
}

/// The floor's detail page of participant `id` for the staff of `viewer`,
/// parsed (`null` when they may not list them): for the test that the
/// floor reads what the hub does.
pub async fn floor_detail(db: &DatabaseConnection, viewer: Uuid, id: Uuid) -> serde_json::Value {
    if super::disclosures::ensure(db).await.is_err() {
        return serde_json::Value::Null;
    }
    let sql = detail_sql(db.get_database_backend());
    detail_text(db, &sql, viewer, id)
        .await
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

async fn detail_text(db: &DatabaseConnection, sql: &str, viewer: Uuid, id: Uuid) -> Option<String> {
    let b = db.get_database_backend();
    let values = bound(&[viewer, id]);
    db.query_one_raw(Statement::from_sql_and_values(b, sql, values))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get::<String>("", "page").ok())
}

/// Up to `n` participants the staff of `viewer` may list, by hub id (the
/// participants the detail shape asks for, the hub and the floor alike).
pub(super) async fn listed(db: &DatabaseConnection, viewer: Uuid, n: u64) -> Vec<Uuid> {
    let b = db.get_database_backend();
    let pg = b == DatabaseBackend::Postgres;
    let (v, d, adult) = if pg {
        ("$1", "$2", "$3")
    } else {
        ("?1", "?2", "?3")
    };
    let sql = format!(
        "SELECT p.id FROM participant p WHERE EXISTS (SELECT 1 FROM participant_profile vp \
         WHERE vp.participant_id = p.id AND {}) ORDER BY p.id LIMIT {n}",
        bound_policy((v, d, adult), "vp.org_id", "vp.participant_id", "IDENTITY")
    );
    let values = bound(&[viewer]);
    db.query_all_raw(Statement::from_sql_and_values(b, sql, values))
        .await
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r.try_get::<Uuid>("", "id").ok())
                .collect()
        })
        .unwrap_or_default()
}
