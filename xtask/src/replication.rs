//! A primary with a streaming replica and PgBouncer in front of the
//! primary, for the tests of `tests/replicas.rs`: a throwaway primary
//! (`initdb`), a hot standby made from it with `pg_basebackup -R`, and
//! Debian's PgBouncer in transaction mode. Their URLs go to the tests as
//! `HUB_TEST_REPL_PRIMARY_URL`, `HUB_TEST_REPLICA_URL` and
//! `HUB_TEST_PGBOUNCER_URL`.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::probe;
use crate::servers::{self, Init, Server};

/// The URLs the replica tests read.
pub struct Urls {
    pub primary: String,
    pub replica: String,
    pub pgbouncer: String,
}

/// PgBouncer's program: on `PATH` or where Debian puts it.
pub fn pgbouncer_bin() -> Option<PathBuf> {
    crate::setup::on_path("pgbouncer")
        .or_else(|| Some(PathBuf::from("/usr/sbin/pgbouncer")).filter(|p| p.exists()))
}

/// Starts the three servers (pushed onto `servers` as they start, so that
/// they stop even when a later one fails).
pub fn start(
    bin: &Path,
    pgbouncer: &Path,
    run_dir: &Path,
    servers: &mut Vec<Server>,
) -> Result<Urls, String> {
    let (primary, primary_url) = servers::start_cluster(bin, run_dir, "pg-primary", Init::Fresh)?;
    servers.push(primary);
    let port = port_of(&primary_url)?;
    let (replica, replica_url) =
        servers::start_cluster(bin, run_dir, "pg-replica", Init::StandbyOf(port))?;
    servers.push(replica);
    let (bouncer, bouncer_url) = start_pgbouncer(pgbouncer, run_dir, port)?;
    servers.push(bouncer);
    Ok(Urls {
        primary: primary_url,
        replica: replica_url,
        pgbouncer: bouncer_url,
    })
}

fn port_of(url: &str) -> Result<u16, String> {
    url.rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| format!("no port in {url}"))
}

/// PgBouncer in transaction mode in front of the primary on `primary`:
/// every database name goes to the same name there, trust logins.
fn start_pgbouncer(bin: &Path, run_dir: &Path, primary: u16) -> Result<(Server, String), String> {
    let port = probe::free_port().map_err(|e| format!("no free port: {e}"))?;
    let users = run_dir.join("pgbouncer-users.txt");
    fs::write(&users, "\"postgres\" \"\"\n").map_err(|e| e.to_string())?;
    let ini = run_dir.join("pgbouncer.ini");
    fs::write(
        &ini,
        format!(
            "[databases]\n\
             * = host=127.0.0.1 port={primary}\n\
             [pgbouncer]\n\
             listen_addr = 127.0.0.1\n\
             listen_port = {port}\n\
             unix_socket_dir =\n\
             auth_type = trust\n\
             auth_file = {users}\n\
             pool_mode = transaction\n\
             max_client_conn = 1000\n\
             default_pool_size = 20\n\
             ignore_startup_parameters = extra_float_digits\n",
            users = users.display()
        ),
    )
    .map_err(|e| e.to_string())?;
    let log = run_dir.join("pgbouncer.log");
    let out = fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let mut command = Command::new(bin);
    command
        .arg(&ini)
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| e.to_string())?)
        .stderr(out);
    // PgBouncer refuses to run as root.
    if servers::is_root() {
        let (uid, gid) = servers::unprivileged_user()?;
        command.uid(uid).gid(gid);
    }
    let child = command.spawn().map_err(|e| format!("pgbouncer: {e}"))?;
    let _ = fs::write(run_dir.join("pgbouncer.pid"), child.id().to_string());
    let mut server = Server::new(child, "PgBouncer", libc::SIGTERM);
    let url = format!("postgres://postgres@127.0.0.1:{port}");
    servers::wait_until(&mut server, &log, || probe::postgres_usable(&url))?;
    Ok((server, url))
}
