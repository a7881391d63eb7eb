//! `cargo xtask fuzz [--seconds N] [TARGET...]`: runs each fuzz target of
//! `fuzz/` with `cargo +nightly fuzz run` for N seconds (default 60), then
//! prints per target the executions and crashes that libFuzzer reports.
//! New inputs go to `fuzz/target/corpus/<target>`, the committed seeds in
//! `fuzz/seeds/<target>` are only read, and a crash's input lands in
//! `fuzz/artifacts/<target>/`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The targets of `fuzz/Cargo.toml`, in the order they run.
pub const TARGETS: &[&str] = &["graphql_body", "csv_import", "filters", "bearer_token"];

/// One target's figures.
#[derive(Debug, PartialEq, Eq)]
pub struct Figures {
    pub executions: u64,
    pub crashes: u32,
}

/// Runs the targets `args` name (all by default); `clean_env` takes the
/// variables of `cargo run` off the inner cargo.
pub fn run(root: &Path, args: &[String], clean_env: fn(&mut Command)) -> Result<u8, String> {
    let mut seconds = 60u64;
    let mut targets = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--seconds" {
            seconds = iter
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or("--seconds needs a whole number")?;
        } else if let Some(value) = arg.strip_prefix("--seconds=") {
            seconds = value
                .parse()
                .map_err(|_| "--seconds needs a whole number")?;
        } else if TARGETS.contains(&arg.as_str()) {
            targets.push(arg.as_str());
        } else {
            return Err(format!(
                "unknown fuzz target {arg} (targets: {})",
                TARGETS.join(", ")
            ));
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    let fuzz_dir = root.join("fuzz");
    let mut rows = Vec::new();
    for target in &targets {
        let corpus = fuzz_dir.join("target/corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let log = fuzz_dir.join("target").join(format!("{target}.log"));
        let log_file =
            std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        eprintln!(
            "== fuzzing {target} for {seconds} s (log: {})",
            log.display()
        );
        let started = Instant::now();
        let mut command = Command::new("cargo");
        clean_env(&mut command);
        let status = command
            .args(["+nightly", "fuzz", "run", "--sanitizer", "none", target])
            .arg(&corpus)
            .arg(fuzz_dir.join("seeds").join(target))
            .args([
                "--",
                &format!("-max_total_time={seconds}"),
                "-print_final_stats=1",
            ])
            .current_dir(&fuzz_dir)
            // The main workspace's target folder is not the fuzz crate's.
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO")
            .env_remove("RUSTUP_TOOLCHAIN")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
            .stderr(log_file)
            .status()
            .map_err(|e| format!("cargo +nightly fuzz (cargo install cargo-fuzz): {e}"))?;
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let figures = figures(&text, status.success());
        if figures.executions == 0 && !status.success() && figures.crashes == 0 {
            return Err(format!(
                "fuzzing {target} failed ({status}); see {}",
                log.display()
            ));
        }
        rows.push((*target, figures, started.elapsed().as_secs()));
    }
    println!(
        "{:<14} {:>12} {:>8} {:>8}",
        "target", "executions", "crashes", "seconds"
    );
    for (target, figures, secs) in &rows {
        println!(
            "{target:<14} {:>12} {:>8} {secs:>8}",
            figures.executions, figures.crashes
        );
    }
    let crashed = rows.iter().any(|(_, f, _)| f.crashes > 0);
    Ok(if crashed { 1 } else { 0 })
}

/// Reads libFuzzer's output: the executions from its final statistics
/// (`stat::number_of_executed_units`, else the last `#N` status line) and
/// the crashes it wrote (`Test unit written to ./crash-...` and the like).
pub fn figures(log: &str, succeeded: bool) -> Figures {
    let stat = log.lines().rev().find_map(|line| {
        line.strip_prefix("stat::number_of_executed_units:")
            .and_then(|n| n.trim().parse().ok())
    });
    let status_line = || {
        log.lines().rev().find_map(|line| {
            let rest = line.strip_prefix('#')?;
            let number = rest.split_whitespace().next()?;
            number.parse().ok()
        })
    };
    let written = log
        .lines()
        .filter(|line| {
            line.contains("Test unit written to")
                && ["crash-", "oom-", "timeout-", "leak-"]
                    .iter()
                    .any(|k| line.contains(k))
        })
        .count() as u32;
    let crashes = if written == 0 && !succeeded && log.contains("ERROR: libFuzzer") {
        1
    } else {
        written
    };
    Figures {
        executions: stat.or_else(status_line).unwrap_or(0),
        crashes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_of_a_clean_run() {
        let log = "INFO: Seed: 123\n#2\tINITED cov: 10 ft: 10 corp: 1/1b exec/s: 0 rss: 40Mb\n\
                   #4096\tpulse  cov: 40 ft: 50 corp: 9/80b exec/s: 2048 rss: 45Mb\n\
                   Done 1234567 runs in 61 second(s)\n\
                   stat::number_of_executed_units: 1234567\nstat::average_exec_per_sec:     20238\n";
        assert_eq!(
            figures(log, true),
            Figures {
                executions: 1_234_567,
                crashes: 0
            }
        );
    }

    #[test]
    fn figures_of_a_crash() {
        let log = "#512\tNEW    cov: 40 ft: 50 corp: 9/80b\n\
                   thread '<unnamed>' panicked at src/import/mod.rs:10:5\n\
                   ==12345== ERROR: libFuzzer: deadly signal\n\
                   artifact_prefix='/f/artifacts/csv_import/'; Test unit written to /f/artifacts/csv_import/crash-abc\n\
                   stat::number_of_executed_units: 700\n";
        assert_eq!(
            figures(log, false),
            Figures {
                executions: 700,
                crashes: 1
            }
        );
        // Without final statistics the last status line counts.
        assert_eq!(figures("#1\tINITED\n#2048\tpulse\n", true).executions, 2048);
    }
}
