//! The compiled scoring plan: the framework's tree as flat index arrays, evaluated on
//! plain slices. `score` runs it once per period; the uncertainty engine runs it
//! N (d + 2) times with other weights and aggregations, allocating nothing per run.
//!
//! Layout: for one period with U units, indicator k's normalised values are
//! `values[k * U .. (k + 1) * U]`, group g's scores `groups[g * U .. (g + 1) * U]`.
//! A child's weight sits at `weights[offsets[g] + j]` for the j-th child of group g;
//! a weight of 0 removes the child (an excluded indicator).
//!
//! Aggregation is that of [`crate::pipeline::aggregate`] (weights renormalised over the
//! children present per unit). With a group's `geometric_range = [a, b]`, a geometric
//! or harmonic mean first rescales each child across the period's units:
//! `a + (b - a)(x - min)/(max - min)` (all equal: the midpoint).

use crate::framework::{Child, Framework};
use crate::pipeline::aggregate::{self, Aggregation};

/// The framework's hierarchy, compiled.
#[derive(Debug, Clone)]
pub struct Tree {
    pub post_order: Vec<usize>,
    /// Per group: where its children start in `children` / `weights`.
    pub offsets: Vec<usize>,
    pub children: Vec<Child>,
    pub weights: Vec<f64>,
    pub aggregation: Vec<Aggregation>,
    pub geometric_range: Vec<Option<(f64, f64)>>,
}

/// A value <= 0 met by a geometric or harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NonPositive {
    pub group: usize,
    pub child: Child,
    pub unit: usize,
    pub value: f64,
}

/// What a partial evaluation may take as given.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fixed<'a> {
    /// Groups to compute (all if `None`); a child group not computed is read from `groups`.
    pub compute: Option<&'a [bool]>,
    /// Scores of the groups not computed (layout as the output).
    pub groups: &'a [f64],
    /// Per child slot, `ln` of its values as a geometric mean uses them ([`Tree::fixed_logs`]).
    pub logs: &'a [f64],
    pub log_ok: &'a [bool],
    /// Per child slot, true when its given values (an indicator's in `values`, a
    /// group's in `groups`, and so their logs) have no missing value: the run then
    /// skips looking for one. Empty: look every time.
    pub complete: &'a [bool],
    /// Leave a geometric index (group 0) as its log, `Σ w ln x / Σ w`, for callers that
    /// only rank it (the exponential is monotone) and can exponentiate more cheaply.
    pub index_as_log: bool,
}

/// Reusable buffers for one thread.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    acc: Vec<f64>,
    wsum: Vec<f64>,
    rescaled: Vec<f64>,
    /// Per group computed in this run: no unit's score is missing.
    complete: Vec<bool>,
}

impl Tree {
    pub fn compile(fw: &Framework) -> Tree {
        let mut offsets = Vec::with_capacity(fw.groups.len() + 1);
        let mut children = Vec::new();
        let mut weights = Vec::new();
        for g in &fw.groups {
            offsets.push(children.len());
            for &c in &g.children {
                children.push(c);
                weights.push(fw.child_weight(c));
            }
        }
        offsets.push(children.len());
        Tree {
            post_order: fw.post_order.clone(),
            offsets,
            children,
            weights,
            aggregation: fw.groups.iter().map(|g| g.aggregation).collect(),
            geometric_range: fw.groups.iter().map(|g| g.geometric_range).collect(),
        }
    }

    pub fn n_groups(&self) -> usize {
        self.aggregation.len()
    }

    /// Evaluates every group for one period into `groups` (len n_groups * n_units).
    pub fn evaluate(
        &self,
        weights: &[f64],
        aggregation: &[Aggregation],
        values: &[f64],
        n_units: usize,
        scratch: &mut Scratch,
        groups: &mut [f64],
    ) -> Result<(), NonPositive> {
        self.evaluate_partial(weights, aggregation, values, n_units, scratch, groups, Fixed::default())
    }

    /// Evaluates the groups `fixed.compute` selects (all if `None`); see [`Fixed`].
    ///
    /// On x86-64 processors with AVX2 the same code runs compiled for AVX2 (four f64
    /// lanes instead of two); the results are the same bits, since every operation is
    /// the same IEEE operation (Rust never fuses a multiply and an add by itself).
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate_partial(
        &self,
        weights: &[f64],
        aggregation: &[Aggregation],
        values: &[f64],
        n_units: usize,
        scratch: &mut Scratch,
        groups: &mut [f64],
        fixed: Fixed<'_>,
    ) -> Result<(), NonPositive> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor has AVX2 (checked just above).
            return unsafe {
                self.evaluate_partial_avx2(weights, aggregation, values, n_units, scratch, groups, fixed)
            };
        }
        self.evaluate_partial_any(weights, aggregation, values, n_units, scratch, groups, fixed)
    }

    /// [`Tree::evaluate_partial`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[allow(clippy::too_many_arguments)]
    fn evaluate_partial_avx2(
        &self,
        weights: &[f64],
        aggregation: &[Aggregation],
        values: &[f64],
        n_units: usize,
        scratch: &mut Scratch,
        groups: &mut [f64],
        fixed: Fixed<'_>,
    ) -> Result<(), NonPositive> {
        self.evaluate_partial_any(weights, aggregation, values, n_units, scratch, groups, fixed)
    }

    /// The body of [`Tree::evaluate_partial`], inlined into each compiled version.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn evaluate_partial_any(
        &self,
        weights: &[f64],
        aggregation: &[Aggregation],
        values: &[f64],
        n_units: usize,
        scratch: &mut Scratch,
        groups: &mut [f64],
        fixed: Fixed<'_>,
    ) -> Result<(), NonPositive> {
        let u = n_units;
        let computed = |g: usize| fixed.compute.is_none_or(|c| c[g]);
        scratch.acc.resize(u, 0.0);
        scratch.wsum.resize(u, 0.0);
        scratch.rescaled.resize(u, 0.0);
        scratch.complete.resize(self.n_groups(), false);
        for &g in &self.post_order {
            if !computed(g) {
                continue;
            }
            let (start, end) = (self.offsets[g], self.offsets[g + 1]);
            let agg = aggregation[g];
            if agg.is_columnwise() {
                self.columnwise(g, agg, weights, values, n_units, groups, &computed, fixed.groups)?;
                scratch.complete[g] = false;
                continue;
            }
            let rescale = if agg.needs_positive() || matches!(agg, Aggregation::GenMean(_)) {
                self.geometric_range[g]
            } else {
                None
            };
            let mut sum = Sum::default();
            for (j, (&w, &child)) in weights.iter().zip(&self.children).enumerate().take(end).skip(start) {
                if w == 0.0 {
                    continue;
                }
                let varies = matches!(child, Child::Group(h) if computed(h));
                let complete = match child {
                    Child::Group(h) if varies => scratch.complete[h],
                    _ => fixed.complete.get(j) == Some(&true),
                };
                let (acc, wsum) = (&mut scratch.acc, &mut scratch.wsum);
                if agg == Aggregation::Geometric && !varies && fixed.log_ok.get(j) == Some(&true) {
                    let logs = &fixed.logs[j * u..(j + 1) * u];
                    // ln x is given: the geometric term w ln x is the arithmetic term of ln x.
                    sum.add(acc, wsum, logs, w, complete, |lx| aggregate::arithmetic_term(lx, w));
                    continue;
                }
                let mut slice: &[f64] = match child {
                    Child::Indicator(k) => &values[k * u..(k + 1) * u],
                    Child::Group(h) if varies => &groups[h * u..(h + 1) * u],
                    Child::Group(h) => &fixed.groups[h * u..(h + 1) * u],
                };
                if let Some((a, b)) = rescale {
                    rescale_into(slice, a, b, &mut scratch.rescaled);
                    slice = &scratch.rescaled;
                }
                match agg {
                    Aggregation::Arithmetic | Aggregation::Copeland | Aggregation::Mpi { .. } | Aggregation::Bod => {
                        sum.add(acc, wsum, slice, w, complete, |x| aggregate::arithmetic_term(x, w))
                    }
                    Aggregation::GenMean(p) if p > 0.0 => {
                        sum.add(acc, wsum, slice, w, complete, |x| aggregate::genmean_term(x, w, p))
                    }
                    Aggregation::Geometric | Aggregation::Harmonic | Aggregation::GenMean(_) => {
                        if let Some(i) = slice.iter().position(|&x| x <= 0.0) {
                            return Err(NonPositive {
                                group: g,
                                child,
                                unit: i,
                                value: slice[i],
                            });
                        }
                        match agg {
                            Aggregation::Geometric => {
                                sum.add(acc, wsum, slice, w, complete, |x| aggregate::geometric_term(x, w))
                            }
                            Aggregation::GenMean(p) => {
                                sum.add(acc, wsum, slice, w, complete, |x| aggregate::genmean_term(x, w, p))
                            }
                            _ => sum.add(acc, wsum, slice, w, complete, |x| aggregate::harmonic_term(x, w)),
                        }
                    }
                }
            }
            // The index stays a log when the caller asks (it ranks ln of the score).
            let as_log = g == 0 && fixed.index_as_log;
            finish_group(agg, as_log, &sum, scratch, g, &mut groups[g * u..(g + 1) * u]);
        }
        Ok(())
    }

    /// `ln` of each child slot's values as a geometric mean of its group would use them
    /// (rescaled to the group's `geometric_range` if set), for the children whose values
    /// do not vary between runs: indicators, and groups not in `compute`. `log_ok[j]` is
    /// false where a value <= 0 makes the log undefined (the run then reports it).
    pub fn fixed_logs(
        &self,
        values: &[f64],
        fixed_groups: &[f64],
        compute: &[bool],
        u: usize,
    ) -> (Vec<f64>, Vec<bool>) {
        let mut logs = vec![f64::NAN; self.children.len() * u];
        let mut ok = vec![false; self.children.len()];
        let mut rescaled = vec![0.0; u];
        for g in 0..self.n_groups() {
            for j in self.offsets[g]..self.offsets[g + 1] {
                let mut slice: &[f64] = match self.children[j] {
                    Child::Indicator(k) => &values[k * u..(k + 1) * u],
                    Child::Group(h) if !compute[h] => &fixed_groups[h * u..(h + 1) * u],
                    Child::Group(_) => continue,
                };
                if let Some((a, b)) = self.geometric_range[g] {
                    rescale_into(slice, a, b, &mut rescaled);
                    slice = &rescaled;
                }
                if slice.iter().any(|&x| x <= 0.0) {
                    continue;
                }
                for (l, &x) in logs[j * u..(j + 1) * u].iter_mut().zip(slice) {
                    *l = x.ln();
                }
                ok[j] = true;
            }
        }
        (logs, ok)
    }

    #[allow(clippy::too_many_arguments)]
    /// Aggregations computed on whole columns (Copeland, Mazziotta-Pareto, BoD).
    #[allow(clippy::too_many_arguments)]
    fn columnwise(
        &self,
        g: usize,
        agg: Aggregation,
        weights: &[f64],
        values: &[f64],
        u: usize,
        groups: &mut [f64],
        computed: &dyn Fn(usize) -> bool,
        fixed: &[f64],
    ) -> Result<(), NonPositive> {
        let (start, end) = (self.offsets[g], self.offsets[g + 1]);
        let mut slices: Vec<Vec<f64>> = Vec::new();
        let mut w = Vec::new();
        let mut kids = Vec::new();
        for (&weight, &child) in weights[start..end].iter().zip(&self.children[start..end]) {
            if weight == 0.0 {
                continue;
            }
            kids.push(child);
            slices.push(match child {
                Child::Indicator(k) => values[k * u..(k + 1) * u].to_vec(),
                Child::Group(h) if computed(h) => groups[h * u..(h + 1) * u].to_vec(),
                Child::Group(h) => fixed[h * u..(h + 1) * u].to_vec(),
            });
            w.push(weight);
        }
        let refs: Vec<&[f64]> = slices.iter().map(Vec::as_slice).collect();
        let out = &mut groups[g * u..(g + 1) * u];
        match agg {
            Aggregation::Mpi { plus } => aggregate::mpi(&refs, &w, plus, out),
            Aggregation::Bod => {
                aggregate::bod(&refs, out).map_err(|(i, unit)| NonPositive {
                    group: g,
                    child: kids[i],
                    unit,
                    value: refs[i][unit],
                })?;
            }
            _ => aggregate::copeland(&refs, &w, out),
        }
        Ok(())
    }
}

/// Group `g`'s scores from its children's sums in `scratch` (per unit: the terms in
/// `acc`, the weights present in `wsum`, or `sum.uniform` for all), into `out`; marks
/// the group complete when every unit has a weight. `as_log`: a geometric mean is left
/// as its log.
#[inline(always)]
fn finish_group(agg: Aggregation, as_log: bool, sum: &Sum, scratch: &mut Scratch, g: usize, out: &mut [f64]) {
    let finish = |acc: f64, wsum: f64| -> f64 {
        if wsum > 0.0 {
            match agg {
                Aggregation::Geometric if as_log => acc / wsum,
                _ => aggregate::finish(agg, acc, wsum),
            }
        } else {
            f64::NAN
        }
    };
    if !sum.started {
        // No child with weight: nothing is known.
        out.iter_mut().for_each(|o| *o = f64::NAN);
        scratch.complete[g] = false;
    } else if !sum.weighted {
        // Every unit has every child: one weight sum for all.
        for (o, &acc) in out.iter_mut().zip(&scratch.acc) {
            *o = finish(acc, sum.uniform);
        }
        scratch.complete[g] = sum.uniform > 0.0;
    } else {
        let mut complete = true;
        for ((o, &acc), &partial) in out.iter_mut().zip(&scratch.acc).zip(&scratch.wsum) {
            let wsum = partial + sum.uniform;
            complete &= wsum > 0.0;
            *o = finish(acc, wsum);
        }
        scratch.complete[g] = complete;
    }
}

/// A weighted sum over a group's children, per unit: `acc[i] = Σ_j term_j(x_ij)` and
/// its weight `Σ_j w_j` over the children present for unit i (NaN = missing child).
/// The weight of a child that no unit misses is added once to `uniform` instead of
/// per unit, so the usual case (no missing values) is one vectorised pass per child
/// with no zeroing: the first child writes `acc`, `wsum` is only kept when needed.
#[derive(Default)]
struct Sum {
    /// `acc` holds a sum (else its contents are stale).
    started: bool,
    /// `wsum` holds per-unit weights (else they are all 0).
    weighted: bool,
    uniform: f64,
}

impl Sum {
    /// Adds `term(x)` and `w` for every present x; `complete` promises there is no NaN.
    #[inline(always)]
    fn add(
        &mut self,
        acc: &mut [f64],
        wsum: &mut [f64],
        values: &[f64],
        w: f64,
        complete: bool,
        term: impl Fn(f64) -> f64,
    ) {
        if complete || !values.iter().any(|x| x.is_nan()) {
            if self.started {
                for (a, &x) in acc.iter_mut().zip(values) {
                    *a += term(x);
                }
            } else {
                for (a, &x) in acc.iter_mut().zip(values) {
                    *a = term(x);
                }
                self.started = true;
            }
            self.uniform += w;
            return;
        }
        if !self.started {
            acc.iter_mut().for_each(|a| *a = 0.0);
            self.started = true;
        }
        if !self.weighted {
            wsum.iter_mut().for_each(|a| *a = 0.0);
            self.weighted = true;
        }
        for ((a, ws), &x) in acc.iter_mut().zip(wsum.iter_mut()).zip(values) {
            if !x.is_nan() {
                *a += term(x);
                *ws += w;
            }
        }
    }
}

/// Min-max rescale of the present values to [a, b]; all equal -> midpoint.
fn rescale_into(values: &[f64], a: f64, b: f64, out: &mut [f64]) {
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    for &x in values {
        if !x.is_nan() {
            min = min.min(x);
            max = max.max(x);
        }
    }
    for (o, &x) in out.iter_mut().zip(values) {
        *o = if x.is_nan() {
            f64::NAN
        } else if max > min {
            a + (b - a) * ((x - min) / (max - min))
        } else {
            (a + b) / 2.0
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX2 build of `evaluate_partial` must give the portable build's bits: every
    /// aggregation, nested groups, missing values and a unit count that is not a
    /// multiple of the vector width.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_and_portable_evaluation_give_the_same_bits() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            eprintln!("skipped: this processor has no AVX2");
            return;
        }
        let mut text = String::from("[index]\nid = \"r\"\nunit = \"u\"\nperiod = \"t\"\naggregation = \"geometric\"\n[defaults]\nrange = [1, 100]\n");
        for (g, agg) in ["arithmetic", "geometric", "harmonic", "genmean(2)", "genmean(-0.5)"]
            .iter()
            .enumerate()
        {
            text += &format!(
                "[[group]]\nid = \"g{g}\"\nparent = \"r\"\nweight = {}\naggregation = \"{agg}\"\n",
                g + 1
            );
            for k in 0..3 {
                text += &format!(
                    "[[indicator]]\nid = \"x{g}{k}\"\ngroup = \"g{g}\"\nweight = {}\n",
                    k + 1
                );
            }
        }
        let fw = Framework::from_toml(&text, "t.toml").unwrap();
        let tree = Tree::compile(&fw);
        let units = 37;
        let mut state = 7u64;
        let values: Vec<f64> = (0..fw.indicators.len() * units)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if i % 11 == 3 {
                    f64::NAN
                } else {
                    1.0 + 99.0 * ((state >> 11) as f64 / (1u64 << 53) as f64)
                }
            })
            .collect();
        // Unit 0 has none of g0's indicators: g0 has no score for it.
        let mut values = values;
        for k in 0..3 {
            values[k * units] = f64::NAN;
        }
        for index_as_log in [false, true] {
            let fixed = Fixed {
                index_as_log,
                ..Fixed::default()
            };
            let run = |avx2: bool| {
                let mut groups = vec![0.0; tree.n_groups() * units];
                let mut scratch = Scratch::default();
                let args = (&tree.weights[..], &tree.aggregation[..], &values[..], units);
                // SAFETY: the processor has AVX2 (checked above).
                let outcome = if avx2 {
                    unsafe {
                        tree.evaluate_partial_avx2(args.0, args.1, args.2, args.3, &mut scratch, &mut groups, fixed)
                    }
                } else {
                    tree.evaluate_partial_any(args.0, args.1, args.2, args.3, &mut scratch, &mut groups, fixed)
                };
                outcome.unwrap();
                groups
            };
            let (portable, avx2) = (run(false), run(true));
            assert!(portable.iter().any(|v| v.is_nan()) && portable.iter().any(|v| v.is_finite()));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&portable), bits(&avx2), "index_as_log = {index_as_log}");
        }
    }

    #[test]
    fn geometric_range_rescales_children_first() {
        let text = "[index]\nid = \"r\"\nunit = \"u\"\nperiod = \"t\"\naggregation = \"geometric\"\ngeometric_range = [1, 100]\n[[indicator]]\nid = \"a\"\ngroup = \"r\"\nnormalise = \"zscore\"\n[[indicator]]\nid = \"b\"\ngroup = \"r\"\nnormalise = \"zscore\"\n";
        let fw = Framework::from_toml(text, "t.toml").unwrap();
        let tree = Tree::compile(&fw);
        // a = (-1, 0, 1) -> (1, 50.5, 100); b = (2, 2, -4) -> (100, 100, 1)
        let values = [-1.0, 0.0, 1.0, 2.0, 2.0, -4.0];
        let mut groups = vec![0.0; 3];
        tree.evaluate(
            &tree.weights,
            &tree.aggregation,
            &values,
            3,
            &mut Scratch::default(),
            &mut groups,
        )
        .unwrap();
        assert!((groups[0] - 10.0).abs() < 1e-12); // sqrt(1 * 100)
        assert!((groups[1] - (50.5f64 * 100.0).sqrt()).abs() < 1e-12);
        assert!((groups[2] - 10.0).abs() < 1e-12);
    }

    #[test]
    fn zero_weight_removes_a_child() {
        let text = "[index]\nid = \"r\"\nunit = \"u\"\nperiod = \"t\"\n[[indicator]]\nid = \"a\"\ngroup = \"r\"\n[[indicator]]\nid = \"b\"\ngroup = \"r\"\n";
        let fw = Framework::from_toml(text, "t.toml").unwrap();
        let tree = Tree::compile(&fw);
        let values = [10.0, 20.0, 30.0, 50.0];
        let mut groups = vec![0.0; 2];
        tree.evaluate(
            &[1.0, 0.0],
            &tree.aggregation,
            &values,
            2,
            &mut Scratch::default(),
            &mut groups,
        )
        .unwrap();
        assert_eq!(groups, vec![10.0, 20.0]);
        tree.evaluate(
            &[1.0, 1.0],
            &tree.aggregation,
            &values,
            2,
            &mut Scratch::default(),
            &mut groups,
        )
        .unwrap();
        assert_eq!(groups, vec![20.0, 35.0]);
    }
}
