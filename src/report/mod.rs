//! A self-contained HTML report: tables, and charts drawn as inline SVG with plotters,
//! filled into a minijinja template (`templates/report.html`). No script, no external
//! file, font or network request: the page opens anywhere, offline.
//!
//! Charts (each with a title, axis labels with units, and a one-line reading):
//! scores by country per period (grouped bars); pillar breakdown of the last period
//! (heat map); score trends per country; rank uncertainty (median rank with 5-95 %
//! whiskers, from a `sensitivity` output folder); Sobol S1/ST per factor (same); rank
//! per variant (from a `compare` output folder); data coverage per country.

use crate::error::{Error, Result};
use crate::framework::{Child, Framework};
use crate::output::sensitivity::{SOBOL_COLUMNS, UNCERTAINTY_COLUMNS};
use crate::period::Period;
use crate::score::Results;
use plotters::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

mod backtest;
mod map;

const TEMPLATE: &str = include_str!("../../templates/report.html");

/// A chart for the page.
#[derive(Debug, Serialize)]
pub struct Chart {
    pub id: String,
    pub title: String,
    pub svg: String,
    pub reading: String,
}

/// One row of the ranking table.
#[derive(Debug, Serialize)]
struct RankRow {
    /// Units of the ranking left out just above this row (large panels).
    gap: usize,
    unit: String,
    rank: String,
    score: String,
    class: String,
    class_index: usize,
    coverage: String,
    imputed: usize,
    pillars: Vec<String>,
}

/// A node of the framework tree.
#[derive(Debug, Serialize)]
struct Node {
    id: String,
    name: String,
    kind: &'static str,
    weight: String,
    effective: String,
    detail: String,
    children: Vec<Node>,
}

/// Optional inputs from other commands' output folders.
#[derive(Debug, Default)]
pub struct Extras {
    pub sensitivity: Option<std::path::PathBuf>,
    pub compare: Option<std::path::PathBuf>,
    pub backtest: Option<std::path::PathBuf>,
}

use crate::places::{noun_of, Noun};

/// Ten colours that stay apart (Tableau 10, as matplotlib's default cycle).
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// `n` colours, one per series, none repeated: the palette up to ten, then hues spaced
/// evenly around the colour wheel, in two lightnesses.
fn colours(n: usize) -> Vec<RGBColor> {
    if n <= PALETTE.len() {
        return PALETTE[..n].to_vec();
    }
    (0..n)
        .map(|i| {
            let hue = i as f64 / n as f64;
            let lightness = if i % 2 == 0 { 0.40 } else { 0.55 };
            let (r, g, b) = HSLColor(hue, 0.65, lightness).rgb();
            RGBColor(r, g, b)
        })
        .collect()
}

/// Up to this many units, every chart and the ranking show every unit.
const ALL_UNITS_UP_TO: usize = 40;
/// Past it, charts show this many units at each end of the ranking...
const CHART_AT_EACH_END: usize = 10;
/// ... and the ranking table this many.
const TABLE_AT_EACH_END: usize = 15;

/// The first and last `each` items when there are more than [`ALL_UNITS_UP_TO`]; else all.
fn ends<T: Copy>(items: &[T], each: usize) -> Vec<T> {
    if items.len() <= ALL_UNITS_UP_TO.max(2 * each) {
        return items.to_vec();
    }
    items[..each]
        .iter()
        .chain(&items[items.len() - each..])
        .copied()
        .collect()
}

/// The `each` units whose score rose most and the `each` whose score fell most from the
/// first to the last period, risers first.
fn movers(res: &Results, order: &[usize], periods: &[usize], each: usize) -> Vec<usize> {
    let n = res.n_units();
    let (Some(&first), Some(&last)) = (periods.first(), periods.last()) else {
        return Vec::new();
    };
    let mut changes: Vec<(f64, usize)> = order
        .iter()
        .map(|&u| (res.score(last * n + u) - res.score(first * n + u), u))
        .filter(|(d, _)| !d.is_nan())
        .collect();
    changes.sort_by(|a, b| b.0.total_cmp(&a.0));
    ends(&changes, each).into_iter().map(|(_, u)| u).collect()
}

/// Width of a chart's plot, left of its legend.
const PLOT_WIDTH: u32 = 760;
/// Tick labels: 14 px, readable at 100 % zoom.
/// (plotters writes 0.8 of the size asked for into the SVG: 17 is 13.7 px.)
const TICKS: (&str, u32) = ("sans-serif", 17);

/// Whether the labels of a category axis of `slots` categories must take turns on two
/// rows (the longest does not fit its slot), and the label area that needs.
fn category_labels<'a>(labels: impl Iterator<Item = &'a str>, slots: usize) -> (bool, u32) {
    let longest = labels.map(|l| l.chars().count()).max().unwrap_or(0);
    // About 8.5 px a character at 13.7 px sans-serif; the plot spans about 680 px.
    let slot = 680.0 / slots.max(1) as f64;
    if longest as f64 * 8.5 <= slot * 0.9 {
        (false, 40)
    } else {
        (true, 66)
    }
}

/// Category labels on two alternating rows under the plot, each centred under its
/// category (`i + 0.5`); `y` is any value of the chart's y range.
fn stagger_labels(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    chart: &ChartContext<
        SVGBackend,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    labels: &[String],
    y: f64,
) -> std::result::Result<(), String> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let (_, rows) = chart.plotting_area().get_pixel_range();
    let style = TextStyle::from(TICKS.into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, label) in labels.iter().enumerate() {
        let (x, _) = chart.backend_coord(&(i as f64 + 0.5, y));
        let top = rows.end + 6 + 18 * (i as i32 % 2);
        area.draw(&Text::new(label.clone(), (x, top), style.clone()))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A chart's grid and axes as every chart of the report draws them: tick and axis labels
/// at [`TICKS`], no minor gridlines.
fn mesh<'a, 'b, 'c>(
    chart: &'b mut ChartContext<
        'a,
        SVGBackend<'c>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
) -> plotters::chart::MeshStyle<
    'a,
    'b,
    plotters::coord::types::RangedCoordf64,
    plotters::coord::types::RangedCoordf64,
    SVGBackend<'c>,
> {
    let mut style = chart.configure_mesh();
    style
        .label_style(TICKS)
        .axis_desc_style(TICKS)
        .light_line_style(TRANSPARENT);
    style
}

/// How a legend entry marks its series.
#[derive(Clone, Copy)]
enum Mark {
    Bar,
    Line,
    Dot,
}

/// A legend beside the plot (never over the data): one entry per series, top down.
fn legend(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    title: &str,
    entries: &[(String, RGBColor, Mark)],
) -> std::result::Result<(), String> {
    let text = |s: &str, x: i32, y: i32, size: u32| Text::new(s.to_string(), (x, y), ("sans-serif", size).into_font());
    area.draw(&text(title, 8, 40, 17)).map_err(|e| e.to_string())?;
    for (i, (label, colour, mark)) in entries.iter().enumerate() {
        let y = 64 + 20 * i as i32;
        match mark {
            Mark::Bar => area.draw(&Rectangle::new([(10, y - 5), (22, y + 5)], colour.filled())),
            Mark::Line => area.draw(&PathElement::new(vec![(8, y), (24, y)], colour.stroke_width(3))),
            Mark::Dot => area.draw(&Circle::new((16, y), 5, colour.filled())),
        }
        .map_err(|e| e.to_string())?;
        area.draw(&text(label, 30, y - 7, 17)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> std::result::Result<(), String>,
) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        let _ = root.fill(&WHITE);
        if let Err(e) = draw(&root) {
            return format!("<p class=\"error\">chart could not be drawn: {e}</p>");
        }
        let _ = root.present();
    }
    out
}

/// A CSV written by another command: header and rows of text. The Excel style of
/// `--excel` (a UTF-8 BOM, `;` between fields, decimal commas) is read too: its numbers
/// come back with decimal points.
pub fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let bytes = crate::input::file::read(path, "table", Default::default())?;
    let excel = bytes.starts_with("\u{feff}".as_bytes());
    let body = if excel { &bytes[3..] } else { &bytes[..] };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(if excel { b';' } else { b',' })
        .from_reader(body);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Data {
            file: path.display().to_string(),
            message: format!("cannot read the header: {e}"),
        })?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for (i, r) in reader.records().enumerate() {
        let r = r.map_err(|e| Error::Cell {
            file: path.display().to_string(),
            row: i + 2,
            column: String::new(),
            message: format!("cannot read the row: {e}"),
        })?;
        rows.push(
            r.iter()
                .map(|field| {
                    let point = field.replacen(',', ".", 1);
                    if excel && field.contains(',') && point.parse::<f64>().is_ok() {
                        point
                    } else {
                        field.to_string()
                    }
                })
                .collect(),
        );
    }
    Ok((header, rows))
}

fn column(header: &[String], path: &Path, name: &str) -> Result<usize> {
    header
        .iter()
        .position(|h| h == name)
        .ok_or_else(|| Error::MissingColumn {
            file: path.display().to_string(),
            column: name.into(),
            needed_by: "the report".into(),
            hint: " (is this the right output folder?)".into(),
        })
}

/// The category whose centre (i + 0.5) an axis tick x falls on, if any.
fn centre(x: f64, n: usize) -> Option<usize> {
    let i = x.floor() as usize;
    ((x - i as f64 - 0.5).abs() < 0.01 && i < n).then_some(i)
}

fn num(text: &str) -> f64 {
    text.trim().parse().unwrap_or(f64::NAN)
}

/// Builds the report page.
pub fn render(fw: &Framework, res: &Results, manifest: &serde_json::Value, extras: &Extras) -> Result<String> {
    let places = map::places(fw, &res.units);
    let noun = match &places {
        // Units placed by a table of coordinates are places (cities, districts), unless
        // their keys say provinces or they are country codes.
        Some((_, false)) if noun_of(&res.units).0 == "country" && res.units.iter().any(|u| u.len() != 3) => {
            ("place", "places")
        }
        _ => noun_of(&res.units),
    };
    let n = res.n_units();
    let cells: Vec<usize> = res.scored_cells().collect();
    let mut periods: Vec<usize> = cells.iter().map(|c| c / n).collect();
    periods.dedup();
    let last = *periods.last().ok_or_else(|| Error::Data {
        file: fw.file.clone(),
        message: "no unit-period is scored: nothing to report".into(),
    })?;
    let last_period = res.periods[last];
    let pillars = fw.pillar_order();
    let scale = fw.index.scale.map_or((f64::NAN, f64::NAN), |s| (s.lo, s.hi));

    // Ranking of the last period.
    let mut last_cells: Vec<usize> = cells.iter().copied().filter(|c| c / n == last).collect();
    last_cells.sort_by(|&a, &b| res.rank[a].total_cmp(&res.rank[b]));
    let table_rows = ends(&last_cells, TABLE_AT_EACH_END);
    let ranking: Vec<RankRow> = table_rows
        .iter()
        .enumerate()
        .map(|(i, &c)| RankRow {
            gap: if i == TABLE_AT_EACH_END && table_rows.len() < last_cells.len() {
                last_cells.len() - table_rows.len()
            } else {
                0
            },
            unit: res.units[c % n].clone(),
            rank: fmt_rank(res.rank[c]),
            score: format!("{:.2}", res.score(c)),
            class: res.class[c].map_or(String::new(), |k| fw.index.classes[k].label.clone()),
            class_index: res.class[c].unwrap_or(0),
            coverage: format!("{:.0}%", 100.0 * res.coverage[c]),
            imputed: res.imputed_count[c],
            pillars: pillars
                .iter()
                .map(|&g| format!("{:.2}", res.group_scores[g][c]))
                .collect(),
        })
        .collect();
    let order: Vec<usize> = last_cells.iter().map(|c| c % n).collect();
    // Past a few dozen units the charts show the top and bottom units, the
    // distribution and the units that moved most; the workbook has every one.
    let large = order.len() > ALL_UNITS_UP_TO;
    let shown_cells = ends(&last_cells, CHART_AT_EACH_END);
    let shown: Vec<usize> = shown_cells.iter().map(|c| c % n).collect();

    let mut charts = vec![scores_by_period(fw, res, &shown, &periods, scale, last_period, noun)];
    if large {
        charts.push(distribution(fw, res, &last_cells, last_period, noun));
    }
    if let Some((places, squares)) = &places {
        charts.extend(map::map(res, &last_cells, places, *squares, noun));
    }
    charts.push(pillar_heatmap(fw, res, &shown_cells, &pillars, last_period, noun));
    let trend_units = if large {
        movers(res, &order, &periods, CHART_AT_EACH_END)
    } else {
        order.clone()
    };
    charts.push(trends(
        fw,
        res,
        &trend_units,
        &periods,
        large.then_some(order.len()),
        noun,
    ));
    charts.push(if large {
        coverage_distribution(res, &last_cells, last_period, noun)
    } else {
        coverage(res, &last_cells, last_period, noun)
    });
    if let Some(dir) = &extras.sensitivity {
        charts.extend(sensitivity_charts(dir, last_period, noun)?);
    }
    if let Some(dir) = &extras.compare {
        charts.push(variant_chart(dir, last_period, noun)?);
    }
    let backtest = match &extras.backtest {
        Some(dir) => {
            let (more, section) = backtest::section(dir)?;
            charts.extend(more);
            Some(section)
        }
        None => None,
    };

    let effective = fw.effective_weights();
    let tree = node(fw, Child::Group(0), 1.0, &effective);
    let mut env = minijinja::Environment::new();
    // Every field is HTML-escaped, whatever the template's name: names, labels, file
    // names and warnings come from files others made. Only the charts' SVG (plotters
    // escapes its text) and `code` (escapes, then adds <code>) are marked safe.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.add_filter("code", code_spans);
    env.add_template("report", TEMPLATE).map_err(|e| Error::Data {
        file: "templates/report.html".into(),
        message: e.to_string(),
    })?;
    let page = env
        .get_template("report")
        .and_then(|t| {
            t.render(minijinja::context! {
                title => fw.index.name.clone(),
                description => fw.index.description.clone().unwrap_or_default(),
                period => last_period.to_string(),
                pillars => pillars.iter().map(|&g| fw.groups[g].id.clone()).collect::<Vec<_>>(),
                ranking => minijinja::Value::from(minijinja::value::Serde(&ranking)),
                classes => fw.index.classes.iter().map(|c| c.label.clone()).collect::<Vec<_>>(),
                charts => minijinja::Value::from(minijinja::value::Serde(&charts)),
                backtest => minijinja::Value::from(minijinja::value::Serde(&backtest)),
                tree => minijinja::Value::from(minijinja::value::Serde(&tree)),
                manifest => serde_json::to_string_pretty(manifest).unwrap_or_default(),
                warnings => res.warnings.clone(),
                units => order.len(),
                large => large,
            })
        })
        .map_err(|e| Error::Data {
            file: "templates/report.html".into(),
            message: e.to_string(),
        })?;
    Ok(page)
}

/// A reading as HTML: escaped, with `names` in backticks set as code.
fn code_spans(text: String) -> minijinja::Value {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let mut out = String::with_capacity(escaped.len());
    for (i, part) in escaped.split('`').enumerate() {
        // Odd parts lie between two backticks; a lone last backtick stays as it is.
        let closed = i % 2 == 1 && i < escaped.matches('`').count();
        if closed {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            if i > 0 && i % 2 == 1 {
                out.push('`');
            }
            out.push_str(part);
        }
    }
    minijinja::Value::from_safe_string(out)
}

fn fmt_rank(r: f64) -> String {
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

fn node(fw: &Framework, child: Child, weight: f64, effective: &[f64]) -> Node {
    match child {
        Child::Group(g) => {
            let group = &fw.groups[g];
            let total: f64 = group.children.iter().map(|c| fw.child_weight(*c)).sum();
            Node {
                id: group.id.clone(),
                name: group.name.clone(),
                kind: if g == 0 { "index" } else { "group" },
                weight: format!("{:.0}%", 100.0 * weight),
                effective: String::new(),
                detail: format!("{} mean, weights {:?}", group.aggregation.name(), group.weights).to_lowercase(),
                children: group
                    .children
                    .iter()
                    .map(|&c| node(fw, c, fw.child_weight(c) / total, effective))
                    .collect(),
            }
        }
        Child::Indicator(k) => {
            let ind = &fw.indicators[k];
            Node {
                id: ind.id.clone(),
                name: ind.name.clone(),
                kind: "indicator",
                weight: format!("{:.0}%", 100.0 * weight),
                effective: format!("{:.1}%", 100.0 * effective[k]),
                detail: ind.source.clone().unwrap_or_default(),
                children: Vec::new(),
            }
        }
    }
}

fn scores_by_period(
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
        mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(order.len() * 2 + 2)
            .x_label_formatter(&|x| {
                if let Some(i) = centre(*x, order.len()).filter(|_| !stagger) {
                    res.units[order[i]].clone()
                } else {
                    String::new()
                }
            })
            .x_desc(format!("{} (ordered by rank in the last period)", noun.0))
            .y_desc(format!(
                "score ({}{})",
                fw.index.name,
                if scale.0.is_nan() {
                    String::new()
                } else {
                    format!(", {}-{}", scale.0, scale.1)
                }
            ))
            .draw()
            .map_err(|e| e.to_string())?;
        if stagger {
            stagger_labels(
                &plot,
                &chart,
                &order.iter().map(|&u| res.units[u].clone()).collect::<Vec<_>>(),
                lo,
            )?;
        }
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

fn heat(v: f64, lo: f64, hi: f64) -> RGBColor {
    if v.is_nan() {
        return RGBColor(230, 230, 230);
    }
    let t = if hi > lo {
        ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    // white -> dark red
    RGBColor(
        (255.0 - t * 75.0) as u8,
        (245.0 - t * 215.0) as u8,
        (240.0 - t * 210.0) as u8,
    )
}

/// Text that reads on a cell of colour `c`: white on dark cells, black on light ones
/// (ITU-R BT.601 luma below 140 of 255 is dark).
fn text_on(c: RGBColor) -> RGBColor {
    let luma = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if luma < 140.0 {
        WHITE
    } else {
        BLACK
    }
}

fn pillar_heatmap(
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
    // The pillar with the widest spread separates countries most.
    let spread = |g: usize| {
        let v: Vec<f64> = last_cells
            .iter()
            .map(|&c| res.group_scores[g][c])
            .filter(|v| !v.is_nan())
            .collect();
        v.iter().copied().fold(f64::NEG_INFINITY, f64::max) - v.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let widest = pillars.iter().copied().max_by(|&a, &b| spread(a).total_cmp(&spread(b)));
    Chart {
        id: "pillars".into(),
        title: "Pillar breakdown".into(),
        svg,
        reading: match widest {
            Some(g) => format!(
                "Pillar scores of {last} (same scale as the index); `{}` separates the {} most (range {:.1}).",
                fw.groups[g].id,
                noun.1,
                spread(g)
            ),
            None => "The index has no pillars.".into(),
        },
    }
}

/// Score trends of the units `order`; `of` is the number of units in all when only those
/// that moved most are shown.
fn trends(fw: &Framework, res: &Results, order: &[usize], periods: &[usize], of: Option<usize>, noun: Noun) -> Chart {
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
    // Largest change from the first to the last period.
    let change = |u: usize| res.score(periods[k - 1] * n + u) - res.score(periods[0] * n + u);
    let mover = order
        .iter()
        .copied()
        .filter(|&u| !change(u).is_nan())
        .max_by(|&a, &b| change(a).abs().total_cmp(&change(b).abs()));
    Chart {
        id: "trends".into(),
        title: "Trends".into(),
        svg,
        reading: match mover {
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
        },
    }
}

/// A histogram of `values` over `range` in `bins` equal bins, as an SVG.
fn histogram(caption: &str, x_desc: &str, values: &[f64], range: (f64, f64), bins: usize, noun: Noun) -> String {
    let (lo, hi) = range;
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &v in values.iter().filter(|v| !v.is_nan()) {
        let b = (((v - lo) / width).floor().max(0.0) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.1;
    svg((900, 360), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(caption, ("sans-serif", 21))
            .margin(10)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(70)
            .build_cartesian_2d(lo..hi, 0f64..top)
            .map_err(|e| e.to_string())?;
        mesh(&mut chart)
            .disable_x_mesh()
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_desc(x_desc)
            .y_desc(noun.1)
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(counts.iter().enumerate().map(|(b, &c)| {
                let x0 = lo + b as f64 * width;
                Rectangle::new(
                    [(x0 + width * 0.05, 0.0), (x0 + width * 0.95, c as f64)],
                    PALETTE[0].filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        Ok(())
    })
}

/// How the last period's scores are spread (large panels).
fn distribution(fw: &Framework, res: &Results, last_cells: &[usize], last: Period, noun: Noun) -> Chart {
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
fn coverage_distribution(res: &Results, last_cells: &[usize], last: Period, noun: Noun) -> Chart {
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

fn coverage(res: &Results, last_cells: &[usize], last: Period, noun: Noun) -> Chart {
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
        mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(rows * 2 + 2)
            .x_label_formatter(&|x| {
                if let Some(i) = centre(*x, rows).filter(|_| !stagger) {
                    res.units[last_cells[i] % n].clone()
                } else {
                    String::new()
                }
            })
            .x_desc(format!("{} (by rank)", noun.0))
            .y_desc("coverage (%)")
            .draw()
            .map_err(|e| e.to_string())?;
        if stagger {
            stagger_labels(
                root,
                &chart,
                &last_cells.iter().map(|&c| res.units[c % n].clone()).collect::<Vec<_>>(),
                0.0,
            )?;
        }
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

/// The rank uncertainty chart, and the Sobol chart when `sobol.csv` is there.
fn sensitivity_charts(dir: &Path, last: Period, noun: Noun) -> Result<Vec<Chart>> {
    let want = last.to_string();
    let mut charts = vec![uncertainty_chart(dir, &want, noun)?];
    charts.extend(sobol_chart(dir, &want)?);
    Ok(charts)
}

/// Median rank and 5-95 % interval of every unit in period `want`.
fn uncertainty_chart(dir: &Path, want: &str, noun: Noun) -> Result<Chart> {
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
    let (stagger, label_area) = category_labels(rows.iter().map(|r| r[unit].as_str()), m);
    let units_svg = svg((900, 400), |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!("Rank uncertainty in {want}: median rank and 5-95 % interval"),
                ("sans-serif", 21),
            )
            .margin(10)
            .x_label_area_size(label_area)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..m as f64, (m as f64 + 0.5)..0.5f64)
            .map_err(|e| e.to_string())?;
        mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(m * 2 + 2)
            .x_label_formatter(&|x| {
                if let Some(i) = centre(*x, m).filter(|_| !stagger) {
                    rows[i][unit].clone()
                } else {
                    String::new()
                }
            })
            .x_desc(format!("{} (by nominal rank)", noun.0))
            .y_desc("rank (1 = highest risk)")
            .draw()
            .map_err(|e| e.to_string())?;
        if stagger {
            stagger_labels(
                root,
                &chart,
                &rows.iter().map(|r| r[unit].clone()).collect::<Vec<_>>(),
                1.0,
            )?;
        }
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
fn sobol_chart(dir: &Path, want: &str) -> Result<Option<Chart>> {
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
        chart
            .draw_series(data.iter().enumerate().map(|(i, d)| {
                Rectangle::new(
                    [(0.0, row(i) + 0.52), (d.1.max(0.0), row(i) + 0.9)],
                    PALETTE[0].filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(data.iter().enumerate().map(|(i, d)| {
                Rectangle::new(
                    [(0.0, row(i) + 0.1), (d.2.max(0.0), row(i) + 0.48)],
                    PALETTE[1].filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
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
fn sobol_reading(factor: &str, s1: f64, st: f64) -> String {
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

fn variant_chart(dir: &Path, last: Period, noun: Noun) -> Result<Chart> {
    let path = dir.join("variants.csv");
    let (header, rows) = read_csv(&path)?;
    let unit = column(&header, &path, "unit")?;
    let period = column(&header, &path, "period")?;
    let variants: Vec<(String, usize)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.strip_prefix("rank_").map(|v| (v.to_string(), i)))
        .collect();
    let want = last.to_string();
    let mut rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[period] == want).collect();
    if rows.is_empty() || variants.is_empty() {
        return Err(Error::Data {
            file: path.display().to_string(),
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
    let (stagger, label_area) = category_labels(rows.iter().map(|r| r[unit].as_str()), m);
    let svg = svg((900, 400), |root| {
        let (plot, side) = root.split_horizontally(PLOT_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .caption(format!("Rank by variant in {want}"), ("sans-serif", 21))
            .margin(10)
            .x_label_area_size(label_area)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..m as f64, (m as f64 + 0.5)..0.5f64)
            .map_err(|e| e.to_string())?;
        mesh(&mut chart)
            .disable_x_mesh()
            .x_labels(m * 2 + 2)
            .x_label_formatter(&|x| {
                if let Some(i) = centre(*x, m).filter(|_| !stagger) {
                    rows[i][unit].clone()
                } else {
                    String::new()
                }
            })
            .x_desc(format!("{} (by rank in variant {})", noun.0, variants[0].0))
            .y_desc("rank (1 = highest risk)")
            .draw()
            .map_err(|e| e.to_string())?;
        if stagger {
            stagger_labels(
                &plot,
                &chart,
                &rows.iter().map(|r| r[unit].clone()).collect::<Vec<_>>(),
                1.0,
            )?;
        }
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
    let most = all_rows.iter().max_by(|a, b| shift(a).total_cmp(&shift(b)));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &all_rows {
        *counts
            .entry(if shift(r) == 0.0 { "same".into() } else { "moves".into() })
            .or_default() += 1;
    }
    Ok(Chart {
        id: "variants".into(),
        title: "Variants compared".into(),
        svg,
        reading: format!(
            "{} of {} {} keep their rank in every variant; {} moves most ({:.0} places){}.",
            counts.get("same").copied().unwrap_or(0),
            all_rows.len(),
            noun.1,
            most.map_or(String::new(), |r| r[unit].clone()),
            most.map_or(0.0, |r| shift(r)),
            if m < all_rows.len() {
                format!("; the chart shows the {m} whose rank moves most")
            } else {
                String::new()
            }
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> (Framework, Results) {
        crate::test_support::small_example()
    }

    #[test]
    fn axis_ticks_fall_on_category_centres() {
        assert_eq!(centre(0.5, 3), Some(0));
        assert_eq!(centre(2.505, 3), Some(2));
        assert_eq!(centre(1.2, 3), None);
        assert_eq!(centre(3.5, 3), None);
    }

    #[test]
    fn readings_show_names_as_code_not_backticks() {
        assert_eq!(
            code_spans("`capacity` separates <most>; by rank in `base`".into()).to_string(),
            "<code>capacity</code> separates &lt;most&gt;; by rank in <code>base</code>"
        );
        assert_eq!(code_spans("a lone ` stays".into()).to_string(), "a lone ` stays");
    }

    /// The x positions and font sizes of the SVG text elements that read `label`.
    #[test]
    fn a_ranking_that_never_moves_has_no_variance_to_explain() {
        assert_eq!(
            sobol_reading("weights", 0.5, 0.75),
            "`weights` matters most: it explains 50% of the variance of the mean rank shift alone and 75% with its interactions."
        );
        let still = sobol_reading("weights", f64::NAN, f64::NAN);
        assert!(!still.contains("NaN") && still.starts_with("No modelling choice moves the ranking"));
    }

    fn texts(svg: &str, label: &str) -> Vec<(f64, f64)> {
        svg.split("<text")
            .skip(1)
            .filter_map(|element| {
                let (attributes, rest) = element.split_once('>')?;
                let content = rest.split("</text>").next()?.trim();
                let attr = |name: &str| -> Option<f64> {
                    attributes
                        .split(&format!(" {name}=\""))
                        .nth(1)?
                        .split('"')
                        .next()?
                        .parse()
                        .ok()
                };
                (content == label).then(|| Some((attr("x")?, attr("font-size")?)))?
            })
            .collect()
    }

    #[test]
    fn legends_sit_beside_the_plot_and_colours_do_not_repeat() {
        let (fw, res) = small();
        let page = render(&fw, &res, &serde_json::json!({}), &Extras::default()).unwrap();
        let scores = &page[page.find("data-chart=\"scores\"").unwrap()..page.find("data-chart=\"pillars\"").unwrap()];
        // The periods' legend entries lie right of the plot, not over its bars.
        let legend = texts(scores, "2021");
        assert!(
            !legend.is_empty() && legend.iter().all(|&(x, _)| x >= PLOT_WIDTH as f64),
            "{legend:?}"
        );
        // Tick labels are at least 13 px as the browser draws them.
        let ticks = texts(scores, "X");
        assert!(
            !ticks.is_empty() && ticks.iter().all(|&(_, size)| size >= 13.0),
            "{ticks:?}"
        );
        for n in [9, 10, 11, 25] {
            let c = colours(n);
            let mut distinct = c.iter().map(|c| (c.0, c.1, c.2)).collect::<Vec<_>>();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), n, "{n} colours");
        }
    }

    #[test]
    fn a_framework_without_classes_shows_no_class_column() {
        let (mut fw, mut res) = small();
        fw.index.classes.clear();
        res.class.iter_mut().for_each(|c| *c = None);
        let page = render(&fw, &res, &serde_json::json!({}), &Extras::default()).unwrap();
        assert!(!page.contains("Classes, from lowest"), "no empty class list");
        assert!(!page.contains("<th class=\"text\">class</th>"), "no class column");
        let (fw, res) = small();
        let page = render(&fw, &res, &serde_json::json!({}), &Extras::default()).unwrap();
        assert!(page.contains("Classes, from lowest: low, high."));
    }

    #[test]
    fn trend_readings_say_what_a_change_means() {
        let (mut fw, res) = small();
        let page = render(&fw, &res, &serde_json::json!({}), &Extras::default()).unwrap();
        assert!(page.contains("Score trends by country (position within each period)"));
        assert!(
            page.contains("a change is a change of a place&#x27;s position among the places scored")
                || page.contains("a change is a change of a place's position among the places scored")
        );
        fw.index.scope = crate::framework::Scope::Panel;
        let page = render(&fw, &res, &serde_json::json!({}), &Extras::default()).unwrap();
        assert!(page.contains("Score trends by country (levels, normalised over all periods)"));
        assert!(page.contains("a change is a change in the level of risk"));
    }

    #[test]
    fn a_large_panel_shows_the_ends_the_spread_and_the_movers() {
        let shape = crate::synthetic::Shape {
            units: 2_000,
            indicators: 12,
            groups: 3,
            periods: 3,
            missing: 0.05,
            seed: 7,
        };
        let (fw, panel) = crate::synthetic::generate(shape, "arithmetic");
        let res = crate::score::score(&fw, &panel).unwrap();
        let page = render(&fw, &res, &serde_json::json!({}), &Extras::default()).unwrap();
        // The page stays small: every unit is in the workbook, not in every chart.
        assert!(page.len() < 1_000_000, "{} bytes", page.len());
        assert!(page.contains("&hellip; 1970 more units: every one is in scores.csv and the workbook"));
        // The 15 highest and 15 lowest, and the row that says how many are left out.
        assert_eq!(page.matches("<tr><td>").count(), 2 * TABLE_AT_EACH_END + 1);
        for id in ["scores", "distribution", "pillars", "trends", "coverage"] {
            assert!(page.contains(&format!("data-chart=\"{id}\"")), "chart {id}");
        }
        assert!(page.contains("The 20 of 2000 countries whose score rose or fell most."));
        assert!(page.contains("Half of the 2000 countries score between"));
        // The top and the bottom unit of the ranking are on the bars chart; a middle one is not.
        let last = *res.periods.last().unwrap();
        let p = res.periods.iter().position(|&q| q == last).unwrap();
        let mut cells: Vec<usize> = (0..res.n_units()).map(|u| p * res.n_units() + u).collect();
        cells.sort_by(|&a, &b| res.rank[a].total_cmp(&res.rank[b]));
        let unit = |c: usize| res.units[c % res.n_units()].clone();
        let scores =
            &page[page.find("data-chart=\"scores\"").unwrap()..page.find("data-chart=\"distribution\"").unwrap()];
        assert!(!texts(scores, &unit(cells[0])).is_empty());
        assert!(!texts(scores, &unit(cells[cells.len() - 1])).is_empty());
        assert!(texts(scores, &unit(cells[1000])).is_empty());
    }

    #[test]
    fn ends_and_movers_pick_both_ends() {
        let items: Vec<usize> = (0..100).collect();
        assert_eq!(ends(&items, 3), [0, 1, 2, 97, 98, 99]);
        assert_eq!(ends(&items[..40], 3).len(), 40, "up to 40 every item");
    }

    #[test]
    fn cell_text_reads_on_dark_and_light_cells() {
        assert_eq!(text_on(heat(10.0, 0.0, 10.0)), WHITE);
        assert_eq!(text_on(heat(0.0, 0.0, 10.0)), BLACK);
        assert_eq!(text_on(RGBColor(31, 119, 180)), WHITE);
    }

    #[test]
    fn heat_runs_from_white_to_dark_red() {
        assert_eq!(heat(0.0, 0.0, 10.0), RGBColor(255, 245, 240));
        assert_eq!(heat(10.0, 0.0, 10.0), RGBColor(180, 30, 30));
        // Halfway: 255 - 37.5, 245 - 107.5, 240 - 105 (truncated).
        assert_eq!(heat(5.0, 0.0, 10.0), RGBColor(217, 137, 135));
        assert_eq!(heat(f64::NAN, 0.0, 10.0), RGBColor(230, 230, 230));
        assert_eq!(heat(3.0, 3.0, 3.0), heat(5.0, 0.0, 10.0));
    }

    #[test]
    fn the_page_has_every_chart_and_the_ranking_of_the_last_period() {
        let (fw, res) = small();
        let page = render(&fw, &res, &serde_json::json!({"command": "report"}), &Extras::default()).unwrap();
        for id in ["scores", "pillars", "trends", "coverage"] {
            assert!(page.contains(&format!("data-chart=\"{id}\"")), "chart {id}");
        }
        assert_eq!(page.matches("<svg").count(), 4);
        // In 2021 X and Y tie: rank 2.5 each.
        let table_at = page.find("<td class=\"text\">").unwrap();
        assert!(page[table_at..].contains("2.5"), "tied ranks shown with one decimal");
        assert!(!page.contains("<script"), "the page has no script");
    }

    #[test]
    fn a_sensitivity_folder_without_the_reports_period_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("uncertainty.csv"),
            "unit,period,nominal_rank,median_rank,q05_rank,q95_rank\nX,2019,1,1,1,2\n",
        )
        .unwrap();
        let err = sensitivity_charts(dir.path(), Period::parse("2021").unwrap(), ("country", "countries")).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("no rows for period 2021 (the report's last period); the file has period 2019: run sensitivity with option `period` 2021"),
            "{err}"
        );
        std::fs::write(dir.path().join("uncertainty.csv"), "unit,period\nX,2021\n").unwrap();
        let err = sensitivity_charts(dir.path(), Period::parse("2021").unwrap(), ("country", "countries")).unwrap_err();
        assert!(
            err.to_string()
                .contains("missing column `nominal_rank` (needed by the report) (is this the right output folder?)"),
            "{err}"
        );
    }
}
