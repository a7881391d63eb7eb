//! The source tree keeps the shape docs/architecture.md draws: few rooms at the top
//! of `src/`, no import circle between them (a lower part never reaches
//! into a higher one), and no file so long that a newcomer gets lost in it.
//! Read from the code's own `use crate::…` and `crate::x::` paths outside
//! `#[cfg(test)]` modules.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_TOP_LEVEL_ENTRIES: usize = 16;
const MAX_FILE_LINES: usize = 500;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a path under `src/` belongs to (`None` for the
/// crate root files).
fn top_module(path: &Path) -> Option<String> {
    let relative = path.strip_prefix(src()).unwrap();
    let first = relative
        .components()
        .next()?
        .as_os_str()
        .to_str()?
        .to_owned();
    match first.as_str() {
        "lib.rs" | "main.rs" => None,
        name => Some(name.trim_end_matches(".rs").to_owned()),
    }
}

/// The text without its `#[cfg(test)] mod … { … }` blocks.
fn without_tests(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let block = after
            .find('{')
            .filter(|open| after[..*open].contains("mod "));
        let Some(open) = block else {
            out.push_str("#[cfg(test)]");
            rest = &after["#[cfg(test)]".len()..];
            continue;
        };
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn identifier(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The top-level modules a file names through `crate::x` paths, including
/// `use crate::{x, y::z}` groups.
fn names_used(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        used.insert(identifier(&group[i..]).to_owned());
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            used.insert(identifier(rest).to_owned());
        }
    }
    used
}

/// Top-level module → the top-level modules it uses.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let tops: BTreeSet<String> = files.iter().filter_map(|f| top_module(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(top) = top_module(file) else {
            continue;
        };
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = without_tests(&std::fs::read_to_string(file).unwrap());
        let edges = graph.entry(top.clone()).or_default();
        for name in names_used(&text) {
            if name != top && tops.contains(&name) {
                edges.insert(name);
            }
        }
    }
    graph
}

/// A circle through `start`, if there is one.
fn circle_through(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_owned()];
    walk(graph, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn the_top_of_src_holds_few_rooms() {
    let entries: Vec<String> = std::fs::read_dir(src())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        entries.len() <= MAX_TOP_LEVEL_ENTRIES,
        "src/ holds {} entries (at most {MAX_TOP_LEVEL_ENTRIES}): {entries:?}",
        entries.len()
    );
}

#[test]
fn no_import_circle_between_top_level_modules() {
    let graph = module_graph();
    assert!(graph.len() >= 10, "the graph was read: {graph:?}");
    // The ground takes nothing from the floors above it.
    assert_eq!(
        graph["ground"],
        BTreeSet::new(),
        "ground uses {:?}",
        graph["ground"]
    );
    for module in graph.keys() {
        if let Some(circle) = circle_through(&graph, module) {
            panic!("import circle: {} → {module}", circle.join(" → "));
        }
    }
}

#[test]
fn the_circle_finder_finds_circles() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(circle_through(&graph, "a"), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(
        circle_through(&graph, "a"),
        Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()])
    );
    let used = names_used(
        "use crate::{ground::error::Error, policy};\nfn f() { crate::audit::x(); }\n#[cfg(test)]\nmod tests { use crate::web; }",
    );
    assert!(used.contains("ground") && used.contains("policy") && used.contains("audit"));
    assert!(
        !names_used(&without_tests(
            "#[cfg(test)]\nmod tests { use crate::web; }"
        ))
        .contains("web")
    );
}

#[test]
fn no_source_file_is_over_500_lines() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).unwrap().lines().count();
            (lines > MAX_FILE_LINES).then(|| format!("{} ({lines})", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split by concept: {long:?}");
}

/// Files that write profiles, consents or agreements but move no grant of
/// `participant_listing`, each with why.
const WRITES_THAT_MOVE_NO_LISTING: [(&str, &str); 2] = [
    (
        "records/corrections.rs",
        "corrects names, contact fields and guardian names, which no grant depends on",
    ),
    (
        "records/retention.rs",
        "marks an ended agreement's destruction ordered; an ended agreement grants nothing",
    ),
];

/// Who may list whom is kept as data (`policy::listing`), so every write
/// that can move it must rewrite the grants in its own transaction: a file
/// that inserts, updates or deletes profiles, consents or agreements calls
/// `listing::refresh`, or says above why it need not. Erasure and linking
/// write through macros and call it too (checked by name).
#[test]
fn every_write_that_moves_access_rewrites_the_listing() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let tables = ["participant_profile", "consent", "sharing_agreement"];
    let mut missing = Vec::new();
    let mut writers = 0;
    for file in &files {
        let text = without_tests(&std::fs::read_to_string(file).unwrap());
        let relative = file
            .strip_prefix(src())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let writes = tables.iter().any(|t| {
            ["insert", "update", "delete"]
                .iter()
                .any(|w| text.contains(&format!("{t}::Entity::{w}")))
                || text.contains(&format!("insert::<{t}::Entity>"))
        }) || ["records/erase.rs", "records/linking.rs"].contains(&relative.as_str());
        if !writes {
            continue;
        }
        writers += 1;
        let excused = WRITES_THAT_MOVE_NO_LISTING
            .iter()
            .any(|(f, _)| *f == relative);
        if !excused && !text.contains("listing::refresh(") {
            missing.push(relative);
        }
    }
    assert!(writers >= 10, "the scan found only {writers} writers");
    assert!(
        missing.is_empty(),
        "these write profiles, consents or agreements without `policy::listing::refresh`: {missing:?}"
    );
}
