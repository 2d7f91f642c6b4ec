//! `riskscore compare`: several variants side by side.

use super::args::{CsvStyle, DataArgs, OutDir};
use super::terminal::print;
use super::variants::{in_variant, input_paths, variant_info, Loaded, VariantArgs};
use crate::compare::{self, Scored};
use crate::error::ErrorKind;
use crate::output::{self};
use crate::score::{score_keeping, Keep, Results};
use crate::{Error, Result};
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct CompareArgs {
    #[command(flatten)]
    pub variants: VariantArgs,
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub output: OutDir,
    /// k of the top-k overlap
    #[arg(long, default_value_t = 3)]
    pub top_k: usize,
    #[command(flatten)]
    pub csv: CsvStyle,
}

pub fn run(args: CompareArgs) -> Result<()> {
    let started = Instant::now();
    let inputs = input_paths(&args.variants, &args.data);
    let input_refs: Vec<&std::path::Path> = inputs.iter().map(PathBuf::as_path).collect();
    args.output
        .check(&["variants.csv", "agreement.csv", "manifest.json"], &input_refs)?;
    let vs = args.variants.read()?;
    if vs.len() < 2 {
        return Err(Error::Data {
            file: args.variants.framework[0].display().to_string(),
            kind: ErrorKind::NothingToScore,
            message: "nothing to compare: declare [[variant]] entries, pass several -f files, or list at least two --variants".into(),
        });
    }
    let loaded = Loaded::new(&args.data, Vec::new())?;
    let mut results: Vec<Results> = Vec::new();
    for v in &vs {
        let panel = loaded.shared_panel(v)?;
        // The comparison reads scores, ranks and classes only.
        let r = score_keeping(&v.framework, &panel, Keep::Scores).map_err(|e| in_variant(&v.name, e))?;
        results.push(r);
    }
    let scored: Vec<Scored> = vs
        .iter()
        .zip(&results)
        .map(|(v, r)| Scored {
            name: &v.name,
            framework: &v.framework,
            results: r,
        })
        .collect();
    let cmp = compare::compare(&scored, args.top_k);

    let frameworks: Vec<&crate::framework::Framework> = vs.iter().map(|v| &v.framework).collect();
    let mut set = args.output.begin(&input_refs, &frameworks)?;
    let style = args.csv.style();
    let variants_path = set.write_csv(output::compare::variants(&cmp), style)?;
    let agreement_path = set.write_csv(output::compare::agreement(&cmp), style)?;
    let manifest_path = set.final_path("manifest.json");
    args.output.commit(
        set,
        &serde_json::json!({
            "command": "compare",
            "riskscore_version": env!("CARGO_PKG_VERSION"),
            "created_utc": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "variants": variant_info(&vs),
            "data": loaded.sources_info(),
            "top_k": args.top_k,
            "outputs": [variants_path.display().to_string(), agreement_path.display().to_string(), manifest_path.display().to_string()],
            "elapsed_seconds": started.elapsed().as_secs_f64(),
        }),
    )?;

    if !args.output.quiet {
        let text = output::compare::summary(&cmp, args.top_k);
        if !text.is_empty() {
            print(&text)?;
        }
        say!(
            "compared {} variants ({}) in {:.2} s; wrote {}",
            vs.len(),
            cmp.names.join(", "),
            started.elapsed().as_secs_f64(),
            args.output.out.display()
        );
    }
    Ok(())
}
