//! Partner declarations (`[[partners]]` in the configuration file): which
//! system, where, with which credentials, and how its JSON maps to our
//! records. Checked at start: a bad declaration stops the start with one
//! line naming the setting (`partners[0].records.hour_logs.fields.hours`).

use std::collections::BTreeMap;

use entity::enums::{Category, DualEnrollmentStatus, HourKind, UnionMembershipStatus};
use serde::{Deserialize, Serialize};

use crate::ground::json_path::JsonPath;

/// One partner system.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerConfig {
    /// Short name: `source` of its records, `extensions.partner` of its
    /// errors, `sync --partner NAME`.
    pub name: String,
    /// The hub organization (slug) that owns the partner's records.
    pub org: String,
    /// `rest_json` or `graphql`.
    pub kind: PartnerKind,
    /// Base URL, e.g. `https://tracker.example.org/api`.
    pub base_url: String,
    /// Credentials, read from the environment at start.
    #[serde(default)]
    pub auth: Option<PartnerAuth>,
    /// Deadline of one call, retries included, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Retries of an idempotent call after a connection error, a timeout
    /// of the attempt or a 5xx answer (backoff 50 ms, 100 ms, 200 ms…).
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Consecutive failed calls that open the circuit breaker.
    #[serde(default = "default_breaker_failures")]
    pub breaker_failures: u32,
    /// How long an open breaker refuses calls before one trial call.
    #[serde(default = "default_breaker_open_ms")]
    pub breaker_open_ms: u64,
    /// Lifetime of a cached answer (per partner, record kind, ids and the
    /// viewer's organization); 0 turns the cache off.
    #[serde(default = "default_cache_ttl_ms")]
    pub cache_ttl_ms: u64,
    /// The record kinds the partner provides and their mappings.
    pub records: BTreeMap<RecordKind, RecordMapping>,
}

/// How a partner is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    /// `GET {base_url}{path}?{ids_param}=a,b,c` answering JSON.
    RestJson,
    /// `POST {base_url}` with `{query, variables: {ids: [...]}}`; only
    /// query documents (idempotent, so retried).
    Graphql,
}

/// Where the credential goes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerAuth {
    /// `bearer` (Authorization: Bearer …) or `api_key` (a header).
    pub scheme: AuthScheme,
    /// The environment variable holding the secret.
    pub env: String,
    /// The header of an `api_key` (default `X-Api-Key`).
    #[serde(default)]
    pub header: Option<String>,
}

/// Credential schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthScheme {
    Bearer,
    ApiKey,
}

/// The record kinds a partner may provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Hours (OJT, RTI, attendance, mentoring) from an apprenticeship
    /// tracker; category PROGRESS.
    HourLogs,
    /// College courses taken for dual credit, from a college's student
    /// system; category EDUCATION_RECORDS.
    DualEnrollments,
    /// Standing on a union local's roster (applicant, member, inactive),
    /// from the union's own system; category OUTCOMES.
    UnionMemberships,
}

impl RecordKind {
    /// The setting name (`hour_logs`).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::HourLogs => "hour_logs",
            RecordKind::DualEnrollments => "dual_enrollments",
            RecordKind::UnionMemberships => "union_memberships",
        }
    }

    /// The data category its records belong to (DESIGN.md section 4).
    pub fn category(self) -> Category {
        match self {
            RecordKind::HourLogs => Category::Progress,
            RecordKind::DualEnrollments => Category::EducationRecords,
            RecordKind::UnionMemberships => Category::Outcomes,
        }
    }

    /// Our fields: (name, required).
    pub fn fields(self) -> &'static [(&'static str, bool)] {
        match self {
            RecordKind::HourLogs => &[
                ("external_id", true),
                ("participant", true),
                ("kind", true),
                ("worked_on", true),
                ("hours", true),
                ("approved", false),
                ("enrollment_external_id", false),
            ],
            RecordKind::DualEnrollments => &[
                ("external_id", true),
                ("participant", true),
                ("course_code", true),
                ("course_title", true),
                ("term", true),
                ("units_attempted", true),
                ("units_earned", false),
                ("grade", false),
                ("status", true),
                ("high_school_org", false),
            ],
            RecordKind::UnionMemberships => &[
                ("external_id", true),
                ("participant", true),
                ("union_local", true),
                ("status", true),
                ("classification", false),
                ("joined_on", false),
            ],
        }
    }

    /// Fields holding one of our enums, and whether `value` is one of them.
    fn enum_accepts(self, field: &str, value: &str) -> Option<bool> {
        match (self, field) {
            (RecordKind::HourLogs, "kind") => Some(HourKind::parse(value).is_some()),
            (RecordKind::DualEnrollments, "status") => {
                Some(DualEnrollmentStatus::parse(value).is_some())
            }
            (RecordKind::UnionMemberships, "status") => {
                Some(UnionMembershipStatus::parse(value).is_some())
            }
            _ => None,
        }
    }
}

/// How one record kind is fetched and mapped.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RecordMapping {
    /// `rest_json`: the path after `base_url` (e.g. `/hours`).
    #[serde(default)]
    pub path: Option<String>,
    /// `rest_json`: the query parameter carrying the comma-separated ids.
    #[serde(default = "default_ids_param")]
    pub ids_param: String,
    /// `graphql`: the query document; receives `$ids: [ID!]!`.
    #[serde(default)]
    pub query: Option<String>,
    /// JSON path of the list of records in the answer (`data.hours`, `$`).
    pub items: String,
    /// Our field → JSON path inside one record.
    pub fields: BTreeMap<String, String>,
    /// Our enum field → (partner's value → our value).
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
}

fn default_timeout_ms() -> u64 {
    2000
}
fn default_retries() -> u32 {
    1
}
fn default_breaker_failures() -> u32 {
    5
}
fn default_breaker_open_ms() -> u64 {
    30_000
}
fn default_cache_ttl_ms() -> u64 {
    5_000
}
fn default_ids_param() -> String {
    "ids".to_owned()
}

/// Checks one partner; `at` is its setting prefix (`partners[0]`). The
/// error is `(setting, why)`.
pub fn validate(p: &PartnerConfig, at: &str) -> Result<(), (String, String)> {
    let bad = |setting: &str, why: &str| Err((format!("{at}.{setting}"), why.to_owned()));
    let name_ok = !p.name.is_empty()
        && p.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name_ok {
        return bad("name", "must be letters, digits, - or _");
    }
    if p.org.trim().is_empty() {
        return bad("org", "must name an organization slug");
    }
    match url::Url::parse(&p.base_url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {}
        _ => return bad("base_url", "must be an http(s) URL"),
    }
    if let Some(auth) = &p.auth {
        if auth.env.trim().is_empty() {
            return bad("auth.env", "must name an environment variable");
        }
        if std::env::var(&auth.env)
            .map(|v| v.is_empty())
            .unwrap_or(true)
        {
            return bad("auth.env", "names an environment variable that is not set");
        }
        if let Some(header) = &auth.header
            && reqwest::header::HeaderName::from_bytes(header.as_bytes()).is_err()
        {
            return bad("auth.header", "is not a valid header name");
        }
    }
    if p.timeout_ms == 0 || p.timeout_ms > 60_000 {
        return bad("timeout_ms", "must be between 1 and 60000");
    }
    if p.retries > 5 {
        return bad("retries", "must be at most 5");
    }
    if p.breaker_failures == 0 {
        return bad("breaker_failures", "must be at least 1");
    }
    if p.records.is_empty() {
        return bad("records", "must declare at least one record kind");
    }
    for (kind, m) in &p.records {
        let at = format!("records.{}", kind.as_str());
        match p.kind {
            PartnerKind::RestJson if m.path.as_deref().is_none_or(|s| !s.starts_with('/')) => {
                return bad(&format!("{at}.path"), "is required and must start with /");
            }
            PartnerKind::Graphql
                if m.query.as_deref().is_none_or(|q| {
                    let q = q.trim_start();
                    !(q.starts_with("query") || q.starts_with('{'))
                }) =>
            {
                return bad(&format!("{at}.query"), "must be a GraphQL query document");
            }
            _ => {}
        }
        if JsonPath::parse(&m.items).is_err() {
            return bad(&format!("{at}.items"), "is not a JSON path like data.items");
        }
        for field in m.fields.keys() {
            if !kind.fields().iter().any(|(f, _)| f == field) {
                return bad(
                    &format!("{at}.fields.{field}"),
                    "is not a field of this record kind",
                );
            }
        }
        for (field, required) in kind.fields() {
            match m.fields.get(*field) {
                None if *required => {
                    return bad(&format!("{at}.fields.{field}"), "is required");
                }
                Some(path) if JsonPath::parse(path).is_err() => {
                    return bad(&format!("{at}.fields.{field}"), "is not a JSON path");
                }
                _ => {}
            }
        }
        for (field, map) in &m.values {
            for (theirs, ours) in map {
                match kind.enum_accepts(field, ours) {
                    None => {
                        return bad(&format!("{at}.values.{field}"), "is not an enum field");
                    }
                    Some(false) => {
                        return bad(
                            &format!("{at}.values.{field}.{theirs}"),
                            "maps to a value that is not one of ours",
                        );
                    }
                    Some(true) => {}
                }
            }
        }
    }
    Ok(())
}
