//! The report's backtest section, from a `backtest` output folder: ROC and
//! precision-recall curves of every variant beside the baselines, the reliability
//! diagram of their probabilities, and the skill table with a verdict per variant, at
//! the first step of the backtest.
//!
//! ROC curve: at each distinct forecast, highest first, the share of events and of
//! non-events forecast at or above it (true and false positive rates). Precision-recall
//! curve: at the same thresholds, recall (the share of events at or above) and
//! precision (the share of those at or above that are events), drawn as steps, whose
//! area is the average precision (scikit-learn's `precision_recall_curve`).

use super::chart::Chart;
use super::plot::{colours, legend, mesh, svg, Mark, PLOT_WIDTH};
use super::read::{column, num, read_csv};
use crate::backtest::{self, Estimate, Kind, METRIC_NAMES, VERDICT_METRIC};
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::output::backtest::{BACKTEST_COLUMNS, FORECASTS_COLUMNS};
use plotters::prelude::*;
use serde::Serialize;
use std::path::Path;

/// At most this many points of a curve are drawn (the page stays small).
const CURVE_POINTS: usize = 400;

/// One row of the skill table on the page.
#[derive(Debug, Serialize)]
pub struct SkillRow {
    pub variant: String,
    pub baseline: String,
    pub average_precision: String,
    pub auroc: String,
    pub brier: String,
    pub verdict: String,
}

/// What the page shows of a backtest.
#[derive(Debug, Serialize)]
pub struct Section {
    pub step: i64,
    pub outcome: String,
    pub skill: Vec<SkillRow>,
    /// "variant: verdict" per variant.
    pub verdicts: Vec<String>,
}

/// A forecaster's pooled forecasts at the step: (score, event), and probabilities.
struct Series {
    name: String,
    kind: Kind,
    pairs: Vec<(f64, bool)>,
    probabilities: Vec<(f64, bool)>,
}

fn columns<const N: usize>(header: &[String], path: &Path, names: [&str; N]) -> Result<[usize; N]> {
    let mut out = [0; N];
    for (o, name) in out.iter_mut().zip(names) {
        *o = column(header, path, name)?;
    }
    Ok(out)
}

/// Reads the forecasts of the first step, per forecaster in the order of the file.
fn series(dir: &Path) -> Result<(i64, Vec<Series>)> {
    let path = dir.join("forecasts.csv");
    let (header, rows) = read_csv(&path)?;
    let [_, _, step, _, variant, kind, score, probability, _, event] = FORECASTS_COLUMNS;
    let [step, variant, kind, score, probability, event] =
        columns(&header, &path, [step, variant, kind, score, probability, event])?;
    let first = rows
        .iter()
        .map(|r| num(&r[step]))
        .filter(|s| s.is_finite())
        .fold(f64::INFINITY, f64::min);
    if !first.is_finite() {
        return Err(Error::Data {
            file: path.display().to_string(),
            kind: ErrorKind::BadTable,
            message: "no forecast: is this a `backtest` output folder?".into(),
        });
    }
    let mut out: Vec<Series> = Vec::new();
    for r in rows.iter().filter(|r| num(&r[step]) == first) {
        let i = match out.iter().position(|s| s.name == r[variant]) {
            Some(i) => i,
            None => {
                out.push(Series {
                    name: r[variant].clone(),
                    kind: if r[kind] == "baseline" {
                        Kind::Baseline
                    } else {
                        Kind::Variant
                    },
                    pairs: Vec::new(),
                    probabilities: Vec::new(),
                });
                out.len() - 1
            }
        };
        let (s, e, p) = (num(&r[score]), r[event] == "1", num(&r[probability]));
        if s.is_finite() {
            out[i].pairs.push((s, e));
        }
        if p.is_finite() {
            out[i].probabilities.push((p, e));
        }
    }
    Ok((first as i64, out))
}

/// A curve's points.
type Curve = Vec<(f64, f64)>;

/// Points of the ROC curve (false, true positive rate) and of the precision-recall
/// curve (recall, precision) at every distinct forecast, highest first.
fn curves(pairs: &[(f64, bool)]) -> (Curve, Curve) {
    let mut sorted = pairs.to_vec();
    sorted.sort_by(|a, b| b.0.total_cmp(&a.0));
    let events = sorted.iter().filter(|p| p.1).count() as f64;
    let others = sorted.len() as f64 - events;
    let (mut roc, mut pr) = (vec![(0.0, 0.0)], vec![(0.0, 1.0)]);
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut j = 0;
    while j < sorted.len() {
        let mut end = j + 1;
        while end < sorted.len() && sorted[end].0 == sorted[j].0 {
            end += 1;
        }
        for p in &sorted[j..end] {
            if p.1 {
                tp += 1.0;
            } else {
                fp += 1.0;
            }
        }
        roc.push((fp / others.max(1.0), tp / events.max(1.0)));
        pr.push((tp / events.max(1.0), tp / (tp + fp)));
        j = end;
    }
    (thin(roc), thin(pr))
}

/// Every k-th point (the first and last kept), so that at most [`CURVE_POINTS`] remain.
fn thin(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    if points.len() <= CURVE_POINTS {
        return points;
    }
    let k = points.len().div_ceil(CURVE_POINTS);
    let last = points[points.len() - 1];
    let mut out: Vec<(f64, f64)> = points.into_iter().step_by(k).collect();
    if out.last() != Some(&last) {
        out.push(last);
    }
    out
}

/// How a forecaster's points are drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Draw {
    /// Joined by straight lines (ROC).
    Lines,
    /// As steps: a value holds until the next point (precision-recall, as average
    /// precision counts it).
    Steps,
    /// Joined by lines, each point marked (reliability bins).
    Dots,
}

/// One chart on [0, 1] x [0, 1]: a line per forecaster (`points[i]` of `all[i]`),
/// variants thick and baselines thin, with the diagonal if asked.
fn curve_chart(
    caption: &str,
    x_desc: &str,
    y_desc: &str,
    all: &[Series],
    points: &[Curve],
    draw: Draw,
    diagonal: bool,
) -> String {
    let colour = colours(all.len());
    svg((900, 440), |root| {
        let (plot, side) = root.split_horizontally(PLOT_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .caption(caption, ("sans-serif", 21))
            .margin(10)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..1f64, 0f64..1.02f64)
            .map_err(|e| e.to_string())?;
        mesh(&mut chart)
            .x_desc(x_desc)
            .y_desc(y_desc)
            .draw()
            .map_err(|e| e.to_string())?;
        if diagonal {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, 0.0), (1.0, 1.0)],
                    RGBColor(180, 180, 180).stroke_width(1),
                )))
                .map_err(|e| e.to_string())?;
        }
        for ((s, p), &c) in all.iter().zip(points).zip(&colour) {
            let line = if draw == Draw::Steps {
                let mut stepped = Vec::with_capacity(2 * p.len());
                for (i, &(x, y)) in p.iter().enumerate() {
                    if i > 0 {
                        stepped.push((x, p[i - 1].1.min(1.0)));
                    }
                    stepped.push((x, y));
                }
                stepped
            } else {
                p.clone()
            };
            let width = if s.kind == Kind::Variant { 3 } else { 1 };
            chart
                .draw_series(std::iter::once(PathElement::new(line, c.stroke_width(width))))
                .map_err(|e| e.to_string())?;
            if draw == Draw::Dots {
                chart
                    .draw_series(p.iter().map(|&q| Circle::new(q, 4, c.filled())))
                    .map_err(|e| e.to_string())?;
            }
        }
        legend(&side, "thin: naive", &entries(all, &colour))
    })
}

fn entries(all: &[Series], colour: &[RGBColor]) -> Vec<(String, RGBColor, Mark)> {
    all.iter()
        .zip(colour)
        .map(|(s, &c)| (s.name.clone(), c, Mark::Line))
        .collect()
}

/// The reliability diagram's points of a forecaster: mean predicted against observed
/// rate in ten bins of predicted probability (empty bins left out).
fn reliability_points(s: &Series) -> Curve {
    let (p, e): (Vec<f64>, Vec<bool>) = s.probabilities.iter().copied().unzip();
    crate::metrics::reliability(&p, &e, 10)
        .iter()
        .filter(|b| b.n > 0)
        .map(|b| (b.mean_predicted, b.observed))
        .collect()
}

/// The skill table of `skill.csv` at `step`, as written (the verdict is the file's).
fn skill_rows(dir: &Path, step: i64) -> Result<Vec<SkillRow>> {
    let path = dir.join("skill.csv");
    let (header, rows) = read_csv(&path)?;
    let [s, variant, baseline, verdict] = columns(
        &header,
        &path,
        [
            "step",
            "variant",
            "baseline",
            &format!("verdict_{}", METRIC_NAMES[VERDICT_METRIC]),
        ],
    )?;
    let estimate = |r: &Vec<String>, m: &str| -> Result<String> {
        let [value, lo, hi] = columns(
            &header,
            &path,
            [&format!("{m}_diff"), &format!("{m}_lo"), &format!("{m}_hi")],
        )?;
        Ok(backtest::signed(Estimate {
            value: num(&r[value]),
            lo: num(&r[lo]),
            hi: num(&r[hi]),
        }))
    };
    rows.iter()
        .filter(|r| num(&r[s]) == step as f64)
        .map(|r| {
            Ok(SkillRow {
                variant: r[variant].clone(),
                baseline: r[baseline].clone(),
                average_precision: estimate(r, "average_precision")?,
                auroc: estimate(r, "auroc")?,
                brier: estimate(r, "brier")?,
                verdict: r[verdict].replace('_', " "),
            })
        })
        .collect()
}

/// Per metric of `metrics`, the pooled value of each forecaster at `step` in
/// `backtest.csv` (read once).
fn pooled<const N: usize>(dir: &Path, step: i64, metrics: [&str; N]) -> Result<[Vec<(String, f64)>; N]> {
    let path = dir.join("backtest.csv");
    let (header, rows) = read_csv(&path)?;
    let [variant, _, step_column, period, ..] = BACKTEST_COLUMNS;
    let [s, variant, period] = columns(&header, &path, [step_column, variant, period])?;
    let at = columns(&header, &path, metrics)?;
    let pooled: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| num(&r[s]) == step as f64 && r[period] == "all")
        .collect();
    Ok(at.map(|m| pooled.iter().map(|r| (r[variant].clone(), num(&r[m]))).collect()))
}

/// The charts and tables of a backtest folder.
pub fn section(dir: &Path) -> Result<(Vec<Chart>, Section)> {
    let manifest = dir.join("manifest.json");
    let text = crate::input::file::read(&manifest, "manifest", Default::default())?;
    let manifest: serde_json::Value = serde_json::from_slice(&text).unwrap_or_default();
    let outcome = manifest["outcome"].as_str().unwrap_or("the outcome").to_string();
    let outcome = outcome.as_str();
    let (step, all) = series(dir)?;
    let listed = |values: &[(String, f64)]| -> String {
        values
            .iter()
            .map(|(name, v)| format!("`{name}` {v:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let [auroc, average_precision] = pooled(dir, step, ["auroc", "average_precision"])?;
    let (auroc, average_precision) = (listed(&auroc), listed(&average_precision));
    // Each forecaster's ROC and precision-recall points, from one sort of its pairs.
    let (roc_points, pr_points): (Vec<Curve>, Vec<Curve>) = all.iter().map(|s| curves(&s.pairs)).unzip();
    let roc = Chart {
        id: "backtest-roc".into(),
        title: format!("Backtest: ROC curves at t+{step}"),
        svg: curve_chart(
            &format!("ROC, {outcome} at t+{step}"),
            "false positive rate (non-events flagged)",
            "true positive rate (events flagged)",
            &all,
            &roc_points,
            Draw::Lines,
            true,
        ),
        reading: format!(
            "AUROC pooled over origins: {auroc}. Thick lines are the index's variants, thin ones the naive forecasts; the diagonal is guessing."
        ),
    };
    let pr = Chart {
        id: "backtest-pr".into(),
        title: format!("Backtest: precision-recall at t+{step}"),
        svg: curve_chart(
            &format!("Precision-recall, {outcome} at t+{step}"),
            "recall (share of events flagged)",
            "precision (share of flags that were events)",
            &all,
            &pr_points,
            Draw::Steps,
            false,
        ),
        reading: format!(
            "Average precision (the area under each curve): {average_precision}. Where events are rare this, more than the AUROC, tells whether the top of a ranking is right."
        ),
    };
    let reliability = Chart {
        id: "backtest-reliability".into(),
        title: format!("Backtest: reliability at t+{step}"),
        svg: curve_chart(
            "Reliability of the probabilities",
            "predicted probability (mean of the bin)",
            "observed share of events",
            &all,
            &all.iter().map(reliability_points).collect::<Vec<_>>(),
            Draw::Dots,
            true,
        ),
        reading: "Each point is a tenth of the predicted probabilities: on the diagonal, events happened as often as forecast; below it, less often.".into(),
    };
    // The verdicts as the backtest said them.
    let verdicts = manifest["verdicts"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter(|v| v["step"].as_i64() == Some(step))
                .map(|v| {
                    format!(
                        "{}: {}",
                        v["variant"].as_str().unwrap_or(""),
                        v["verdict"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let rows = skill_rows(dir, step)?;
    Ok((
        vec![roc, pr, reliability],
        Section {
            step,
            outcome: outcome.to_string(),
            skill: rows,
            verdicts,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scores 0.9 (event), 0.8 (event), 0.8 (not), 0.1 (not): thresholds 0.9, 0.8, 0.1.
    #[test]
    fn curves_by_hand() {
        let (roc, pr) = curves(&[(0.9, true), (0.8, true), (0.8, false), (0.1, false)]);
        assert_eq!(roc, [(0.0, 0.0), (0.0, 0.5), (0.5, 1.0), (1.0, 1.0)]);
        assert_eq!(pr, [(0.0, 1.0), (0.5, 1.0), (1.0, 2.0 / 3.0), (1.0, 0.5)]);
        let long: Vec<(f64, f64)> = (0..1001).map(|i| (i as f64, 0.0)).collect();
        let thinned = thin(long);
        assert!(thinned.len() <= CURVE_POINTS + 1 && thinned.last() == Some(&(1000.0, 0.0)));
    }
}
