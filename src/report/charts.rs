//! The report's charts of the scores: by period, the pillar heat map, trends, the
//! distribution of scores and the data coverage.

use super::chart::Chart;
use super::plot::*;
use super::shown::CHART_AT_EACH_END;
use crate::framework::Framework;
use crate::period::Period;
use crate::places::Noun;
use crate::score::Results;
use plotters::prelude::*;

pub(super) fn scores_by_period(
    fw: &Framework,
    res: &Results,
    order: &[usize],
    periods: &[usize],
    scale: (f64, f64),
    last: Period,
    noun: Noun,
) -> Chart {
    let n = res.n_units();
    let values: Vec<f64> = periods
        .iter()
        .flat_map(|&p| order.iter().map(move |&u| p * n + u))
        .map(|c| res.score(c))
        .filter(|v| !v.is_nan())
        .collect();
    let (lo, hi) = if scale.0.is_nan() {
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min).min(0.0);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo, hi * 1.05)
    } else {
        scale
    };
    let k = periods.len();
    let colour = colours(k);
    let (stagger, label_area) = category_labels(order.iter().map(|&u| res.units[u].as_str()), order.len());
    let svg = svg((900, 420), |root| {
        let (plot, side) = root.split_horizontally(PLOT_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .caption(
                format!(
                    "{}: score by {} and period ({})",
                    fw.index.name,
                    noun.0,
                    fw.change_meaning().0
                ),
                ("sans-serif", 21),
            )
            .margin(10)
            .x_label_area_size(label_area)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..order.len() as f64, lo..hi)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = order.iter().map(|&u| res.units[u].clone()).collect();
        category_axes(
            &plot,
            &mut chart,
            &labels,
            stagger,
            lo,
            (
                format!("{} (ordered by rank in the last period)", noun.0),
                format!(
                    "score ({}{})",
                    fw.index.name,
                    if scale.0.is_nan() {
                        String::new()
                    } else {
                        format!(", {}-{}", scale.0, scale.1)
                    }
                ),
            ),
        )?;
        let width = 0.8 / k as f64;
        for (j, &p) in periods.iter().enumerate() {
            let color = colour[j];
            let bars: Vec<Rectangle<(f64, f64)>> = order
                .iter()
                .enumerate()
                .filter(|(_, &u)| !res.score(p * n + u).is_nan())
                .map(|(i, &u)| {
                    let x0 = i as f64 + 0.1 + j as f64 * width;
                    Rectangle::new([(x0, lo), (x0 + width * 0.95, res.score(p * n + u))], color.filled())
                })
                .collect();
            chart.draw_series(bars).map_err(|e| e.to_string())?;
        }
        let entries: Vec<(String, RGBColor, Mark)> = periods
            .iter()
            .zip(&colour)
            .map(|(&p, &c)| (res.periods[p].to_string(), c, Mark::Bar))
            .collect();
        legend(&side, "period", &entries)
    });
    let top = order.first().map(|&u| res.units[u].clone()).unwrap_or_default();
    let bottom = order.last().map(|&u| res.units[u].clone()).unwrap_or_default();
    let last_idx = res.periods.iter().position(|&p| p == last).unwrap_or(0);
    let score_of = |u: usize| res.score(last_idx * n + u);
    Chart {
        id: "scores".into(),
        title: format!("Scores by {} and period", noun.0),
        svg,
        reading: format!(
            "In {last}, {top} scores highest ({:.2}) and {bottom} lowest ({:.2}); bars of one colour are one period. {}",
            order.first().map_or(f64::NAN, |&u| score_of(u)),
            order.last().map_or(f64::NAN, |&u| score_of(u)),
            fw.change_meaning().1,
        ),
    }
}

pub(super) fn pillar_heatmap(
    fw: &Framework,
    res: &Results,
    last_cells: &[usize],
    pillars: &[usize],
    last: Period,
    noun: Noun,
) -> Chart {
    let n = res.n_units();
    let all: Vec<f64> = pillars
        .iter()
        .flat_map(|&g| last_cells.iter().map(move |&c| res.group_scores[g][c]))
        .filter(|v| !v.is_nan())
        .collect();
    let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let longest_unit = last_cells
        .iter()
        .map(|&c| res.units[c % n].chars().count())
        .max()
        .unwrap_or(0) as u32;
    let rows = last_cells.len();
    let cols = pillars.len();
    let svg = svg((900, (60 + 34 * rows) as u32 + 60), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("Pillar scores in {last} (darker = higher risk)"),
                ("sans-serif", 21),
            )
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(24 + 9 * longest_unit)
            .build_cartesian_2d(0f64..cols as f64, 0f64..rows as f64)
            .map_err(|e| e.to_string())?;
        mesh(&mut chart)
            .disable_mesh()
            .x_labels(cols * 2 + 2)
            .y_labels(rows * 2 + 2)
            .x_label_formatter(&|x| {
                if let Some(i) = centre(*x, cols) {
                    fw.groups[pillars[i]].id.clone()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| {
                if let Some(i) = centre(*y, rows) {
                    res.units[last_cells[rows - 1 - i] % n].clone()
                } else {
                    String::new()
                }
            })
            .x_desc("pillar")
            .y_desc(format!("{} (by rank)", noun.0))
            .draw()
            .map_err(|e| e.to_string())?;
        for (r, &c) in last_cells.iter().enumerate() {
            let y = (rows - 1 - r) as f64;
            for (j, &g) in pillars.iter().enumerate() {
                let v = res.group_scores[g][c];
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(j as f64, y), (j as f64 + 1.0, y + 1.0)],
                        heat(v, lo, hi).filled(),
                    )))
                    .map_err(|e| e.to_string())?;
                let label = if v.is_nan() { "-".to_string() } else { format!("{v:.1}") };
                chart
                    .draw_series(std::iter::once(Text::new(
                        label,
                        (j as f64 + 0.42, y + 0.42),
                        ("sans-serif", 16).into_font().color(&text_on(heat(v, lo, hi))),
                    )))
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    });
    Chart {
        id: "pillars".into(),
        title: "Pillar breakdown".into(),
        svg,
        reading: pillar_reading(fw, res, pillars, last_cells, last, noun),
    }
}

/// The pillar heat map's reading: the pillar with the widest spread separates the
/// units most.
fn pillar_reading(
    fw: &Framework,
    res: &Results,
    pillars: &[usize],
    last_cells: &[usize],
    last: Period,
    noun: Noun,
) -> String {
    let spread = |g: usize| {
        let v: Vec<f64> = last_cells
            .iter()
            .map(|&c| res.group_scores[g][c])
            .filter(|v| !v.is_nan())
            .collect();
        v.iter().copied().fold(f64::NEG_INFINITY, f64::max) - v.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let widest = pillars.iter().copied().max_by(|&a, &b| spread(a).total_cmp(&spread(b)));
    match widest {
        Some(g) => format!(
            "Pillar scores of {last} (same scale as the index); `{}` separates the {} most (range {:.1}).",
            fw.groups[g].id,
            noun.1,
            spread(g)
        ),
        None => "The index has no pillars.".into(),
    }
}

/// Score trends of the units `order`; `of` is the number of units in all when only those
/// that moved most are shown.
pub(super) fn trends(
    fw: &Framework,
    res: &Results,
    order: &[usize],
    periods: &[usize],
    of: Option<usize>,
    noun: Noun,
) -> Chart {
    let (meaning, what_change_means) = fw.change_meaning();
    let n = res.n_units();
    let values: Vec<f64> = periods
        .iter()
        .flat_map(|&p| order.iter().map(move |&u| res.score(p * n + u)))
        .filter(|v| !v.is_nan())
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.05).max(1e-9);
    let k = periods.len();
    let colour = colours(order.len());
    // Tall enough for one legend line per country.
    let height = 420.max(90 + 20 * order.len() as u32);
    let svg = svg((900, height), |root| {
        let (plot, side) = root.split_horizontally(PLOT_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .caption(format!("Score trends by {} ({meaning})", noun.0), ("sans-serif", 21))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(-0.2f64..(k as f64 - 0.6).max(0.4), (lo - pad)..(hi + pad))
            .map_err(|e| e.to_string())?;
        mesh(&mut chart)
            .x_labels(k.max(2))
            .x_label_formatter(&|x| {
                let i = x.round() as usize;
                if (x - i as f64).abs() < 0.01 && i < k {
                    res.periods[periods[i]].to_string()
                } else {
                    String::new()
                }
            })
            .x_desc("period")
            .y_desc(format!("score ({})", fw.index.name))
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, &u) in order.iter().enumerate() {
            let color = colour[i];
            let points: Vec<(f64, f64)> = periods
                .iter()
                .enumerate()
                .map(|(j, &p)| (j as f64, res.score(p * n + u)))
                .filter(|(_, v)| !v.is_nan())
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                .map_err(|e| e.to_string())?;
            chart
                .draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
                .map_err(|e| e.to_string())?;
            // The unit's name at the end of its line.
            if let Some(&(x, y)) = points.last() {
                chart
                    .draw_series(std::iter::once(Text::new(
                        res.units[u].clone(),
                        (x + 0.04, y),
                        ("sans-serif", 15).into_font().color(&color),
                    )))
                    .map_err(|e| e.to_string())?;
            }
        }
        let entries: Vec<(String, RGBColor, Mark)> = order
            .iter()
            .zip(&colour)
            .map(|(&u, &c)| (res.units[u].clone(), c, Mark::Line))
            .collect();
        legend(
            &side,
            &if of.is_some() {
                noun.0.to_string()
            } else {
                format!("{} (by rank)", noun.0)
            },
            &entries,
        )
    });
    Chart {
        id: "trends".into(),
        title: "Trends".into(),
        svg,
        reading: trend_reading(res, order, periods, of, noun, what_change_means),
    }
}

/// The trends chart's reading: who moved most from the first period to the last.
fn trend_reading(
    res: &Results,
    order: &[usize],
    periods: &[usize],
    of: Option<usize>,
    noun: Noun,
    what_change_means: &str,
) -> String {
    let (n, k) = (res.n_units(), periods.len());
    // Largest change from the first to the last period.
    let change = |u: usize| res.score(periods[k - 1] * n + u) - res.score(periods[0] * n + u);
    let mover = order
        .iter()
        .copied()
        .filter(|&u| !change(u).is_nan())
        .max_by(|&a, &b| change(a).abs().total_cmp(&change(b).abs()));
    match mover {
        Some(u) if k > 1 => format!(
            "{}From {} to {}, {} moved most ({:+.2}). {what_change_means}",
            of.map_or(String::new(), |all| format!(
                "The {} of {all} {} whose score rose or fell most. ",
                order.len(),
                noun.1
            )),
            res.periods[periods[0]],
            res.periods[periods[k - 1]],
            res.units[u],
            change(u)
        ),
        _ => "One period only: no trend to show.".into(),
    }
}

/// How the last period's scores are spread (large panels).
pub(super) fn distribution(fw: &Framework, res: &Results, last_cells: &[usize], last: Period, noun: Noun) -> Chart {
    let scores: Vec<f64> = last_cells.iter().map(|&c| res.score(c)).collect();
    let present: Vec<f64> = scores.iter().copied().filter(|v| !v.is_nan()).collect();
    let range = match fw.index.scale {
        Some(s) => (s.lo, s.hi),
        None => (
            present.iter().copied().fold(f64::INFINITY, f64::min),
            present
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
                .max(f64::MIN_POSITIVE),
        ),
    };
    let mut sorted = present.clone();
    sorted.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        sorted
            .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    Chart {
        id: "distribution".into(),
        title: "How the scores are spread".into(),
        svg: histogram(
            &format!("Scores of the {} {} in {last}", present.len(), noun.1),
            &format!("score ({})", fw.index.name),
            &scores,
            range,
            20,
            noun,
        ),
        reading: format!(
            "Half of the {} {} score between {:.2} and {:.2} (median {:.2}); the charts below show the {CHART_AT_EACH_END} highest and the {CHART_AT_EACH_END} lowest, and the workbook every one.",
            present.len(),
            noun.1,
            quantile(0.25),
            quantile(0.75),
            quantile(0.5)
        ),
    }
}

/// The share of indicators with data, as a distribution over the units (large panels).
pub(super) fn coverage_distribution(res: &Results, last_cells: &[usize], last: Period, noun: Noun) -> Chart {
    let shares: Vec<f64> = last_cells.iter().map(|&c| 100.0 * res.coverage[c]).collect();
    let below = shares.iter().filter(|&&v| v < 50.0).count();
    let imputed: usize = last_cells.iter().map(|&c| res.imputed_count[c]).sum();
    Chart {
        id: "coverage".into(),
        title: "Data coverage".into(),
        svg: histogram(
            &format!("Data coverage in {last} (share of indicators with data)"),
            "coverage (%)",
            &shares,
            (0.0, 100.0),
            10,
            noun,
        ),
        reading: format!(
            "{below} of {} {} have data for less than half of the indicators; {imputed} values were imputed in {last}.",
            shares.len(),
            noun.1
        ),
    }
}

pub(super) fn coverage(res: &Results, last_cells: &[usize], last: Period, noun: Noun) -> Chart {
    let n = res.n_units();
    let rows = last_cells.len();
    let (stagger, label_area) = category_labels(last_cells.iter().map(|&c| res.units[c % n].as_str()), rows);
    let svg = svg((900, 360), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("Data coverage in {last} (share of indicators with data)"),
                ("sans-serif", 21),
            )
            .margin(10)
            .x_label_area_size(label_area)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..rows as f64, 0f64..100f64)
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = last_cells.iter().map(|&c| res.units[c % n].clone()).collect();
        category_axes(
            root,
            &mut chart,
            &labels,
            stagger,
            0.0,
            (format!("{} (by rank)", noun.0), "coverage (%)".into()),
        )?;
        chart
            .draw_series(last_cells.iter().enumerate().map(|(i, &c)| {
                Rectangle::new(
                    [(i as f64 + 0.15, 0.0), (i as f64 + 0.85, 100.0 * res.coverage[c])],
                    PALETTE[0].filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    });
    let worst = last_cells
        .iter()
        .copied()
        .min_by(|&a, &b| res.coverage[a].total_cmp(&res.coverage[b]));
    let imputed: usize = last_cells.iter().map(|&c| res.imputed_count[c]).sum();
    Chart {
        id: "coverage".into(),
        title: "Data coverage".into(),
        svg,
        reading: match worst {
            Some(c) => format!(
                "{} has the least data ({:.0}% of indicators); {imputed} values were imputed in {last}.",
                res.units[c % n],
                100.0 * res.coverage[c]
            ),
            None => String::new(),
        },
    }
}
