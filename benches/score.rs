//! Scoring speed on a seeded synthetic panel: 10,000 units x 200 indicators x
//! 5 periods (10 groups, geometric index, mean imputation, 5 % missing), on 1 thread
//! and on all threads. Elements = unit-period-indicator cells.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use riskscore::score;
use riskscore::synthetic::{generate, Shape};
use std::hint::black_box;

fn bench_score(c: &mut Criterion) {
    let shape = Shape {
        units: 10_000,
        indicators: 200,
        groups: 10,
        periods: 5,
        missing: 0.05,
        seed: 42,
    };
    let (fw, panel) = generate(shape, "geometric");
    let mut group = c.benchmark_group("score");
    group.sample_size(10);
    group.throughput(Throughput::Elements(
        (shape.units * shape.indicators * shape.periods) as u64,
    ));
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    for threads in [1, all] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        group.bench_function(format!("10000u_200i_5p_{threads}threads"), |b| {
            b.iter(|| pool.install(|| black_box(score(&fw, &panel).unwrap())))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_score);
criterion_main!(benches);
