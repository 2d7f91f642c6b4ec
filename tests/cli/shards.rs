//! `sensitivity --shard` and `merge-shards`: the merged outputs are one run's, byte for
//! byte; shards that do not belong together are refused, naming the file.

use super::*;

const FW: &str = "indicators/central_asia.toml";
const DATA: &str = "datasets/central_asia.csv";

/// `sensitivity -q` on the example, N = 48 with 30 resamples, then `extra`.
fn analysis(extra: &[&str]) -> Command {
    let mut cmd = riskscore();
    cmd.args([
        "sensitivity",
        "-q",
        "-f",
        FW,
        "-d",
        DATA,
        "--samples",
        "48",
        "--bootstrap",
        "30",
    ])
    .args(extra);
    cmd
}

fn shard(dir: &Path, k: usize, of: usize, extra: &[&str]) -> PathBuf {
    let out = dir.join(format!("s{k}of{of}"));
    analysis(&["--shard", &format!("{k}/{of}"), "-o"])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    out
}

fn merge(dir: &Path, shards: &[PathBuf], name: &str) -> PathBuf {
    let out = dir.join(name);
    riskscore()
        .args(["merge-shards", "-q", "-f", FW, "-d", DATA, "-o"])
        .arg(&out)
        .args(shards)
        .assert()
        .success();
    out
}

#[test]
fn merged_shards_write_the_same_bytes_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one");
    analysis(&["--quantiles", "sketch", "-o"]).arg(&one).assert().success();
    let want_unc = read(&one.join("uncertainty.csv"));
    let want_sobol = read(&one.join("sobol.csv"));
    assert!(want_sobol.lines().count() > 50);
    for of in [1, 2, 3, 7] {
        let shards: Vec<PathBuf> = (1..=of).rev().map(|k| shard(dir.path(), k, of, &[])).collect();
        let merged = merge(dir.path(), &shards, &format!("merged{of}"));
        assert_eq!(read(&merged.join("uncertainty.csv")), want_unc, "{of} shards");
        assert_eq!(read(&merged.join("sobol.csv")), want_sobol, "{of} shards");
        let manifest: serde_json::Value = serde_json::from_str(&read(&merged.join("manifest.json"))).unwrap();
        assert_eq!(manifest["shards"].as_array().unwrap().len(), of);
        assert_eq!(manifest["quantiles"]["method"], "sketch");
    }
    // A Slurm array task takes its share from the environment: task 4 of 0-6 is 5/7.
    let auto = dir.path().join("auto");
    analysis(&["--shard", "auto", "-o"])
        .arg(&auto)
        .env("SLURM_ARRAY_TASK_ID", "4")
        .env("SLURM_ARRAY_TASK_MIN", "0")
        .env("SLURM_ARRAY_TASK_COUNT", "7")
        .assert()
        .success();
    assert_eq!(
        std::fs::read(auto.join("shard-5-of-7.rsshard")).unwrap(),
        std::fs::read(dir.path().join("s5of7/shard-5-of-7.rsshard")).unwrap()
    );
    // A Kubernetes Indexed Job gives the index; N comes with the option.
    let k8s = dir.path().join("k8s");
    analysis(&["--shard", "auto/3", "-o"])
        .arg(&k8s)
        .env("JOB_COMPLETION_INDEX", "0")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success();
    assert!(k8s.join("shard-1-of-3.rsshard").exists());
}

#[test]
fn bad_shard_options_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let out_text = out.display().to_string();
    let base = ["sensitivity", "-f", FW, "-d", DATA, "--samples", "48", "-o", &out_text];
    for (spec, want) in [
        (
            "0/4",
            "error: --shard: expected K/N with 1 <= K <= N (shard K of N, e.g. 1/4), found `0/4`\n",
        ),
        (
            "5/4",
            "error: --shard: expected K/N with 1 <= K <= N (shard K of N, e.g. 1/4), found `5/4`\n",
        ),
        (
            "1/0",
            "error: --shard: expected K/N with 1 <= K <= N (shard K of N, e.g. 1/4), found `1/0`\n",
        ),
        (
            "1/49",
            "error: --shard: 49 shards of a design of N = 48 samples: at most N shards\n",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend(["--shard", spec]);
        assert_eq!(misuse(&args), want);
    }
    let output = riskscore()
        .args(base)
        .args(["--shard", "auto"])
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: --shard: --shard auto reads SLURM_ARRAY_TASK_ID (a Slurm job array) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), and neither is set: give --shard K/N\n"
    );
    let mut args = base.to_vec();
    args.extend(["--shard", "1/2", "--quantiles", "exact"]);
    assert_eq!(
        misuse(&args),
        "error: --quantiles: shards keep a sketch of the quantiles (their runs are not kept): leave out --quantiles exact\n"
    );
    assert!(!out.exists(), "nothing written");
    // A folder that holds another shard's state.
    let first = shard(dir.path(), 1, 2, &[]);
    let first_text = first.display().to_string();
    let err = misuse(&[
        "sensitivity",
        "-f",
        FW,
        "-d",
        DATA,
        "--samples",
        "48",
        "--shard",
        "2/2",
        "-o",
        &first_text,
    ]);
    assert!(
        err.contains("holds another shard's partial state (shard-1-of-2.rsshard); this is shard 2/2: give each shard its own folder"),
        "{err}"
    );
    assert!(!first.join("shard-2-of-2.rsshard").exists());
}

#[test]
fn shards_that_do_not_belong_together_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let a = shard(dir.path(), 1, 3, &[]);
    let b = shard(dir.path(), 2, 3, &[]);
    let c = shard(dir.path(), 3, 3, &[]);
    let out = dir.path().join("merged");
    let attempt = |shards: &[&Path]| -> String {
        let output = riskscore()
            .args(["merge-shards", "-f", FW, "-d", DATA, "-o"])
            .arg(&out)
            .args(shards)
            .output()
            .unwrap();
        assert!(!output.status.success());
        String::from_utf8_lossy(&output.stderr).to_string()
    };
    // A gap, and a duplicate.
    let err = attempt(&[&a, &c]);
    assert!(
        err.contains("samples 16..32 are missing (shard 2 of 3): run it and merge again"),
        "{err}"
    );
    let err = attempt(&[&a, &b, &c, &b.join("shard-2-of-3.rsshard")]);
    assert!(err.contains("shard 2/3 is given twice"), "{err}");
    // Another seed: other options.
    let seeded = dir.path().join("seeded");
    analysis(&["--seed", "9", "--shard", "2/3", "-o"])
        .arg(&seeded)
        .assert()
        .success();
    let err = attempt(&[&a, &seeded, &c]);
    assert!(err.contains("ran with other options or seed than"), "{err}");
    // Another data file (one value changed).
    let data = std::fs::read_to_string(DATA).unwrap();
    let changed = dir.path().join("changed.csv");
    let mut lines: Vec<String> = data.lines().map(str::to_string).collect();
    let last = lines.len() - 1;
    lines[last] = lines[last].replacen(',', ",1", 1);
    std::fs::write(&changed, lines.join("\n") + "\n").unwrap();
    let other = dir.path().join("other");
    riskscore()
        .args(["sensitivity", "-q", "-f", FW, "-d"])
        .arg(&changed)
        .args(["--samples", "48", "--bootstrap", "30", "--shard", "3/3", "-o"])
        .arg(&other)
        .assert()
        .success();
    let err = attempt(&[&a, &b, &other]);
    assert!(err.contains("shard-3-of-3.rsshard: ran on other data (sha256"), "{err}");
    // A foreign file, a truncated one and one from a newer format, all at once.
    let foreign = dir.path().join("foreign.rsshard");
    std::fs::write(&foreign, "unit,score\nA,1\n").unwrap();
    let whole = std::fs::read(b.join("shard-2-of-3.rsshard")).unwrap();
    let truncated = dir.path().join("truncated.rsshard");
    std::fs::write(&truncated, &whole[..whole.len() / 2]).unwrap();
    let mut newer = std::fs::read(c.join("shard-3-of-3.rsshard")).unwrap();
    newer[16] = 2;
    let newer_path = dir.path().join("newer.rsshard");
    std::fs::write(&newer_path, &newer).unwrap();
    let err = attempt(&[&foreign, &truncated, &newer_path]);
    assert!(err.contains("foreign.rsshard: not a riskscore shard file"), "{err}");
    assert!(err.contains("truncated.rsshard: truncated or damaged"), "{err}");
    assert!(
        err.contains("newer.rsshard: written in shard format 2; this riskscore"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

/// Submits four shards as a real Slurm job array (`sbatch --array=0-3 --wait`), merges
/// them and compares with one run. Needs a running cluster: `.ci/slurm.sh` starts a
/// one-node one and `.ci/run` runs this test; without Slurm it fails, never passes.
#[test]
#[ignore = "needs a running Slurm cluster (.ci/slurm.sh starts a one-node one); .ci/run runs it"]
fn a_slurm_job_array_runs_the_shards_and_they_merge_to_one_run() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (fw, data) = (root.join(FW), root.join(DATA));
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("shards.sh");
    std::fs::write(
        &job,
        format!(
            "#!/bin/sh\nexec '{}' sensitivity -q -f '{}' -d '{}' --samples 48 --bootstrap 30 --shard auto -o \"part$SLURM_ARRAY_TASK_ID\"\n",
            env!("CARGO_BIN_EXE_riskscore"),
            fw.display(),
            data.display()
        ),
    )
    .unwrap();
    let submitted = std::process::Command::new("sbatch")
        .args([
            "--array=0-3",
            "--wait",
            "--output=slurm-%a.out",
            "--job-name=riskscore-shards",
        ])
        .arg(&job)
        .current_dir(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("sbatch could not be run ({e}): start Slurm with .ci/slurm.sh"));
    let logs: String = (0..4)
        .map(|k| std::fs::read_to_string(dir.path().join(format!("slurm-{k}.out"))).unwrap_or_default())
        .collect();
    assert!(
        submitted.status.success(),
        "sbatch failed: {}{}\n{logs}",
        String::from_utf8_lossy(&submitted.stdout),
        String::from_utf8_lossy(&submitted.stderr)
    );
    // Each task took its share from the array: part0 is shard 1/4, ..., part3 is 4/4.
    let parts: Vec<PathBuf> = (0..4).map(|k| dir.path().join(format!("part{k}"))).collect();
    for (k, part) in parts.iter().enumerate() {
        assert!(part.join(format!("shard-{}-of-4.rsshard", k + 1)).exists(), "{logs}");
    }
    let merged = merge(dir.path(), &parts, "merged");
    let one = dir.path().join("one");
    analysis(&["--quantiles", "sketch", "-o"]).arg(&one).assert().success();
    for name in ["uncertainty.csv", "sobol.csv"] {
        assert_eq!(read(&merged.join(name)), read(&one.join(name)), "{name}");
    }
}
