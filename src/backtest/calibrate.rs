//! Platt scaling: the probability of an event as a logistic function of the score,
//! fitted by maximum likelihood on the forecasts whose outcome was known.
//!
//! `P(o = 1 | s) = σ(a + b s)` with `σ(t) = 1 / (1 + e^-t)`; a and b maximise
//! `Σ [y_i t_i - ln(1 + e^{t_i})]`, `t_i = a + b s_i`, over Platt's (1999) targets: `y =
//! (N+ + 1) / (N+ + 2)` for an event and `y = 1 / (N- + 2)` for a non-event (N+ and N-
//! the events and non-events fitted on), his guard against overfitting a few outcomes.
//! The same targets are used by scikit-learn's `CalibratedClassifierCV(method="sigmoid")`.
//! With targets strictly inside (0, 1) the likelihood is strictly concave and bounded,
//! so the maximum exists and is unique even when the scores separate the events from
//! the non-events (where the plain logistic fit has none; Albert & Anderson 1984), or
//! when all outcomes are alike. Solved by Newton-Raphson on the standardised score
//! `z = (s - mean) / sd`, with step halving while the likelihood would fall; converged
//! when the Newton step is below 1e-10 in both coefficients. Where every score is the
//! same the fit is the mean target, the intercept-only maximum.
//!
//! ## References
//! Platt (1999) Probabilistic outputs for support vector machines and comparisons to
//! regularized likelihood methods, in Advances in Large Margin Classifiers, MIT Press.
//! Albert & Anderson (1984) On the existence of maximum likelihood estimates in
//! logistic regression models, Biometrika 71(1). Niculescu-Mizil & Caruana (2005)
//! Predicting good probabilities with supervised learning, ICML.

/// A fitted calibration.
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// `σ(a + b (s - centre) / spread)`.
    Logistic { a: f64, b: f64, centre: f64, spread: f64 },
    /// Every score the same: one probability, the mean of Platt's targets.
    Constant(f64),
    /// No finite maximum (or nothing to fit), and why.
    Undefined(String),
}

/// The logistic function, without overflow for large `|t|`.
pub fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + e^t)`, without overflow.
fn softplus(t: f64) -> f64 {
    if t > 0.0 {
        t + (-t).exp().ln_1p()
    } else {
        t.exp().ln_1p()
    }
}

impl Fit {
    /// The probability of an event at score `s` (NaN when the fit is undefined).
    pub fn probability(&self, s: f64) -> f64 {
        match *self {
            Fit::Logistic { a, b, centre, spread } => sigmoid(a + b * (s - centre) / spread),
            Fit::Constant(p) => p,
            Fit::Undefined(_) => f64::NAN,
        }
    }

    /// Intercept and slope on the score's own scale, `σ(intercept + slope s)`.
    #[cfg(test)]
    pub fn coefficients(&self) -> Option<(f64, f64)> {
        match *self {
            Fit::Logistic { a, b, centre, spread } => Some((a - b * centre / spread, b / spread)),
            _ => None,
        }
    }
}

/// The largest number of Newton steps; a concave likelihood with a finite maximum
/// converges in far fewer (quadratically near the maximum).
const MAX_STEPS: usize = 200;

/// Platt's targets of the outcomes: events `(N+ + 1) / (N+ + 2)`, non-events
/// `1 / (N- + 2)`.
pub fn targets(positive: &[bool]) -> Vec<f64> {
    let events = positive.iter().filter(|&&p| p).count() as f64;
    let others = positive.len() as f64 - events;
    let (hi, lo) = ((events + 1.0) / (events + 2.0), 1.0 / (others + 2.0));
    positive.iter().map(|&p| if p { hi } else { lo }).collect()
}

/// Fits `P(positive | score)` by maximum likelihood on Platt's targets (see the
/// module's documentation).
pub fn fit(scores: &[f64], positive: &[bool]) -> Fit {
    let n = scores.len();
    if n == 0 {
        return Fit::Undefined("no earlier forecast whose outcome was known to fit on".into());
    }
    let y = targets(positive);
    let mean_target = y.iter().sum::<f64>() / n as f64;
    // One score for all (compared as values: the mean of equal scores may differ from
    // them in the last bit, which would leave a spread of 1e-16).
    if scores.iter().all(|&s| s == scores[0]) {
        return Fit::Constant(mean_target);
    }
    let centre = scores.iter().sum::<f64>() / n as f64;
    let spread = (scores.iter().map(|s| (s - centre) * (s - centre)).sum::<f64>() / n as f64).sqrt();
    let z: Vec<f64> = scores.iter().map(|s| (s - centre) / spread).collect();
    let likelihood = |a: f64, b: f64| -> f64 {
        z.iter()
            .zip(&y)
            .map(|(&z, &y)| {
                let t = a + b * z;
                y * t - softplus(t)
            })
            .sum()
    };
    // Start at the intercept-only maximum.
    let (mut a, mut b) = ((mean_target / (1.0 - mean_target)).ln(), 0.0);
    let mut current = likelihood(a, b);
    for _ in 0..MAX_STEPS {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&z, &y) in z.iter().zip(&y) {
            let p = sigmoid(a + b * z);
            let (r, v) = (y - p, p * (1.0 - p));
            ga += r;
            gb += r * z;
            haa += v;
            hab += v * z;
            hbb += v * z * z;
        }
        let det = haa * hbb - hab * hab;
        if det.is_nan() || det <= 0.0 {
            break;
        }
        let (mut da, mut db) = ((hbb * ga - hab * gb) / det, (haa * gb - hab * ga) / det);
        let mut next = likelihood(a + da, b + db);
        while next < current && (da.abs() > 1e-14 || db.abs() > 1e-14) {
            da /= 2.0;
            db /= 2.0;
            next = likelihood(a + da, b + db);
        }
        if next >= current {
            a += da;
            b += db;
            current = next;
        }
        if da.abs() < 1e-10 && db.abs() < 1e-10 {
            return Fit::Logistic { a, b, centre, spread };
        }
    }
    Fit::Undefined(format!(
        "the logistic fit on the {n} earlier outcomes did not converge in {MAX_STEPS} Newton steps"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::prec::close;

    /// A score of 0 or 1: the fit's probabilities are each group's mean target, so
    /// they are known by hand. 3 events and 4 non-events: targets 4/5 and 1/6. At s = 0
    /// (1 event, 3 not): (4/5 + 3/6) / 4 = 0.325; at s = 1 (2 events, 1 not):
    /// (8/5 + 1/6) / 3 = 53/90.
    #[test]
    fn two_groups_give_each_groups_mean_target_by_hand() {
        let s = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
        let o = [true, false, false, false, true, true, false];
        assert_eq!(targets(&o)[..2], [0.8, 1.0 / 6.0]);
        let f = fit(&s, &o);
        assert!(close(f.probability(0.0), 0.325, 1e-12), "{f:?}");
        assert!(close(f.probability(1.0), 53.0 / 90.0, 1e-12), "{f:?}");
        let (intercept, slope) = f.coefficients().unwrap();
        let logit = |p: f64| (p / (1.0 - p)).ln();
        assert!(close(intercept, logit(0.325), 1e-9) && close(slope, logit(53.0 / 90.0) - logit(0.325), 1e-9));
    }

    /// statsmodels 0.15 `GLM(targets, add_constant(s), family=Binomial()).fit(tol=1e-14)`
    /// on these ten points with Platt's targets (5 events: 6/7; 5 non-events: 1/7);
    /// scikit-learn 1.9.1's `LogisticRegression(C=inf)` on each point twice, as an event
    /// and a non-event weighted by the target and its complement, gives the same.
    #[test]
    fn a_continuous_score_as_statsmodels_fits_it() {
        let s = [1.0, 2.0, 2.5, 3.0, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0];
        let o = [false, false, true, false, false, true, false, true, true, true];
        let (intercept, slope) = fit(&s, &o).coefficients().unwrap();
        assert!(
            close(intercept, INTERCEPT, 1e-9) && close(slope, SLOPE, 1e-9),
            "{intercept} {slope}"
        );
    }
    const INTERCEPT: f64 = -2.0086322600906126;
    const SLOPE: f64 = 0.47045444785384544;

    /// Where the plain fit has no maximum (separated classes, one class) Platt's targets
    /// give one; one score for all gives the mean target; nothing to fit, nothing.
    #[test]
    fn separated_and_one_class_outcomes_still_fit() {
        // Separated: 2 events above 2 non-events. Targets 3/4 and 1/4, symmetric about
        // the middle score 2.5: there p = 1/2, and p rises with the score.
        let f = fit(&[1.0, 2.0, 3.0, 4.0], &[false, false, true, true]);
        assert!(close(f.probability(2.5), 0.5, 1e-12), "{f:?}");
        assert!(
            f.probability(1.0) < 0.25 + 1e-9 && f.probability(4.0) > 0.75 - 1e-9,
            "{f:?}"
        );
        // No event among 2: targets 1/4 each: p = 1/4 whatever the score.
        let f = fit(&[1.0, 2.0], &[false, false]);
        assert!(
            close(f.probability(1.0), 0.25, 1e-9) && close(f.probability(9.0), 0.25, 1e-6),
            "{f:?}"
        );
        assert!(matches!(fit(&[], &[]), Fit::Undefined(_)));
        // 1 event of 4, all scored 5: (2/3 + 3 x 1/5) / 4.
        let Fit::Constant(p) = fit(&[5.0; 4], &[true, false, false, false]) else {
            panic!()
        };
        assert!(close(p, (2.0 / 3.0 + 0.6) / 4.0, 1e-15));
    }

    #[test]
    fn the_logistic_function_does_not_overflow() {
        assert_eq!(sigmoid(0.0), 0.5);
        assert!(sigmoid(-800.0) >= 0.0 && sigmoid(800.0) == 1.0);
        assert!(close(softplus(800.0), 800.0, 1e-12) && close(softplus(0.0), 2f64.ln(), 1e-15));
    }
}
