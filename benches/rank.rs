//! Ranking on the score sequences a Saltelli design produces (per sample: A,
//! A_B^(1..G) with one group weight changed, and B) for 200 and 2,000 units:
//! `rank_descending` (radix sort on quantised keys; the benchmark keeps its old name
//! `bucket_*`) against a comparison sort of the unit positions, the textbook way.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use riskscore::rank::{rank_descending, RankScratch, Ties};
use std::hint::black_box;

/// Deterministic uniform [0, 1) stream (SplitMix64).
fn uniform(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// Score vectors of `samples` Saltelli blocks on a units x groups matrix of group
/// scores that share a latent factor (as the peer's generator).
fn sequence(units: usize, groups: usize, samples: usize) -> Vec<Vec<f64>> {
    let mut s = 7;
    let latent: Vec<f64> = (0..units).map(|_| uniform(&mut s)).collect();
    let y: Vec<f64> = (0..units * groups)
        .map(|k| 100.0 * (0.6 * latent[k / groups] + 0.4 * uniform(&mut s)))
        .collect();
    let score = |w: &[f64]| -> Vec<f64> {
        let total: f64 = w.iter().sum();
        (0..units)
            .map(|i| (0..groups).map(|g| w[g] * y[i * groups + g]).sum::<f64>() / total)
            .collect()
    };
    let mut out = Vec::new();
    for _ in 0..samples {
        let a: Vec<f64> = (0..groups).map(|_| 0.75 + 0.5 * uniform(&mut s)).collect();
        let b: Vec<f64> = (0..groups).map(|_| 0.75 + 0.5 * uniform(&mut s)).collect();
        out.push(score(&a));
        for g in 0..groups {
            let mut ab = a.clone();
            ab[g] = b[g];
            out.push(score(&ab));
        }
        out.push(score(&b));
    }
    out
}

/// Average-tie ranks by sorting unit positions with a comparator.
fn by_comparison(scores: &[f64], order: &mut Vec<usize>, ranks: &mut [f64]) {
    order.clear();
    order.extend(0..scores.len());
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        for &i in &order[start..end] {
            ranks[i] = (start + 1 + end) as f64 / 2.0;
        }
        start = end;
    }
}

fn bench_rank(c: &mut Criterion) {
    let mut group = c.benchmark_group("rank");
    for (units, groups) in [(200, 5), (2000, 10)] {
        let runs = sequence(units, groups, 16);
        let mut ranks = vec![0.0; units];
        let mut order = Vec::new();
        let mut check = vec![0.0; units];
        let mut scratch = RankScratch::default();
        for scores in &runs {
            rank_descending(scores, Ties::Average, &mut scratch, &mut ranks);
            by_comparison(scores, &mut order, &mut check);
            assert_eq!(ranks, check);
        }
        group.throughput(Throughput::Elements(runs.len() as u64));
        group.bench_function(format!("bucket_{units}"), |b| {
            b.iter(|| {
                for scores in &runs {
                    rank_descending(black_box(scores), Ties::Average, &mut scratch, &mut ranks);
                }
            })
        });
        group.bench_function(format!("comparison_{units}"), |b| {
            b.iter(|| {
                for scores in &runs {
                    by_comparison(black_box(scores), &mut order, &mut ranks);
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_rank);
criterion_main!(benches);
