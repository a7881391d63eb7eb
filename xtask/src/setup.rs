//! What the selected tests need, what is missing, and what to do about it:
//! use what answers, start throwaway servers from installed programs,
//! install Debian packages as root, or stop with one line.

use std::path::{Path, PathBuf};
use std::process::Command;

/// What a `cargo test` selection needs besides Rust.
#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
pub struct Needs {
    pub postgres: bool,
    pub redis: bool,
    /// Chromium and `tests/browser`'s npm packages (the console's tests).
    pub browser: bool,
    /// Node and `tests/federation-js`'s npm packages (federation gateways,
    /// the GraphQL-over-HTTP audit suite) and Hive Router (`hive-router`).
    pub gateways: bool,
    /// A primary with a streaming replica and PgBouncer (`replicas`).
    pub replication: bool,
}

/// Test files that drive a browser or npm gateways; every other target
/// needs only the databases.
const BROWSER_TESTS: &[&str] = &["console"];
const GATEWAY_TESTS: &[&str] = &["federation", "gateways", "http_audit", "router"];
const REPLICATION_TESTS: &[&str] = &["replicas"];

/// Reads `cargo test` arguments: `--test NAME` selections (and nothing
/// selecting every test file) narrow what is set up; anything else sets
/// up everything.
pub fn needs(args: &[String]) -> Needs {
    let mut tests = Vec::new();
    let mut everything = true;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--" => break,
            "--test" => {
                everything = false;
                tests.extend(iter.next().cloned());
            }
            "--lib" | "--bins" | "--doc" | "--examples" | "--benches" => everything = false,
            "--tests" | "--all-targets" => return all(),
            other => {
                if let Some(name) = other.strip_prefix("--test=") {
                    everything = false;
                    tests.push(name.to_owned());
                } else if other.starts_with("--bin") || other.starts_with("--example") {
                    everything = false;
                }
            }
        }
    }
    if everything {
        return all();
    }
    let any = |names: &[&str]| tests.iter().any(|t| names.contains(&t.as_str()));
    Needs {
        postgres: true,
        redis: true,
        browser: any(BROWSER_TESTS),
        gateways: any(GATEWAY_TESTS),
        replication: any(REPLICATION_TESTS),
    }
}

fn all() -> Needs {
    Needs {
        postgres: true,
        redis: true,
        browser: true,
        gateways: true,
        replication: true,
    }
}

/// The Hive Router version the router test runs: 0.3 needs a newer rustc
/// than this machine's; without `graphiql` its build script fetches an npm
/// package the registry here does not serve.
pub const HIVE_ROUTER: &str = "0.2.19";

/// The router's executable (`hive_router`, as the crate `hive-router`
/// installs it) on `PATH` or in cargo's bin folder.
pub fn hive_router() -> Option<PathBuf> {
    on_path("hive_router").or_else(|| {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
        Some(home.join("bin/hive_router")).filter(|p| is_executable(p))
    })
}

/// `name` on `PATH`.
pub fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The directory holding `initdb`, `postgres` and `pg_ctl`: from `PATH`
/// (links followed), else the newest `/usr/lib/postgresql/*/bin`.
pub fn postgres_bin() -> Option<PathBuf> {
    let complete = |dir: &Path| {
        ["initdb", "postgres"]
            .iter()
            .all(|p| is_executable(&dir.join(p)))
    };
    if let Some(initdb) = on_path("initdb").and_then(|p| p.canonicalize().ok())
        && let Some(dir) = initdb.parent()
        && complete(dir)
    {
        return Some(dir.to_owned());
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| complete(dir))
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir)
}

/// The Chromium the browser tests drive: `$CHROMIUM`, else Debian's
/// (the same rule as `tests/common/browser.rs`).
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.exists().then_some(path)
}

/// What to do when programs are missing.
#[derive(Debug, PartialEq, Eq)]
pub enum Missing {
    /// Nothing is missing.
    Nothing,
    /// Install these Debian packages with apt-get (we are root).
    Install(Vec<&'static str>),
    /// Stop: the user must install these packages.
    Stop(Vec<&'static str>),
}

/// The decision table: missing Debian packages are installed when we may
/// (root and apt-get), otherwise named.
pub fn decide(packages: Vec<&'static str>, root: bool, apt_get: bool) -> Missing {
    if packages.is_empty() {
        Missing::Nothing
    } else if root && apt_get {
        Missing::Install(packages)
    } else {
        Missing::Stop(packages)
    }
}

/// The one line printed when packages are missing and cannot be installed.
pub fn stop_line(packages: &[&str]) -> String {
    format!(
        "cargo xtask test: install {} first (Debian: sudo apt-get install {}), or set HUB_TEST_PG_URL / HUB_TEST_REDIS_URL / CHROMIUM to ones you run",
        packages.join(", "),
        packages.join(" ")
    )
}

/// Installs Debian packages with apt-get.
pub fn apt_install(packages: &[&str]) -> Result<(), String> {
    eprintln!("== installing {} (apt-get)", packages.join(" "));
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map_err(|e| format!("apt-get: {e}"))
            .and_then(|s| {
                s.success()
                    .then_some(())
                    .ok_or_else(|| format!("apt-get {} failed ({s})", args[0]))
            })
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq"];
    install.extend(packages);
    apt(&install)
}

/// Whether `npm ci` must run in `dir`: no `node_modules` yet, or it is
/// older than `package-lock.json`.
pub fn npm_ci_due(dir: &Path) -> bool {
    let modified = |p: PathBuf| p.metadata().and_then(|m| m.modified()).ok();
    let installed = modified(dir.join("node_modules/.package-lock.json"));
    let locked = modified(dir.join("package-lock.json"));
    match (installed, locked) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    }
}

/// Runs `npm ci` in `dir`.
pub fn npm_ci(dir: &Path) -> Result<(), String> {
    eprintln!("== npm ci in {}", dir.display());
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .map_err(|e| format!("npm: {e}"))?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("npm ci in {} failed ({status})", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_whole_suite_needs_everything() {
        assert_eq!(needs(&[]), all());
        assert_eq!(needs(&args(&["--", "--test-threads=1"])), all());
        assert_eq!(needs(&args(&["some_test_name"])), all());
        assert_eq!(needs(&args(&["--test", "scale", "--tests"])), all());
    }

    #[test]
    fn selected_test_files_need_only_their_tools() {
        let databases = Needs {
            postgres: true,
            redis: true,
            ..Needs::default()
        };
        assert_eq!(
            needs(&args(&[
                "--test",
                "limits",
                "--test=scale",
                "--test",
                "privacy"
            ])),
            databases
        );
        assert_eq!(needs(&args(&["--lib"])), databases);
        let console = needs(&args(&["--test", "console"]));
        assert!(console.browser && !console.gateways);
        let gateways = needs(&args(&["--test=gateways", "--", "--nocapture"]));
        assert!(gateways.gateways && !gateways.browser);
        let replicas = needs(&args(&["--test", "replicas"]));
        assert!(replicas.replication && !replicas.gateways && !replicas.browser);
        assert!(needs(&args(&["--test", "http_audit"])).gateways);
        // After `--` the words go to the test binaries, not to cargo.
        assert_eq!(
            needs(&args(&["--lib", "--", "--test", "console"])),
            databases
        );
    }

    #[test]
    fn missing_packages_are_installed_only_by_root_with_apt() {
        assert_eq!(decide(vec![], false, false), Missing::Nothing);
        assert_eq!(decide(vec![], true, true), Missing::Nothing);
        assert_eq!(
            decide(vec!["postgresql", "redis-server"], true, true),
            Missing::Install(vec!["postgresql", "redis-server"])
        );
        assert_eq!(
            decide(vec!["chromium"], false, true),
            Missing::Stop(vec!["chromium"])
        );
        assert_eq!(
            decide(vec!["chromium"], true, false),
            Missing::Stop(vec!["chromium"])
        );
        let line = stop_line(&["postgresql", "redis-server"]);
        assert!(!line.contains('\n'));
        assert!(
            line.contains("apt-get install postgresql redis-server"),
            "{line}"
        );
    }

    #[test]
    fn npm_ci_runs_when_node_modules_is_missing_or_stale() {
        let dir = std::env::temp_dir().join(format!("xtask-npm-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("node_modules")).expect("mkdir");
        std::fs::write(dir.join("package-lock.json"), "{}").expect("lock");
        assert!(npm_ci_due(&dir), "no node_modules/.package-lock.json yet");
        let installed = dir.join("node_modules/.package-lock.json");
        std::fs::write(&installed, "{}").expect("installed");
        let set = |path: &Path, secs: u64| {
            let time = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
            std::fs::File::options()
                .write(true)
                .open(path)
                .and_then(|f| f.set_modified(time))
                .expect("set mtime");
        };
        set(&dir.join("package-lock.json"), 1_000);
        set(&installed, 2_000);
        assert!(!npm_ci_due(&dir), "installed after the lock file changed");
        set(&dir.join("package-lock.json"), 3_000);
        assert!(npm_ci_due(&dir), "the lock file changed since");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
