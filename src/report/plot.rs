//! The report's chart primitives: the colours, the plot area and its axes, legends,
//! the SVG a chart is drawn into, the heat-map colour scale and histograms.

use crate::places::Noun;
use plotters::prelude::*;

/// Ten colours that stay apart (Tableau 10, as matplotlib's default cycle).
pub(super) const PALETTE: [RGBColor; 10] = [
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
pub(super) fn colours(n: usize) -> Vec<RGBColor> {
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

/// Width of a chart's plot, left of its legend.
pub(super) const PLOT_WIDTH: u32 = 760;
/// Tick labels: 14 px, readable at 100 % zoom.
/// (plotters writes 0.8 of the size asked for into the SVG: 17 is 13.7 px.)
pub(super) const TICKS: (&str, u32) = ("sans-serif", 17);

/// Whether the labels of a category axis of `slots` categories must take turns on two
/// rows (the longest does not fit its slot), and the label area that needs.
pub(super) fn category_labels<'a>(labels: impl Iterator<Item = &'a str>, slots: usize) -> (bool, u32) {
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
pub(super) fn stagger_labels(
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
pub(super) fn mesh<'a, 'b, 'c>(
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

/// The axes of a chart over categories (one per unit, centred at 0.5, 1.5, ...): each
/// label under its category, or, when they would overlap (`stagger`, from
/// [`category_labels`]), on two staggered rows under the plot ([`stagger_labels`], at
/// value `y`); no vertical gridlines.
pub(super) fn category_axes(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    chart: &mut ChartContext<
        SVGBackend,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    labels: &[String],
    stagger: bool,
    y: f64,
    (x_desc, y_desc): (String, String),
) -> std::result::Result<(), String> {
    let n = labels.len();
    mesh(chart)
        .disable_x_mesh()
        .x_labels(n * 2 + 2)
        .x_label_formatter(&|x| match centre(*x, n).filter(|_| !stagger) {
            Some(i) => labels[i].clone(),
            None => String::new(),
        })
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()
        .map_err(|e| e.to_string())?;
    if stagger {
        stagger_labels(area, chart, labels, y)?;
    }
    Ok(())
}

/// How a legend entry marks its series.
#[derive(Clone, Copy)]
pub(super) enum Mark {
    Bar,
    Line,
    Dot,
}

/// A legend beside the plot (never over the data): one entry per series, top down.
pub(super) fn legend(
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

pub(super) fn svg(
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

/// The category whose centre (i + 0.5) an axis tick x falls on, if any.
pub(super) fn centre(x: f64, n: usize) -> Option<usize> {
    let i = x.floor() as usize;
    ((x - i as f64 - 0.5).abs() < 0.01 && i < n).then_some(i)
}

pub(super) fn heat(v: f64, lo: f64, hi: f64) -> RGBColor {
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
pub(super) fn text_on(c: RGBColor) -> RGBColor {
    let luma = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if luma < 140.0 {
        WHITE
    } else {
        BLACK
    }
}

/// A histogram of `values` over `range` in `bins` equal bins, as an SVG.
pub(super) fn histogram(
    caption: &str,
    x_desc: &str,
    values: &[f64],
    range: (f64, f64),
    bins: usize,
    noun: Noun,
) -> String {
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
