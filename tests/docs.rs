//! The documentation keeps its promises (issue 33). Three checks over
//! `README.md`, `CHANGELOG.md` and `docs/*.md`:
//!
//! 1. `links_and_anchors_resolve` — every relative link names a file or
//!    folder that exists, and every `#anchor` names a heading of its target
//!    file by GitHub's slug (lower case, punctuation dropped, spaces to `-`,
//!    `-1`, `-2`… for repeated headings). No database.
//! 2. `the_configuration_reference_names_every_setting` — the settings are
//!    read from the code, not from a list kept here: a configuration with
//!    every optional part present (one partner with credentials, one
//!    webhook, one retention entry) is serialized and walked key by key.
//!    Each setting needs a row in the "Configuration reference" of
//!    `docs/operators.md`; each row must name a setting the code has; and
//!    a plain setting's row must name its environment variable
//!    (`limits.max_depth` → `PATHWAYS_LIMITS__MAX_DEPTH`). No database.
//! 3. `graphql_examples_answer_as_the_docs_say` — every ```` ```graphql ````
//!    block runs against the real server with the demo data (SQLite, the
//!    demo's limits): one fresh hub per file, the blocks in the order they
//!    appear, so a file can tell a story (a write, then its `CONFLICT`).
//!
//! Conventions inside a ```` ```graphql ```` block — comment lines, which
//! GraphQL ignores, so a reader can paste the whole block into GraphiQL:
//!
//! - `# as: SUBJECT` (required): whose token runs it — the subject of a
//!   demo user as `serve --demo` prints them (`staff@hola`, `admin@wlcac`,
//!   `hub-admin@wlcac`, `evaluator@harder-co`, `youth-1@demo`, …), minted
//!   with that user's organization and roles; `anonymous` for no token;
//!   or `token --sub S [--org SLUG] [--roles a,b]`, the token the CLI's
//!   `pathways-hub token` mints with these arguments (roles default to
//!   `staff`; without `--org`, a youth's own token with no roles — not
//!   linked to any record).
//! - `# expect: CODE[, CODE…]`: the answer has errors, each with one of
//!   these `extensions.code`s, and each named code occurs. Without it the
//!   answer must have no error at all.
//! - `# variables: {…}`: the operation's variables, one line of JSON.
//!
//! Anything that is not a runnable operation (SDL, a fragment of a
//! document, an HTTP exchange) goes in another fence (```` ```text ````).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Toml};
use pathways_hub::ground::config::{Config, demo_config_toml};
use serde_json::Value;

// ---------------------------------------------------------------------
// Reading the Markdown files
// ---------------------------------------------------------------------

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// README.md, CHANGELOG.md and every Markdown file of docs/, as paths
/// relative to the repository.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md"), PathBuf::from("CHANGELOG.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .map(|path| path.strip_prefix(repo()).unwrap().to_path_buf())
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

fn read(file: &Path) -> String {
    std::fs::read_to_string(repo().join(file))
        .unwrap_or_else(|e| panic!("{} cannot be read: {e}", file.display()))
}

/// One line of a Markdown file: its number (from 1) and whether it lies
/// inside a fenced code block (fence lines included).
struct Line<'a> {
    number: usize,
    text: &'a str,
    fenced: bool,
}

/// A fence's opening marker (three or more backticks or tildes, after at
/// most three spaces) and the rest of its line.
fn fence(line: &str) -> Option<(char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let marker = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let count = rest.chars().take_while(|c| *c == marker).count();
    (count >= 3).then(|| (marker, count, rest[count..].trim()))
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut open: Option<(char, usize)> = None;
    let mut out = Vec::new();
    for (i, text) in text.lines().enumerate() {
        let fenced = match (open, fence(text)) {
            (None, Some((marker, count, _))) => {
                open = Some((marker, count));
                true
            }
            (Some((marker, count)), Some((m, c, rest)))
                if m == marker && c >= count && rest.is_empty() =>
            {
                open = None;
                true
            }
            (open, _) => open.is_some(),
        };
        out.push(Line {
            number: i + 1,
            text,
            fenced,
        });
    }
    out
}

/// A fenced code block: its language and body, and the line it opens on.
struct Block {
    line: usize,
    language: String,
    body: String,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<(char, usize, Block)> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut current, fence(line)) {
            (None, Some((marker, count, info))) => {
                let language = info.split_whitespace().next().unwrap_or("").to_owned();
                let block = Block {
                    line: i + 1,
                    language,
                    body: String::new(),
                };
                current = Some((marker, count, block));
            }
            (Some((marker, count, _)), Some((m, c, rest)))
                if m == *marker && c >= *count && rest.is_empty() =>
            {
                out.push(current.take().unwrap().2);
            }
            (Some((_, _, block)), _) => {
                block.body.push_str(line);
                block.body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// `line` without its inline code spans (a run of N backticks up to the
/// next run of exactly N).
fn without_code_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + run;
        let mut closed = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let other = chars[j..].iter().take_while(|c| **c == '`').count();
                if other == run {
                    closed = Some(j + other);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match closed {
            Some(end) => i = end,
            None => {
                out.extend(&chars[i..i + run]);
                i += run;
            }
        }
    }
    out
}

/// The targets of the inline links and images of a line of prose:
/// `[text](target)` and `![alt](target "title")`.
fn link_targets(line: &str) -> Vec<String> {
    let line = without_code_spans(line);
    let mut out = Vec::new();
    let mut rest = line.as_str();
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let Some(end) = after.find(')') else { break };
        let target = after[..end].split_whitespace().next().unwrap_or("");
        let target = target.trim_start_matches('<').trim_end_matches('>');
        if !target.is_empty() {
            out.push(target.to_owned());
        }
        rest = &after[end..];
    }
    out
}

/// GitHub's anchor of a heading: the text as rendered (code spans keep
/// their text, links their label, emphasis markers go), lower case, every
/// character that is not a letter, a digit, `-`, `_` or a space dropped,
/// spaces turned into `-`.
fn slug(heading: &str) -> String {
    let mut text = heading.replace('`', "");
    // [label](target) → label
    while let (Some(open), Some(mid)) = (text.find('['), text.find("](")) {
        let Some(close) = text[mid..].find(')').map(|c| mid + c) else {
            break;
        };
        if open > mid {
            break;
        }
        text = format!(
            "{}{}{}",
            &text[..open],
            &text[open + 1..mid],
            &text[close + 1..]
        );
    }
    text.to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings (outside code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for line in lines(text).iter().filter(|l| !l.fenced) {
        let trimmed = line.text.trim_start();
        let level = trimmed.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&level) || !trimmed[level..].starts_with(' ') {
            continue;
        }
        let heading = trimmed[level..].trim().trim_end_matches('#').trim();
        let base = slug(heading);
        let n = seen.entry(base.clone()).or_insert(0);
        out.insert(if *n == 0 {
            base.clone()
        } else {
            format!("{base}-{n}")
        });
        *n += 1;
    }
    out
}

// ---------------------------------------------------------------------
// 1. Links and anchors
// ---------------------------------------------------------------------

/// What is wrong with one link of `file`, if anything.
fn broken(file: &Path, target: &str) -> Option<String> {
    if target.contains("://") || target.starts_with("mailto:") {
        return None;
    }
    let (path, anchor) = match target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (target, None),
    };
    let resolved = if path.is_empty() {
        file.to_path_buf()
    } else {
        file.parent().unwrap_or(Path::new("")).join(path)
    };
    let on_disk = repo().join(&resolved);
    if !on_disk.exists() {
        return Some(format!("{} does not exist", resolved.display()));
    }
    let anchor = anchor?;
    if on_disk.extension().is_none_or(|e| e != "md") {
        return Some(format!("#{anchor} points into a file that is not Markdown"));
    }
    let known = anchors(&std::fs::read_to_string(&on_disk).unwrap());
    (!known.contains(anchor)).then(|| {
        format!(
            "no heading of {} has the anchor #{anchor}",
            resolved.display()
        )
    })
}

#[test]
fn links_and_anchors_resolve() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in doc_files() {
        let text = read(&file);
        for line in lines(&text).iter().filter(|l| !l.fenced) {
            for target in link_targets(line.text) {
                checked += 1;
                if let Some(why) = broken(&file, &target) {
                    problems.push(format!(
                        "{}:{}: ({target}) {why}",
                        file.display(),
                        line.number
                    ));
                }
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} links found: is the parser broken?"
    );
    assert!(
        problems.is_empty(),
        "broken links:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn slugs_follow_github() {
    assert_eq!(
        slug("Writes, `version` and `CONFLICT`"),
        "writes-version-and-conflict"
    );
    assert_eq!(slug("What /me shows"), "what-me-shows");
    assert_eq!(slug("Why can't HOLA see this?"), "why-cant-hola-see-this");
    assert_eq!(
        slug("Importing spreadsheets (CSV)"),
        "importing-spreadsheets-csv"
    );
    assert_eq!(
        slug("See [the model](privacy.md) here"),
        "see-the-model-here"
    );
    let repeated = anchors("# Notes\n\n## Notes\n\n```\n# not a heading\n```\n");
    assert_eq!(
        repeated,
        BTreeSet::from(["notes".to_owned(), "notes-1".to_owned()])
    );
    assert_eq!(
        link_targets("see [a](x.md#y) and `[b](not-a-link)` and ![c](img.png \"t\")"),
        vec!["x.md#y".to_owned(), "img.png".to_owned()]
    );
}

// ---------------------------------------------------------------------
// 2. The configuration reference
// ---------------------------------------------------------------------

/// Every optional part of the configuration present, so that walking its
/// serialization meets every key the structs have. Deserialized without
/// validation (the partner's credential variable need not be set).
const EVERY_PART: &str = r#"
match_key_secret = "0123456789abcdef0123456789abcdef"
[auth]
hs256_secret = "0123456789abcdef0123456789abcdef"
[retention]
SERVICES = 2555
[[webhooks]]
org = "hola"
url = "https://hooks.example.org/pathways"
secret = "0123456789abcdef"
[[partners]]
name = "apprentiscope"
org = "alliance-arts2work"
kind = "rest_json"
base_url = "https://tracker.example.org/api"
[partners.auth]
scheme = "bearer"
env = "APPRENTISCOPE_TOKEN"
[partners.records.hour_logs]
path = "/hours"
items = "data"
[partners.records.hour_logs.fields]
participant = "apprentice.id"
[partners.records.hour_logs.values.kind]
"On the job" = "OJT"
"#;

/// Maps whose keys are data, not settings: the key becomes a placeholder.
const OPEN_MAPS: &[(&str, &str)] = &[("retention", "CATEGORY"), ("partners[].records", "KIND")];

/// Maps that are one setting as a whole.
const WHOLE_MAPS: &[&str] = &[
    "partners[].records.KIND.fields",
    "partners[].records.KIND.values",
];

/// The settings' names: `section.key`, `[]` after an array of tables,
/// placeholders for open maps' keys.
fn walk(prefix: &str, value: &Value, out: &mut BTreeSet<String>) {
    let join = |key: &str| {
        if prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{prefix}.{key}")
        }
    };
    match value {
        Value::Object(map) if !WHOLE_MAPS.contains(&prefix) => {
            let placeholder = OPEN_MAPS.iter().find(|(p, _)| *p == prefix);
            for (key, inner) in map {
                walk(&join(placeholder.map_or(key, |(_, p)| p)), inner, out);
            }
        }
        Value::Array(items) if items.first().is_some_and(Value::is_object) => {
            walk(&format!("{prefix}[]"), &items[0], out);
        }
        _ => {
            out.insert(prefix.to_owned());
        }
    }
}

fn settings_in_code() -> BTreeSet<String> {
    let config: Config = Figment::new()
        .merge(Toml::string(EVERY_PART))
        .extract()
        .expect("the full configuration deserializes");
    let mut out = BTreeSet::new();
    walk("", &serde_json::to_value(&config).unwrap(), &mut out);
    out
}

/// The environment variable of a plain setting (not in an array of
/// tables nor an open map).
fn env_var(setting: &str) -> Option<String> {
    let plain =
        !setting.contains("[]") && !OPEN_MAPS.iter().any(|(map, _)| setting.starts_with(map));
    plain.then(|| format!("PATHWAYS_{}", setting.replace('.', "__").to_uppercase()))
}

/// The rows of the "Configuration reference" section of
/// docs/operators.md: first cell's setting → the whole row.
fn documented_settings() -> (BTreeMap<String, String>, Vec<String>) {
    let text = read(Path::new("docs/operators.md"));
    let mut rows = BTreeMap::new();
    let mut problems = Vec::new();
    let mut inside = false;
    for line in lines(&text).iter().filter(|l| !l.fenced) {
        if line.text.starts_with("## ") {
            inside = line.text.trim() == "## Configuration reference";
            continue;
        }
        if !inside || !line.text.starts_with('|') {
            continue;
        }
        let first = line.text.split('|').nth(1).unwrap_or("").trim();
        if first == "setting" || first.starts_with("---") {
            continue;
        }
        match first.strip_prefix('`').and_then(|s| s.strip_suffix('`')) {
            Some(name) if !name.contains('`') => {
                if rows.insert(name.to_owned(), line.text.to_owned()).is_some() {
                    problems.push(format!("line {}: `{name}` has two rows", line.number));
                }
            }
            _ => problems.push(format!(
                "line {}: a row's first cell must be one setting in backticks, not {first:?}",
                line.number
            )),
        }
    }
    (rows, problems)
}

#[test]
fn the_configuration_reference_names_every_setting() {
    let code = settings_in_code();
    assert!(
        code.len() > 60
            && code.contains("limits.max_depth")
            && code.contains("partners[].records.KIND.items"),
        "the walk found too little: {code:?}"
    );
    let (docs, mut problems) = documented_settings();
    for setting in &code {
        match docs.get(setting) {
            None => problems.push(format!(
                "`{setting}` is a setting in the code without a row in docs/operators.md's configuration reference"
            )),
            Some(row) => {
                if let Some(var) = env_var(setting)
                    && !row.contains(&format!("`{var}`"))
                {
                    problems.push(format!("the row of `{setting}` does not name `{var}`"));
                }
            }
        }
    }
    for setting in docs.keys().filter(|s| !code.contains(*s)) {
        problems.push(format!(
            "docs/operators.md documents `{setting}`, which the code does not have"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ---------------------------------------------------------------------
// 3. GraphQL examples
// ---------------------------------------------------------------------

/// A runnable example and what its comments ask.
struct Example {
    file: PathBuf,
    line: usize,
    query: String,
    viewer: Option<String>,
    expect: BTreeSet<String>,
    variables: Value,
}

fn examples(file: &Path) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    for block in blocks(&read(file))
        .into_iter()
        .filter(|b| b.language == "graphql")
    {
        let at = format!("{}:{}", file.display(), block.line);
        let directive = |name: &str| {
            block
                .body
                .lines()
                .filter_map(|l| l.trim().strip_prefix('#'))
                .filter_map(|l| l.trim().strip_prefix(name))
                .filter_map(|l| l.strip_prefix(':'))
                .map(|l| l.trim().to_owned())
                .next()
        };
        let viewer = directive("as").ok_or(format!("{at}: the block has no `# as:` line"))?;
        let variables = match directive("variables") {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| format!("{at}: `# variables:` is not JSON: {e}"))?,
            None => Value::Object(Default::default()),
        };
        out.push(Example {
            file: file.to_path_buf(),
            line: block.line,
            query: block.body.clone(),
            viewer: (viewer != "anonymous").then_some(viewer),
            expect: directive("expect")
                .map(|codes| {
                    codes
                        .split(',')
                        .map(|c| c.trim().to_owned())
                        .filter(|c| !c.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            variables,
        });
    }
    Ok(out)
}

/// What is wrong with an example's answer, if anything.
fn unexpected(example: &Example, answer: &Value) -> Option<String> {
    let codes: BTreeSet<String> = common::codes(answer).into_iter().collect();
    let has_errors = answer.get("errors").is_some_and(|e| !e.is_null());
    if example.expect.is_empty() {
        return has_errors.then(|| format!("expected no error, got {codes:?}: {answer}"));
    }
    if !has_errors {
        return Some(format!("expected {:?}, got no error", example.expect));
    }
    (codes != example.expect).then(|| {
        format!(
            "expected the codes {:?}, got {codes:?}: {answer}",
            example.expect
        )
    })
}

/// The claims a `# as:` line names: subject, organization, roles.
fn viewer_claims(
    viewer: &str,
    users: &[pathways_hub::cli::seed::DemoUser],
) -> Result<(String, String, Vec<String>), String> {
    let Some(args) = viewer.strip_prefix("token ") else {
        return users
            .iter()
            .find(|u| u.subject == viewer)
            .map(|u| (u.subject.clone(), u.org_slug.clone(), u.roles.clone()))
            .ok_or(format!("`# as: {viewer}` is no demo user"));
    };
    let mut words = args.split_whitespace();
    let (mut sub, mut org, mut roles) = (None, String::new(), vec!["staff".to_owned()]);
    while let Some(flag) = words.next() {
        let value = words.next().ok_or(format!("`{flag}` needs a value"))?;
        match flag {
            "--sub" => sub = Some(value.to_owned()),
            "--org" => org = value.to_owned(),
            "--roles" => roles = value.split(',').map(str::to_owned).collect(),
            _ => return Err(format!("`# as: token` does not know `{flag}`")),
        }
    }
    if org.is_empty() {
        roles.clear();
    }
    Ok((sub.ok_or("`# as: token` needs `--sub`")?, org, roles))
}

/// The demo's limits, as `serve --demo` has them.
fn demo_limits() -> pathways_hub::ground::config::LimitsConfig {
    Config::from_figment(Figment::new().merge(Toml::string(&demo_config_toml())))
        .expect("the demo configuration is valid")
        .limits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_examples_answer_as_the_docs_say() {
    let users = pathways_hub::cli::seed::demo_users();
    let mut problems = Vec::new();
    let mut counted = BTreeMap::new();
    for file in doc_files() {
        let examples = match examples(&file) {
            Ok(examples) => examples,
            Err(why) => {
                problems.push(why);
                continue;
            }
        };
        counted.insert(file.display().to_string(), examples.len());
        if examples.is_empty() {
            continue;
        }
        // One fresh demo hub per file: its examples tell one story.
        let app = common::spawn_app_with(common::Backend::Sqlite, true, |config| {
            config.demo = true;
            config.limits = demo_limits();
        })
        .await;
        for example in &examples {
            let at = format!("{}:{}", example.file.display(), example.line);
            let token = match example.viewer.as_deref() {
                None => None,
                Some(viewer) => match viewer_claims(viewer, &users) {
                    Ok((subject, org, roles)) => {
                        let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
                        Some(app.token(&subject, &org, &roles))
                    }
                    Err(why) => {
                        problems.push(format!("{at}: {why}"));
                        continue;
                    }
                },
            };
            let answer = app
                .query(token.as_deref(), &example.query, example.variables.clone())
                .await;
            if let Some(why) = unexpected(example, &answer) {
                problems.push(format!("{at}: {why}"));
            }
        }
    }
    for file in ["README.md", "docs/partners.md"] {
        if counted.get(file).is_none_or(|n| *n == 0) {
            problems.push(format!("{file} has no GraphQL example: {counted:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
