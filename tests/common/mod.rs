//! Test support: the real hub on 127.0.0.1:0 against a fresh database
//! (a SQLite file in a temporary folder, or a new PostgreSQL database),
//! tokens minted with the same code the CLI uses, and a small GraphQL client.
#![allow(dead_code)]

pub mod browser;
pub mod chaos;
pub mod conformance;
pub mod gateways;
pub mod logs;
pub mod story;

use std::net::SocketAddr;

use pathways_hub::ground::config::{AuthConfig, Config, LogFormat};
use pathways_hub::web::AppState;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};

/// The HS256 secret every test server uses.
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123";
/// The match-key secret every test server uses.
pub const TEST_MATCH_SECRET: &str = "test-match-key-secret-0123456789abcdef";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on.
pub fn pg_server_url() -> String {
    std::env::var("HUB_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A fresh, empty database URL for `backend`, plus what to clean up.
pub async fn fresh_database(backend: Backend) -> (String, Cleanup) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary folder");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("hub.db").display());
            (
                url,
                Cleanup {
                    dir: Some(dir),
                    pg_name: None,
                },
            )
        }
        Backend::Postgres => fresh_database_on(&pg_server_url()).await,
    }
}

/// A fresh, empty database on the PostgreSQL server at `server` (a
/// `postgres://user@host:port` URL), dropped with the [`Cleanup`].
pub async fn fresh_database_on(server: &str) -> (String, Cleanup) {
    let name = format!("hub_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(format!("{server}/postgres"))
        .await
        .expect("PostgreSQL answers on 127.0.0.1:5432 (set HUB_TEST_PG_URL otherwise)");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create test database");
    admin.close().await.ok();
    (
        format!("{server}/{name}"),
        Cleanup {
            dir: None,
            pg_name: Some((server.to_owned(), name)),
        },
    )
}

/// Removes a test database when dropped (also after a failed assertion).
pub struct Cleanup {
    dir: Option<tempfile::TempDir>,
    /// The server and the database's name.
    pg_name: Option<(String, String)>,
}

impl Cleanup {
    /// Nothing to clean up (a second hub on another test's database).
    pub fn none() -> Cleanup {
        Cleanup {
            dir: None,
            pg_name: None,
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Some((server, name)) = self.pg_name.take() {
            // Drop runs inside the test's runtime: use a thread with its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .ok()?;
                runtime.block_on(async {
                    let admin = sea_orm::Database::connect(format!("{server}/postgres"))
                        .await
                        .ok()?;
                    admin
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await
                        .ok()?;
                    admin.close().await.ok()
                })
            })
            .join();
        }
    }
}

/// The configuration of a test server on `database_url`.
pub fn test_config(database_url: String) -> Config {
    Config {
        database_url,
        db_max_connections: 5,
        database_read_urls: Vec::new(),
        database_pooler: Default::default(),
        replica_max_wait_ms: 50,
        listen: "127.0.0.1:0".to_owned(),
        auto_migrate: true,
        demo: false,
        match_key_secret: Some(TEST_MATCH_SECRET.to_owned()),
        log_format: LogFormat::Text,
        auth: AuthConfig {
            hs256_secret: Some(TEST_SECRET.to_owned()),
            ..AuthConfig::default()
        },
        limits: Default::default(),
        reports: Default::default(),
        webhooks: Vec::new(),
        retention: Default::default(),
        badges: Default::default(),
        fixed_today: None,
        telemetry: Default::default(),
        audit: Default::default(),
        partners: Vec::new(),
    }
}

/// A running hub.
pub struct TestApp {
    pub addr: SocketAddr,
    pub url: String,
    pub db: DatabaseConnection,
    pub state: AppState,
    pub backend: Backend,
    client: reqwest::Client,
    _cleanup: Cleanup,
}

/// Starts the hub with the demo data loaded.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, true, |_| {}).await
}

/// Starts the hub; `seed` loads the demo data; `configure` may change the
/// configuration first.
pub async fn spawn_app_with(
    backend: Backend,
    seed: bool,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    let (url, cleanup) = fresh_database(backend).await;
    spawn_app_on(backend, url, cleanup, seed, configure).await
}

/// Starts the hub on the database at `url` (dropped with `cleanup`);
/// `seed` loads the demo data; `configure` may change the configuration.
pub async fn spawn_app_on(
    backend: Backend,
    url: String,
    cleanup: Cleanup,
    seed: bool,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    pathways_hub::init_crypto();
    let mut config = test_config(url);
    configure(&mut config);
    config.validate().expect("test configuration is valid");
    let db = pathways_hub::ground::db::connect(&config)
        .await
        .expect("connect");
    pathways_hub::ground::db::migrate(&db)
        .await
        .expect("migrate");
    if seed {
        pathways_hub::cli::seed::seed_demo(&db, config.match_key_secret())
            .await
            .expect("seed");
    }
    let state = AppState::connect(config, db.clone()).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(pathways_hub::web::serve(
        listener,
        state.clone(),
        std::future::pending(),
    ));
    TestApp {
        addr,
        url: format!("http://{addr}/graphql"),
        db,
        state,
        backend,
        client: reqwest::Client::new(),
        _cleanup: cleanup,
    }
}

impl TestApp {
    /// A token for `subject` at organization `org` with `roles`, minted as the CLI does.
    pub fn token(&self, subject: &str, org: &str, roles: &[&str]) -> String {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        self.state
            .verifier
            .mint(subject, org, &roles, None)
            .expect("mint")
    }

    /// Staff token of an organization (subject `staff@<org>`).
    pub fn staff(&self, org: &str) -> String {
        self.token(&format!("staff@{org}"), org, &["staff"])
    }

    /// org_admin token of an organization (subject `admin@<org>`).
    pub fn org_admin(&self, org: &str) -> String {
        self.token(&format!("admin@{org}"), org, &["staff", "org_admin"])
    }

    /// The hub admin's token.
    pub fn hub_admin(&self) -> String {
        self.token("hub-admin@wlcac", "wlcac", &["hub_admin"])
    }

    /// POSTs a GraphQL document; returns the JSON answer.
    pub async fn query(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.post(token, json!({ "query": query, "variables": variables }))
            .await
            .1
    }

    /// POSTs any JSON body to /graphql; returns status and JSON answer.
    pub async fn post(&self, token: Option<&str>, body: Value) -> (u16, Value) {
        let mut request = self.client.post(&self.url).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let answer: Value = response.json().await.expect("JSON answer");
        assert_conforms(&body, &answer);
        (status, answer)
    }

    /// Uploads a CSV file to `/import`; returns status and JSON answer.
    pub async fn upload(
        &self,
        token: Option<&str>,
        kind: &str,
        csv: &str,
        dry_run: bool,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!(
                "http://{}/import?kind={kind}&dryRun={dry_run}",
                self.addr
            ))
            .header("content-type", "text/csv")
            .body(csv.to_owned());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON answer"))
    }

    /// GETs a path of the server.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("http://{}{path}", self.addr))
            .send()
            .await
            .expect("request")
    }

    /// Counts rows of a table.
    pub async fn count(&self, table: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                self.db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table}"),
            ))
            .await
            .expect("count query")
            .expect("a row");
        row.try_get::<i64>("", "n").expect("count")
    }
}

/// The `extensions.code` of every error, in order.
pub fn codes(answer: &Value) -> Vec<String> {
    answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts the answer has no errors.
#[track_caller]
/// An answer's errors without their request ids, each as JSON text, in a
/// stable order: what two answers to compare must agree on.
pub fn sorted_errors(answer: &Value) -> Vec<String> {
    let mut out: Vec<String> = answer["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut e| {
            if let Some(extensions) = e["extensions"].as_object_mut() {
                extensions.remove("requestId");
            }
            e.to_string()
        })
        .collect();
    out.sort();
    out
}

pub fn assert_ok(answer: &Value) {
    assert!(
        answer.get("errors").is_none_or(|e| e.is_null()),
        "unexpected errors: {answer:#}"
    );
}

/// Asserts exactly one error, with `code`; returns it.
#[track_caller]
pub fn one_error<'a>(answer: &'a Value, code: &str) -> &'a Value {
    let errors = answer["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected an error: {answer:#}"));
    assert_eq!(errors.len(), 1, "expected one error: {answer:#}");
    assert_eq!(errors[0]["extensions"]["code"], code, "{answer:#}");
    &errors[0]
}

/// Runs a test body against SQLite and against PostgreSQL: defines a module
/// `$name` with one `sqlite` and one `postgres` test.
#[macro_export]
macro_rules! hub_test {
    ($name:ident, |$backend:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $backend = $crate::common::Backend::Sqlite;
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $backend = $crate::common::Backend::Postgres;
                $body
            }
        }
    };
}

/// Inserts a bare organization (for tests that start without demo data).
pub async fn insert_org(
    db: &DatabaseConnection,
    slug: &str,
    kind: entity::enums::OrgKind,
) -> uuid::Uuid {
    use sea_orm::{ActiveValue::Set, EntityTrait};
    let id = uuid::Uuid::new_v4();
    let now = chrono::Utc::now();
    entity::organization::Entity::insert(entity::organization::ActiveModel {
        id: Set(id),
        slug: Set(slug.to_owned()),
        name: Set(slug.to_uppercase()),
        kind: Set(kind),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    id
}

/// The hub's checked-in schema, parsed once.
fn schema() -> &'static conformance::Schema {
    static SCHEMA: std::sync::OnceLock<conformance::Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let sdl = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql"),
        )
        .expect("schema.graphql is readable");
        conformance::Schema::parse(&sdl).expect("schema.graphql parses")
    })
}

/// Fails the test when an answer breaks the hub's schema (a null in a
/// non-null position, an unknown enum value, a missing or unexpected key):
/// every answer the test client receives goes through here, a batch item by
/// item. `body` is the request (`{query, variables, operationName}` or a
/// list of them); a body without a query (a persisted-query hash alone) is
/// not checked.
pub fn assert_conforms(body: &Value, answer: &Value) {
    let pairs: Vec<(&Value, &Value)> = match (body, answer) {
        (Value::Array(requests), Value::Array(answers)) => requests.iter().zip(answers).collect(),
        _ => vec![(body, answer)],
    };
    for (request, answer) in pairs {
        let Some(query) = request["query"].as_str() else {
            continue;
        };
        let violations = conformance::check(
            schema(),
            query,
            request["operationName"].as_str(),
            &request["variables"],
            answer,
        );
        assert!(
            violations.is_empty(),
            "the answer breaks the schema:\n  {}\nquery: {query}\nanswer: {answer:#}",
            violations.join("\n  ")
        );
    }
}

/// A fingerprint of a whole database: for every table the catalogue lists
/// (`sqlite_master` or `information_schema`; only the migrations
/// bookkeeping table left out), its row count and a SHA-256 of every row's
/// every column rendered to text, rows in `id` order. Two fingerprints are
/// equal only when no table gained, lost or changed a row.
pub async fn database_fingerprint(
    db: &DatabaseConnection,
) -> std::collections::BTreeMap<String, (usize, String)> {
    use sea_orm::{DbBackend, Statement};
    use sha2::{Digest, Sha256};
    let backend = db.get_database_backend();
    let strings = |sql: String| async move {
        db.query_all_raw(Statement::from_string(backend, sql))
            .await
            .expect("catalogue query")
            .iter()
            .map(|row| row.try_get_by_index::<String>(0).expect("a name"))
            .collect::<Vec<String>>()
    };
    let tables = strings(match backend {
        DbBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name"
            .to_owned(),
        _ => "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
            .to_owned(),
    })
    .await;
    let mut out = std::collections::BTreeMap::new();
    // `audit_seal` is the audit chain the sealer extends in the background
    // (once a second): derived from `audit_event`, which is compared.
    for table in tables
        .into_iter()
        .filter(|t| t != "seaql_migrations" && t != "audit_seal" && t != "audit_unsealed")
    {
        let columns = strings(match backend {
            DbBackend::Sqlite => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
            _ => format!(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = '{table}' ORDER BY ordinal_position"
            ),
        })
        .await;
        // Rows in key order: `id`, or the first column where a table is
        // keyed by its parent's id (`enrollment_hours`).
        let key = if columns.iter().any(|c| c == "id") {
            "id".to_owned()
        } else {
            columns.first().cloned().expect("a table has columns")
        };
        // Every value as text: SQLite's quote() keeps blobs (hex) and NULL
        // apart from text; PostgreSQL casts any type to text.
        let rendered: Vec<String> = columns
            .iter()
            .map(|c| match backend {
                DbBackend::Sqlite => format!("quote(\"{c}\")"),
                _ => format!("CAST(\"{c}\" AS TEXT)"),
            })
            .collect();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT {} FROM \"{table}\" ORDER BY \"{key}\", {}",
                    rendered.join(", "),
                    // Then every column: a derived table without an id
                    // (`participant_listing`) has no order of its own.
                    (1..=columns.len())
                        .map(|i| i.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ))
            .await
            .expect("table read");
        let mut hash = Sha256::new();
        for row in &rows {
            for i in 0..columns.len() {
                match row.try_get_by_index::<Option<String>>(i).expect("text") {
                    Some(text) => {
                        hash.update(b"v");
                        hash.update((text.len() as u64).to_le_bytes());
                        hash.update(text.as_bytes());
                    }
                    None => hash.update(b"n"),
                }
            }
        }
        let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        out.insert(table, (rows.len(), digest));
    }
    out
}

/// Signs in to the console as a browser does: reads the sign-in page (its
/// pre-session cookie and the form's CSRF token), then posts `token` with
/// both from the same origin. Answers the sign-in's response.
pub async fn console_sign_in(
    client: &reqwest::Client,
    base: &str,
    token: &str,
) -> reqwest::Response {
    let page = client
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .unwrap();
    let login_cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = page.text().await.unwrap();
    let marker = "name=\"login_csrf\" value=\"";
    let start = html
        .find(marker)
        .expect("the sign-in form has a CSRF token")
        + marker.len();
    let login_csrf = &html[start..start + html[start..].find('"').unwrap()];
    client
        .post(format!("{base}/admin/login"))
        .header("cookie", login_cookie)
        .header("origin", base)
        .header("sec-fetch-site", "same-origin")
        .form(&[("token", token), ("login_csrf", login_csrf)])
        .send()
        .await
        .unwrap()
}
