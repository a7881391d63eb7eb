//! Throwaway PostgreSQL and Redis servers for one test run: their files
//! live in `<target>/xtask/<pid>/`, they listen on free ports of
//! 127.0.0.1, and they stop (and their files go) when the run ends.
//! A run that was killed leaves its folder; the next run stops what still
//! runs from it and removes it.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::probe;

/// Connections the throwaway PostgreSQL accepts: each test app pools up
/// to 5, test binaries run two tests at a time, some tests start several
/// instances, and cargo may run doc tests next to them.
const MAX_CONNECTIONS: u32 = 300;

/// A server started for this run.
pub struct Server {
    child: Child,
    name: &'static str,
    /// Signal that shuts it down cleanly (SIGINT: PostgreSQL's fast shutdown).
    stop_signal: i32,
}

impl Server {
    /// A server we spawned as `child`, stopped with `stop_signal`.
    pub fn new(child: Child, name: &'static str, stop_signal: i32) -> Server {
        Server {
            child,
            name,
            stop_signal,
        }
    }

    /// Stops the server and waits for it.
    pub fn stop(mut self) {
        let pid = self.child.id() as libc::pid_t;
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(pid, self.stop_signal) };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                _ => {
                    eprintln!("== {} did not stop in 30 s: killing it", self.name);
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break;
                }
            }
        }
    }
}

/// This run's folder, after clearing the folders of runs that are gone.
pub fn run_dir(target: &Path) -> Result<PathBuf, String> {
    let base = target.join("xtask");
    for entry in fs::read_dir(&base).into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<i32>().ok())
        else {
            continue;
        };
        if !alive(pid) {
            clear_stale(&entry.path());
        }
    }
    let dir = base.join(std::process::id().to_string());
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

fn alive(pid: i32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

/// Stops servers a killed run left behind, then removes its folder.
fn clear_stale(dir: &Path) {
    for (pid_file, signal) in [
        (dir.join("pgbouncer.pid"), libc::SIGTERM),
        (dir.join("pg/postmaster.pid"), libc::SIGQUIT),
        (dir.join("pg-replica/postmaster.pid"), libc::SIGQUIT),
        (dir.join("pg-primary/postmaster.pid"), libc::SIGQUIT),
        (dir.join("redis.pid"), libc::SIGTERM),
    ] {
        let pid = fs::read_to_string(&pid_file)
            .ok()
            .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<i32>().ok()));
        if let Some(pid) = pid.filter(|p| *p > 1 && alive(*p)) {
            eprintln!(
                "== stopping server {pid} left by an earlier run ({})",
                dir.display()
            );
            // SAFETY: kill(2); the pid was written by a server we started.
            unsafe { libc::kill(pid, signal) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while alive(pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let _ = fs::remove_dir_all(dir);
}

/// Removes this run's folder (after its servers stopped).
pub fn remove_run_dir(dir: &Path) {
    let _ = fs::remove_dir_all(dir);
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    // SAFETY: geteuid(2) has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The user and group PostgreSQL runs as when we are root (it refuses to
/// run as root): `postgres` if it exists, else a system user we create.
pub fn unprivileged_user() -> Result<(u32, u32), String> {
    let lookup = |name: &str| -> Option<(u32, u32)> {
        let out = Command::new("getent")
            .args(["passwd", name])
            .output()
            .ok()?;
        let line = String::from_utf8(out.stdout).ok()?;
        let fields: Vec<&str> = line.trim().split(':').collect();
        Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?))
    };
    if let Some(ids) = lookup("postgres").or_else(|| lookup("hub-test")) {
        return Ok(ids);
    }
    let status = Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "hub-test",
        ])
        .status()
        .map_err(|e| format!("useradd: {e}"))?;
    if !status.success() {
        return Err(format!("useradd hub-test failed ({status})"));
    }
    lookup("hub-test").ok_or_else(|| "user hub-test not found after useradd".into())
}

/// Starts a throwaway PostgreSQL cluster (trust authentication, user
/// `postgres`) from the programs in `bin`; returns it and its URL.
pub fn start_postgres(bin: &Path, run_dir: &Path) -> Result<(Server, String), String> {
    start_cluster(bin, run_dir, "pg", Init::Fresh)
}

/// How a cluster's data folder is made.
pub enum Init {
    /// `initdb`.
    Fresh,
    /// `pg_basebackup -R` from the primary on this port: a streaming
    /// replica (hot standby).
    StandbyOf(u16),
}

/// Starts a throwaway cluster in `run_dir/<name>`; returns it and its URL.
pub fn start_cluster(
    bin: &Path,
    run_dir: &Path,
    name: &str,
    init: Init,
) -> Result<(Server, String), String> {
    let data = run_dir.join(name);
    // The socket path must stay short (at most 107 bytes with its name).
    let socket_dir = if run_dir.as_os_str().len() < 80 {
        run_dir.to_owned()
    } else {
        let dir = std::env::temp_dir().join(format!("hub-xtask-{}", std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        dir
    };
    let user = if is_root() {
        let (uid, gid) = unprivileged_user()?;
        for dir in [run_dir, &socket_dir] {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        }
        Some((uid, gid))
    } else {
        None
    };
    let as_user = |command: &mut Command| {
        if let Some((uid, gid)) = user {
            command.uid(uid).gid(gid);
        }
    };
    let log = run_dir.join(format!("{name}.log"));
    let log_file = || fs::File::options().create(true).append(true).open(&log);
    if let Init::StandbyOf(primary) = init {
        let mut backup = Command::new(bin.join("pg_basebackup"));
        backup
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &primary.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-R", "-X", "stream", "--no-sync", "-D"])
            .arg(&data)
            .stdout(log_file().map_err(|e| e.to_string())?)
            .stderr(log_file().map_err(|e| e.to_string())?);
        as_user(&mut backup);
        let status = backup.status().map_err(|e| format!("pg_basebackup: {e}"))?;
        if !status.success() {
            return Err(format!(
                "pg_basebackup failed ({status}); see {}",
                log.display()
            ));
        }
    }
    for locale in ["C.UTF-8", "C"] {
        if !matches!(init, Init::Fresh) {
            break;
        }
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
            .arg(format!("--locale={locale}"))
            .arg("-D")
            .arg(&data)
            .stdout(log_file().map_err(|e| e.to_string())?)
            .stderr(log_file().map_err(|e| e.to_string())?);
        as_user(&mut initdb);
        let status = initdb.status().map_err(|e| format!("initdb: {e}"))?;
        if status.success() {
            break;
        }
        if locale == "C" {
            return Err(format!("initdb failed ({status}); see {}", log.display()));
        }
        let _ = fs::remove_dir_all(&data);
    }
    let port = probe::free_port().map_err(|e| format!("no free port: {e}"))?;
    let mut postgres = Command::new(bin.join("postgres"));
    postgres
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(&socket_dir)
        .args(["-c", "listen_addresses=127.0.0.1"])
        .args(["-c", &format!("max_connections={MAX_CONNECTIONS}")])
        // A throwaway cluster: durability buys nothing, speed helps. (A
        // commit still waits for its WAL write: what a replica's reader
        // checks is what production does.)
        .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
        .args([
            "-c",
            if name == "pg" {
                "synchronous_commit=off"
            } else {
                "synchronous_commit=on"
            },
        ])
        .stdin(Stdio::null())
        .stdout(log_file().map_err(|e| e.to_string())?)
        .stderr(log_file().map_err(|e| e.to_string())?);
    as_user(&mut postgres);
    let child = postgres.spawn().map_err(|e| format!("postgres: {e}"))?;
    let mut server = Server {
        child,
        name: "PostgreSQL",
        stop_signal: libc::SIGINT,
    };
    let url = format!("postgres://postgres@127.0.0.1:{port}");
    if matches!(init, Init::StandbyOf(_)) {
        // A standby answers logins once it is consistent.
        wait_until(&mut server, &log, || probe::postgres_usable(&url))?;
        return Ok((server, url));
    }
    wait_until(&mut server, &log, || probe::postgres_usable(&url))?;
    Ok((server, url))
}

/// Starts a throwaway Redis (no persistence) from `redis_server`.
pub fn start_redis(redis_server: &Path, run_dir: &Path) -> Result<(Server, String), String> {
    let port = probe::free_port().map_err(|e| format!("no free port: {e}"))?;
    let log = run_dir.join("redis.log");
    let out = fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    let child = Command::new(redis_server)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .arg("--dir")
        .arg(run_dir)
        .stdin(Stdio::null())
        .stdout(out.try_clone().map_err(|e| e.to_string())?)
        .stderr(out)
        .spawn()
        .map_err(|e| format!("redis-server: {e}"))?;
    let _ = fs::write(run_dir.join("redis.pid"), child.id().to_string());
    let mut server = Server {
        child,
        name: "Redis",
        stop_signal: libc::SIGTERM,
    };
    let url = format!("redis://127.0.0.1:{port}");
    wait_until(&mut server, &log, || probe::redis_usable(&url))?;
    Ok((server, url))
}

/// Polls `ready` until it holds; fails if the server exits or takes over
/// a minute (the log's end goes in the error).
pub fn wait_until(server: &mut Server, log: &Path, ready: impl Fn() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if ready() {
            return Ok(());
        }
        let exited = server.child.try_wait().ok().flatten();
        if exited.is_some() || Instant::now() > deadline {
            let text = fs::read_to_string(log).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(5).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            let _ = server.child.kill();
            let _ = server.child.wait();
            return Err(format!(
                "{} did not start ({}): {}",
                server.name,
                exited.map_or("no answer in 60 s".into(), |s| s.to_string()),
                tail.join(" | ")
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
