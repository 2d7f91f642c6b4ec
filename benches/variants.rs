//! Speed of scoring variants: every variant of the Central Asia example
//! (`indicators/central_asia.toml`, data loaded once), and three variants of a seeded
//! synthetic panel of 10,000 units x 50 indicators x 5 periods (geometric, additive,
//! and with one of the 5 groups left out). Times are of `score` alone; `riskscore
//! bench` also times the load.

use criterion::{criterion_group, criterion_main, Criterion};
use riskscore::score;
use riskscore::synthetic::{framework_toml, generate, Shape};
use riskscore::variants;
use riskscore::{LoadOptions, Source};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn bench_example(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vs = variants::read(&root.join("indicators/central_asia.toml"), "base").unwrap();
    let sources = [Source::File(root.join("datasets/central_asia.csv"))];
    let mut group = c.benchmark_group("variants_central_asia");
    for v in &vs {
        let panel = riskscore::load(v.framework(), &sources, &LoadOptions::default()).unwrap();
        group.bench_function(v.name(), |b| {
            b.iter(|| black_box(score(v.framework(), &panel).unwrap()))
        });
    }
    group.finish();
}

fn bench_synthetic(c: &mut Criterion) {
    let shape = Shape {
        units: 10_000,
        indicators: 50,
        groups: 5,
        periods: 5,
        missing: 0.05,
        seed: 7,
    };
    let (_, panel) = generate(shape, "geometric");
    let text = format!(
        "{}\n[[variant]]\nname = \"additive\"\nset = {{ \"index.aggregation\" = \"arithmetic\" }}\n\n[[variant]]\nname = \"without_g01\"\nexclude = [\"g01\"]\n",
        framework_toml(shape, "geometric")
    );
    let dir = std::env::temp_dir().join(format!("riskscore-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join("synthetic.toml");
    std::fs::write(&path, text).unwrap();
    let vs = variants::read(&path, "geometric").unwrap();
    let mut group = c.benchmark_group("variants_10000u_50i_5p");
    group.sample_size(10);
    for v in &vs {
        group.bench_function(v.name(), |b| {
            b.iter(|| black_box(score(v.framework(), &panel).unwrap()))
        });
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench_example, bench_synthetic);
criterion_main!(benches);
