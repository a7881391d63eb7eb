//! A hub for self-contained benchmarks: its own temporary database (a
//! SQLite file, or a fresh database on a PostgreSQL server), migrated and
//! filled by the caller, served on 127.0.0.1:0 in this process, with rate
//! limits out of the way of one benchmark subject. The configured database
//! is never touched; the temporary one goes when the hub stops.

use std::path::PathBuf;

use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::ground::config::PartnerConfig;
use crate::ground::config::{AuthConfig, Config, LogFormat};
use crate::ground::error::{Error, Result};

/// Where the temporary database lives.
enum Store {
    /// A SQLite file (and its -wal, -shm).
    File(PathBuf),
    /// A database `name` on the PostgreSQL server at `server`.
    Postgres { server: String, name: String },
}

/// A temporary database and, once served, the hub on it.
pub struct TempHub {
    pub db: DatabaseConnection,
    config: Config,
    store: Store,
    /// `http://127.0.0.1:PORT/graphql` once served.
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    /// Mints the served hub's tokens.
    verifier: Option<std::sync::Arc<crate::auth::TokenVerifier>>,
}

impl TempHub {
    /// A fresh, migrated database for a hub calling `partners`: a SQLite
    /// file, or with `postgres` (a server URL without a database name,
    /// e.g. `postgres://postgres@127.0.0.1:5432`) a new database there.
    pub async fn open(partners: Vec<PartnerConfig>, postgres: Option<&str>) -> Result<TempHub> {
        let id = Uuid::new_v4().simple();
        let (store, database_url) = match postgres {
            None => {
                let file = std::env::temp_dir().join(format!("pathways-bench-{id}.db"));
                let url = format!("sqlite://{}?mode=rwc", file.display());
                (Store::File(file), url)
            }
            Some(server) => {
                let server = server.trim_end_matches('/').to_owned();
                let name = format!("pathways_bench_{id}");
                admin(&server, &format!("CREATE DATABASE \"{name}\"")).await?;
                let url = format!("{server}/{name}");
                (Store::Postgres { server, name }, url)
            }
        };
        let secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
        let config = Config {
            database_url,
            db_max_connections: 10,
            database_read_urls: Vec::new(),
            database_pooler: Default::default(),
            replica_max_wait_ms: 50,
            listen: "127.0.0.1:0".into(),
            auto_migrate: true,
            demo: false,
            match_key_secret: Some(secret.clone()),
            log_format: LogFormat::Text,
            auth: AuthConfig {
                hs256_secret: Some(secret),
                ..AuthConfig::default()
            },
            partners,
            // The benchmark's one subject must not meet the rate limits.
            limits: crate::ground::config::LimitsConfig {
                per_subject_per_minute: 100_000_000,
                per_ip_per_minute: 100_000_000,
                ..Default::default()
            },
            reports: Default::default(),
            webhooks: Vec::new(),
            retention: Default::default(),
            badges: Default::default(),
            fixed_today: None,
            telemetry: Default::default(),
            audit: Default::default(),
        };
        config
            .validate()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let db = crate::ground::db::connect(&config).await?;
        crate::ground::db::migrate(&db).await?;
        Ok(TempHub {
            db,
            config,
            store,
            url: String::new(),
            stop: None,
            server: None,
            verifier: None,
        })
    }

    /// The temporary database: its file, or its name on the server.
    pub fn database(&self) -> String {
        match &self.store {
            Store::File(file) => file.display().to_string(),
            Store::Postgres { name, .. } => name.clone(),
        }
    }

    /// Serves the hub (after the caller filled the database) and returns a
    /// staff token of `org`.
    pub async fn serve(&mut self, org: &str) -> Result<String> {
        let state = crate::web::AppState::new(self.config.clone(), self.db.clone())
            .map_err(|e| Error::Internal(e.to_string()))?;
        self.verifier = Some(state.verifier.clone());
        let token = self.mint(org, &format!("staff@{org}"))?;
        let (listener, addr) = bind_local().await?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        self.server = Some(tokio::spawn(crate::web::serve(listener, state, async {
            let _ = stopped.await;
        })));
        self.stop = Some(stop);
        self.url = format!("http://{addr}/graphql");
        Ok(token)
    }

    /// A staff token of `org` for `subject`, once served: clients that
    /// send as distinct viewers (a router deduplicates identical requests
    /// only when their Authorization header is the same).
    pub fn mint(&self, org: &str, subject: &str) -> Result<String> {
        let verifier = self
            .verifier
            .as_ref()
            .ok_or_else(|| Error::Internal("the hub is not served yet".into()))?;
        verifier.mint(subject, org, &["staff".to_owned()], Some(3600))
    }

    /// Stops the hub and removes the database files.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.db.clone().close().await.ok();
        match &self.store {
            Store::File(file) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                }
            }
            Store::Postgres { server, name } => {
                let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                if let Err(err) = admin(server, &drop).await {
                    eprintln!("could not drop the benchmark database {name}: {err:?}");
                }
            }
        }
    }
}

/// A listener on a free port of 127.0.0.1, and its address.
pub(super) async fn bind_local() -> Result<(tokio::net::TcpListener, std::net::SocketAddr)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| Error::Internal(format!("bind: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Internal(format!("addr: {e}")))?;
    Ok((listener, addr))
}

/// Runs `sql` on the server's `postgres` database.
async fn admin(server: &str, sql: &str) -> Result<()> {
    use sea_orm::ConnectionTrait;
    let db = sea_orm::Database::connect(format!("{server}/postgres"))
        .await
        .map_err(|e| Error::Internal(format!("cannot connect to {server}/postgres: {e}")))?;
    let done = db.execute_unprepared(sql).await;
    db.close().await.ok();
    done.map(|_| ())
        .map_err(|e| Error::Internal(format!("{sql}: {e}")))
}
