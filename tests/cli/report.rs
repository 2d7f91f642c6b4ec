//! `report` and `export-notebook`: the page, the workbook and the notebook, and the outside tools that check them.

use super::*;

#[test]
fn report_is_one_self_contained_page_with_every_chart() {
    let dir = tempfile::tempdir().unwrap();
    let sa = dir.path().join("sa");
    riskscore()
        .args([
            "sensitivity",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--samples",
            "64",
            "-o",
        ])
        .arg(&sa)
        .assert()
        .success();
    let cmp = dir.path().join("cmp");
    riskscore()
        .args([
            "compare",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "-o",
        ])
        .arg(&cmp)
        .assert()
        .success();
    let out = dir.path().join("report");
    riskscore()
        .args([
            "report",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--xlsx",
            "--sensitivity",
        ])
        .arg(&sa)
        .arg("--compare")
        .arg(&cmp)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let html = read(&out.join("report.html"));
    for id in [
        "scores",
        "pillars",
        "trends",
        "coverage",
        "uncertainty",
        "sobol",
        "variants",
    ] {
        assert!(html.contains(&format!("data-chart=\"{id}\"")), "chart {id} missing");
    }
    assert_eq!(html.matches("<svg").count(), 7);
    assert_eq!(html.matches("<figcaption>").count(), 7);
    // Self-contained: no script, stylesheet link, image or font from elsewhere.
    for banned in ["<script", "<link", "<img", "@import", "url("] {
        assert!(!html.contains(banned), "{banned}");
    }
    let without_svg_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_svg_ns.contains("http://") && !without_svg_ns.contains("https://"));
    assert!(html.contains("<td class=\"text\">AFG</td>"));
    // The manifest is shown as text: HTML-escaped like every field of the page.
    assert!(html.contains("&quot;command&quot;: &quot;report&quot;"));
    assert!(out.join("report.xlsx").metadata().unwrap().len() > 1000);
    // The extra sheets hold the other commands' numbers exactly as their CSVs do, and a
    // period of years as a number.
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(out.join("report.xlsx")).unwrap();
    let sheet = book.worksheet_range("uncertainty").unwrap();
    let csv = read(&sa.join("uncertainty.csv"));
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    for (c, name) in header.iter().enumerate() {
        let cell = sheet.get((1, c)).unwrap();
        match first[c].parse::<f64>() {
            Ok(v) => assert_eq!(cell, &calamine::Data::Float(v), "column {name}"),
            Err(_) => assert_eq!(cell.to_string(), first[c], "column {name}"),
        }
    }
    // A folder that is not one.
    let err = misuse(&[
        "report",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "--sensitivity",
        "nowhere",
        "-o",
        &out.display().to_string(),
    ]);
    assert_eq!(
        err,
        "error: --sensitivity: `nowhere` is not a folder (expected the output folder of `riskscore sensitivity`)\n"
    );
}

/// Runs the example's score, sensitivity and compare into `dir` (for the report tests).
fn example_runs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let (s, sa, cmp) = (dir.join("score"), dir.join("sa"), dir.join("cmp"));
    for (cmd, out, extra) in [
        ("score", &s, vec![]),
        ("sensitivity", &sa, vec!["--samples", "64"]),
        ("compare", &cmp, vec![]),
    ] {
        riskscore()
            .args([
                cmd,
                "-q",
                "-f",
                "indicators/central_asia.toml",
                "-d",
                "datasets/central_asia.csv",
            ])
            .args(extra)
            .arg("-o")
            .arg(out)
            .assert()
            .success();
    }
    (s, sa, cmp)
}

/// Exports the notebook of the example runs to `<dir>/nb/run.ipynb`.
fn export_notebook(dir: &Path) -> PathBuf {
    let (s, sa, cmp) = example_runs(dir);
    let nb_path = dir.join("nb").join("run.ipynb");
    riskscore()
        .args(["export-notebook", "-f", "indicators/central_asia.toml", "--scores"])
        .arg(&s)
        .arg("--sensitivity")
        .arg(&sa)
        .arg("--compare")
        .arg(&cmp)
        .arg("-o")
        .arg(&nb_path)
        .assert()
        .success();
    nb_path
}

/// Whether a Python with what notebook execution needs is on the machine.
fn python_with_notebook_tools() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import nbformat, nbclient, ipykernel, pandas, matplotlib"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn exported_notebook_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let nb_path = export_notebook(dir.path());
    // The command refuses to write a notebook that does not meet nbformat 4 (its unit
    // tests check the rules): what it wrote is JSON with cells.
    let nb: serde_json::Value = serde_json::from_str(&read(&nb_path)).unwrap();
    assert!(!nb["cells"].as_array().unwrap().is_empty());
    for f in ["scores.csv", "uncertainty.csv", "sobol.csv", "variants.csv"] {
        assert!(dir.path().join("nb/run_data").join(f).is_file(), "{f}");
    }
    let committed: serde_json::Value =
        serde_json::from_str(&read(Path::new("notebooks-export/central_asia.ipynb"))).unwrap();
    let outputs: usize = committed["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["outputs"].as_array())
        .map(Vec::len)
        .sum();
    assert!(outputs >= 6, "the committed notebook is executed ({outputs} outputs)");
    let err = misuse(&[
        "export-notebook",
        "-f",
        "indicators/central_asia.toml",
        "--scores",
        "datasets",
        "-o",
        &nb_path.display().to_string(),
    ]);
    assert_eq!(
        err,
        "error: --scores: `datasets` has no scores.csv (expected the output folder of `riskscore score`)\n"
    );
}

/// Runs only when asked (`cargo test -- --ignored`, as `.ci/run` does), and then fails
/// without the tools rather than passing unchecked.
#[test]
#[ignore = "needs python3 with nbformat, nbclient, ipykernel, pandas, matplotlib (pip install them); .ci/run runs it"]
fn exported_notebook_runs_in_jupyter() {
    assert!(
        python_with_notebook_tools(),
        "python3 with nbformat, nbclient, ipykernel, pandas and matplotlib is needed: pip install nbformat nbclient ipykernel pandas matplotlib"
    );
    let dir = tempfile::tempdir().unwrap();
    let nb_path = export_notebook(dir.path());
    let run = std::process::Command::new("python3")
        .args(["notebooks-export/execute.py"])
        .arg(&nb_path)
        .arg("--check-only")
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
}

/// Runs only when asked (`cargo test -- --ignored`, as `.ci/run` does), and then fails
/// without Chromium rather than passing unchecked.
#[test]
#[ignore = "needs headless Chromium (Debian: apt-get install chromium); .ci/run runs it"]
fn report_renders_in_a_real_browser() {
    let chromium = ["chromium", "chromium-browser", "google-chrome"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let chromium = chromium.expect("no chromium on this machine (Debian: apt-get install chromium)");
    let dir = tempfile::tempdir().unwrap();
    let (_, sa, cmp) = example_runs(dir.path());
    let out = dir.path().join("report");
    riskscore()
        .args([
            "report",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--sensitivity",
        ])
        .arg(&sa)
        .arg("--compare")
        .arg(&cmp)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let url = format!("file://{}", out.join("report.html").canonicalize().unwrap().display());
    let headless = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
    ];
    // The DOM after loading, with the browser's console log on stderr.
    let dom = std::process::Command::new(chromium)
        .args(headless)
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    let html = String::from_utf8_lossy(&dom.stdout);
    for id in [
        "scores",
        "pillars",
        "trends",
        "coverage",
        "uncertainty",
        "sobol",
        "variants",
    ] {
        let at = html
            .find(&format!("data-chart=\"{id}\""))
            .unwrap_or_else(|| panic!("chart {id} not in the rendered page"));
        assert!(html[at..].contains("<svg"), "chart {id} has no SVG");
    }
    // The page has no script: any console message is a problem.
    let console = |stderr: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(stderr)
            .lines()
            .filter(|l| l.contains("CONSOLE"))
            .map(str::to_string)
            .collect()
    };
    assert!(
        console(&dom.stderr).is_empty(),
        "console messages: {:?}",
        console(&dom.stderr)
    );
    // The check can fail: a page with a script error is caught.
    let bad = dir.path().join("bad.html");
    std::fs::write(
        &bad,
        "<html><body><script>console.error('boom'); throw new Error('bad');</script></body></html>",
    )
    .unwrap();
    let bad_run = std::process::Command::new(chromium)
        .args(headless)
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(format!("file://{}", bad.display()))
        .output()
        .unwrap();
    assert_eq!(
        console(&bad_run.stderr).len(),
        2,
        "{}",
        String::from_utf8_lossy(&bad_run.stderr)
    );
    // A screenshot, kept in the test's folder.
    let shot = dir.path().join("report.png");
    let status = std::process::Command::new(chromium)
        .args(headless)
        .args(["--window-size=1000,3800", "--hide-scrollbars"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "a blank or missing screenshot ({} bytes)",
        png.len()
    );
}

/// A folder made from another framework is refused, naming both files; one made from
/// other data is a warning.
#[test]
fn folders_from_another_run_are_checked_by_their_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let (_g, gti) = score("indicators/gti.toml", &["datasets/gti_central_asia.csv"], &[]);
    let gti = gti.display().to_string();
    let out = dir.path().join("r").display().to_string();
    let err = misuse(&[
        "report",
        "-f",
        "indicators/central_asia.toml",
        "-d",
        "datasets/central_asia.csv",
        "--sensitivity",
        &gti,
        "-o",
        &out,
    ]);
    assert!(
        err.starts_with(&format!(
            "error: --sensitivity: `{gti}` was made from framework `indicators/gti.toml` (SHA-256 "
        )) && err.contains("not from `indicators/central_asia.toml` (")
            && err.ends_with("run `riskscore score` with this framework, or pass its folder\n"),
        "{err}"
    );
    let nb = dir.path().join("nb.ipynb").display().to_string();
    let err = misuse(&[
        "export-notebook",
        "-f",
        "indicators/central_asia.toml",
        "--scores",
        &gti,
        "-o",
        &nb,
    ]);
    assert!(
        err.starts_with(&format!(
            "error: --scores: `{gti}` was made from framework `indicators/gti.toml`"
        )),
        "{err}"
    );
    assert!(!Path::new(&nb).exists() && !Path::new(&out).exists());
    // The same framework on other data (one row fewer): scored, with a warning.
    let data = read(Path::new("datasets/central_asia.csv"));
    let fewer: String = data
        .lines()
        .take(data.lines().count() - 1)
        .map(|l| format!("{l}\n"))
        .collect();
    let other = write(dir.path(), "other.csv", &fewer);
    let (_s, s) = score("indicators/central_asia.toml", &[&other], &[]);
    let run = riskscore()
        .args([
            "report",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "--compare",
        ])
        .arg(&s)
        .args(["-o", &out])
        .output()
        .unwrap();
    assert!(!run.status.success(), "a score folder is not a compare folder");
    let run = riskscore()
        .args(["export-notebook", "-f", "indicators/central_asia.toml", "--scores"])
        .arg(&s)
        .args(["-o", &nb])
        .output()
        .unwrap();
    assert!(run.status.success());
    let sa = dir.path().join("sa");
    riskscore()
        .args([
            "sensitivity",
            "-q",
            "--samples",
            "16",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "-o",
        ])
        .arg(&sa)
        .assert()
        .success();
    let stderr = succeeds(
        riskscore()
            .args(["export-notebook", "-f", "indicators/central_asia.toml", "--scores"])
            .arg(&s)
            .arg("--sensitivity")
            .arg(&sa)
            .args(["-o", &nb]),
    );
    assert!(
        stderr.contains(&format!(
            "warning: `{}` was made from other data than this run's",
            sa.display()
        )),
        "{stderr}"
    );
    // A compare folder from the same framework and data is taken without a warning: its
    // manifest lists every file the panels read (the framework's World Bank sources and
    // contiguity table too), as the report's own load does.
    let cmp = dir.path().join("cmp");
    riskscore()
        .args([
            "compare",
            "-q",
            "-f",
            "indicators/central_asia.toml",
            "-d",
            "datasets/central_asia.csv",
            "-o",
        ])
        .arg(&cmp)
        .assert()
        .success();
    let stderr = succeeds(
        riskscore()
            .args([
                "report",
                "-f",
                "indicators/central_asia.toml",
                "-d",
                "datasets/central_asia.csv",
                "--compare",
            ])
            .arg(&cmp)
            .args(["-o", &out]),
    );
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// `report --backtest`: the ROC, precision-recall and reliability charts, the verdict
/// of every variant and the skill table, from a backtest written in the Excel style;
/// a folder of another command is refused.
#[test]
fn report_shows_the_backtest_against_the_naive_forecasts() {
    let dir = tempfile::tempdir().unwrap();
    let bt = dir.path().join("bt");
    let base = ["-f", "indicators/central_asia.toml", "-d", "datasets/central_asia.csv"];
    riskscore()
        .arg("backtest")
        .args(base)
        .args([
            "-q",
            "--variants",
            "base,additive",
            "--outcome",
            "terror_impact",
            "--bootstrap",
            "100",
            "--excel",
            "-o",
        ])
        .arg(&bt)
        .assert()
        .success();
    let out = dir.path().join("report");
    riskscore()
        .arg("report")
        .args(base)
        .arg("--backtest")
        .arg(&bt)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let page = read(&out.join("report.html"));
    for id in ["backtest-roc", "backtest-pr", "backtest-reliability"] {
        assert!(page.contains(&format!("data-chart=\"{id}\"")), "{id}");
    }
    assert!(page.contains("Backtest: does the index beat naive forecasts?"));
    assert!(
        page.contains("<li>base: ") && page.contains("<li>additive: "),
        "verdicts"
    );
    // 2 variants x 5 naive forecasts in the skill table.
    assert_eq!(page.matches("<tr><td>additive</td>").count(), 5);
    // The scores folder of `score` is not a backtest.
    let scores = dir.path().join("scores");
    riskscore()
        .arg("score")
        .args(base)
        .arg("-q")
        .arg("-o")
        .arg(&scores)
        .assert()
        .success();
    let err = riskscore()
        .arg("report")
        .args(base)
        .arg("--backtest")
        .arg(&scores)
        .arg("-o")
        .arg(dir.path().join("r2"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&err.stderr);
    assert!(
        err.contains("holds the outputs of `riskscore score`, not of `riskscore backtest`"),
        "{err}"
    );
}
