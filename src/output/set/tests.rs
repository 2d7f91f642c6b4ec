//! Unit tests of output sets: transactions, recovery, forged manifests and journals.

use super::*;

fn run(dir: &Path, files: &[(&str, &str)], inputs: &[&Path]) -> Committed {
    let mut set = OutputSet::begin(dir, inputs).unwrap();
    for (name, text) in files {
        set.write(name, |w| w.write_all(text.as_bytes())).unwrap();
    }
    set.commit(serde_json::json!({"riskscore_version": "test", "command": "score"}))
        .unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != LOCK)
        .collect();
    names.sort();
    names
}

#[test]
fn a_run_replaces_the_previous_set_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    run(&dir, &[("scores.csv", "1"), ("scores.xlsx", "x")], &[]);
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let second = run(&dir, &[("scores.csv", "2")], &[]);
    assert_eq!(second.removed, vec![dir.join("scores.xlsx")]);
    assert_eq!(names(&dir), ["manifest.json", "notes.txt", "scores.csv"]);
    let m: serde_json::Value = serde_json::from_str(&fs::read_to_string(dir.join(MANIFEST)).unwrap()).unwrap();
    // SHA-256 of "2", as `printf 2 | sha256sum` gives it.
    assert_eq!(
        m["output_sha256"]["scores.csv"],
        "d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35"
    );
    assert_eq!(fs::read_to_string(dir.join("scores.csv")).unwrap(), "2");
}

#[test]
fn a_foreign_manifest_removes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("borders.csv"), "a,b").unwrap();
    let sha = sha256_file(&dir.join("borders.csv")).unwrap();
    // Without output hashes, or not riskscore's at all: foreign.
    for manifest in [
        serde_json::json!({"command": "score", "riskscore_version": "0.1.0", "outputs": ["borders.csv"]}),
        serde_json::json!({"output_sha256": {"borders.csv": sha}}),
        // Forged: riskscore's fields and the file's true SHA-256, but no signature.
        serde_json::json!({"command": "score", "riskscore_version": "0.1.0", "output_sha256": {"borders.csv": sha}}),
        serde_json::json!({"command": "score", "riskscore_version": "0.1.0", "output_sha256": {"borders.csv": sha}, "output_mac": "00".repeat(32)}),
    ] {
        fs::write(dir.join(MANIFEST), manifest.to_string()).unwrap();
        let done = run(dir, &[("scores.csv", "1")], &[]);
        assert!(done.removed.is_empty());
        assert!(
            done.notes[0].ends_with("it is replaced, and no file it lists is removed"),
            "{:?}",
            done.notes
        );
        assert!(dir.join("borders.csv").exists());
        // The foreign manifest vouches for nothing: this run's file goes.
        fs::remove_file(dir.join("scores.csv")).unwrap();
    }
}

#[test]
fn a_file_is_hashed_again_when_it_has_changed_or_is_fresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scores.csv");
    let sha = |text: &str| {
        use sha2::Digest;
        format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
    };
    let hashes = Hashes::default();
    // Fresh (changed within the last second): never taken from memory.
    fs::write(&path, "1,2").unwrap();
    assert_eq!(hashes.sha(&path).unwrap(), sha("1,2"));
    fs::write(&path, "3,4").unwrap();
    assert_eq!(hashes.sha(&path).unwrap(), sha("3,4"));
    // Settled: remembered, and hashed again once written to, same size or not.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(hashes.sha(&path).unwrap(), sha("3,4"));
    // Kept only where the filesystem keeps change times (ext4, tmpfs, ...).
    let local = Fingerprint::of(&File::open(&path).unwrap()).is_some();
    assert_eq!(hashes.seen.lock().unwrap().len(), usize::from(local));
    fs::write(&path, "5,6").unwrap();
    assert_eq!(hashes.sha(&path).unwrap(), sha("5,6"));
    // Replaced by another file (another inode) of the same bytes' size.
    fs::remove_file(&path).unwrap();
    fs::write(&path, "7,8").unwrap();
    assert_eq!(hashes.sha(&path).unwrap(), sha("7,8"));
    // A link is not followed: it cannot vouch for the file it points to.
    #[cfg(unix)]
    {
        let link = dir.path().join("ranks.csv");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert!(hashes.sha(&link).is_err());
    }
}

#[test]
fn inputs_and_edited_files_of_the_previous_run_are_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run(
        dir,
        &[("scores.csv", "1"), ("scores.xlsx", "x"), ("ranks.csv", "r")],
        &[],
    );
    fs::write(dir.join("ranks.csv"), "edited by hand").unwrap();
    let xlsx = dir.join("scores.xlsx");
    let done = run(dir, &[("scores.csv", "2")], &[xlsx.as_path()]);
    assert!(done.removed.is_empty());
    assert!(xlsx.exists() && dir.join("ranks.csv").exists());
    assert_eq!(done.notes.len(), 2, "{:?}", done.notes);
    assert!(done
        .notes
        .iter()
        .any(|n| n.ends_with("scores.xlsx: the previous run wrote it, and this run reads it")));
    assert!(done
        .notes
        .iter()
        .any(|n| n.ends_with("ranks.csv: the previous run wrote it, but it has changed since")));
}

#[test]
fn an_output_over_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("scores.csv");
    fs::write(&input, "data").unwrap();
    let mut set = OutputSet::begin(tmp.path(), &[input.as_path()]).unwrap();
    let err = set.write("scores.csv", |w| w.write_all(b"x")).unwrap_err();
    assert!(err
        .to_string()
        .ends_with("this output would overwrite an input file: choose another output path"));
    assert!(set.stage("../x.csv").is_err() && set.stage(".hidden").is_err());
    drop(set);
    assert_eq!(fs::read_to_string(&input).unwrap(), "data");
    assert_eq!(names(tmp.path()), ["scores.csv"]);
}

#[test]
fn a_failed_or_killed_run_leaves_the_previous_set_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run(dir, &[("scores.csv", "1")], &[]);
    // Failed: dropped before its commit.
    {
        let mut set = OutputSet::begin(dir, &[]).unwrap();
        set.write("scores.csv", |w| w.write_all(b"half")).unwrap();
    }
    assert_eq!(names(dir), ["manifest.json", "scores.csv"]);
    // Killed: its staging folder and an orphan temporary file stay until the next run.
    fs::create_dir(dir.join(format!("{STAGING}4194305-0"))).unwrap();
    fs::write(dir.join(format!("{STAGING}4194305-0/scores.csv")), "half").unwrap();
    fs::write(dir.join(".riskscore-4194305-AbC123.tmp"), "half").unwrap();
    assert_eq!(fs::read_to_string(dir.join("scores.csv")).unwrap(), "1");
    let done = run(dir, &[("scores.csv", "3")], &[]);
    assert!(done.notes.is_empty());
    assert_eq!(names(dir), ["manifest.json", "scores.csv"]);
}

#[test]
fn a_commit_interrupted_while_publishing_is_finished_by_the_next_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run(dir, &[("scores.csv", "1"), ("scores.xlsx", "x")], &[]);
    // A commit killed after publishing scores.csv: ranks.csv and the manifest wait
    // in the committed folder, scores.xlsx is still to be removed.
    let commit = dir.join(COMMIT);
    fs::create_dir(&commit).unwrap();
    fs::write(dir.join("scores.csv"), "2").unwrap();
    fs::write(commit.join("ranks.csv"), "r").unwrap();
    let mut manifest = serde_json::json!({"riskscore_version": "t", "command": "score", "output_sha256": {
        "scores.csv": sha256_file(&dir.join("scores.csv")).unwrap(),
        "ranks.csv": sha256_file(&commit.join("ranks.csv")).unwrap(),
    }});
    let listed = listing(manifest["output_sha256"].as_object().unwrap());
    manifest["output_mac"] = crate::output::key::sign("manifest", &listed).expect("a key").into();
    fs::write(commit.join(MANIFEST), manifest.to_string()).unwrap();
    let journal = serde_json::json!({
        "publish": [
            {"name": "scores.csv", "replaces": null},
            {"name": "ranks.csv", "replaces": null},
            {"name": MANIFEST, "replaces": sha256_file(&dir.join(MANIFEST)).unwrap()},
        ],
        "remove": [{"name": "scores.xlsx", "sha256": sha256_file(&dir.join("scores.xlsx")).unwrap()}],
    });
    write_signed_journal(&commit, &journal);
    // A reader refuses the folder (it replays nothing); the next run finishes it.
    let describe = |m: String| Error::argument("scores", m);
    let refused = Reader::open(dir, &describe).err().unwrap();
    assert!(refused.to_string().contains("was interrupted while publishing"));
    let set = OutputSet::begin(dir, &[]).unwrap();
    assert!(set.notes()[0].starts_with("finished publishing the outputs of an interrupted run"));
    drop(set);
    assert_eq!(names(dir), ["manifest.json", "ranks.csv", "scores.csv"]);
    let reader = Reader::open(dir, &describe).unwrap();
    reader.verify(&["scores.csv", "ranks.csv"], &describe).unwrap();
    // While it reads, no run can write into the folder.
    let busy = OutputSet::begin(dir, &[]).err().unwrap();
    assert!(matches!(busy, Error::Busy { .. }));
    drop(reader);
    run(dir, &[("scores.csv", "4")], &[]);
}

/// A journal as a run of this user's writes it: signed.
fn write_signed_journal(commit: &Path, journal: &serde_json::Value) {
    let text = journal.to_string();
    fs::write(commit.join(JOURNAL), &text).unwrap();
    let mac = crate::output::key::sign("journal", text.as_bytes()).expect("a key");
    fs::write(commit.join(JOURNAL_MAC), mac).unwrap();
}

/// A folder from elsewhere with a forged commit: it is not replayed at all (not
/// signed by this user's riskscore). Even signed, it could not put its files over
/// the user's, nor remove a file whose bytes it does not know, nor touch an input.
#[test]
fn a_forged_journal_cannot_replace_or_remove_the_users_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("data.csv"), "mine").unwrap();
    fs::write(dir.join("notes.txt"), "mine too").unwrap();
    fs::write(dir.join("input.csv"), "read by the run").unwrap();
    let commit = dir.join(COMMIT);
    fs::create_dir(&commit).unwrap();
    fs::write(commit.join("data.csv"), "attacker").unwrap();
    fs::write(commit.join("input.csv"), "attacker").unwrap();
    let journal = serde_json::json!({
        "publish": [
            {"name": "data.csv", "replaces": null},
            {"name": "input.csv", "replaces": sha256_file(&dir.join("input.csv")).unwrap()},
        ],
        "remove": [
            {"name": "notes.txt", "sha256": "0".repeat(64)},
            {"name": "input.csv", "sha256": sha256_file(&dir.join("input.csv")).unwrap()},
        ],
    });
    fs::write(commit.join(JOURNAL), journal.to_string()).unwrap();
    fs::write(commit.join(JOURNAL_MAC), "00".repeat(32)).unwrap();
    // Unsigned: a reader refuses the folder, a writer removes the commit unplayed.
    let describe = |m: String| Error::argument("sensitivity", m);
    assert!(Reader::open(dir, &describe)
        .err()
        .unwrap()
        .to_string()
        .contains("was interrupted while publishing"));
    let set = OutputSet::begin(dir, &[]).unwrap();
    assert!(set.notes()[0].ends_with(
        "an interrupted publication not signed by this user's riskscore; nothing of it was published or removed"
    ));
    drop(set);
    assert_eq!(fs::read_to_string(dir.join("data.csv")).unwrap(), "mine");
    // Signed (as if the key had leaked): still no harm.
    fs::create_dir(&commit).unwrap();
    fs::write(commit.join("data.csv"), "attacker").unwrap();
    fs::write(commit.join("input.csv"), "attacker").unwrap();
    write_signed_journal(&commit, &journal);
    let input = dir.join("input.csv");
    let set = OutputSet::begin(dir, &[input.as_path()]).unwrap();
    assert_eq!(fs::read_to_string(dir.join("data.csv")).unwrap(), "mine");
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine too");
    assert_eq!(fs::read_to_string(&input).unwrap(), "read by the run");
    assert!(
        set.notes().iter().any(|n| n.starts_with("not published: ")),
        "{:?}",
        set.notes()
    );
    drop(set);
    // A commit folder that is a link is refused, not followed.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), &commit).unwrap();
        assert!(OutputSet::begin(dir, &[]).is_err());
    }
}

/// A file in the way of an output that riskscore did not write (or that changed
/// since) is never written over: the run is refused, naming it.
#[test]
fn a_file_riskscore_did_not_write_is_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::write(dir.join("scores.csv"), "the user's own").unwrap();
    let mut set = OutputSet::begin(dir, &[]).unwrap();
    set.write("scores.csv", |w| w.write_all(b"1")).unwrap();
    let err = set
        .commit(serde_json::json!({"riskscore_version": "t", "command": "score"}))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: this file is in the way, and riskscore did not write it (it is not in the folder's manifest.json, or has changed since): move it, or choose another output folder",
            dir.join("scores.csv").display()
        )
    );
    assert_eq!(fs::read_to_string(dir.join("scores.csv")).unwrap(), "the user's own");
    assert_eq!(names(dir), ["scores.csv"]);
    // A forged manifest vouching for it with its true SHA-256 changes nothing.
    let sha = sha256_file(&dir.join("scores.csv")).unwrap();
    let forged =
        serde_json::json!({"riskscore_version": "0.1.0", "command": "score", "output_sha256": {"scores.csv": sha}});
    fs::write(dir.join(MANIFEST), forged.to_string()).unwrap();
    let mut set = OutputSet::begin(dir, &[]).unwrap();
    set.write("scores.csv", |w| w.write_all(b"1")).unwrap();
    assert!(set
        .commit(serde_json::json!({"riskscore_version": "t", "command": "score"}))
        .is_err());
    assert_eq!(fs::read_to_string(dir.join("scores.csv")).unwrap(), "the user's own");
    fs::remove_file(dir.join(MANIFEST)).unwrap();
    // Its own previous output, unchanged, is replaced; edited, it is not.
    fs::remove_file(dir.join("scores.csv")).unwrap();
    run(dir, &[("scores.csv", "1")], &[]);
    run(dir, &[("scores.csv", "2")], &[]);
    fs::write(dir.join("scores.csv"), "edited").unwrap();
    let mut set = OutputSet::begin(dir, &[]).unwrap();
    set.write("scores.csv", |w| w.write_all(b"3")).unwrap();
    assert!(set
        .commit(serde_json::json!({"riskscore_version": "t", "command": "score"}))
        .is_err());
    assert_eq!(fs::read_to_string(dir.join("scores.csv")).unwrap(), "edited");
}

#[test]
fn a_second_run_into_a_folder_in_use_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let first = OutputSet::begin(tmp.path(), &[]).unwrap();
    let err = OutputSet::begin(tmp.path(), &[]).err().unwrap();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: another riskscore run is writing into this folder: wait for it to finish, or choose another output folder",
            tmp.path().display()
        )
    );
    drop(first);
    assert!(OutputSet::begin(tmp.path(), &[]).is_ok());
}

#[test]
fn a_reader_refuses_files_the_manifest_does_not_vouch_for() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    run(dir, &[("scores.csv", "1")], &[]);
    fs::write(dir.join("uncertainty.csv"), "stale").unwrap();
    let describe = |m: String| Error::argument("sensitivity", m);
    let reader = Reader::open(dir, &describe).unwrap();
    let err = reader
        .verify(&["uncertainty.csv", "scores.csv"], &describe)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "sensitivity: `{}` is not part of the run that manifest.json records (`riskscore score`): it was left by another run",
            dir.join("uncertainty.csv").display()
        )
    );
    fs::write(dir.join("scores.csv"), "edited").unwrap();
    assert!(reader
        .verify(&["scores.csv"], &describe)
        .unwrap_err()
        .to_string()
        .contains("changed after riskscore wrote it"));
}
