//! `riskscore import coinr`: a COINr index (iData, iMeta) as a framework and data file.

use super::args::OutDir;
use crate::error::ErrorKind;
use crate::import::{self, Steps};
use crate::{Error, Result};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub from: ImportFrom,
}

#[derive(Subcommand, Debug)]
pub enum ImportFrom {
    /// COINr's iData and iMeta tables (CSV, e.g. from write.csv): writes framework.toml and data.csv
    ///
    /// The build steps are named as in COINr; the defaults are COINr's defaults
    /// (Treat with winmax 5, n_minmax onto [0, 100], a_amean, no imputation).
    Coinr(CoinrArgs),
}

#[derive(Args, Debug)]
pub struct CoinrArgs {
    /// COINr iData table (CSV): uCode, Time, groups, denominators, indicators
    #[arg(long, value_name = "FILE")]
    pub idata: PathBuf,
    /// COINr iMeta table (CSV): Level, iCode, iName, Direction, Weight, Unit, Target, Denominator, Parent, Type
    #[arg(long, value_name = "FILE")]
    pub imeta: PathBuf,
    #[command(flatten)]
    pub output: OutDir,
    /// Impute(f_i = ...): i_mean, i_median, i_mean_grp, i_median_grp
    #[arg(long, value_name = "F_I")]
    pub impute: Option<String>,
    /// Impute(use_group = ...): the iData group column of i_mean_grp / i_median_grp
    #[arg(long, value_name = "COLUMN")]
    pub use_group: Option<String>,
    /// Leave out Treat() (COINr's Treat(disable = TRUE))
    #[arg(long)]
    pub no_treat: bool,
    /// Treat(global_specs = list(f1_para = list(winmax = K)))
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub winmax: usize,
    /// Normalise(global_specs = list(f_n = ...)): n_minmax, n_zscore, n_rank, n_borda, n_prank, n_dist2max, n_fracmax, n_dist2targ, n_dist2ref
    #[arg(long, value_name = "F_N", default_value = "n_minmax")]
    pub normalise: String,
    /// Its f_n_para, comma-separated: l_u of n_minmax (default 0,100), m_sd of n_zscore (default 0,1), iref[,cap_max 0/1] of n_dist2ref
    #[arg(long, value_name = "A,B")]
    pub normalise_para: Option<String>,
    /// Aggregate(f_ag = ...): a_amean, a_gmean, a_hmean, a_copeland, a_genmean(p); or one per level, comma-separated from the lowest
    #[arg(long, value_name = "F_AG", default_value = "a_amean")]
    pub aggregate: String,
    /// Screen(unit_screen = "byNA", dat_thresh = T): a unit needs this share of indicators (after --impute: screen.on = "imputed", as COINr)
    #[arg(long, value_name = "T")]
    pub screen: Option<f64>,
    /// Screen(unit_screen = "byzeros", nonzero_thresh = T); with --screen, COINr's "byNAandzeros"
    #[arg(long, value_name = "T")]
    pub nonzero_thresh: Option<f64>,
}

fn read(path: &Path) -> Result<String> {
    let bytes = crate::input::file::read(path, "COINr table", Default::default())?;
    String::from_utf8(bytes).map_err(|e| Error::Data {
        file: path.display().to_string(),
        kind: ErrorKind::Unreadable,
        message: format!(
            "not UTF-8 text (byte {}): save the table as UTF-8 CSV",
            e.utf8_error().valid_up_to()
        ),
    })
}

pub fn run(args: ImportArgs) -> Result<()> {
    let ImportFrom::Coinr(args) = args.from;
    let para = match &args.normalise_para {
        None => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|p| {
                p.trim().parse::<f64>().map_err(|_| Error::Argument {
                    name: "normalise_para".into(),
                    message: format!("expected numbers separated by commas, e.g. 0,100; found `{text}`"),
                })
            })
            .collect::<Result<_>>()?,
    };
    let steps = Steps {
        impute: args.impute.clone(),
        use_group: args.use_group.clone(),
        treat: !args.no_treat,
        winmax: args.winmax,
        normalise: args.normalise.clone(),
        normalise_para: para,
        aggregate: args.aggregate.split(',').map(|s| s.trim().to_string()).collect(),
        screen: args.screen,
        nonzero: args.nonzero_thresh,
    };
    let inputs = [args.idata.as_path(), args.imeta.as_path()];
    args.output.check(&["framework.toml", "data.csv"], &inputs)?;
    let (idata, imeta) = (read(&args.idata)?, read(&args.imeta)?);
    let imported = import::coinr(
        &args.idata.display().to_string(),
        &idata,
        &args.imeta.display().to_string(),
        &imeta,
        &steps,
    )?;
    let mut set = args.output.begin(&inputs, &[])?;
    let framework = set.write("framework.toml", |w| w.write_all(imported.framework.as_bytes()))?;
    let data = set.write("data.csv", |w| w.write_all(imported.data.as_bytes()))?;
    args.output.commit(
        set,
        &serde_json::json!({
            "command": "import coinr",
            "riskscore_version": env!("CARGO_PKG_VERSION"),
            "created_utc": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "inputs": [
                {"file": args.idata.display().to_string(), "sha256": crate::hash::sha256_hex(idata.as_bytes())},
                {"file": args.imeta.display().to_string(), "sha256": crate::hash::sha256_hex(imeta.as_bytes())},
            ],
            "outputs": [framework.display().to_string(), data.display().to_string()],
        }),
    )?;
    if !args.output.quiet {
        for note in &imported.notes {
            say!("note: {note}");
        }
        say!(
            "wrote {} and {}; score with: riskscore score -f {} -d {} -o OUT",
            framework.display(),
            data.display(),
            framework.display(),
            data.display()
        );
    }
    Ok(())
}
