//! The binary as a new user runs it: `serve --demo` in an empty folder,
//! `token` in the same folder, configuration errors, `export-schema`.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

fn hub(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pathways-hub"));
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("PATHWAYS_CONFIG");
    for (key, _) in std::env::vars() {
        if key.starts_with("PATHWAYS_") {
            command.env_remove(key);
        }
    }
    command
}

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn graphql(url: &str, token: &str, query: &str) -> Value {
    pathways_hub::init_crypto();
    let body = json!({ "query": query });
    let answer = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    common::assert_conforms(&body, &answer);
    answer
}

#[tokio::test]
async fn serve_demo_in_an_empty_folder_prints_a_working_url_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = hub(dir.path())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    // Read the banner up to the hint that ends it.
    let mut banner = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(120)) {
        let done = line.starts_with("More tokens:");
        banner.push(line);
        if done {
            break;
        }
    }
    let text = banner.join("\n");
    assert!(
        text.contains("/admin"),
        "the console's URL is printed:\n{text}"
    );
    assert!(
        dir.path().join("pathways-hub.db").exists(),
        "the SQLite file is created"
    );
    assert!(
        dir.path().join("pathways-hub.toml").exists(),
        "the demo configuration is written"
    );
    let url = banner
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix("GraphQL:")
                .map(|rest| rest.split_whitespace().next().unwrap().to_owned())
        })
        .unwrap_or_else(|| panic!("no GraphQL URL in:\n{text}"));
    let token_of = |label: &str| {
        banner
            .iter()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split_whitespace().last())
            .unwrap_or_else(|| panic!("no {label} token in:\n{text}"))
            .to_owned()
    };
    for label in [
        "Hub administrator",
        "Harder+Co evaluator",
        "WLCAC admin",
        "WLCAC staff",
        "HOLA staff",
    ] {
        assert!(text.contains(label), "{label} missing from:\n{text}");
    }

    let answer = graphql(
        &url,
        &token_of("WLCAC staff"),
        "{ viewer { subject organization { slug } } organizations { slug } }",
    )
    .await;
    assert_eq!(
        answer["data"]["viewer"]["organization"]["slug"], "wlcac",
        "{answer}"
    );
    assert!(answer["data"]["organizations"].as_array().unwrap().len() >= 22);
    let answer = graphql(&url, &token_of("Hub administrator"), "{ viewer { roles } }").await;
    assert_eq!(answer["data"]["viewer"]["roles"], json!(["HUB_ADMIN"]));

    // `token` in the same folder uses the same configuration.
    let output = hub(dir.path())
        .args([
            "token",
            "--sub",
            "staff@hola",
            "--org",
            "hola",
            "--roles",
            "staff",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let answer = graphql(&url, &token, "{ viewer { subject organization { slug } } }").await;
    assert_eq!(
        answer["data"]["viewer"]["subject"], "staff@hola",
        "{answer}"
    );

    // A role the hub does not know is refused with a clear line.
    let output = hub(dir.path())
        .args(["token", "--sub", "x", "--org", "hola", "--roles", "root"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown role `root`"));
}

#[test]
fn a_bad_setting_stops_the_start_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pathways-hub.toml"),
        "match_key_secret = \"0123456789abcdef0123456789abcdef\"\n[auth]\nhs256_secret = \"too-short\"\n",
    )
    .unwrap();
    let output = hub(dir.path()).arg("serve").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("auth.hs256_secret"), "{stderr}");

    // The environment overrides the file, and is validated the same way.
    std::fs::write(
        dir.path().join("pathways-hub.toml"),
        "match_key_secret = \"0123456789abcdef0123456789abcdef\"\n[auth]\nhs256_secret = \"0123456789abcdef0123456789abcdef\"\n",
    )
    .unwrap();
    let output = hub(dir.path())
        .arg("serve")
        .env("PATHWAYS_LISTEN", "nowhere")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`listen`"));
    let output = hub(dir.path())
        .arg("serve")
        .env("DATABASE_URL", "mysql://db")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("`database_url`"));
    let output = hub(dir.path())
        .arg("serve")
        .env("PATHWAYS_AUTH__JWKS_URL", "ftp://keys")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains("`auth.jwks_url`"));
    // Keys over plain http only from a loopback address.
    let output = hub(dir.path())
        .arg("serve")
        .env(
            "PATHWAYS_AUTH__JWKS_URL",
            "http://issuer.example.org/jwks.json",
        )
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("`auth.jwks_url` must be an https:// URL"),
        "{stderr}"
    );
    // Without any configuration outside demo mode, the missing secret is named.
    std::fs::remove_file(dir.path().join("pathways-hub.toml")).unwrap();
    let output = hub(dir.path()).arg("serve").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("match_key_secret"));
}

#[test]
fn exported_schema_matches_the_checked_in_file() {
    let dir = tempfile::tempdir().unwrap();
    let output = hub(dir.path()).arg("export-schema").output().unwrap();
    assert!(output.status.success());
    let exported = String::from_utf8(output.stdout).unwrap();
    let checked_in =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql"))
            .unwrap();
    assert!(
        exported == checked_in,
        "schema.graphql drifted from the code: run `cargo run -- export-schema --out schema.graphql` and commit it"
    );
    for name in [
        "type Organization",
        "createOrganization",
        "createProgram",
        "BAD_USER_INPUT",
    ] {
        if name != "BAD_USER_INPUT" {
            assert!(exported.contains(name), "{name}");
        }
    }
}

#[test]
fn import_from_the_command_line_reports_bad_lines_and_writes_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pathways-hub.toml"),
        "match_key_secret = \"0123456789abcdef0123456789abcdef\"\n[auth]\nhs256_secret = \"0123456789abcdef0123456789abcdef\"\n",
    )
    .unwrap();
    let output = hub(dir.path()).args(["seed", "--demo"]).output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let header = "external_id,given_name,family_name,birth_date\n";
    std::fs::write(
        dir.path().join("bad.csv"),
        format!("{header}HOLA-900,Ana,Ruiz,2004-05-01\nHOLA-901,Ben,Ortiz,05/01/2004\n"),
    )
    .unwrap();
    let output = hub(dir.path())
        .args([
            "import",
            "--org",
            "hola",
            "--kind",
            "participants",
            "bad.csv",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 3, column birth_date"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");

    std::fs::write(
        dir.path().join("good.csv"),
        format!("{header}HOLA-900,Ana,Ruiz,2004-05-01\nHOLA-901,Ben,Ortiz,2004-05-01\n"),
    )
    .unwrap();
    for expected in ["2 inserted, 0 unchanged", "0 inserted, 2 unchanged"] {
        let output = hub(dir.path())
            .args([
                "import",
                "--org",
                "hola",
                "--kind",
                "participants",
                "good.csv",
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains(expected), "{stdout}");
    }
    let output = hub(dir.path())
        .args(["import", "--org", "nobody", "--kind", "hours", "good.csv"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no organization"));
}

/// Personal data never reaches the logs: the demo hub runs with JSON logs
/// at debug level while partners read and write participants, and every
/// captured line is scanned for every demo youth's name, email and birth date.
#[tokio::test]
async fn logs_carry_request_ids_and_no_personal_data() {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let dir = tempfile::tempdir().unwrap();
    let mut child = hub(dir.path())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .env("PATHWAYS_LOG_FORMAT", "json")
        .env("PATHWAYS_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    // Reads the log until the server's standard error closes.
    let log_reader = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<String>>()
    });
    let (lines_tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut banner = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(120)) {
        let done = line.starts_with("More tokens:");
        banner.push(line);
        if done {
            break;
        }
    }
    let url = banner
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix("GraphQL:")
                .map(|r| r.split_whitespace().next().unwrap().to_owned())
        })
        .unwrap();
    let token_of = |label: &str| {
        banner
            .iter()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.split_whitespace().last())
            .unwrap()
            .to_owned()
    };
    // Reads of every category, by the owner and by partners, and writes.
    for label in ["WLCAC staff", "HOLA staff", "WLCAC admin"] {
        let answer = graphql(&url, &token_of(label), "{ participants(first: 100) { edges { node { id givenName familyName email phone birthDate postalCode priorityPopulations enrollments { hourLogs { hours } } consents { guardianName } } } } }").await;
        assert!(
            answer["data"]["participants"]["edges"].is_array(),
            "{answer}"
        );
    }
    let staff = token_of("WLCAC staff");
    let answer = graphql(&url, &staff, "mutation { createParticipant(input: { givenName: \"Xiomara\", familyName: \"Quetzalli\", birthDate: \"2005-03-17\", email: \"xiomara.q@example.com\" }) { id } }").await;
    assert!(answer.get("errors").is_none(), "{answer}");
    graphql(&url, &staff, "mutation { createParticipant(input: { givenName: \"Yolotzin\", familyName: \"Quetzalli\", birthDate: \"2011-03-17\", email: \"bad-email\" }) { id } }").await;
    graphql(&url, "not-a-token", "{ viewer { subject } }").await;

    let db = Database::connect(format!(
        "sqlite://{}",
        dir.path().join("pathways-hub.db").display()
    ))
    .await
    .unwrap();
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT given_name, family_name, email, birth_date FROM participant_profile",
        ))
        .await
        .unwrap();
    let mut secrets: Vec<String> = Vec::new();
    for row in rows {
        for column in ["given_name", "family_name", "email", "birth_date"] {
            if let Ok(Some(value)) = row.try_get::<Option<String>>("", column) {
                secrets.push(value);
            }
        }
    }
    assert!(secrets.len() > 200, "{} values", secrets.len());
    secrets.extend(["Yolotzin".to_owned(), "bad-email".to_owned()]);
    // The server is killed and waited for; its standard error then ends and
    // the reader returns every line it wrote.
    drop(server);
    let logs = log_reader.join().unwrap();
    assert!(logs.len() > 10, "{} log lines", logs.len());
    let words = |line: &str| -> std::collections::HashSet<String> {
        line.split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '-')
            .map(str::to_owned)
            .collect()
    };
    for line in &logs {
        let tokens = words(line);
        for secret in &secrets {
            let hit = if secret.contains('@') || secret.contains('-') {
                line.contains(secret.as_str())
            } else {
                tokens.contains(secret)
            };
            assert!(!hit, "personal data {secret:?} in a log line: {line}");
        }
        let json: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        if json["span"]["name"] == "request" {
            assert!(
                json["span"]["request_id"]
                    .as_str()
                    .is_some_and(|id| id.len() >= 32),
                "a request's line carries its id: {line}"
            );
        }
    }
    assert!(
        logs.iter().any(|l| l.contains("\"request_id\"")),
        "request lines are logged"
    );
}
