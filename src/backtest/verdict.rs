//! The backtest's reading for people: the ranking of a step and the verdict on a
//! variant against the baselines.

use super::results::{Estimate, Row, Skill, Verdict, METRIC_NAMES, NOISE, VERDICT_METRIC};

/// Forecasters at one step ordered by pooled skill at spotting events: average
/// precision, then AUROC, then the Brier score (lower is better); NaN last.
pub(crate) fn ranking(rows: &[Row], step: i64) -> Vec<&Row> {
    let mut pooled: Vec<&Row> = rows.iter().filter(|r| r.period.is_none() && r.step == step).collect();
    let key = |v: f64| if v.is_nan() { f64::NEG_INFINITY } else { v };
    pooled.sort_by(|a, b| {
        key(b.metrics[3].value)
            .total_cmp(&key(a.metrics[3].value))
            .then(key(b.metrics[2].value).total_cmp(&key(a.metrics[2].value)))
            .then(key(-b.metrics[4].value).total_cmp(&key(-a.metrics[4].value)))
    });
    pooled
}

/// A signed difference with its interval: `+0.120 [0.030, 0.200]`; `undefined` for NaN.
pub(crate) fn signed(e: Estimate) -> String {
    if e.value.is_nan() {
        "undefined".into()
    } else if e.lo.is_nan() {
        format!("{:+.3}", e.value)
    } else {
        format!("{:+.3} [{:.3}, {:.3}]", e.value, e.lo, e.hi)
    }
}

/// One line on a variant at one step against every baseline, on average precision:
/// "beats all 5 baselines on average precision; the closest, mean:3: +0.120 [0.030,
/// 0.200]", or "no better than persistence on average precision: -0.020 [-0.100,
/// 0.050] (beats 3 of 5: base_rate, own_rate, any:3)". Without intervals the line says
/// where the point values stand. Empty without baselines.
pub(crate) fn verdict(skill: &[Skill], variant: &str, step: i64) -> String {
    let m = VERDICT_METRIC;
    let metric = METRIC_NAMES[m].replace('_', " ");
    let mine: Vec<&Skill> = skill
        .iter()
        .filter(|s| s.variant == variant && s.step == step)
        .collect();
    if mine.is_empty() {
        return String::new();
    }
    let (defined, undefined): (Vec<&Skill>, Vec<&Skill>) =
        mine.iter().partition(|s| s.verdict(m) != Verdict::Undefined);
    if defined.is_empty() {
        return format!("{metric} undefined against every baseline (see the notes)");
    }
    let diff = |s: &Skill| s.difference[m].value;
    let closest = |list: &[&Skill]| -> Skill {
        (*list
            .iter()
            .min_by(|a, b| diff(a).total_cmp(&diff(b)))
            .expect("not empty"))
        .clone()
    };
    let total = defined.len();
    let undefined_note = if undefined.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = undefined.iter().map(|s| s.baseline.as_str()).collect();
        format!("; undefined against {}", names.join(", "))
    };
    if defined.iter().all(|s| s.verdict(m) == Verdict::NoInterval) {
        // Point values only.
        let behind: Vec<&Skill> = defined.iter().copied().filter(|s| diff(s) <= NOISE).collect();
        let ahead: Vec<&str> = defined
            .iter()
            .filter(|s| diff(s) > NOISE)
            .map(|s| s.baseline.as_str())
            .collect();
        let line = if behind.is_empty() {
            let c = closest(&defined);
            if total == 1 {
                format!("ahead of {} on {metric}: {}", c.baseline, signed(c.difference[m]))
            } else {
                format!(
                    "ahead of all {total} baselines on {metric}; the closest, {}: {}",
                    c.baseline,
                    signed(c.difference[m])
                )
            }
        } else {
            let c = closest(&behind);
            let mut line = format!("not ahead of {} on {metric}: {}", c.baseline, signed(c.difference[m]));
            if total > 1 {
                line.push_str(&format!(" (ahead of {} of {total}{})", ahead.len(), list(&ahead)));
            }
            line
        };
        return format!("{line} (point values: no intervals){undefined_note}");
    }
    let beaten: Vec<&str> = defined
        .iter()
        .filter(|s| s.verdict(m) == Verdict::Beats)
        .map(|s| s.baseline.as_str())
        .collect();
    let not_beaten: Vec<&Skill> = defined
        .iter()
        .copied()
        .filter(|s| s.verdict(m) != Verdict::Beats)
        .collect();
    if not_beaten.is_empty() {
        let c = closest(&defined);
        if total == 1 {
            return format!(
                "beats {} on {metric}: {}{undefined_note}",
                c.baseline,
                signed(c.difference[m])
            );
        }
        return format!(
            "beats all {total} baselines on {metric}; the closest, {}: {}{undefined_note}",
            c.baseline,
            signed(c.difference[m])
        );
    }
    // The baseline furthest ahead of the variant among those it does not beat.
    let strongest = closest(&not_beaten);
    let how = match strongest.verdict(m) {
        Verdict::Worse => "worse than",
        _ => "no better than",
    };
    let mut line = format!(
        "{how} {} on {metric}: {}",
        strongest.baseline,
        signed(strongest.difference[m])
    );
    if total > 1 {
        line.push_str(&format!(" (beats {} of {total}{})", beaten.len(), list(&beaten)));
    }
    line + &undefined_note
}

/// `: a, b` for a non-empty list of names, else nothing.
fn list(names: &[&str]) -> String {
    if names.is_empty() {
        String::new()
    } else {
        format!(": {}", names.join(", "))
    }
}
