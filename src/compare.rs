//! Variants side by side: scores, ranks and classes per variant, and how far each
//! pair of variants agrees (compare COINr's `compare_coins`).
//!
//! Per pair of variants and period, over the units both score: Spearman's rho and
//! Kendall's tau-b of the scores, mean and largest absolute rank shift
//! `|rank_a - rank_b|`, the share of units whose class differs, and the top-k overlap
//! (formulas in `src/metrics.rs`).

use crate::error::Result;
use crate::framework::Framework;
use crate::metrics;
use crate::period::Period;
use crate::score::Results;
use std::collections::BTreeMap;

/// One variant's scoring: its name, framework and the results scored with it.
pub struct Scored<'a> {
    pub(crate) name: &'a str,
    pub(crate) framework: &'a Framework,
    pub(crate) results: &'a Results,
}

impl<'a> Scored<'a> {
    /// The variant `name`: `results` as `framework` scored them (an error if they are
    /// another framework's).
    pub fn new(name: &'a str, framework: &'a Framework, results: &'a Results) -> Result<Scored<'a>> {
        crate::score::check_results(framework, results, false)?;
        Ok(Scored {
            name,
            framework,
            results,
        })
    }
}

/// A unit-period's (score, rank, class label) in one variant.
pub type Entry = (f64, f64, Option<String>);

/// One unit-period across variants.
pub type Row = Vec<Option<Entry>>;

/// Agreement of a pair of variants in one period.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Agreement {
    pub period: Period,
    pub a: String,
    pub b: String,
    pub n: usize,
    pub spearman: f64,
    pub kendall_tau_b: f64,
    pub mean_abs_rank_shift: f64,
    pub max_abs_rank_shift: f64,
    pub class_change_share: f64,
    pub top_k_overlap: f64,
}

/// The side-by-side table and the pairwise agreement.
#[non_exhaustive]
pub struct Comparison {
    pub names: Vec<String>,
    /// Keyed by (period, unit), in period then unit order.
    pub rows: BTreeMap<(Period, String), Row>,
    pub agreement: Vec<Agreement>,
    pub top_k: usize,
}

/// Compares the variants' results: per period and pair, rank correlations, rank shifts,
/// class changes and the overlap of the top `top_k`.
///
/// ```
/// use riskscore::{compare, load, score, variants, Scored, Source};
///
/// let vs = variants::read("indicators/central_asia.toml".as_ref(), "base")?;
/// let source = [Source::File("datasets/central_asia.csv".into())];
/// let mut scored = Vec::new();
/// for v in vs.iter().take(2) {
///     let panel = load(v.framework(), &source, &Default::default())?;
///     scored.push((v, score(v.framework(), &panel)?));
/// }
/// let scored: Vec<Scored> = scored
///     .iter()
///     .map(|(v, results)| Scored::new(v.name(), v.framework(), results))
///     .collect::<riskscore::Result<_>>()?;
/// let comparison = compare(&scored, 3);
/// assert!(comparison.agreement.iter().all(|a| (-1.0..=1.0).contains(&a.spearman)));
/// # Ok::<(), riskscore::Error>(())
/// ```
pub fn compare(scored: &[Scored], top_k: usize) -> Comparison {
    let k = scored.len();
    let mut rows: BTreeMap<(Period, String), Row> = BTreeMap::new();
    for (v, s) in scored.iter().enumerate() {
        let r = s.results;
        let n = r.n_units();
        for c in r.scored_cells() {
            let key = (r.periods[c / n], r.units[c % n].clone());
            let class = r.class[c].map(|i| s.framework.index.classes[i].label.clone());
            rows.entry(key).or_insert_with(|| vec![None; k])[v] = Some((r.score(c), r.rank[c], class));
        }
    }
    let periods: Vec<Period> = {
        let mut p: Vec<Period> = rows.keys().map(|(p, _)| *p).collect();
        p.dedup();
        p
    };
    let mut agreement = Vec::new();
    for &period in &periods {
        for a in 0..k {
            for b in a + 1..k {
                let pairs: Vec<(&Entry, &Entry)> = rows
                    .range((period, String::new())..)
                    .take_while(|((p, _), _)| *p == period)
                    .filter_map(|(_, row)| Some((row[a].as_ref()?, row[b].as_ref()?)))
                    .collect();
                let sa: Vec<f64> = pairs.iter().map(|(x, _)| x.0).collect();
                let sb: Vec<f64> = pairs.iter().map(|(_, y)| y.0).collect();
                let shifts: Vec<f64> = pairs.iter().map(|(x, y)| (x.1 - y.1).abs()).collect();
                let n = pairs.len();
                let nan_if_empty = |v: f64| if n == 0 { f64::NAN } else { v };
                agreement.push(Agreement {
                    period,
                    a: scored[a].name.to_string(),
                    b: scored[b].name.to_string(),
                    n,
                    spearman: metrics::spearman(&sa, &sb),
                    kendall_tau_b: metrics::kendall_tau_b(&sa, &sb),
                    mean_abs_rank_shift: nan_if_empty(shifts.iter().sum::<f64>() / n.max(1) as f64),
                    max_abs_rank_shift: nan_if_empty(shifts.iter().copied().fold(0.0, f64::max)),
                    class_change_share: nan_if_empty(
                        pairs.iter().filter(|(x, y)| x.2 != y.2).count() as f64 / n.max(1) as f64,
                    ),
                    top_k_overlap: metrics::top_k_overlap(&sa, &sb, top_k),
                });
            }
        }
    }
    Comparison {
        names: scored.iter().map(|s| s.name.to_string()).collect(),
        rows,
        agreement,
        top_k,
    }
}
