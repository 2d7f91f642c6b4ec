//! The map of scores, where units have a place: PRIO-GRID cells drawn as the squares
//! they are, other units (with coordinates from `[data] neighbours = { units = ... }`)
//! as dots; colour by score, the top places labelled.
//!
//! The SVG is written here rather than by plotters: the cells of one colour class are
//! one path (a square is `M x y h w v h h -w z`), so 65,000 cells take about 1.7 MB
//! where an element per cell would take 6. Every text is XML-escaped by [`xml`], the
//! one place this map's text meets markup. The projection is equirectangular with
//! longitudes scaled by the cosine of the middle latitude (distances roughly true at
//! the map's latitude).

use super::chart::Chart;
use super::plot::heat;
use crate::framework::{Framework, Neighbours};
use crate::places::priogrid::Cell;
use crate::score::Results;
use std::fmt::Write;

/// Colour classes of the cells (one path each).
const CLASSES: usize = 12;
/// Places labelled on the map.
const LABELLED: usize = 10;
const WIDTH: f64 = 900.0;
const PLOT: f64 = 740.0;

/// Text as XML character data or attribute value.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Each unit's point (lat, lon), where it has one.
pub(super) type Points = Vec<Option<(f64, f64)>>;

/// Where each unit is, and whether the units are cells: its cell's centre (all units
/// are PRIO-GRID gids), or a point from the framework's table of coordinates; `None`
/// when the units have no place.
pub fn places(fw: &Framework, units: &[String]) -> Option<(Points, bool)> {
    let cells: Vec<Option<Cell>> = units
        .iter()
        .map(|u| u.parse::<u32>().ok().and_then(Cell::from_gid))
        .collect();
    if !units.is_empty() && cells.iter().all(Option::is_some) {
        return Some((cells.iter().map(|c| c.map(Cell::centre)).collect(), true));
    }
    if let Some(Neighbours::Coordinates { file, .. }) = &fw.data.neighbours {
        let points = crate::data::neighbours::read_coordinates(file, units).ok()?;
        return Some((points, false));
    }
    None
}

/// `12.5°E`, `67.8°W`.
fn degrees(v: f64, positive: char, negative: char) -> String {
    format!("{:.1}°{}", v.abs(), if v < 0.0 { negative } else { positive })
}

/// A place shown: its unit-period cell, (lat, lon) and score.
type Shown = (usize, (f64, f64), f64);

/// Where the map lies on the page: the degrees it spans (with a margin), and the scale.
struct Frame {
    lat0: f64,
    lat1: f64,
    lon0: f64,
    lon1: f64,
    /// cos(latitude) at the middle: degrees of longitude are that much narrower.
    squeeze: f64,
    /// Pixels per degree of latitude.
    scale: f64,
    left: f64,
    top: f64,
    height: f64,
}

impl Frame {
    /// The frame of `shown` (each a point, or a half-degree cell when `squares`): a
    /// margin of half a degree, a span of at least one degree, as wide as the plot
    /// unless that would make the map taller than 900 px.
    fn of(shown: &[Shown], squares: bool) -> Frame {
        let half = if squares { 0.25 } else { 0.0 };
        let (mut lat0, mut lat1, mut lon0, mut lon1) =
            (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for &(_, (lat, lon), _) in shown {
            lat0 = lat0.min(lat - half);
            lat1 = lat1.max(lat + half);
            lon0 = lon0.min(lon - half);
            lon1 = lon1.max(lon + half);
        }
        let pad = |a: f64, b: f64| {
            let extra = (1.0 - (b - a)).max(0.0) / 2.0 + 0.5;
            (a - extra, b + extra)
        };
        let ((lat0, lat1), (lon0, lon1)) = (pad(lat0, lat1), pad(lon0, lon1));
        let squeeze = ((lat0 + lat1) / 2.0).to_radians().cos().max(0.2);
        let scale = (PLOT / ((lon1 - lon0) * squeeze)).min(900.0 / (lat1 - lat0));
        Frame {
            lat0,
            lat1,
            lon0,
            lon1,
            squeeze,
            scale,
            left: 60.0,
            top: 40.0,
            height: (lat1 - lat0) * scale,
        }
    }

    fn x(&self, lon: f64) -> f64 {
        self.left + (lon - self.lon0) * self.squeeze * self.scale
    }

    fn y(&self, lat: f64) -> f64 {
        self.top + (self.lat1 - lat) * self.scale
    }
}

/// The colour classes of the scores from `lo` to `hi`.
struct Shades {
    lo: f64,
    hi: f64,
}

impl Shades {
    /// The class of score `s`: `CLASSES` equal steps from `lo` to `hi`.
    fn class(&self, s: f64) -> usize {
        if self.hi > self.lo {
            (((s - self.lo) / (self.hi - self.lo)) * CLASSES as f64)
                .floor()
                .min(CLASSES as f64 - 1.0) as usize
        } else {
            0
        }
    }

    /// The colour of class `k`: the heat of its middle score.
    fn colour(&self, k: usize) -> String {
        let (lo, hi) = (self.lo, self.hi);
        let c = heat(lo + (hi - lo) * (k as f64 + 0.5) / CLASSES as f64, lo, hi);
        format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
    }
}

/// The map of the scores of `cells` (unit-period cells of the last period); `noun` is
/// what a unit is called, one and many.
pub fn map(
    res: &Results,
    last_cells: &[usize],
    places: &[Option<(f64, f64)>],
    squares: bool,
    noun: (&str, &str),
) -> Option<Chart> {
    let n = res.n_units();
    let shown: Vec<Shown> = last_cells
        .iter()
        .filter_map(|&c| places[c % n].map(|p| (c, p, res.score(c))))
        .filter(|(_, _, s)| s.is_finite())
        .collect();
    if shown.is_empty() {
        return None;
    }
    let frame = Frame::of(&shown, squares);
    let (lo, hi) = shown
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), s| (a.min(s.2), b.max(s.2)));
    let shades = Shades { lo, hi };
    let total_height = frame.top + frame.height + 70.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg width="{WIDTH}" height="{total_height:.0}" viewBox="0 0 {WIDTH} {total_height:.0}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/><rect x="{}" y="{}" width="{:.1}" height="{:.1}" fill="#f4f7fb" stroke="#999"/>"##,
        frame.left,
        frame.top,
        (frame.lon1 - frame.lon0) * frame.squeeze * frame.scale,
        frame.height
    );
    draw_places(&mut svg, &frame, &shades, &shown, squares);
    // The top places, labelled beside a marker.
    let mut ranked: Vec<&Shown> = shown.iter().collect();
    ranked.sort_by(|a, b| res.rank[a.0].total_cmp(&res.rank[b.0]));
    draw_labels(&mut svg, &frame, res, &ranked);
    draw_axes_and_scale(&mut svg, &frame, &shades, noun.0);
    let named: Vec<String> = ranked
        .iter()
        .take(3)
        .map(|t| format!("`{}`", res.units[t.0 % n]))
        .collect();
    Some(Chart {
        id: "map".into(),
        title: format!("Where: scores by {}", noun.0),
        svg,
        reading: format!(
            "{} {} with a place; the darker, the higher the score ({lo:.2} to {hi:.2}). Highest: {}.",
            shown.len(),
            noun.1,
            named.join(", ")
        ),
    })
}

/// Each place: a half-degree square of its class's colour (one path per class), or a
/// dot.
fn draw_places(svg: &mut String, frame: &Frame, shades: &Shades, shown: &[Shown], squares: bool) {
    let mut paths = vec![String::new(); CLASSES];
    let side = 0.5 * frame.scale;
    for &(_, (lat, lon), s) in shown {
        let k = shades.class(s);
        if squares {
            let _ = write!(
                paths[k],
                "M{:.1} {:.1}h{:.1}v{:.1}h-{:.1}z",
                frame.x(lon - 0.25),
                frame.y(lat + 0.25),
                side * frame.squeeze,
                side,
                side * frame.squeeze
            );
        } else {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="6" fill="{}" stroke="#333" stroke-width="0.5"/>"##,
                frame.x(lon),
                frame.y(lat),
                shades.colour(k)
            );
        }
    }
    for (k, d) in paths.iter().enumerate().filter(|(_, d)| !d.is_empty()) {
        let _ = write!(svg, r#"<path d="{d}" fill="{}"/>"#, shades.colour(k));
    }
}

/// The `LABELLED` highest-ranked places, numbered and named beside a marker.
fn draw_labels(svg: &mut String, frame: &Frame, res: &Results, ranked: &[&Shown]) {
    let n = res.n_units();
    for (i, &&(c, (lat, lon), _)) in ranked.iter().take(LABELLED).enumerate() {
        let (px, py) = (frame.x(lon), frame.y(lat));
        let _ = write!(
            svg,
            r##"<circle cx="{px:.1}" cy="{py:.1}" r="3" fill="none" stroke="#000"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#000" stroke="white" stroke-width="3" paint-order="stroke">{} {}</text>"##,
            px + 5.0,
            py - 4.0 - (i % 2) as f64 * 10.0,
            i + 1,
            xml(&res.units[c % n])
        );
    }
}

/// Degrees at the corners, the colour scale and the title; closes the SVG.
fn draw_axes_and_scale(svg: &mut String, frame: &Frame, shades: &Shades, one: &str) {
    let (left, top, height) = (frame.left, frame.top, frame.height);
    let (lon0_, lon1_, lat0_, lat1_) = (
        degrees(frame.lon0, 'E', 'W'),
        degrees(frame.lon1, 'E', 'W'),
        degrees(frame.lat0, 'N', 'S'),
        degrees(frame.lat1, 'N', 'S'),
    );
    let _ = write!(
        svg,
        r#"<text x="{left}" y="{:.1}" font-size="12">{lon0_}</text><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{lon1_}</text><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{lat1_}</text><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{lat0_}</text>"#,
        top + height + 16.0,
        frame.x(frame.lon1),
        top + height + 16.0,
        left - 4.0,
        top + 12.0,
        left - 4.0,
        top + height
    );
    let bar_y = top + height + 30.0;
    for k in 0..CLASSES {
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{bar_y:.1}" width="30" height="12" fill="{}"/>"#,
            left + 30.0 * k as f64,
            shades.colour(k)
        );
    }
    let (lo, hi) = (shades.lo, shades.hi);
    let _ = write!(
        svg,
        r#"<text x="{left}" y="{:.1}" font-size="12">{lo:.2}</text><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{hi:.2}</text><text x="{:.1}" y="{:.1}" font-size="12">score</text><text x="{}" y="24" font-size="18">{}</text></svg>"#,
        bar_y + 26.0,
        left + 30.0 * CLASSES as f64,
        bar_y + 26.0,
        left + 30.0 * CLASSES as f64 + 10.0,
        bar_y + 10.0,
        left,
        xml(&format!("Scores by {one}"))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_once_for_xml() {
        assert_eq!(xml(r#"<b x="1">&'"#), "&lt;b x=&quot;1&quot;&gt;&amp;&#39;");
        assert_eq!(xml("a\u{7}b"), "a b");
    }
}
