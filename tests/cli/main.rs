//! Integration tests: run the real `riskscore` binary on files in datasets/ and
//! tests/fixtures/, in temporary output folders. One module per subcommand.

mod audit;
mod coinr;
mod errors;
mod events;
mod explain;
mod mutations;
mod places;
mod report;
mod safety;
mod score;
mod sensitivity;
mod shards;
mod sources;
mod validate;
mod variants;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub fn riskscore() -> Command {
    let mut cmd = Command::cargo_bin("riskscore").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

pub fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Compares texts and shows a line diff on failure.
pub fn assert_same_text(got: &str, expected: &str) {
    if got != expected {
        let mut diff = String::new();
        let (g, e): (Vec<&str>, Vec<&str>) = (got.lines().collect(), expected.lines().collect());
        for i in 0..g.len().max(e.len()) {
            let (a, b) = (
                g.get(i).copied().unwrap_or("<none>"),
                e.get(i).copied().unwrap_or("<none>"),
            );
            if a != b {
                diff.push_str(&format!("line {}:\n  got      {a}\n  expected {b}\n", i + 1));
            }
        }
        panic!("output differs from expected:\n{diff}");
    }
}

/// Runs `score` and returns the output folder.
pub fn score(framework: &str, data: &[&str], extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut cmd = riskscore();
    cmd.args(["score", "-q", "-f", framework, "-o"]).arg(&out);
    for d in data {
        cmd.args(["-d", d]);
    }
    cmd.args(extra).assert().success();
    (dir, out)
}

/// Runs a command expected to succeed and returns its stderr (shown if it fails).
pub fn succeeds(cmd: &mut Command) -> String {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    stderr
}

/// Runs a command expected to fail with exit 1 (bad input) and returns its stderr.
pub fn fails(args: &[&str]) -> String {
    exits_with(1, args)
}

/// Runs a command expected to fail with exit 2 (a bad option value) and returns its stderr.
pub fn misuse(args: &[&str]) -> String {
    exits_with(2, args)
}

pub fn exits_with(code: i32, args: &[&str]) -> String {
    let output = riskscore().args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stderr).unwrap()
}

pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}
