//! `riskscore export-notebook`: a Jupyter notebook that reloads a run's CSV outputs.

use crate::error::ErrorKind;
use crate::framework::Framework;
use crate::hash::sha256_hex;
use crate::notebook::{self, Inputs};
use crate::output::tables::SCORES_COLUMNS;
use crate::output::{self, manifest::check_folder};
use crate::{Error, Result};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct NotebookArgs {
    /// Framework file (TOML) the run used
    #[arg(short = 'f', long = "framework", value_name = "FILE")]
    pub framework: PathBuf,
    /// A `riskscore score` output folder (scores.csv)
    #[arg(long, value_name = "DIR")]
    pub scores: PathBuf,
    /// A `riskscore sensitivity` output folder (uncertainty.csv, sobol.csv)
    #[arg(long, value_name = "DIR")]
    pub sensitivity: Option<PathBuf>,
    /// A `riskscore compare` output folder (variants.csv)
    #[arg(long, value_name = "DIR")]
    pub compare: Option<PathBuf>,
    /// Notebook to write (.ipynb); the CSVs go to <name>_data/ beside it
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: PathBuf,
}

fn need(dir: &Path, file: &str, option: &str) -> Result<PathBuf> {
    let path = dir.join(file);
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::Argument {
            name: option.into(),
            message: format!(
                "`{}` has no {file} (expected the output folder of `riskscore {}`)",
                dir.display(),
                if option == "scores" { "score" } else { option }
            ),
        })
    }
}

/// The units of a `scores.csv` (its `unit` column), each once: the notebook names
/// them (cells, provinces, countries) and says how many its charts leave out.
fn unit_column(scores: &Path) -> Result<Vec<String>> {
    let (header, rows) = crate::report::read_csv(scores)?;
    let unit = SCORES_COLUMNS[0];
    let at = header.iter().position(|h| h == unit).ok_or_else(|| Error::Data {
        file: scores.display().to_string(),
        kind: ErrorKind::BadTable,
        message: format!("has no `{unit}` column (expected the scores.csv of `riskscore score`)"),
    })?;
    let mut units: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in rows {
        if seen.insert(row[at].clone()) {
            units.push(row[at].clone());
        }
    }
    Ok(units)
}

pub fn run(args: NotebookArgs) -> Result<()> {
    let (fw, bytes) = Framework::read(&args.framework)?;
    if args.out.extension().and_then(|e| e.to_str()) != Some("ipynb") {
        return Err(Error::Argument {
            name: "out".into(),
            message: format!(
                "expected a notebook file name ending in .ipynb, found `{}`",
                args.out.display()
            ),
        });
    }
    let scores_csv = need(&args.scores, "scores.csv", "scores")?;
    let sha = sha256_hex(&bytes);
    // The data of the scores folder is what the other folders must match.
    let scores = check_folder(&args.scores, "scores", &fw.file, &sha, None, &["scores.csv"], &[])?;
    // Held until the copies are made: no run may replace these folders' files meanwhile.
    let (_folders, warnings) = super::runs::other_runs(
        args.sensitivity.as_deref(),
        args.compare.as_deref(),
        &["variants.csv"],
        &fw.file,
        &sha,
        &scores.data,
    )?;
    for w in &warnings {
        say!("warning: {w}");
    }
    let units = unit_column(&scores_csv)?;
    let mut copies = vec![scores_csv];
    let mut inputs = Inputs {
        noun: crate::places::noun_of(&units),
        units: units.len(),
        ..Inputs::default()
    };
    if let Some(d) = &args.sensitivity {
        copies.push(need(d, "uncertainty.csv", "sensitivity")?);
        inputs.uncertainty = true;
        if d.join("sobol.csv").is_file() {
            copies.push(d.join("sobol.csv"));
            inputs.sobol = true;
        }
    }
    if let Some(d) = &args.compare {
        copies.push(need(d, "variants.csv", "compare")?);
        inputs.variants = true;
    }
    let stem = args
        .out
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let parent = args
        .out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let data_dir = parent.join(format!("{stem}_data"));
    let mut sources: Vec<&Path> = copies.iter().map(PathBuf::as_path).collect();
    sources.push(&args.framework);
    let targets: Vec<PathBuf> = copies
        .iter()
        .map(|src| data_dir.join(src.file_name().unwrap_or_default()))
        .chain([args.out.clone()])
        .collect();
    output::check_outputs(&targets, &sources)?;
    inputs.data_folder = format!("{stem}_data");
    let nb = notebook::build(&fw, &fw.file, &sha, &inputs);
    let problems = notebook::check(&nb);
    if !problems.is_empty() {
        return Err(Error::Data {
            file: args.out.display().to_string(),
            kind: ErrorKind::Internal,
            message: format!("the notebook would not be valid nbformat 4: {}", problems.join("; ")),
        });
    }
    // The data folder is one set of outputs (see output::set), then the notebook.
    copy_data(&data_dir, &sources, &copies, (&fw.file, &sha), &args.out)?;
    output::write_json(&args.out, &nb)?;
    say!(
        "wrote {} ({} cells) and {}/",
        args.out.display(),
        nb["cells"].as_array().map_or(0, Vec::len),
        data_dir.display()
    );
    Ok(())
}

/// Copies the tables the notebook reads (`copies`) into `data_dir`, one set of outputs
/// with its manifest (`framework`: its file and SHA-256; `notebook`: the notebook's path).
fn copy_data(
    data_dir: &Path,
    sources: &[&Path],
    copies: &[PathBuf],
    (framework, sha): (&str, &str),
    notebook: &Path,
) -> Result<()> {
    let mut set = output::set::OutputSet::begin(data_dir, sources)?;
    let mut copied = Vec::new();
    for src in copies {
        let name = src.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let content = std::fs::read(src).map_err(|e| Error::io(src, "cannot read", e))?;
        set.write(&name, |w| w.write_all(&content))?;
        copied.push(serde_json::json!({"file": src.display().to_string(), "sha256": sha256_hex(&content)}));
    }
    let manifest = serde_json::json!({
        "command": "export-notebook",
        "riskscore_version": env!("CARGO_PKG_VERSION"),
        "created_utc": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "framework": {"file": framework, "sha256": sha},
        "notebook": notebook.display().to_string(),
        "copied": copied,
    });
    super::runs::commit_set(set, manifest, false)
}
