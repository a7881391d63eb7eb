//! The project's own commands (the xtask convention), run with
//! `cargo xtask ...` (an alias in `.cargo/config.toml`):
//!
//! - `cargo xtask test [cargo test arguments]`: the README's test command.
//!   Sets up what the tests need on a Debian machine that has Rust, runs
//!   `cargo test --workspace [arguments]`, stops what it started, and exits
//!   with cargo test's code.
//! - `cargo xtask fuzz [--seconds N] [TARGET...]`: runs the fuzz targets of
//!   `fuzz/` for N seconds each (default 60) and prints their figures.

mod fuzz;
mod probe;
mod replication;
mod servers;
mod setup;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

use setup::Missing;

const USAGE: &str = "usage: cargo xtask test [cargo test arguments]
       cargo xtask fuzz [--seconds N] [TARGET...]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("fuzz") => fuzz::run(&root(), &args[1..], strip_cargo_run_env),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(0)
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

/// The workspace's root folder: the parent of xtask's manifest folder,
/// which `cargo run` gives at run time (the compile-time one can name
/// another checkout when checkouts share a target folder).
fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .parent()
        .map_or_else(|| manifest.clone(), Path::to_owned)
}

/// Cargo's target folder for this workspace.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// The signal (SIGINT, SIGTERM, SIGHUP) this process received, or 0.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn remember_signal(signal: libc::c_int) {
    SIGNAL.store(signal, Ordering::SeqCst);
}

/// Keeps this process alive on Ctrl-C and termination so it can stop the
/// servers it started. Children still get the default handling (a handled
/// signal is reset by exec), and Ctrl-C reaches the whole process group.
fn catch_signals() {
    let handler = remember_signal as extern "C" fn(libc::c_int);
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only stores to an atomic.
        unsafe { libc::signal(signal, handler as libc::sighandler_t) };
    }
}

/// What the test run started, to stop at the end.
struct Started {
    run_dir: Option<PathBuf>,
    servers: Vec<servers::Server>,
}

impl Started {
    fn stop(self) {
        let count = self.servers.len();
        for server in self.servers.into_iter().rev() {
            server.stop();
        }
        if let Some(dir) = self.run_dir {
            servers::remove_run_dir(&dir);
        }
        if count > 0 {
            eprintln!("== stopped the {count} throwaway server(s) of this run");
        }
    }
}

fn test(cargo_args: &[String]) -> Result<u8, String> {
    catch_signals();
    let needs = setup::needs(cargo_args);
    let pg_url = std::env::var("HUB_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let redis_url =
        std::env::var("HUB_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let pg_answers = !needs.postgres || probe::postgres_usable(&pg_url);
    let redis_answers = !needs.redis || probe::redis_usable(&redis_url);

    // Which Debian packages are missing for what has to run here?
    let mut packages = Vec::new();
    if !pg_answers && setup::postgres_bin().is_none() {
        packages.push("postgresql");
    }
    if !redis_answers && setup::on_path("redis-server").is_none() {
        packages.push("redis-server");
    }
    if needs.replication && setup::postgres_bin().is_none() && !packages.contains(&"postgresql") {
        packages.push("postgresql");
    }
    if needs.replication && replication::pgbouncer_bin().is_none() {
        packages.push("pgbouncer");
    }
    if needs.browser && setup::chromium().is_none() {
        packages.push("chromium");
    }
    if (needs.browser || needs.gateways)
        && (setup::on_path("node").is_none() || setup::on_path("npm").is_none())
    {
        packages.extend(["nodejs", "npm"]);
    }
    match setup::decide(
        packages,
        servers::is_root(),
        setup::on_path("apt-get").is_some(),
    ) {
        Missing::Nothing => {}
        Missing::Install(packages) => setup::apt_install(&packages)?,
        Missing::Stop(packages) => return Err(setup::stop_line(&packages)),
    }

    let mut started = Started {
        run_dir: None,
        servers: Vec::new(),
    };
    let result = start_and_test(
        cargo_args,
        needs,
        &mut started,
        (pg_url, pg_answers),
        (redis_url, redis_answers),
    );
    started.stop();
    result
}

fn start_and_test(
    cargo_args: &[String],
    needs: setup::Needs,
    started: &mut Started,
    (mut pg_url, pg_answers): (String, bool),
    (mut redis_url, redis_answers): (String, bool),
) -> Result<u8, String> {
    if !pg_answers || !redis_answers || needs.replication {
        started.run_dir = Some(servers::run_dir(&target_dir())?);
    }
    let run_dir = started.run_dir.clone();
    if let Some(run_dir) = &run_dir {
        if !pg_answers {
            let bin = setup::postgres_bin()
                .ok_or("PostgreSQL's programs (initdb, postgres) not found")?;
            eprintln!(
                "== PostgreSQL does not answer at {pg_url}: starting a throwaway cluster ({})",
                bin.display()
            );
            let (server, url) = servers::start_postgres(&bin, run_dir)?;
            started.servers.push(server);
            pg_url = url;
        }
        if !redis_answers {
            let bin = setup::on_path("redis-server").ok_or("redis-server not found")?;
            eprintln!("== Redis does not answer at {redis_url}: starting a throwaway one");
            let (server, url) = servers::start_redis(&bin, run_dir)?;
            started.servers.push(server);
            redis_url = url;
        }
    }
    let mut replication_env = Vec::new();
    if let (true, Some(run_dir)) = (needs.replication, &run_dir) {
        let bin =
            setup::postgres_bin().ok_or("PostgreSQL's programs (initdb, postgres) not found")?;
        let pgbouncer = replication::pgbouncer_bin().ok_or("pgbouncer not found")?;
        eprintln!("== starting a primary, its streaming replica and PgBouncer (tests/replicas.rs)");
        let urls = replication::start(&bin, &pgbouncer, run_dir, &mut started.servers)?;
        replication_env = vec![
            ("HUB_TEST_REPL_PRIMARY_URL", urls.primary),
            ("HUB_TEST_REPLICA_URL", urls.replica),
            ("HUB_TEST_PGBOUNCER_URL", urls.pgbouncer),
        ];
    }
    let mut npm_dirs = Vec::new();
    if needs.browser {
        npm_dirs.push(root().join("tests/browser"));
    }
    if needs.gateways {
        npm_dirs.push(root().join("tests/federation-js"));
    }
    for dir in npm_dirs.iter().filter(|d| setup::npm_ci_due(d)) {
        setup::npm_ci(dir)?;
    }
    if needs.gateways && setup::hive_router().is_none() {
        eprintln!(
            "== installing Hive Router {} (cargo install hive-router; ~20 min on 2 cores, once)",
            setup::HIVE_ROUTER
        );
        let status = cargo_command()
            .args([
                "install",
                "hive-router",
                "--locked",
                "--features",
                "graphiql",
            ])
            .args(["--version", setup::HIVE_ROUTER])
            .status()
            .map_err(|e| format!("cargo install hive-router: {e}"))?;
        if !status.success() {
            return Err("cargo install hive-router failed".into());
        }
    }
    if SIGNAL.load(Ordering::SeqCst) != 0 {
        return Ok(130);
    }

    eprintln!(
        "== cargo test --workspace {} (PostgreSQL {pg_url}, Redis {redis_url})",
        cargo_args.join(" ")
    );
    let mut child = cargo_command()
        .args(["test", "--workspace"])
        .args(cargo_args)
        .current_dir(root())
        .env("HUB_TEST_PG_URL", &pg_url)
        .env("HUB_TEST_REDIS_URL", &redis_url)
        .envs(replication_env)
        .spawn()
        .map_err(|e| format!("cargo test: {e}"))?;
    let mut forwarded = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("cargo test: {e}"))? {
            break status;
        }
        let signal = SIGNAL.load(Ordering::SeqCst);
        if signal != 0 && !forwarded {
            // SAFETY: kill(2) on our own child's pid.
            unsafe { libc::kill(child.id() as libc::pid_t, signal) };
            forwarded = true;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Ok(exit_code(status))
}

/// A cargo command without the variables `cargo run` set for xtask itself
/// (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`...): build scripts that watch
/// them (ring's does) would otherwise rebuild, and again at the next plain
/// `cargo test`.
fn cargo_command() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    strip_cargo_run_env(&mut command);
    command
}

/// Removes the variables `cargo run` set for xtask from `command`.
fn strip_cargo_run_env(command: &mut Command) {
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_cargo_run_variable) {
            command.env_remove(name);
        }
    }
}

fn is_cargo_run_variable(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_MANIFEST_LINKS"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "OUT_DIR"
        )
}

/// cargo test's exit code; 128 + the signal when a signal ended it.
fn exit_code(status: std::process::ExitStatus) -> u8 {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => u8::try_from(code).unwrap_or(1),
        (None, Some(signal)) => u8::try_from(128 + signal).unwrap_or(1),
        (None, None) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variables_of_cargo_run_do_not_reach_the_inner_cargo() {
        for name in [
            "CARGO_MANIFEST_DIR",
            "CARGO_PKG_NAME",
            "CARGO_PKG_VERSION_MAJOR",
            "OUT_DIR",
        ] {
            assert!(is_cargo_run_variable(name), "{name}");
        }
        for name in [
            "CARGO_TARGET_DIR",
            "CARGO_HOME",
            "CARGO",
            "RUSTFLAGS",
            "PATH",
        ] {
            assert!(!is_cargo_run_variable(name), "{name}");
        }
    }

    #[test]
    fn exit_codes_follow_cargo_test() {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(exit_code(std::process::ExitStatus::from_raw(0)), 0);
        assert_eq!(exit_code(std::process::ExitStatus::from_raw(101 << 8)), 101);
        // Killed by SIGTERM (15): 128 + 15, as a shell says.
        assert_eq!(exit_code(std::process::ExitStatus::from_raw(15)), 143);
    }
}
