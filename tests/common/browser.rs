//! Runs a script of `tests/browser/` (playwright-core driving Debian's
//! headless Chromium) against a running test hub. `cargo xtask test` installs
//! Chromium (as root) and the npm package; under a plain `cargo test` the
//! package is installed here on first use.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use super::{Backend, TestApp};

static NPM: Mutex<()> = Mutex::new(());

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// The Chromium to drive: `$CHROMIUM`, else Debian's.
fn chromium() -> String {
    let path = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&path).exists(),
        "Chromium not found at {path}: install Debian's `chromium` package (`cargo xtask test` does as root) or set CHROMIUM"
    );
    path
}

fn ensure_packages() {
    let _one_at_a_time = NPM.lock().unwrap_or_else(|e| e.into_inner());
    let dir = browser_dir();
    if dir
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .status()
        .expect("npm runs");
    assert!(status.success(), "npm ci in tests/browser failed");
}

/// Where a test's screenshots go: `target/screenshots/<test>/<backend>/`,
/// emptied first, so that only this run's files can satisfy the test.
pub fn screenshots(test: &str, backend: Backend) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/screenshots")
        .join(test)
        .join(format!("{backend:?}").to_lowercase());
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => panic!("cannot empty {}: {e}", dir.display()),
    }
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// Runs `script` with the hub's base URL and `env`; panics with the
/// script's output when it fails. Returns its standard output.
pub async fn run(app: &TestApp, script: &str, shots: &Path, env: &[(&str, String)]) -> String {
    ensure_packages();
    let chromium = chromium();
    let mut command = Command::new("node");
    command
        .arg(browser_dir().join(script))
        .current_dir(browser_dir())
        .env("HUB_BASE", format!("http://{}", app.addr))
        .env("SHOTS_DIR", shots)
        .env("CHROMIUM", chromium);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
