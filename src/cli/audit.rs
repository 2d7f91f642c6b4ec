//! `riskscore audit`: statistical coherence of a framework on its data.

use super::DataArgs;
use clap::Args;
use riskscore::audit;
use riskscore::framework::Framework;
use riskscore::output::{self, csv::Cell, csv::Style};
use riskscore::{Error, Result};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Framework file (TOML)
    #[arg(short = 'f', long = "framework", value_name = "FILE")]
    pub framework: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output folder: stats.csv, correlations.csv, cronbach.csv, pca.csv,
    /// effective_weights.csv, units.csv, manifest.json
    #[arg(short = 'o', long = "out", value_name = "DIR")]
    pub out: PathBuf,
    /// Period to audit (default: the last scored period)
    #[arg(long, value_name = "PERIOD")]
    pub period: Option<String>,
    /// Excel-friendly CSV: UTF-8 BOM, ';' delimiter, decimal comma
    #[arg(long)]
    pub excel: bool,
    /// Print nothing but errors
    #[arg(short, long)]
    pub quiet: bool,
}

fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

pub fn run(args: AuditArgs) -> Result<()> {
    let started = Instant::now();
    let (fw, framework_bytes) = Framework::read(&args.framework)?;
    let period = args
        .period
        .as_deref()
        .map(|t| super::parse_period("period", t))
        .transpose()?;
    let panel = args.data.load(&fw)?;
    let a = audit::audit(&fw, &panel, period)?;

    std::fs::create_dir_all(&args.out).map_err(|e| Error::io(&args.out, "cannot create output folder", e))?;
    let inputs = args.data.inputs_with(&args.framework);
    let style = Style { excel: args.excel };
    let mut written = Vec::new();
    let mut write = |name: &str, head: Vec<String>, rows: Vec<Vec<Cell>>| -> Result<()> {
        let path = args.out.join(name);
        output::check_not_input(&path, &inputs)?;
        output::write_atomic(&path, |w| output::csv::write_table(w, style, &head, rows.into_iter()))?;
        written.push(path.display().to_string());
        Ok(())
    };
    let num = |v: f64| Cell::Num(v, 6);
    let flag = |b: bool| Cell::Bool(b);
    write(
        "stats.csv",
        header(&[
            "indicator",
            "group",
            "n",
            "availability",
            "zeros",
            "unique",
            "min",
            "max",
            "mean",
            "sd",
            "skewness",
            "kurtosis",
            "outlier",
            "low_availability",
            "many_zeros",
            "few_unique",
        ]),
        a.stats
            .iter()
            .map(|s| {
                vec![
                    Cell::Text(s.indicator.clone()),
                    Cell::Text(s.group.clone()),
                    Cell::Int(s.n as i64),
                    Cell::Num(s.availability, 4),
                    Cell::Num(s.zeros, 4),
                    Cell::Int(s.unique as i64),
                    num(s.min),
                    num(s.max),
                    num(s.mean),
                    num(s.sd),
                    num(s.skewness),
                    num(s.kurtosis),
                    flag(s.outlier),
                    flag(s.low_availability),
                    flag(s.many_zeros),
                    flag(s.few_unique),
                ]
            })
            .collect(),
    )?;
    write(
        "correlations.csv",
        header(&[
            "indicator",
            "with_kind",
            "with",
            "n",
            "pearson",
            "pearson_p",
            "spearman",
            "spearman_p",
            "flag",
        ]),
        a.correlations
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.indicator.clone()),
                    Cell::Text(c.with_kind.into()),
                    Cell::Text(c.with.clone()),
                    Cell::Int(c.n as i64),
                    num(c.pearson),
                    num(c.pearson_p),
                    num(c.spearman),
                    num(c.spearman_p),
                    Cell::Text(c.flag.into()),
                ]
            })
            .collect(),
    )?;
    write(
        "cronbach.csv",
        header(&["group", "items", "n", "alpha"]),
        a.cronbach
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(c.group.clone()),
                    Cell::Int(c.items as i64),
                    Cell::Int(c.n as i64),
                    num(c.alpha),
                ]
            })
            .collect(),
    )?;
    let mut pca_rows = Vec::new();
    for p in &a.pca {
        let mut cumulative = 0.0;
        for (j, (&ev, &ex)) in p.eigenvalues.iter().zip(&p.explained).enumerate() {
            cumulative += ex;
            pca_rows.push(vec![
                Cell::Text(p.group.clone()),
                Cell::Int(p.n as i64),
                Cell::Int(j as i64 + 1),
                Cell::Empty,
                num(ev),
                num(ex),
                num(cumulative),
                Cell::Empty,
            ]);
        }
        for (id, l) in &p.loadings {
            pca_rows.push(vec![
                Cell::Text(p.group.clone()),
                Cell::Int(p.n as i64),
                Cell::Int(1),
                Cell::Text(id.clone()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                num(*l),
            ]);
        }
    }
    write(
        "pca.csv",
        header(&[
            "group",
            "n",
            "component",
            "child",
            "eigenvalue",
            "explained",
            "cumulative",
            "loading",
        ]),
        pca_rows,
    )?;
    write(
        "effective_weights.csv",
        header(&["indicator", "nominal_weight", "corr_with_index", "importance"]),
        a.effective
            .iter()
            .map(|e| {
                vec![
                    Cell::Text(e.indicator.clone()),
                    num(e.nominal),
                    num(e.corr_with_index),
                    num(e.importance),
                ]
            })
            .collect(),
    )?;
    let list = |v: &[(String, f64)]| {
        v.iter()
            .map(|(id, x)| format!("{id} ({x:.1})"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    write(
        "units.csv",
        header(&["unit", "availability", "strongest", "weakest"]),
        a.profiles
            .iter()
            .map(|u| {
                vec![
                    Cell::Text(u.unit.clone()),
                    Cell::Num(u.availability, 4),
                    Cell::Text(list(&u.strongest)),
                    Cell::Text(list(&u.weakest)),
                ]
            })
            .collect(),
    )?;
    let manifest_path = args.out.join("manifest.json");
    output::check_not_input(&manifest_path, &inputs)?;
    written.push(manifest_path.display().to_string());
    output::write_json(
        &manifest_path,
        &serde_json::json!({
            "command": "audit",
            "riskscore_version": env!("CARGO_PKG_VERSION"),
            "created_utc": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "framework": {"file": fw.file, "sha256": output::manifest::sha256_hex(&framework_bytes)},
            "data": panel.sources,
            "period": a.period.to_string(),
            "units": a.units,
            "outputs": written,
            "elapsed_seconds": started.elapsed().as_secs_f64(),
        }),
    )?;

    if !args.quiet {
        let mut t = format!("audit of {} in {} ({} units)\n", fw.file, a.period, a.units);
        for s in &a.stats {
            let mut flags = Vec::new();
            if s.outlier {
                flags.push(format!("outliers (skew {:.2}, kurtosis {:.2})", s.skewness, s.kurtosis));
            }
            if s.low_availability {
                flags.push(format!("availability {:.0}%", 100.0 * s.availability));
            }
            if s.many_zeros {
                flags.push(format!("{:.0}% zeros", 100.0 * s.zeros));
            }
            if s.few_unique {
                flags.push(format!("{} unique values", s.unique));
            }
            if !flags.is_empty() {
                t.push_str(&format!("  {:<28} {}\n", s.indicator, flags.join(", ")));
            }
        }
        for c in a.correlations.iter().filter(|c| !c.flag.is_empty()) {
            if c.with_kind == "sibling" && c.indicator > c.with {
                continue;
            }
            t.push_str(&format!(
                "  {:<28} {} with {} `{}` (r = {:.2}, p = {:.3})\n",
                c.indicator, c.flag, c.with_kind, c.with, c.pearson, c.pearson_p
            ));
        }
        t.push_str("  group                          alpha  PC1 share\n");
        for c in &a.cronbach {
            let pc1 = a
                .pca
                .iter()
                .find(|p| p.group == c.group)
                .map_or(f64::NAN, |p| p.explained[0]);
            t.push_str(&format!("  {:<28} {:>7.2} {:>9.0}%\n", c.group, c.alpha, 100.0 * pc1));
        }
        t.push_str("  indicator                    nominal  importance\n");
        for e in &a.effective {
            t.push_str(&format!(
                "  {:<28} {:>6.1}% {:>10.1}%\n",
                e.indicator,
                100.0 * e.nominal,
                100.0 * e.importance
            ));
        }
        super::print(&t)?;
        eprintln!(
            "in {:.2} s; wrote {}",
            started.elapsed().as_secs_f64(),
            args.out.display()
        );
    }
    Ok(())
}
