//! Federation gateways from npm in front of a test hub (`tests/federation-js`):
//! Apollo Gateway and Hive Gateway, each composing the hub's SDL with a small
//! county subgraph, so a test can compare what their clients receive with
//! the hub's own answers. The same folder holds the GraphQL-over-HTTP audit
//! suite (`http_audit.mjs`, tests/http_audit.rs).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};

/// `tests/federation-js`, its npm packages installed on first use
/// (`cargo xtask test` installs them up front).
pub fn federation_js() -> PathBuf {
    static NPM: Mutex<()> = Mutex::new(());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/federation-js");
    let _one_at_a_time = NPM.lock().unwrap_or_else(|e| e.into_inner());
    let installed = [
        "@apollo/server",
        "@graphql-hive/gateway-runtime",
        "@theguild/federation-composition",
        "graphql-http",
    ]
    .iter()
    .all(|package| {
        dir.join("node_modules")
            .join(package)
            .join("package.json")
            .exists()
    });
    if !installed {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm ci in tests/federation-js failed");
    }
    dir
}

/// A federation gateway from npm.
#[derive(Debug, Clone, Copy)]
pub enum Gateway {
    /// Apollo Server 5 + Apollo Gateway 2.
    Apollo,
    /// Hive Gateway's runtime over a supergraph composed by The Guild's
    /// federation-composition.
    Hive,
}

impl Gateway {
    pub fn name(self) -> &'static str {
        match self {
            Gateway::Apollo => "apollo",
            Gateway::Hive => "hive",
        }
    }
}

/// Sends `requests` (`(token, query, variables)`) through `gateway` composed
/// over the hub at `hub_url` (its SDL read with `sdl_token`); returns each
/// answer as the gateway's client receives it.
pub async fn through(
    gateway: Gateway,
    hub_url: &str,
    sdl_token: &str,
    requests: &[(String, String, Value)],
) -> Vec<Value> {
    let dir = federation_js();
    let input: Vec<Value> = requests
        .iter()
        .map(|(token, query, variables)| {
            json!({ "token": token, "query": query, "variables": variables })
        })
        .collect();
    let printed = node(
        &dir,
        "pages.mjs",
        &[
            ("HUB_URL", hub_url),
            ("HUB_TOKEN", sdl_token),
            ("PARTICIPANT_IDS", ""),
            ("GATEWAY", gateway.name()),
        ],
        &Value::from(input),
    )
    .await;
    printed["results"].as_array().expect("results").to_vec()
}

/// Runs `script` of `dir` with node, `env` set and `input` on its standard
/// input; answers the one JSON line it prints (its stderr shown on failure).
async fn node(dir: &Path, script: &str, env: &[(&str, &str)], input: &Value) -> Value {
    use std::io::Write;
    let mut command = std::process::Command::new("node");
    command
        .arg(dir.join(script))
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let body = serde_json::to_vec(input).expect("input as JSON");
    let output = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("node runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&body)
            .expect("input written");
        child.wait_with_output()
    })
    .await
    .expect("join")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).expect("one JSON line")
}

/// The errors of an answer as `(path, code, category, partner)`, sorted:
/// what a client keys on, without what gateways add (`serviceName`) or drop
/// (`locations`).
pub fn error_keys(answer: &Value) -> Vec<(String, String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let mut keys: Vec<_> = answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["path"].to_string(),
                        text(&e["extensions"]["code"]),
                        text(&e["extensions"]["category"]),
                        text(&e["extensions"]["partner"]),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    keys.sort();
    keys
}

/// Where two answers' data first differ (numbers compared by value: a
/// gateway in JavaScript writes `2.0` as `2`), or `None`.
pub fn first_difference(left: &Value, right: &Value) -> Option<String> {
    fn walk(path: &str, left: &Value, right: &Value) -> Option<String> {
        match (left, right) {
            (Value::Number(a), Value::Number(b)) => {
                (a.as_f64() != b.as_f64()).then(|| format!("{path}: {a} ≠ {b}"))
            }
            (Value::Array(a), Value::Array(b)) => {
                if a.len() != b.len() {
                    return Some(format!("{path}: {} ≠ {} items", a.len(), b.len()));
                }
                a.iter()
                    .zip(b)
                    .enumerate()
                    .find_map(|(i, (x, y))| walk(&format!("{path}[{i}]"), x, y))
            }
            (Value::Object(a), Value::Object(b)) => {
                let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter().find_map(|k| {
                    walk(
                        &format!("{path}.{k}"),
                        a.get(k).unwrap_or(&Value::Null),
                        b.get(k).unwrap_or(&Value::Null),
                    )
                    .or_else(|| {
                        (a.contains_key(k) != b.contains_key(k))
                            .then(|| format!("{path}.{k}: present on one side only"))
                    })
                })
            }
            _ => (left != right).then(|| format!("{path}: {left} ≠ {right}")),
        }
    }
    walk("data", left, right)
}

/// The Hive Router binary: `HIVE_ROUTER`, else `hive_router` (what the
/// crate `hive-router` installs) on the PATH or in cargo's bin folder
/// (`cargo xtask test` installs it there).
pub fn hive_router() -> PathBuf {
    if let Ok(path) = std::env::var("HIVE_ROUTER") {
        return PathBuf::from(path);
    }
    pathways_hub::cli::bench::find_hive_router()
        .expect("hive-router is installed (`cargo xtask test` installs it with cargo install)")
}

/// Every demo organization's slug, each one's staff asking `page`, and
/// what the hub answers each directly (the answers a router must match).
pub async fn partner_pages(
    app: &super::TestApp,
    page: &str,
) -> (Vec<String>, Vec<(String, String, Value)>, Vec<Value>) {
    let admin = app.hub_admin();
    let orgs = app
        .query(Some(&admin), "{ organizations { slug } }", json!({}))
        .await;
    let slugs: Vec<String> = orgs["data"]["organizations"]
        .as_array()
        .expect("organizations")
        .iter()
        .map(|o| o["slug"].as_str().expect("slug").to_owned())
        .collect();
    assert!(slugs.len() >= 20, "every demo partner: {slugs:?}");
    let requests: Vec<(String, String, Value)> = slugs
        .iter()
        .map(|slug| (app.staff(slug), page.to_owned(), json!({})))
        .collect();
    let mut direct = Vec::new();
    for (token, query, variables) in &requests {
        direct.push(app.query(Some(token), query, variables.clone()).await);
    }
    (slugs, requests, direct)
}

/// What a client of Hive Router receives: `requests` one after another,
/// and every `concurrent` request `times` times all at once (answers
/// grouped per request).
pub async fn through_router(
    hub_url: &str,
    sdl_token: &str,
    requests: &[(String, String, Value)],
    concurrent: &[(String, String, Value)],
    times: usize,
) -> (Vec<Value>, Vec<Vec<Value>>) {
    let dir = federation_js();
    let list = |r: &[(String, String, Value)]| -> Vec<Value> {
        r.iter()
            .map(|(token, query, variables)| {
                json!({ "token": token, "query": query, "variables": variables })
            })
            .collect()
    };
    let input =
        json!({ "requests": list(requests), "concurrent": list(concurrent), "times": times });
    let router = hive_router();
    let printed = node(
        &dir,
        "router.mjs",
        &[
            ("HUB_URL", hub_url),
            ("HUB_TOKEN", sdl_token),
            ("HIVE_ROUTER", &router.to_string_lossy()),
        ],
        &input,
    )
    .await;
    let results = printed["results"].as_array().expect("results").to_vec();
    let together = printed["concurrent"]
        .as_array()
        .expect("concurrent")
        .iter()
        .map(|group| group.as_array().expect("answers").to_vec())
        .collect();
    (results, together)
}
