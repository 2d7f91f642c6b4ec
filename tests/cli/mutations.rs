//! Mutated inputs: seeded edits of good CSV, TOML and event logs fed to `score`,
//! `validate`, `events` and `sensitivity`. Whatever the edit, the run ends (within a
//! time limit), exits 0 or 1, names a file when it fails, and when it succeeds every
//! score is finite and within the index's range.

use super::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::time::{Duration, Instant};

/// What an edit may insert: delimiters, quotes, line ends, odd numbers and markers.
const PIECES: &[&str] = &[
    ",",
    ";",
    "\"",
    "\n",
    "\r\n",
    "\r",
    "\t",
    " ",
    "",
    "-",
    "1e309",
    "-1e-320",
    "NaN",
    "inf",
    "NA",
    "x",
    "0",
    "2020",
    "2020-Q1",
    "=",
    "[",
    "]",
    "{",
    "}",
    "#",
    "'",
    "\u{a0}",
    "999999999999999999999",
];

/// One edit at a byte position (clamped to a char boundary).
#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    Replace(usize, usize, usize),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let edit = prop_oneof![
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, p)| Edit::Insert(at, p)),
        (any::<usize>(), 1usize..8).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<usize>(), 1usize..4, 0..PIECES.len()).prop_map(|(at, n, p)| Edit::Replace(at, n, p)),
    ];
    proptest::collection::vec(edit, 1..4)
}

fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = text.to_string();
    for e in edits {
        match *e {
            Edit::Insert(at, p) => {
                let at = boundary(&out, at);
                out.insert_str(at, PIECES[p]);
            }
            Edit::Delete(at, n) | Edit::Replace(at, n, _) => {
                let a = boundary(&out, at);
                let b = boundary(&out, (a + n).min(out.len()));
                let with = if let Edit::Replace(_, _, p) = *e { PIECES[p] } else { "" };
                out.replace_range(a..b.max(a), with);
            }
        }
    }
    out
}

/// Runs the binary with a time limit; returns (exit code, stderr).
fn run_limited(args: &[&str], limit: Duration) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("riskscore"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            use std::io::Read;
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            return (status.code(), err);
        }
        if started.elapsed() > limit {
            child.kill().ok();
            panic!("riskscore {args:?} did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Exit 0, or exit 1 with an error that names one of `files`.
fn check_outcome(args: &[&str], files: &[&str], code: Option<i32>, err: &str) -> bool {
    match code {
        Some(0) => true,
        Some(1) => {
            assert!(err.starts_with("error: "), "{args:?}: {err}");
            assert!(
                files.iter().any(|f| err.contains(f)),
                "{args:?}: the error names no file: {err}"
            );
            assert!(err.len() < 20_000, "{args:?}: a {} byte message", err.len());
            false
        }
        other => panic!("{args:?}: exit {other:?}: {err}"),
    }
}

/// Every score of a successful run is finite and within [0, 100] (min-max, arithmetic).
fn scores_in_range(dir: &Path) {
    let text = read(&dir.join("scores.csv"));
    for line in text.lines().skip(1) {
        let score: f64 = line.split(',').nth(2).unwrap().parse().unwrap();
        assert!(
            score.is_finite() && (0.0..=100.0).contains(&score),
            "score {score} in {line}"
        );
    }
}

#[test]
fn mutated_inputs_end_cleanly() {
    let limit = Duration::from_secs(60);
    let csv = read(Path::new(&fixture("small.csv")));
    let toml = read(Path::new(&fixture("small.toml")));
    let log = read(Path::new(&fixture("events_acled_small.csv")));
    let sensitivity = format!(
        "{toml}\n[sensitivity]\nsamples = 16\nbootstrap = 0\nfactors = [{{ kind = \"weight\", target = \"group:*\", range = [0.5, 1.5] }}]\n"
    );
    let mut runner = TestRunner::new(Config {
        cases: std::env::var("RISKSCORE_MUTATIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(40),
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        ..Config::default()
    });
    runner
        .run(
            &(edits(), edits(), any::<bool>(), 0usize..4),
            |(data_edits, text_edits, edit_framework, which)| {
                // Half the cases keep the framework as it is, so the data's edits are reached.
                let text_edits = if edit_framework { text_edits } else { Vec::new() };
                let dir = tempfile::tempdir().unwrap();
                let data = write(dir.path(), "d.csv", &apply(&csv, &data_edits));
                let fw = write(dir.path(), "f.toml", &apply(&toml, &text_edits));
                let out = dir.path().join("out");
                let out_s = out.display().to_string();
                match which {
                    0 => {
                        let args = ["score", "-q", "-f", &fw, "-d", &data, "-o", &out_s];
                        let (code, err) = run_limited(&args, limit);
                        if check_outcome(&args, &[&fw, &data], code, &err) {
                            scores_in_range(&out);
                        }
                    }
                    1 => {
                        let args = ["validate", "-f", &fw, "-d", &data];
                        let (code, err) = run_limited(&args, limit);
                        check_outcome(&args, &[&fw, &data], code, &err);
                    }
                    2 => {
                        let bad_log = write(dir.path(), "log.csv", &apply(&log, &data_edits));
                        let table = dir.path().join("t.csv").display().to_string();
                        let args = ["events", "-q", "-i", &bad_log, "-o", &table];
                        let (code, err) = run_limited(&args, limit);
                        check_outcome(&args, &[&bad_log], code, &err);
                    }
                    _ => {
                        let fw = write(dir.path(), "s.toml", &apply(&sensitivity, &text_edits));
                        let args = ["sensitivity", "-q", "-f", &fw, "-d", &data, "-o", &out_s];
                        let (code, err) = run_limited(&args, limit);
                        check_outcome(&args, &[&fw, &data], code, &err);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}
