//! Sensitivity engine speed on the peer's three workload shapes (seeded synthetic
//! panels; the peer's data itself is used by benches/peer_compare.sh):
//! 200 units x 30 indicators x 5 groups with N = 1024 and N = 8192, and
//! 2,000 x 100 x 10 with N = 1024; factors: group weights U[0.75, 1.25],
//! normalisation minmax|zscore, aggregation arithmetic|geometric; 100 bootstrap
//! resamples. Elements = model runs. 1 thread and all threads.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use riskscore::sensitivity::{run, Settings, Silent};
use riskscore::synthetic::{framework_toml, generate, Shape};
use riskscore::Framework;
use std::hint::black_box;

fn bench_sensitivity(c: &mut Criterion) {
    let mut group = c.benchmark_group("sensitivity");
    group.sample_size(10);
    let all = std::thread::available_parallelism().map_or(1, |n| n.get());
    for (units, indicators, groups, n) in [(200, 30, 5, 1024), (200, 30, 5, 8192), (2000, 100, 10, 1024)] {
        let shape = Shape {
            units,
            indicators,
            groups,
            periods: 1,
            missing: 0.05,
            seed: 1,
        };
        let (_, panel) = generate(shape, "arithmetic");
        let text = framework_toml(shape, "arithmetic").replace("[defaults]\nrange = [1, 100]", "geometric_range = [1, 100]\n\n[defaults]")
            + &format!(
                "\n[sensitivity]\nsamples = {n}\nseed = 1\nfactors = [{{ kind = \"weight\", target = \"group:*\", range = [0.75, 1.25] }}, {{ kind = \"normalise\", options = [\"minmax\", \"zscore\"] }}, {{ kind = \"aggregate\", options = [\"arithmetic\", \"geometric\"] }}]\n"
            );
        let fw = Framework::from_toml(&text, "bench.toml").expect("valid bench framework");
        let settings = Settings::for_framework(&fw).expect("has [sensitivity]");
        group.throughput(Throughput::Elements((n * (groups + 4)) as u64));
        for threads in [1, all] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool");
            group.bench_function(format!("{units}u_{indicators}i_N{n}_{threads}threads"), |b| {
                b.iter(|| pool.install(|| black_box(run(&fw, &panel, &settings, &Silent).expect("analysis runs"))))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_sensitivity);
criterion_main!(benches);
