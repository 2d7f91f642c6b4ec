//! The report's charts from a `sensitivity` output folder (rank uncertainty, Sobol
//! indices) and from a `compare` folder (rank per variant).

use super::chart::Chart;
use super::plot::*;
use super::read::{column, num, read_csv};
use super::shown::{ends, ALL_UNITS_UP_TO, CHART_AT_EACH_END};
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::output::compare::{VARIANTS_KEY_COLUMNS, VARIANT_PREFIXES};
use crate::output::sensitivity::{SOBOL_COLUMNS, UNCERTAINTY_COLUMNS};
use crate::period::Period;
use crate::places::Noun;
use plotters::prelude::*;
use std::path::Path;

/// The rank uncertainty chart, and the Sobol chart when `sobol.csv` is there.
pub(super) fn sensitivity_charts(dir: &Path, last: Period, noun: Noun) -> Result<Vec<Chart>> {
    let want = last.to_string();
    let mut charts = vec![uncertainty_chart(dir, &want, noun)?];
    charts.extend(sobol_chart(dir, &want)?);
    Ok(charts)
}

/// Median rank and 5-95 % interval of every unit in period `want`.
pub(super) fn uncertainty_chart(dir: &Path, want: &str, noun: Noun) -> Result<Chart> {
    let path = dir.join("uncertainty.csv");
    let (header, rows) = read_csv(&path)?;
    let [unit, period, nominal, median, q05, q95, ..] = UNCERTAINTY_COLUMNS;
    let [unit, period, nominal, median, q05, q95] =
        [unit, period, nominal, median, q05, q95].map(|c| column(&header, &path, c));
    let (unit, period, nominal, median, q05, q95) = (unit?, period?, nominal?, median?, q05?, q95?);
    let mut rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[period] == want).collect();
    if rows.is_empty() {
        let (_, all) = read_csv(&path)?;
        let p = all.last().map(|r| r[period].clone()).unwrap_or_default();
        return Err(Error::Data {
            file: path.display().to_string(),
            kind: ErrorKind::BadTable,
            message: format!("no rows for period {want} (the report's last period); the file has period {p}: run sensitivity with option `period` {want}"),
        });
    }
    rows.sort_by(|a, b| num(&a[nominal]).total_cmp(&num(&b[nominal])));
    let widest = rows
        .iter()
        .max_by(|a, b| (num(&a[q95]) - num(&a[q05])).total_cmp(&(num(&b[q95]) - num(&b[q05]))))
        .map(|r| (r[unit].clone(), num(&r[q05]), num(&r[q95])));
    let all = rows.len();
    let rows = ends(&rows, CHART_AT_EACH_END);
    let m = rows.len();
    let labels: Vec<String> = rows.iter().map(|r| r[unit].clone()).collect();
    let units_svg = svg((900, 400), |root| {
        let mut chart = rank_chart(
            root,
            format!("Rank uncertainty in {want}: median rank and 5-95 % interval"),
            &labels,
            format!("{} (by nominal rank)", noun.0),
        )?;
        for (i, r) in rows.iter().enumerate() {
            let x = i as f64 + 0.5;
            let (a, b, med, nom) = (num(&r[q05]), num(&r[q95]), num(&r[median]), num(&r[nominal]));
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, a), (x, b)],
                    BLACK.stroke_width(2),
                )))
                .map_err(|e| e.to_string())?;
            for end in [a, b] {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(x - 0.15, end), (x + 0.15, end)],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(|e| e.to_string())?;
            }
            chart
                .draw_series(std::iter::once(Circle::new((x, med), 6, PALETTE[3].filled())))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(std::iter::once(Cross::new((x, nom), 6, PALETTE[0].stroke_width(2))))
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    });
    Ok(Chart {
        id: "uncertainty".into(),
        title: "Rank uncertainty".into(),
        svg: units_svg,
        reading: match widest {
            Some((u, a, b)) => format!(
                "Red dot: median rank over the sensitivity runs; bar: 5-95 % of runs; blue cross: nominal rank{}. {u}'s rank is the least certain ({a:.0} to {b:.0}).",
                if m < all {
                    format!("; the {CHART_AT_EACH_END} highest and {CHART_AT_EACH_END} lowest of {all} {}", noun.1)
                } else {
                    String::new()
                }
            ),
            None => String::new(),
        },
    })
}

/// S1 and ST of each factor for the mean rank shift in period `want`.
pub(super) fn sobol_chart(dir: &Path, want: &str) -> Result<Option<Chart>> {
    let path = dir.join("sobol.csv");
    if !path.exists() {
        return Ok(None);
    }
    let (header, rows) = read_csv(&path)?;
    let [output, factor, s1, _, _, st, ..] = SOBOL_COLUMNS;
    let [output, factor, s1, st] = [output, factor, s1, st].map(|c| column(&header, &path, c));
    let (output, factor, s1, st) = (output?, factor?, s1?, st?);
    let target = format!("mean_abs_shift:{want}");
    let mut data: Vec<(String, f64, f64)> = rows
        .iter()
        .filter(|r| r[output] == target)
        .map(|r| (r[factor].clone(), num(&r[s1]), num(&r[st])))
        .collect();
    data.sort_by(|a, b| b.2.total_cmp(&a.2));
    let k = data.len();
    if k == 0 {
        return Ok(None);
    }
    let top = data.iter().map(|d| d.1.max(d.2)).fold(0.0, f64::max).max(0.1) * 1.1;
    // Factor names are long: bars run across, one row per factor (the most important
    // on top), names left of them.
    let longest = data.iter().map(|d| d.0.chars().count()).max().unwrap_or(0) as u32;
    let sobol_svg = svg((900, 110 + 44 * k as u32), |root| {
        let (plot, side) = root.split_horizontally(PLOT_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .caption(
                format!("Sobol indices of the mean rank shift in {want}"),
                ("sans-serif", 21),
            )
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(20 + 8 * longest)
            .build_cartesian_2d(0f64..top, 0f64..k as f64)
            .map_err(|e| e.to_string())?;
        mesh(&mut chart)
            .disable_y_mesh()
            .y_labels(k * 2 + 2)
            .y_label_formatter(&|y| {
                if let Some(i) = centre(*y, k) {
                    data[k - 1 - i].0.clone()
                } else {
                    String::new()
                }
            })
            .y_desc("factor (modelling choice)")
            .x_desc("share of variance")
            .draw()
            .map_err(|e| e.to_string())?;
        let row = |i: usize| (k - 1 - i) as f64;
        // S1 in the upper half of each factor's row, ST in the lower.
        type Share = fn(&(String, f64, f64)) -> f64;
        let bars: [(RGBColor, (f64, f64), Share); 2] =
            [(PALETTE[0], (0.52, 0.9), |d| d.1), (PALETTE[1], (0.1, 0.48), |d| d.2)];
        for (colour, (from, to), share) in bars {
            chart
                .draw_series(data.iter().enumerate().map(|(i, d)| {
                    Rectangle::new(
                        [(0.0, row(i) + from), (share(d).max(0.0), row(i) + to)],
                        colour.filled(),
                    )
                }))
                .map_err(|e| e.to_string())?;
        }
        legend(
            &side,
            "index",
            &[
                ("S1 first order".into(), PALETTE[0], Mark::Bar),
                ("ST total".into(), PALETTE[1], Mark::Bar),
            ],
        )
    });
    Ok(Some(Chart {
        id: "sobol".into(),
        title: "Which modelling choice moves the ranking".into(),
        svg: sobol_svg,
        reading: sobol_reading(&data[0].0, data[0].1, data[0].2),
    }))
}

/// The Sobol chart's reading. When the ranks never move, the mean rank shift has no
/// variance and its indices are undefined (NaN): that is the reading.
pub(super) fn sobol_reading(factor: &str, s1: f64, st: f64) -> String {
    if s1.is_finite() && st.is_finite() {
        format!(
            "`{factor}` matters most: it explains {:.0}% of the variance of the mean rank shift alone and {:.0}% with its interactions.",
            100.0 * s1,
            100.0 * st
        )
    } else {
        "No modelling choice moves the ranking: the mean rank shift does not vary over the runs, so there is no variance to share among the choices.".into()
    }
}

pub(super) fn variant_chart(dir: &Path, last: Period, noun: Noun) -> Result<Chart> {
    let path = dir.join("variants.csv");
    let (header, rows) = read_csv(&path)?;
    let [unit, period] = VARIANTS_KEY_COLUMNS;
    let unit = column(&header, &path, unit)?;
    let period = column(&header, &path, period)?;
    let rank_prefix = VARIANT_PREFIXES[1];
    let variants: Vec<(String, usize)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.strip_prefix(rank_prefix).map(|v| (v.to_string(), i)))
        .collect();
    let want = last.to_string();
    let mut rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[period] == want).collect();
    if rows.is_empty() || variants.is_empty() {
        return Err(Error::Data {
            file: path.display().to_string(),
            kind: ErrorKind::BadTable,
            message: format!(
                "no variant ranks for period {want}: is this a `compare` output folder of the same framework?"
            ),
        });
    }
    rows.sort_by(|a, b| num(&a[variants[0].1]).total_cmp(&num(&b[variants[0].1])));
    let shift = |r: &Vec<String>| {
        let ranks: Vec<f64> = variants
            .iter()
            .map(|(_, c)| num(&r[*c]))
            .filter(|v| !v.is_nan())
            .collect();
        ranks.iter().copied().fold(f64::NEG_INFINITY, f64::max) - ranks.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let all_rows = rows.clone();
    if rows.len() > ALL_UNITS_UP_TO {
        // The units whose rank moves most between variants, in base order.
        let mut by_shift: Vec<usize> = (0..rows.len()).collect();
        by_shift.sort_by(|&a, &b| shift(rows[b]).total_cmp(&shift(rows[a])));
        let mut keep: Vec<usize> = by_shift.into_iter().take(2 * CHART_AT_EACH_END).collect();
        keep.sort_unstable();
        rows = keep.into_iter().map(|i| rows[i]).collect();
    }
    let m = rows.len();
    let colour = colours(variants.len());
    let labels: Vec<String> = rows.iter().map(|r| r[unit].clone()).collect();
    let svg = svg((900, 400), |root| {
        let (plot, side) = root.split_horizontally(PLOT_WIDTH);
        let mut chart = rank_chart(
            &plot,
            format!("Rank by variant in {want}"),
            &labels,
            format!("{} (by rank in variant {})", noun.0, variants[0].0),
        )?;
        for (j, (_, col)) in variants.iter().enumerate() {
            let color = colour[j];
            // Side by side within the country's column, so that equal ranks do not hide
            // each other.
            let off = (j as f64 - (variants.len() as f64 - 1.0) / 2.0) * (0.7 / variants.len() as f64);
            chart
                .draw_series(
                    rows.iter()
                        .enumerate()
                        .filter(|(_, r)| !num(&r[*col]).is_nan())
                        .map(|(i, r)| Circle::new((i as f64 + 0.5 + off, num(&r[*col])), 5, color.filled())),
                )
                .map_err(|e| e.to_string())?;
        }
        let entries: Vec<(String, RGBColor, Mark)> = variants
            .iter()
            .zip(&colour)
            .map(|((name, _), &c)| (name.clone(), c, Mark::Dot))
            .collect();
        legend(&side, "variant", &entries)
    });
    Ok(Chart {
        id: "variants".into(),
        title: "Variants compared".into(),
        svg,
        reading: variant_reading(&all_rows, shift, unit, m, noun),
    })
}

/// The variants chart's reading: how many units keep their rank in every variant (a
/// `shift` of 0 between their highest and lowest rank), which moves most, and whether
/// the chart shows only the `shown` that move most.
fn variant_reading(
    all_rows: &[&Vec<String>],
    shift: impl Fn(&Vec<String>) -> f64,
    unit: usize,
    shown: usize,
    noun: Noun,
) -> String {
    let most = all_rows.iter().max_by(|a, b| shift(a).total_cmp(&shift(b)));
    let same = all_rows.iter().filter(|r| shift(r) == 0.0).count();
    format!(
        "{same} of {} {} keep their rank in every variant; {} moves most ({:.0} places){}.",
        all_rows.len(),
        noun.1,
        most.map_or(String::new(), |r| r[unit].clone()),
        most.map_or(0.0, |r| shift(r)),
        if shown < all_rows.len() {
            format!("; the chart shows the {shown} whose rank moves most")
        } else {
            String::new()
        }
    )
}

/// A chart of ranks over units: one category per unit (`labels`, left to right), ranks
/// from 1 at the top to the number of units, with its caption and the units' axis
/// description (the rank-uncertainty and the variant charts).
fn rank_chart<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    caption: String,
    labels: &[String],
    x_desc: String,
) -> std::result::Result<
    ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    String,
> {
    let m = labels.len();
    let (stagger, label_area) = category_labels(labels.iter().map(String::as_str), m);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 21))
        .margin(10)
        .x_label_area_size(label_area)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..m as f64, (m as f64 + 0.5)..0.5f64)
        .map_err(|e| e.to_string())?;
    category_axes(
        area,
        &mut chart,
        labels,
        stagger,
        1.0,
        (x_desc, "rank (1 = highest risk)".into()),
    )?;
    Ok(chart)
}
