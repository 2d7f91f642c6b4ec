//! `riskscore merge-shards`: the outputs of one sensitivity run from its shards.

use super::args::{parse_period, Inputs, OutDir};
use super::sensitivity::{self as sens, Run};
use crate::framework::Framework;
use crate::uncertainty::shard::{self, ShardFile};
use crate::uncertainty::{self, Quantiles, Settings};
use crate::{Error, Result};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args, Debug)]
pub struct MergeShardsArgs {
    /// The shards' output folders (or their .rsshard files)
    #[arg(required = true, value_name = "SHARD")]
    pub shards: Vec<PathBuf>,
    #[command(flatten)]
    pub input: Inputs,
    #[command(flatten)]
    pub output: OutDir,
    /// Worker threads (default: all cores); results do not depend on it
    #[arg(long)]
    pub threads: Option<usize>,
}

/// The shard files named: a file as given, a folder's `.rsshard` files.
fn shard_files(given: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in given {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| Error::io(path, "read the folder", e))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "rsshard"))
                .collect();
            if found.is_empty() {
                return Err(Error::argument(
                    "shards",
                    format!(
                        "{} holds no shard file (*.rsshard): give the folders `sensitivity --shard` wrote",
                        path.display()
                    ),
                ));
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Opens every shard file and reads its header; all problems at once.
fn open_all(files: &[PathBuf]) -> Result<Vec<ShardFile>> {
    let mut parts = Vec::new();
    let mut problems = Vec::new();
    for file in files {
        let opened = match std::fs::metadata(file) {
            Ok(m) if m.is_file() => ShardFile::open(file),
            Ok(_) => Err(Error::argument("shards", format!("{} is not a file", file.display()))),
            Err(e) => Err(Error::io(file, "read", e)),
        };
        match opened {
            Ok(p) => parts.push(p),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        return Err(Error::argument("shards", problems.join("\n")));
    }
    Ok(parts)
}

/// The settings the shards ran with, on the framework's `[sensitivity]`.
fn settings_of(fw: &Framework, recorded: &shard::ShardSettings) -> Result<Settings> {
    let mut settings = Settings::from_framework(fw.sensitivity()?);
    // A header is not trusted: its settings pass the checks the command line's do.
    settings.samples = crate::framework::sensitivity::check_samples(recorded.samples)
        .map_err(|message| Error::argument("shards", format!("the shards' samples: {message}")))?;
    if !(recorded.confidence > 0.0 && recorded.confidence < 1.0) {
        return Err(Error::argument(
            "shards",
            format!(
                "the shards' confidence is {}, expected a level between 0 and 1",
                recorded.confidence
            ),
        ));
    }
    settings.seed = recorded.seed;
    settings.bootstrap = recorded.bootstrap;
    settings.confidence = recorded.confidence;
    settings.method = recorded.method;
    settings.period = recorded
        .period
        .as_deref()
        .map(|p| parse_period("period", p))
        .transpose()?;
    settings.quantiles = Quantiles::Sketch;
    Ok(settings)
}

pub fn run(args: MergeShardsArgs) -> Result<()> {
    let started = Instant::now();
    args.output
        .check(&["uncertainty.csv", "sobol.csv", "manifest.json"], &args.input.paths())?;
    let files = shard_files(&args.shards)?;
    let parts = open_all(&files)?;
    let (fw, framework_bytes) = Framework::read(&args.input.framework)?;
    let settings = settings_of(&fw, parts[0].header().settings())?;
    let panel = args.input.data.load(&fw)?;
    let loaded = started.elapsed().as_secs_f64();
    let expected = sens::identity(&framework_bytes, &panel, &settings, &sens::weight_set_files(&fw)?);
    let listed: Vec<serde_json::Value> = parts
        .iter()
        .map(|p| {
            let s = p.header().samples();
            serde_json::json!({ "file": p.name(), "shard": p.header().shard().to_string(), "samples": [s.start, s.end] })
        })
        .collect();
    let ordered = shard::order(parts, &expected)?;
    let threads = sens::threads(args.threads)?;
    let pool = sens::pool(threads)?;
    let analysis = pool.install(|| uncertainty::merge(&fw, &panel, &settings, &ordered))?;
    let mut inputs: Vec<&Path> = args.input.paths();
    inputs.extend(files.iter().map(PathBuf::as_path));
    let run = Run {
        fw: &fw,
        framework_bytes: &framework_bytes,
        panel: &panel,
        settings: &settings,
        threads,
        started,
        loaded,
    };
    let mut extra = serde_json::Map::new();
    extra.insert("shards".into(), serde_json::Value::Array(listed));
    sens::write_outputs(&args.output, &inputs, &run, &analysis, &pool, extra)
}
