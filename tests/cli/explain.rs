//! `explain`: one unit's score broken down; a closed pipe.

use super::*;

#[test]
fn explain_breaks_a_score_down() {
    let out = riskscore()
        .args([
            "explain",
            "-f",
            &fixture("small.toml"),
            "-d",
            &fixture("small.csv"),
            "--unit",
            "Y",
            "--period",
            "2021",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("Y 2021: risk = 25.000 (rank 2.5 of 3, class low); coverage 67%\n"),
        "{text}"
    );
    assert!(
        text.contains("previous scored period 2020: score 75.000 (-50.000), rank 1 (down 1.5 places)"),
        "{text}"
    );
    assert!(
        text.contains("\n  a1               2.000      50.000   100.0%   100.0%      +0.000\n"),
        "{text}"
    );
    let err = misuse(&[
        "explain",
        "-f",
        &fixture("small.toml"),
        "-d",
        &fixture("small.csv"),
        "--unit",
        "W",
        "--period",
        "2021",
    ]);
    assert_eq!(err, "error: --unit: unknown unit `W`\n");
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    // `riskscore explain ... | head -0`: the reader is gone before anything is written.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("riskscore"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "explain",
            "-f",
            &fixture("small.toml"),
            "-d",
            &fixture("small.csv"),
            "--unit",
            "Y",
            "--period",
            "2021",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
}
