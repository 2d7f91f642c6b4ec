//! A self-contained HTML report: tables, and charts drawn as inline SVG with plotters,
//! filled into a minijinja template (`templates/report.html`). No script, no external
//! file, font or network request: the page opens anywhere, offline.
//!
//! Charts (each with a title, axis labels with units, and a one-line reading):
//! scores by country per period (grouped bars); pillar breakdown of the last period
//! (heat map); score trends per country; rank uncertainty (median rank with 5-95 %
//! whiskers, from a `sensitivity` output folder); Sobol S1/ST per factor (same); rank
//! per variant (from a `compare` output folder); data coverage per country.

use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::framework::{Child, Framework};
use crate::score::Results;
use serde::Serialize;

mod backtest;
mod chart;
mod charts;
mod map;
mod plot;
mod read;
mod sensitivity;
mod shown;

pub use chart::Chart;
use charts::*;
pub use read::read_csv;
use sensitivity::*;
use shown::{ends, ALL_UNITS_UP_TO, CHART_AT_EACH_END, TABLE_AT_EACH_END};

const TEMPLATE: &str = include_str!("../../templates/report.html");

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
        kind: ErrorKind::NothingToScore,
        message: "no unit-period is scored: nothing to report".into(),
    })?;
    let pillars = fw.pillar_order();
    // Ranking of the last period.
    let mut last_cells: Vec<usize> = cells.iter().copied().filter(|c| c / n == last).collect();
    last_cells.sort_by(|&a, &b| res.rank[a].total_cmp(&res.rank[b]));
    let ranking = ranking_rows(fw, res, &last_cells, &pillars);
    let at = Scope {
        periods: &periods,
        last_cells: &last_cells,
        pillars: &pillars,
        noun,
    };
    let (charts, backtest) = charts(fw, res, &at, places.as_ref(), extras)?;
    let page = Page {
        ranking: &ranking,
        charts: &charts,
        backtest: backtest.as_ref(),
        units: last_cells.len(),
    };
    fill_template(fw, res, &at, &page, manifest)
}

/// What the charts of a report look at: the scored periods, the last period's cells
/// by rank, the pillars, and what a unit is called.
struct Scope<'a> {
    periods: &'a [usize],
    last_cells: &'a [usize],
    pillars: &'a [usize],
    noun: Noun,
}

impl Scope<'_> {
    /// Past a few dozen units the charts show the top and bottom units, the
    /// distribution and the units that moved most; the workbook has every one.
    fn large(&self) -> bool {
        self.last_cells.len() > ALL_UNITS_UP_TO
    }
}

/// What the page shows besides the framework.
struct Page<'a> {
    ranking: &'a [RankRow],
    charts: &'a [Chart],
    backtest: Option<&'a backtest::Section>,
    units: usize,
}

/// The ranking table: the top and bottom of the last period, with the pillars.
fn ranking_rows(fw: &Framework, res: &Results, last_cells: &[usize], pillars: &[usize]) -> Vec<RankRow> {
    let n = res.n_units();
    let table_rows = ends(last_cells, TABLE_AT_EACH_END);
    table_rows
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
        .collect()
}

/// The charts, and the backtest's section when a backtest folder is given.
fn charts(
    fw: &Framework,
    res: &Results,
    at: &Scope,
    places: Option<&(map::Points, bool)>,
    extras: &Extras,
) -> Result<(Vec<Chart>, Option<backtest::Section>)> {
    let n = res.n_units();
    let (periods, last_cells, pillars, noun) = (at.periods, at.last_cells, at.pillars, at.noun);
    let last_period = res.periods[periods[periods.len() - 1]];
    let scale = fw.index.scale.map_or((f64::NAN, f64::NAN), |s| (s.lo, s.hi));
    let order: Vec<usize> = last_cells.iter().map(|c| c % n).collect();
    let large = at.large();
    let shown_cells = ends(last_cells, CHART_AT_EACH_END);
    let shown: Vec<usize> = shown_cells.iter().map(|c| c % n).collect();
    let mut charts = vec![scores_by_period(fw, res, &shown, periods, scale, last_period, noun)];
    if large {
        charts.push(distribution(fw, res, last_cells, last_period, noun));
    }
    if let Some((places, squares)) = places {
        charts.extend(map::map(res, last_cells, places, *squares, noun));
    }
    charts.push(pillar_heatmap(fw, res, &shown_cells, pillars, last_period, noun));
    let trend_units = if large {
        movers(res, &order, periods, CHART_AT_EACH_END)
    } else {
        order.clone()
    };
    charts.push(trends(
        fw,
        res,
        &trend_units,
        periods,
        large.then_some(order.len()),
        noun,
    ));
    charts.push(if large {
        coverage_distribution(res, last_cells, last_period, noun)
    } else {
        coverage(res, last_cells, last_period, noun)
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

    Ok((charts, backtest))
}

/// The page: the template filled, every field HTML-escaped.
fn fill_template(
    fw: &Framework,
    res: &Results,
    at: &Scope,
    page: &Page,
    manifest: &serde_json::Value,
) -> Result<String> {
    let last_period = res.periods[at.periods[at.periods.len() - 1]];
    let (pillars, ranking, charts, backtest) = (at.pillars, page.ranking, page.charts, page.backtest);
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
        kind: ErrorKind::Internal,
        message: e.to_string(),
    })?;
    let html = env
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
                units => page.units,
                large => at.large(),
            })
        })
        .map_err(|e| Error::Data {
            file: "templates/report.html".into(),
            kind: ErrorKind::Internal,
            message: e.to_string(),
        })?;
    Ok(html)
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

#[cfg(test)]
mod tests {
    use super::plot::*;
    use super::*;
    use crate::period::Period;
    use plotters::prelude::*;

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
