//! Hostile and clumsy inputs: outputs as one transaction (no input deleted, no mixed
//! runs), names that must stay text (HTML, Python, terminal), a closed stderr.

use super::*;
use std::io::Read;
use std::process::Stdio;

/// Data whose unit names carry an HTML payload and terminal escape sequences.
fn hostile_data(dir: &Path) -> String {
    write(
        dir,
        "hostile.csv",
        "unit,year,a1,a2,b1\n\"<img src=x onerror=alert(6)>\",2020,0,10,5\n\"Y\u{1b}]0;pwned\u{7}\u{1b}[2J\",2020,5,20,0\nZ,2020,10,30,10\n",
    )
}

/// Every file the manifest lists is there with its SHA-256, and the folder holds no
/// staging folder.
fn assert_one_complete_set(dir: &Path) {
    assert_manifest_holds(dir);
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !name.starts_with(".riskscore-") || name == ".riskscore.lock",
            "leftover {name}"
        );
    }
}

/// Every file the manifest lists is there with its SHA-256.
fn assert_manifest_holds(dir: &Path) {
    let m: serde_json::Value = serde_json::from_str(&read(&dir.join("manifest.json"))).unwrap();
    let hashes = m["output_sha256"].as_object().expect("output_sha256");
    for (name, sha) in hashes {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: String = sha2_hex(&bytes);
        assert_eq!(Some(got.as_str()), sha.as_str(), "{name} is not the manifest's");
    }
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// `score` of the small fixture into `work`, with `extra` options.
fn score_small_into(work: &Path, extra: &[&str]) {
    riskscore()
        .args([
            "score",
            "-q",
            "-f",
            &fixture("small.toml"),
            "-d",
            &fixture("small.csv"),
            "-o",
        ])
        .arg(work)
        .args(extra)
        .assert()
        .success();
}

/// `score --xlsx -o work`, then a run that reads `work/scores.xlsx` into `work`: the
/// workbook is this run's input, and stays.
#[test]
fn the_stale_output_cleanup_never_deletes_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    score_small_into(&work, &["--xlsx"]);
    let other = write(
        dir.path(),
        "other.toml",
        "[index]\nid = \"r2\"\nunit = \"unit\"\nperiod = \"period\"\n[[group]]\nid = \"g\"\n[[indicator]]\nid = \"a\"\ngroup = \"g\"\n[[indicator]]\nid = \"b\"\ngroup = \"g\"\n",
    );
    let xlsx = work.join("scores.xlsx");
    let stderr = succeeds(
        riskscore()
            .args(["score", "-f", &other, "-d"])
            .arg(&xlsx)
            .arg("-o")
            .arg(&work),
    );
    assert!(xlsx.exists(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "note: kept {}: the previous run wrote it, and this run reads it",
            xlsx.display()
        )),
        "{stderr}"
    );
    assert_one_complete_set(&work);
}

/// A manifest.json riskscore did not write, listing the user's files: nothing it lists
/// is deleted, and the run says so.
#[test]
fn a_foreign_manifest_deletes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let data = work.join("data.csv");
    std::fs::copy(fixture("small.csv"), &data).unwrap();
    write(&work, "borders.csv", "a,b\nAFG,TJK\n");
    write(&work, "README", "my notes");
    // Riskscore's fields, and the true SHA-256 of a file a dataset publishes: but not
    // signed by this user's riskscore.
    let borders_sha: String = sha2_hex(&std::fs::read(work.join("borders.csv")).unwrap());
    let manifest = serde_json::json!({
        "command": "score",
        "riskscore_version": "0.1.0",
        "outputs": ["data.csv", "borders.csv", "README", "../../etc/passwd"],
        "output_sha256": {"borders.csv": borders_sha},
    });
    write(&work, "manifest.json", &manifest.to_string());
    let stderr = succeeds(
        riskscore()
            .args(["score", "-f", &fixture("small.toml"), "-d"])
            .arg(&data)
            .arg("-o")
            .arg(&work),
    );
    for name in ["data.csv", "borders.csv", "README"] {
        assert!(work.join(name).exists(), "{name} was deleted: {stderr}");
    }
    assert!(
        stderr.contains(&format!(
            "note: {} was not written by this user's riskscore (it records no signed output hashes): it is replaced, and no file it lists is removed",
            work.join("manifest.json").display()
        )),
        "{stderr}"
    );
    assert_one_complete_set(&work);
}

/// A run into a folder that another run holds is refused at once, before writing.
#[test]
fn a_second_run_into_a_busy_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let lock = std::fs::File::create(work.join(".riskscore.lock")).unwrap();
    lock.try_lock().unwrap();
    let err = fails(&[
        "score",
        "-f",
        &fixture("small.toml"),
        "-d",
        &fixture("small.csv"),
        "-o",
        &work.display().to_string(),
    ]);
    assert_eq!(
        err,
        format!(
            "error: {}: another riskscore run is writing into this folder: wait for it to finish, or choose another output folder\n",
            work.display()
        )
    );
    assert!(!work.join("scores.csv").exists());
    drop(lock);
}

/// A panel big enough that `score --xlsx` takes a while: 3,000 units, 4 years.
fn big_panel(dir: &Path) -> String {
    let mut text = String::from("unit,year,a1,a2,b1\n");
    for u in 0..3000 {
        for y in 2018..2022 {
            text.push_str(&format!(
                "U{u:04},{y},{},{},{}\n",
                (u * 7 + y) % 101,
                (u * 13) % 97,
                (u + y) % 89
            ));
        }
    }
    write(dir, "big.csv", &text)
}

/// Starts `run` (writing into `work`), kills it (SIGKILL) after `wait`, and checks
/// that the folder holds one whole set; a staging folder may be left until the next
/// run, and a publication cut short is finished by it.
fn kill_after(mut run: std::process::Command, wait: std::time::Duration, work: &Path) {
    let mut child = run
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(wait);
    let _ = child.kill();
    let _ = child.wait();
    if !work.join(".riskscore-commit").exists() {
        assert_manifest_holds(work);
    }
}

/// kill -9 at moments spread over `score --xlsx`: the folder always holds one complete
/// set (the previous or the new), or a committed one that the next run finishes; the
/// next run leaves no leftovers.
#[test]
fn a_run_killed_at_any_moment_leaves_one_complete_set() {
    let dir = tempfile::tempdir().unwrap();
    let data = big_panel(dir.path());
    let work = dir.path().join("work");
    let args = |xlsx: bool| {
        let mut a = vec!["score", "-q", "-f", "tests/fixtures/small.toml", "-d", &data];
        if xlsx {
            a.push("--xlsx");
        }
        a
    };
    riskscore().args(args(false)).arg("-o").arg(&work).assert().success();
    let started = std::time::Instant::now();
    riskscore().args(args(true)).arg("-o").arg(&work).assert().success();
    let full = started.elapsed();
    for i in 0..8u32 {
        let mut run = std::process::Command::new(assert_cmd::cargo::cargo_bin("riskscore"));
        run.args(args(i % 2 == 0)).arg("-o").arg(&work);
        kill_after(run, full.mul_f64(f64::from(i) / 7.0), &work);
    }
    riskscore().args(args(false)).arg("-o").arg(&work).assert().success();
    assert_one_complete_set(&work);
    assert!(!work.join("scores.xlsx").exists());
}

/// `sensitivity` on data B, then `score` on data A into the same folder: the stale
/// uncertainty.csv is removed with the set it belonged to, and `report --sensitivity`
/// refuses a folder that is not a sensitivity run's.
#[test]
fn a_folder_holds_one_run_and_readers_check_which() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    let base = [
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "-o",
    ];
    riskscore()
        .args(["sensitivity", "-q", "--samples", "32"])
        .args(base)
        .arg(&work)
        .assert()
        .success();
    assert!(work.join("uncertainty.csv").exists());
    let stderr = succeeds(riskscore().arg("score").args(base).arg(&work));
    assert!(
        stderr.contains(&format!(
            "note: removed {}: the previous run in this folder wrote it, this one did not",
            work.join("uncertainty.csv").display()
        )),
        "{stderr}"
    );
    assert!(!work.join("uncertainty.csv").exists());
    // An uncertainty.csv put back by hand is not the run's.
    std::fs::write(work.join("uncertainty.csv"), "unit,period\n").unwrap();
    let out = dir.path().join("report").display().to_string();
    let w = work.display().to_string();
    let err = misuse(&[
        "report",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "--sensitivity",
        &w,
        "-o",
        &out,
    ]);
    assert_eq!(
        err,
        format!("error: --sensitivity: `{w}` holds the outputs of `riskscore score`, not of `riskscore sensitivity`: pass the output folder of `riskscore sensitivity`\n")
    );
}

/// Names from a hostile framework and data come out of the report as text: no element
/// or attribute of theirs is in the page.
#[test]
fn hostile_names_are_text_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = hostile_data(dir.path());
    let out = dir.path().join("r");
    riskscore()
        .args(["report", "-q", "-f", &fixture("hostile.toml"), "-d", &data, "-o"])
        .arg(&out)
        .assert()
        .success();
    let html = read(&out.join("report.html"));
    for injected in [
        "<img",
        "<script",
        "<iframe",
        "<svg onload",
        "<b onmouseover",
        "{{ 7*7 }}\"",
    ] {
        assert!(!html.contains(injected), "{injected} is in the page");
    }
    for shown in [
        "&lt;img src=x onerror=alert(1)&gt;",
        "&lt;script&gt;alert(",
        "&lt;iframe src=javascript:alert(5)&gt;",
        "&lt;img src=x onerror=alert(6)&gt;",
        "{{ 7*7 }}",
    ] {
        assert!(html.contains(shown), "{shown} is not shown as text");
    }
}

/// Exports a notebook of the hostile framework under a file name that closes a Python
/// string; returns its path.
fn hostile_notebook(dir: &Path) -> PathBuf {
    let data = hostile_data(dir);
    let scores = dir.join("scores");
    riskscore()
        .args(["score", "-q", "-f", &fixture("hostile.toml"), "-d", &data, "-o"])
        .arg(&scores)
        .assert()
        .success();
    let nb = dir
        .join("nb")
        .join("a\";__import__(\"os\").system(\"touch pwned\");b=\"\\N{BELL}\\x41.ipynb");
    riskscore()
        .args(["export-notebook", "-f", &fixture("hostile.toml"), "--scores"])
        .arg(&scores)
        .arg("-o")
        .arg(&nb)
        .assert()
        .success();
    nb
}

/// No name becomes Python: every code cell parses, and the data folder's name is one
/// string literal holding it exactly.
#[test]
fn hostile_names_stay_strings_in_the_notebook() {
    let dir = tempfile::tempdir().unwrap();
    let nb = hostile_notebook(dir.path());
    let check = r#"
import ast, json, sys
nb = json.load(open(sys.argv[1], encoding="utf-8"))
data = None
for cell in nb["cells"]:
    if cell["cell_type"] != "code":
        continue
    source = "".join(cell["source"])
    tree = ast.parse("\n".join(l for l in source.split("\n") if not l.startswith("%")))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DATA":
            data = ast.literal_eval(node.value)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "system":
            sys.exit("os.system is called")
print(data)
"#;
    let run = std::process::Command::new("python3")
        .args(["-c", check])
        .arg(&nb)
        .output()
        .expect("python3 is needed to parse the notebook's code cells");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "a\";__import__(\"os\").system(\"touch pwned\");b=\"\\N{BELL}\\x41_data\n"
    );
}

/// The notebook runs in Jupyter and touches no file.
#[test]
#[ignore = "needs python3 with nbformat, nbclient, ipykernel, pandas, matplotlib (pip install them); .ci/run runs it"]
fn hostile_notebook_runs_without_side_effects() {
    let dir = tempfile::tempdir().unwrap();
    let nb = hostile_notebook(dir.path());
    let run = std::process::Command::new("python3")
        .args(["notebooks-export/execute.py"])
        .arg(&nb)
        .arg("--check-only")
        .output()
        .expect("python3 with nbformat, nbclient, ipykernel, pandas and matplotlib is needed");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(!dir.path().join("nb").join("pwned").exists());
    assert!(!Path::new(env!("CARGO_MANIFEST_DIR")).join("pwned").exists());
}

/// The hostile report in a real browser: no element the names carry is in the DOM.
#[test]
#[ignore = "needs headless Chromium (Debian: apt-get install chromium); .ci/run runs it"]
fn hostile_report_injects_nothing_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let data = hostile_data(dir.path());
    let out = dir.path().join("r");
    riskscore()
        .args(["report", "-q", "-f", &fixture("hostile.toml"), "-d", &data, "-o"])
        .arg(&out)
        .assert()
        .success();
    let url = format!("file://{}", out.join("report.html").canonicalize().unwrap().display());
    let chromium = std::process::Command::new("chromium")
        .args([
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
        ])
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(&url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("no chromium on this machine (Debian: apt-get install chromium)");
    // An injected alert() holds the page open: a page that does not finish has failed.
    let (code, html, stderr) = finish_within(chromium, 60, "chromium (an injected script's dialog?)");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(html.contains("data-chart=\"scores\""), "the page did not render");
    for injected in [
        "<img",
        "<script",
        "<iframe",
        "onerror=\"",
        "onload=\"",
        "onmouseover=\"",
    ] {
        assert!(!html.contains(injected), "{injected} is in the DOM");
    }
    assert!(!stderr.contains("CONSOLE"), "{stderr}");
}

/// Names reach the terminal without their control characters.
#[test]
fn names_do_not_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let data = hostile_data(dir.path());
    let run = riskscore()
        .args([
            "explain",
            "-f",
            &fixture("hostile.toml"),
            "-d",
            &data,
            "--period",
            "2020",
            "--unit",
        ])
        .arg("Y\u{1b}]0;pwned\u{7}\u{1b}[2J")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(!run.stdout.contains(&0x1b) && !run.stdout.contains(&0x07), "{stdout}");
    assert!(
        stdout.starts_with("Y\\u{1b}]0;pwned\\u{7}\\u{1b}[2J 2020: risk = "),
        "{stdout}"
    );
    let report = riskscore()
        .args(["report", "-f", &fixture("hostile.toml"), "-d", &data, "-o"])
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert!(
        !report.stderr.contains(&0x1b),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
}

/// stderr closed early (`2>&1 | head`): no panic, the run's own exit code.
#[test]
fn a_closed_stderr_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..5 {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("riskscore"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["import", "coinr", "--idata", "datasets/asem/ASEM_iData.csv", "--imeta"])
            .args(["datasets/asem/ASEM_iMeta.csv", "-o"])
            .arg(dir.path().join("asem"))
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0));
    }
}

/// The 1.5 KB workbook with a cell at A1 and one at XFD1048576 (its rectangle is 17
/// billion cells).
fn workbook_bomb(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("bomb.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>unit</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// Runs riskscore with its address space limited to 2 GiB (setrlimit), killed if it
/// has not finished in 60 s; returns (exit code, stderr).
fn under_memory_limit(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("riskscore"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    limited(&mut cmd, libc::RLIMIT_AS, 2 << 30);
    let (code, _, stderr) = finish_within(cmd.spawn().unwrap(), 60, &format!("riskscore {args:?}"));
    (code, stderr)
}

/// Sets the child's `resource` limit to `bytes` (setrlimit). A write past a file-size
/// limit fails with EFBIG, as on a full disk (SIGXFSZ, which would kill it, is ignored).
fn limited(cmd: &mut std::process::Command, resource: libc::__rlimit_resource_t, bytes: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit and signal are async-signal-safe; they change only the child.
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(resource, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Waits for `child` (its stdout and stderr piped, or null), killing it and failing
/// the test after `seconds`; returns its exit code, stdout and stderr.
fn finish_within(mut child: std::process::Child, seconds: u64, what: &str) -> (Option<i32>, String, String) {
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(seconds) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish in {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    (status.code(), stdout.join().unwrap(), stderr.join().unwrap())
}

/// Small or endless inputs that asked for unbounded memory: each is refused with a
/// clear error, under a 2 GiB memory limit.
#[test]
fn small_inputs_cannot_exhaust_memory() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = workbook_bomb(dir.path());
    let long = dir.path().join("long.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&long).unwrap());
        f.write_all(b"unit,year,a1,a2,b1\n").unwrap();
        for _ in 0..64 {
            f.write_all(&[b'x'; 1 << 20]).unwrap();
        }
    }
    let base = read(Path::new(&fixture("small.toml")));
    let neighbours = write(
        dir.path(),
        "n.toml",
        &format!(
            "{}\n[[derived]]\nid = \"n\"\nkind = \"neighbours\"\nof = \"a1\"\n",
            base.replacen("[[group]]", "[data]\nneighbours = \"/dev/zero\"\n\n[[group]]", 1)
        ),
    );
    let sources = write(
        dir.path(),
        "s.toml",
        &base.replacen("[[group]]", "[data]\nsources = [\"/dev/zero\"]\n\n[[group]]", 1),
    );
    let small = fixture("small.toml");
    let os = |s: &str| std::ffi::OsString::from(s);
    let cases: Vec<(Vec<std::ffi::OsString>, String)> = vec![
        (
            vec![os("validate"), os("-f"), os(&small), os("-d"), bomb.clone().into()],
            format!("error: {}: row 1048576: a value in column 16384 lies right of the header's last column (1, `unit`)\n", bomb.display()),
        ),
        (
            vec![os("events"), os("-i"), bomb.clone().into(), os("-o"), dir.path().join("e.csv").into()],
            format!("error: {}: cannot tell the format", bomb.display()),
        ),
        (
            vec![os("validate"), os("-f"), os(&small), os("-d"), long.clone().into()],
            format!("error: {}: row 2: the line is longer than 1 MiB: no row of a table is; is this a text (CSV) file, or is a quote (\") never closed?\n", long.display()),
        ),
        (
            vec![os("validate"), os("-f"), os(&small), os("-d"), os("/dev/zero")],
            "error: /dev/zero: is a device, not a file: expected a data file\n".into(),
        ),
        (
            vec![os("score"), os("-f"), os(&neighbours), os("-d"), os(&fixture("small.csv")), os("-o"), dir.path().join("o").into()],
            "error: /dev/zero: is a device, not a file: expected a neighbours table\n".into(),
        ),
        (
            vec![os("validate"), os("-f"), os(&sources), os("-d"), os(&fixture("small.csv"))],
            "error: /dev/zero: is a device, not a file: expected a data file\n".into(),
        ),
        (
            vec![os("events"), os("-i"), os("/dev/zero"), os("-o"), dir.path().join("e.csv").into()],
            "error: /dev/zero: is a device, not a file: expected an event log file (CSV or Parquet)\n".into(),
        ),
    ];
    for (args, expected) in cases {
        let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let (code, stderr) = under_memory_limit(&refs);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with(&expected),
            "{args:?}:\n{stderr}\nexpected:\n{expected}"
        );
    }
}

/// A run that fails while writing (a unit name longer than a workbook cell holds, with
/// --xlsx) leaves the previous set whole, and nothing of its own.
#[test]
fn a_run_that_fails_while_writing_leaves_the_previous_set() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    score_small_into(&work, &[]);
    let before = read(&work.join("manifest.json"));
    let long = "X".repeat(40_000);
    let data = write(
        dir.path(),
        "long.csv",
        &format!("unit,year,a1,a2,b1\n{long},2020,0,10,5\nY,2020,5,20,0\nZ,2020,10,30,10\n"),
    );
    let run = riskscore()
        .args(["score", "-f", &fixture("small.toml"), "-d", &data, "--xlsx", "-o"])
        .arg(&work)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(read(&work.join("manifest.json")), before);
    assert!(!work.join("scores.xlsx").exists());
    assert_one_complete_set(&work);
}

/// kill -9 during `sensitivity`: no set is mixed, and the next run removes what the
/// killed one left (its staging folder held up to 30 MB of temporary files).
#[test]
fn a_sensitivity_run_killed_leaves_no_leftovers_after_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("sa");
    let args = [
        "sensitivity",
        "-q",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "--samples",
        "64",
        "-o",
    ];
    riskscore().args(args).arg(&work).assert().success();
    let started = std::time::Instant::now();
    riskscore().args(args).arg(&work).assert().success();
    let full = started.elapsed();
    for i in 1..5u32 {
        let mut run = std::process::Command::new(assert_cmd::cargo::cargo_bin("riskscore"));
        run.args(args).arg(&work);
        kill_after(run, full.mul_f64(f64::from(i) / 5.0), &work);
    }
    riskscore().args(args).arg(&work).assert().success();
    assert_one_complete_set(&work);
}

/// Reported: a file the framework reads (`[data] sources`, `neighbours`) was written
/// over when it had an output's name in the output folder.
#[test]
fn files_the_framework_reads_are_inputs_too() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    std::fs::copy(fixture("small_part2.csv"), work.join("scores.csv")).unwrap();
    let fw = read(Path::new(&fixture("small.toml"))) + "\n[data]\nsources = [\"scores.csv\"]\n";
    let fw = write(work, "f.toml", &fw);
    let before = read(&work.join("scores.csv"));
    let err = fails(&[
        "score",
        "-f",
        &fw,
        "-d",
        &fixture("small_part1.csv"),
        "-o",
        &work.display().to_string(),
    ]);
    assert!(
        err.ends_with("scores.csv: this output would overwrite an input file: choose another output path\n"),
        "{err}"
    );
    assert_eq!(read(&work.join("scores.csv")), before);
    assert!(!work.join("manifest.json").exists());
}

/// Reported: a 1.5 MB workbook with one cell of 1.5 GB aborted after allocating 2 GB.
/// Its part's declared size and compression are checked before it is decompressed.
#[test]
fn a_workbook_part_that_inflates_a_thousand_times_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bigcell.xlsx");
    let make = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", "<Types/>")
    with z.open("xl/worksheets/sheet1.xml", "w") as part:
        part.write(b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
        block = b"x" * (1 << 20)
        for _ in range(300):
            part.write(block)
        part.write(b"</t></is></c></row></sheetData></worksheet>")
"#;
    let status = std::process::Command::new("python3")
        .args(["-c", make])
        .arg(&path)
        .status()
        .expect("python3 is needed to make the workbook");
    assert!(status.success());
    assert!(std::fs::metadata(&path).unwrap().len() < 2 << 20);
    let os = |s: &str| std::ffi::OsString::from(s);
    let small = fixture("small.toml");
    let args = [os("validate"), os("-f"), os(&small), os("-d"), path.clone().into()];
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let (code, stderr) = under_memory_limit(&refs);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: {}: its part `xl/worksheets/sheet1.xml` would take 300 MB decompressed, ",
            path.display()
        )),
        "{stderr}"
    );
}

/// A run that fails writing (a full disk, here a file-size limit: writes fail with
/// EFBIG) leaves the previous set whole and nothing of its own.
#[test]
fn a_full_disk_leaves_the_previous_set() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    score_small_into(&work, &[]);
    let before = read(&work.join("manifest.json"));
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("riskscore"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "score",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "-o",
        ])
        .arg(&work)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    limited(&mut cmd, libc::RLIMIT_FSIZE, 4096);
    let (code, _, stderr) = finish_within(cmd.spawn().unwrap(), 60, "score on a full disk");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    assert_eq!(read(&work.join("manifest.json")), before);
    assert_one_complete_set(&work);
}

/// Files that are not regular files where riskscore writes or reads a folder: each is
/// refused with its path and what it is, not followed.
#[test]
fn links_and_pipes_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    // A link in the way of an output: never written through.
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let precious = write(dir.path(), "precious.txt", "mine");
    std::os::unix::fs::symlink(&precious, work.join("scores.csv")).unwrap();
    let err = fails(&[
        "score",
        "-f",
        &fixture("small.toml"),
        "-d",
        &fixture("small.csv"),
        "-o",
        &work.display().to_string(),
    ]);
    assert_eq!(
        err,
        format!(
            "error: {}: a link or folder is in the way of this output: move it, or choose another output folder\n",
            work.join("scores.csv").display()
        )
    );
    assert_eq!(read(Path::new(&precious)), "mine");
    // A link in a folder another command reads.
    let sa = dir.path().join("sa");
    riskscore()
        .args([
            "sensitivity",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
        ])
        .args(["--samples", "32", "-o"])
        .arg(&sa)
        .assert()
        .success();
    std::fs::remove_file(sa.join("uncertainty.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", sa.join("uncertainty.csv")).unwrap();
    let err = misuse(&[
        "report",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "--sensitivity",
        &sa.display().to_string(),
        "-o",
        &dir.path().join("r").display().to_string(),
    ]);
    assert_eq!(
        err,
        format!(
            "error: --sensitivity: `{}` is not a file riskscore wrote (a link, a pipe or a folder)\n",
            sa.join("uncertainty.csv").display()
        )
    );
    // A pipe named by a framework: a file is expected, not waited on.
    let fifo = dir.path().join("source.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let base = read(Path::new(&fixture("small.toml")));
    let fw = write(
        dir.path(),
        "f.toml",
        &base.replacen("[[group]]", "[data]\nsources = [\"source.csv\"]\n\n[[group]]", 1),
    );
    let err = fails(&["validate", "-f", &fw, "-d", &fixture("small.csv")]);
    assert_eq!(
        err,
        format!(
            "error: {}: is a pipe, not a file: expected a data file saved to a file\n",
            fifo.display()
        )
    );
}
