//! Statistical coherence of a framework on its data (the OECD/JRC Handbook's step
//! "multivariate analysis"; COINr's get_stats, get_corr, get_cronbach, get_PCA,
//! get_eff_weights, get_str_weak), for one period.
//!
//! # Formulas (over the period's scored units)
//! - Indicator statistics on the raw values (after per-capita scaling, before
//!   imputation): n present, availability n / units, share of zeros, unique values,
//!   min, max, mean, sample sd `sqrt(Σ(x - x̄)² / (n - 1))`, skewness
//!   `G1 = sqrt(n(n-1))/(n-2) · m3/m2^{3/2}` and excess kurtosis
//!   `G2 = (n-1)/((n-2)(n-3)) · ((n+1) m4/m2² - 3(n-1))` (the adjusted estimators of
//!   Excel and SAS; Joanes & Gill 1998). Outlier flag: `|G1| > 2` and `G2 > 3.5`
//!   (COINr); warnings: availability < 0.65, zeros > 0.5, fewer than 5 unique values.
//! - Correlations on the normalised values (what the aggregation sees; complete pairs):
//!   Pearson r and Spearman rho (Pearson of average ranks), each with the two-sided
//!   p-value of `t = r sqrt((n-2)/(1-r²))` on n - 2 degrees of freedom (as scipy's
//!   pearsonr and spearmanr). Flags: negative correlation with the parent; |r| > 0.9
//!   between two indicators of a group (collinear).
//! - Correlations of each group (pillar, sub-index) with its parent, on the group
//!   scores (COINr `get_corr(withparent = TRUE)` at every level).
//! - Cronbach's alpha of a group's children, on three data sets: `raw` (the data
//!   columns as given, before per-capita scaling), `treated` and `normalised` (the
//!   children's normalised values or group scores); raw and treated are not
//!   direction-adjusted, as COINr's `get_cronbach`:
//!   `α = k/(k-1) · (1 - Σ_i C_ii / Σ_ij C_ij)` with C the covariance matrix of
//!   pairwise-complete observations (n - 1), which is
//!   `k/(k-1) · (1 - Σ var(x_i) / var(Σ x_i))` on complete data (Cronbach 1951).
//! - PCA of a group's children: eigen-decomposition (nalgebra) of their correlation
//!   matrix (complete cases); explained share `λ_j / Σ λ`; the first component's
//!   eigenvector v_1 (what COINr's `get_PCA` and R's `prcomp` call loadings) and the
//!   loadings `v_1 sqrt(λ_1)` (the correlations of the indicators with the component,
//!   as in factor analysis), sign chosen so that they sum to a positive number.
//! - Effective weights: nominal, the product of the normalised weights from the index
//!   down to the indicator; and the correlation-based importance `r_i² / Σ_j r_j²`
//!   with r_i = corr(indicator, index) (COINr get_eff_weights / Becker et al. 2017).
//! - Units: availability (share of indicators with a raw value), and the indicators
//!   where the unit's normalised value is highest and lowest (COINr get_str_weak).
//!
//! ## References
//! OECD/JRC (2008) Handbook on Constructing Composite Indicators, step 4. Cronbach
//! (1951) Psychometrika 16. Becker, Saisana, Paruolo & Vandecasteele (2017) Weights and
//! importance in composite indicators: closing the gap, Ecological Indicators 80.
//! Joanes & Gill (1998) Comparing measures of sample skewness and kurtosis, JRSS D 47.

use crate::data::Panel;
use crate::error::ErrorKind;
use crate::error::{Error, Result};
use crate::framework::{Child, Framework};
use crate::metrics;
use crate::period::Period;
use crate::score::{score, Results};
use crate::stats::pca;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Indicator statistics.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IndicatorStats {
    pub indicator: String,
    pub group: String,
    pub n: usize,
    pub availability: f64,
    pub zeros: f64,
    pub unique: usize,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub sd: f64,
    pub skewness: f64,
    pub kurtosis: f64,
    pub outlier: bool,
    pub low_availability: bool,
    pub many_zeros: bool,
    pub few_unique: bool,
}

/// A correlation of an indicator (or a group, with its parent) with something.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Correlation {
    /// The indicator's id, or the group's.
    pub indicator: String,
    /// `parent`, `index` or `sibling`
    pub with_kind: &'static str,
    pub with: String,
    pub n: usize,
    pub pearson: f64,
    pub pearson_p: f64,
    pub spearman: f64,
    pub spearman_p: f64,
    pub flag: &'static str,
}

/// Cronbach's alpha of a group.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Cronbach {
    pub group: String,
    /// `raw`, `treated` or `normalised`.
    pub data: &'static str,
    pub items: usize,
    pub n: usize,
    pub alpha: f64,
}

/// PCA of a group's children.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Pca {
    pub group: String,
    pub n: usize,
    pub eigenvalues: Vec<f64>,
    pub explained: Vec<f64>,
    /// (child id, loading on the first component: eigenvector x sqrt(eigenvalue))
    pub loadings: Vec<(String, f64)>,
    /// The first component's eigenvector, in the order of `loadings`.
    pub eigenvector: Vec<f64>,
}

/// Effective weight of an indicator.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct EffectiveWeight {
    pub indicator: String,
    pub nominal: f64,
    pub corr_with_index: f64,
    pub importance: f64,
}

/// A unit's availability and its strongest and weakest indicators.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct UnitProfile {
    pub unit: String,
    pub availability: f64,
    pub strongest: Vec<(String, f64)>,
    pub weakest: Vec<(String, f64)>,
}

/// The audit of one period.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Audit {
    pub period: Period,
    pub units: usize,
    pub stats: Vec<IndicatorStats>,
    pub correlations: Vec<Correlation>,
    pub cronbach: Vec<Cronbach>,
    pub pca: Vec<Pca>,
    pub effective: Vec<EffectiveWeight>,
    pub profiles: Vec<UnitProfile>,
}

/// Two-sided p-value of a correlation r over n pairs (t on n - 2 df).
pub(crate) fn correlation_p(r: f64, n: usize) -> f64 {
    if n < 3 || r.is_nan() {
        return f64::NAN;
    }
    if r.abs() >= 1.0 {
        return 0.0;
    }
    let df = (n - 2) as f64;
    let t = r * (df / (1.0 - r * r)).sqrt();
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => 2.0 * (1.0 - dist.cdf(t.abs())),
        Err(_) => f64::NAN,
    }
}

/// Sample covariance (n - 1) of the pairs where both are present; NaN below 2 pairs.
fn covariance_pairwise(a: &[f64], b: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(&x, &y)| (x, y))
        .collect();
    let n = pairs.len();
    if n < 2 {
        return f64::NAN;
    }
    let (ma, mb) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n as f64,
        pairs.iter().map(|p| p.1).sum::<f64>() / n as f64,
    );
    pairs.iter().map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / (n - 1) as f64
}

/// Cronbach's alpha of items (columns over the same rows; NaN = missing), from the
/// pairwise-complete covariances (COINr `get_cronbach`).
pub(crate) fn cronbach_alpha(items: &[Vec<f64>]) -> f64 {
    let k = items.len();
    if k < 2 {
        return f64::NAN;
    }
    let (mut diagonal, mut all) = (0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            let c = covariance_pairwise(&items[i], &items[j]);
            if c.is_nan() {
                continue;
            }
            all += c;
            if i == j {
                diagonal += c;
            }
        }
    }
    if all == 0.0 {
        return f64::NAN;
    }
    k as f64 / (k as f64 - 1.0) * (1.0 - diagonal / all)
}

/// Complete cases of several columns over the given cells.
fn complete(columns: &[&[f64]], cells: &[usize]) -> Vec<Vec<f64>> {
    let rows: Vec<usize> = cells
        .iter()
        .copied()
        .filter(|&c| columns.iter().all(|col| !col[c].is_nan()))
        .collect();
    columns
        .iter()
        .map(|col| rows.iter().map(|&c| col[c]).collect())
        .collect()
}

/// Audits the framework on the panel in `period` (default: the last scored period):
/// indicator statistics, correlations, Cronbach's alpha, PCA and effective weights.
///
/// ```
/// use riskscore::{audit, load, Framework, Source};
///
/// let fw = Framework::from_path("indicators/central_asia.toml".as_ref())?;
/// let panel = load(&fw, &[Source::File("datasets/central_asia.csv".into())], &Default::default())?;
/// let report = audit(&fw, &panel, None)?;
/// assert_eq!(report.period.to_string(), "2022");
/// assert_eq!(report.stats.len(), fw.indicator_ids().len());
/// # Ok::<(), riskscore::Error>(())
/// ```
pub fn audit(fw: &Framework, panel: &Panel, period: Option<Period>) -> Result<Audit> {
    // With data-driven weights, audit the weights the scoring uses.
    let resolved;
    let fw = if fw.groups.iter().any(|g| g.weights.is_data_driven()) {
        resolved = crate::score::weights::resolve(fw, panel, score)?.0;
        &resolved
    } else {
        fw
    };
    let res: Results = score(fw, panel)?;
    let columns = crate::score::derived_columns(fw, panel)?;
    let given: Vec<&[f64]> = fw.indicators.iter().map(|i| columns[&i.column].as_slice()).collect();
    let n_units = res.n_units();
    let p = audited_period(fw, &res, period)?;
    let scope = Scope {
        fw,
        res: &res,
        cells: (0..n_units)
            .map(|u| p * n_units + u)
            .filter(|&c| res.scored[c])
            .collect(),
        kept: (0..fw.indicators.len()).filter(|&k| res.kept[k]).collect(),
        given,
    };
    let (cronbach, pca) = scope.groups();
    Ok(Audit {
        period: res.periods[p],
        units: scope.cells.len(),
        stats: scope.stats(),
        correlations: scope.correlations(),
        cronbach,
        pca,
        effective: scope.effective(),
        profiles: scope.profiles(),
    })
}

/// The period audited: the one asked for, else the last scored period.
fn audited_period(fw: &Framework, res: &Results, period: Option<Period>) -> Result<usize> {
    let n_units = res.n_units();
    let scored_periods: Vec<usize> = {
        let mut p: Vec<usize> = res.scored_cells().map(|c| c / n_units).collect();
        p.dedup();
        p
    };
    Ok(match period {
        None => *scored_periods.last().ok_or_else(|| Error::Data {
            file: fw.file.clone(),
            kind: ErrorKind::NothingToScore,
            message: "no unit-period is scored".into(),
        })?,
        Some(want) => *scored_periods
            .iter()
            .find(|&&p| res.periods[p] == want)
            .ok_or_else(|| Error::Argument {
                name: "period".into(),
                message: format!(
                    "no unit is scored in period {want}; scored periods: {}",
                    scored_periods
                        .iter()
                        .map(|&p| res.periods[p].to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?,
    })
}

/// What the audit looks at: one period's scored cells and the kept indicators.
struct Scope<'a> {
    fw: &'a Framework,
    res: &'a Results,
    cells: Vec<usize>,
    kept: Vec<usize>,
    /// Per indicator: its data column as given (before per-capita scaling).
    given: Vec<&'a [f64]>,
}

impl Scope<'_> {
    fn group_id(&self, g: usize) -> String {
        self.fw.groups[g].id.clone()
    }

    /// Per indicator: statistics of its raw values.
    fn stats(&self) -> Vec<IndicatorStats> {
        let mut stats = Vec::new();
        for &k in &self.kept {
            let ind = &self.fw.indicators[k];
            let x: Vec<f64> = self
                .cells
                .iter()
                .map(|&c| self.res.raw[k][c])
                .filter(|v| !v.is_nan())
                .collect();
            let n = x.len();
            let mut sorted = x.clone();
            sorted.sort_by(f64::total_cmp);
            sorted.dedup();
            let skew = crate::stats::skewness(&x);
            let kurt = crate::stats::kurtosis(&x);
            let availability = n as f64 / self.cells.len().max(1) as f64;
            let zeros = x.iter().filter(|&&v| v == 0.0).count() as f64 / n.max(1) as f64;
            stats.push(IndicatorStats {
                indicator: ind.id.clone(),
                group: self.group_id(ind.group),
                n,
                availability,
                zeros,
                unique: sorted.len(),
                min: sorted.first().copied().unwrap_or(f64::NAN),
                max: sorted.last().copied().unwrap_or(f64::NAN),
                mean: if n > 0 {
                    x.iter().sum::<f64>() / n as f64
                } else {
                    f64::NAN
                },
                sd: crate::stats::sd_sample(&x),
                skewness: skew,
                kurtosis: kurt,
                outlier: skew.abs() > 2.0 && kurt > 3.5,
                low_availability: availability < 0.65,
                many_zeros: zeros > 0.5,
                few_unique: sorted.len() < 5,
            });
        }
        stats
    }

    /// Per indicator: its correlation with its parent, the index and its siblings
    /// (normalised values and group scores).
    fn correlations(&self) -> Vec<Correlation> {
        let index = &self.res.group_scores[0];
        let mut correlations = Vec::new();
        let corr = |a: &[f64], b: &[f64]| -> (usize, f64, f64, f64, f64) {
            let cols = complete(&[a, b], &self.cells);
            let n = cols[0].len();
            let r = metrics::pearson(&cols[0], &cols[1]);
            let rho = metrics::spearman(&cols[0], &cols[1]);
            (n, r, correlation_p(r, n), rho, correlation_p(rho, n))
        };
        for &k in &self.kept {
            let ind = &self.fw.indicators[k];
            let x = &self.res.normalised[k];
            let mut targets: Vec<(&'static str, String, &[f64])> = Vec::new();
            if ind.group != 0 {
                targets.push(("parent", self.group_id(ind.group), &self.res.group_scores[ind.group]));
            }
            targets.push(("index", self.group_id(0), index));
            for &j in &self.kept {
                if j != k && self.fw.indicators[j].group == ind.group {
                    targets.push(("sibling", self.fw.indicators[j].id.clone(), &self.res.normalised[j]));
                }
            }
            for (kind, with, y) in targets {
                let (n, r, rp, rho, rhop) = corr(x, y);
                let flag = match kind {
                    "parent" | "index" if r < 0.0 => "negative",
                    "sibling" if r.abs() > 0.9 => "collinear",
                    _ => "",
                };
                correlations.push(Correlation {
                    indicator: ind.id.clone(),
                    with_kind: kind,
                    with,
                    n,
                    pearson: r,
                    pearson_p: rp,
                    spearman: rho,
                    spearman_p: rhop,
                    flag,
                });
            }
        }
        // Each group with its parent (pillar with sub-index, sub-index with index).
        for (g, group) in self.fw.groups.iter().enumerate() {
            let Some(parent) = group.parent else { continue };
            let (n, r, rp, rho, rhop) = corr(&self.res.group_scores[g], &self.res.group_scores[parent]);
            correlations.push(Correlation {
                indicator: group.id.clone(),
                with_kind: "parent",
                with: self.group_id(parent),
                n,
                pearson: r,
                pearson_p: rp,
                spearman: rho,
                spearman_p: rhop,
                flag: if r < 0.0 { "negative" } else { "" },
            });
        }
        correlations
    }

    /// Per group: Cronbach's alpha and PCA of its children (indicators or sub-groups).
    fn groups(&self) -> (Vec<Cronbach>, Vec<Pca>) {
        let mut cronbach = Vec::new();
        let mut pcas = Vec::new();
        for (g, group) in self.fw.groups.iter().enumerate() {
            let indicators: Vec<usize> = group
                .children
                .iter()
                .filter_map(|c| match c {
                    Child::Indicator(k) if self.res.kept[*k] => Some(*k),
                    _ => None,
                })
                .collect();
            // Raw and treated values where the children are indicators.
            if indicators.len() >= 2 && indicators.len() == group.children.len() {
                for (data, values) in [("raw", &self.given), ("treated", &self.treated())] {
                    let items: Vec<Vec<f64>> = indicators
                        .iter()
                        .map(|&k| self.cells.iter().map(|&c| values[k][c]).collect())
                        .collect();
                    cronbach.push(Cronbach {
                        group: self.group_id(g),
                        data,
                        items: items.len(),
                        n: complete(&indicators.iter().map(|&k| values[k]).collect::<Vec<_>>(), &self.cells)[0].len(),
                        alpha: cronbach_alpha(&items),
                    });
                }
            }
            let children: Vec<(String, &[f64])> = group
                .children
                .iter()
                .filter_map(|c| match c {
                    Child::Indicator(k) if self.res.kept[*k] => {
                        Some((self.fw.indicators[*k].id.clone(), self.res.normalised[*k].as_slice()))
                    }
                    Child::Indicator(_) => None,
                    Child::Group(h) => Some((self.fw.groups[*h].id.clone(), self.res.group_scores[*h].as_slice())),
                })
                .collect();
            if children.len() < 2 {
                continue;
            }
            let columns: Vec<&[f64]> = children.iter().map(|(_, c)| *c).collect();
            let cols = complete(&columns, &self.cells);
            let n = cols[0].len();
            let items: Vec<Vec<f64>> = columns
                .iter()
                .map(|col| self.cells.iter().map(|&c| col[c]).collect())
                .collect();
            cronbach.push(Cronbach {
                group: self.group_id(g),
                data: "normalised",
                items: children.len(),
                n,
                alpha: cronbach_alpha(&items),
            });
            if let Some((values, loadings)) = pca(&cols) {
                let total: f64 = values.iter().sum();
                let root = values[0].sqrt();
                pcas.push(Pca {
                    group: self.group_id(g),
                    n,
                    explained: values.iter().map(|v| v / total).collect(),
                    eigenvector: loadings.iter().map(|l| l / root).collect(),
                    eigenvalues: values,
                    loadings: children.iter().map(|(id, _)| id.clone()).zip(loadings).collect(),
                });
            }
        }
        (cronbach, pcas)
    }

    /// Per indicator: the treated values, as slices.
    fn treated(&self) -> Vec<&[f64]> {
        self.res.treated.iter().map(Vec::as_slice).collect()
    }

    /// Per indicator: nominal weight against its importance (its share of the squared
    /// correlations with the index).
    fn effective(&self) -> Vec<EffectiveWeight> {
        let nominal = self.fw.effective_weights();
        let index = &self.res.group_scores[0];
        let r_index: Vec<f64> = self
            .kept
            .iter()
            .map(|&k| {
                let cols = complete(&[&self.res.normalised[k], index], &self.cells);
                metrics::pearson(&cols[0], &cols[1])
            })
            .collect();
        let r2_total: f64 = r_index.iter().filter(|r| !r.is_nan()).map(|r| r * r).sum();
        self.kept
            .iter()
            .zip(&r_index)
            .map(|(&k, &r)| EffectiveWeight {
                indicator: self.fw.indicators[k].id.clone(),
                nominal: nominal[k],
                corr_with_index: r,
                importance: if r.is_nan() || r2_total <= 0.0 {
                    f64::NAN
                } else {
                    r * r / r2_total
                },
            })
            .collect()
    }

    /// Per unit: availability and its strongest and weakest indicators.
    fn profiles(&self) -> Vec<UnitProfile> {
        let n_units = self.res.n_units();
        self.cells
            .iter()
            .map(|&c| {
                let present = self.kept.iter().filter(|&&k| !self.res.raw[k][c].is_nan()).count();
                let mut values: Vec<(String, f64)> = self
                    .kept
                    .iter()
                    .filter(|&&k| !self.res.normalised[k][c].is_nan())
                    .map(|&k| (self.fw.indicators[k].id.clone(), self.res.normalised[k][c]))
                    .collect();
                values.sort_by(|a, b| b.1.total_cmp(&a.1));
                let top = 3.min(values.len());
                UnitProfile {
                    unit: self.res.units[c % n_units].clone(),
                    availability: present as f64 / self.kept.len().max(1) as f64,
                    strongest: values[..top].to_vec(),
                    weakest: values[values.len() - top..].iter().rev().cloned().collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::prec::close;

    #[test]
    fn cronbach_alpha_by_hand() {
        // Three items over four respondents:
        // item variances (n-1): a = [1,2,3,4] -> 1.6667, b = [2,2,3,5] -> 2.0,
        // c = [1,3,2,4] -> 1.6667; totals [4,7,8,13] -> var 14.0.
        // alpha = 3/2 (1 - 5.3333/14) = 0.928571...
        let items = vec![
            vec![1.0, 2.0, 3.0, 4.0],
            vec![2.0, 2.0, 3.0, 5.0],
            vec![1.0, 3.0, 2.0, 4.0],
        ];
        assert!(close(
            cronbach_alpha(&items),
            1.5 * (1.0 - (5.0 / 3.0 + 2.0 + 5.0 / 3.0) / 14.0),
            1e-12
        ));
        assert!(close(cronbach_alpha(&items), 0.9285714286, 1e-9));
    }

    #[test]
    fn correlation_p_values_match_scipy() {
        // python3 -c "from scipy.stats import pearsonr; print(pearsonr([1,2,3,4,5],[2,1,4,3,5]))"
        // -> statistic 0.8, pvalue 0.10408803866182782
        let r = metrics::pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]);
        assert!(close(r, 0.8, 1e-12));
        assert!(
            close(correlation_p(r, 5), 0.10408803866182782, 1e-9),
            "{}",
            correlation_p(r, 5)
        );
        // python3 -c "from scipy.stats import spearmanr; print(spearmanr([1,2,3,4,5,6],[1,3,2,5,4,6]))"
        // -> statistic 0.8857142857142858, pvalue 0.01884548104956266
        let rho = metrics::spearman(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1.0, 3.0, 2.0, 5.0, 4.0, 6.0]);
        assert!(close(rho, 0.8857142857142858, 1e-12));
        assert!(
            close(correlation_p(rho, 6), 0.01884548104956266, 1e-9),
            "{}",
            correlation_p(rho, 6)
        );
    }
}
