#!/usr/bin/env python3
"""How riskscore's time and peak memory grow with the size of the job, measured.

    python3 benches/scale.py                    # needs numpy and matplotlib
    python3 benches/scale.py --quick            # smaller sizes (a minute or two)
    python3 benches/scale.py --only events      # rerun one job (score, events or
                                                # sensitivity), keep the others' rows

Builds the release binary (or takes --bin), generates seeded data in --work (a new
temporary folder by default) and runs, one axis at a time, the others held:

- score (`--indicators none`): units, indicators per unit, periods;
- events (yearly, ACLED format from `riskscore generate-events`): events in the log;
- sensitivity (3 factors over 10 group weights, normalisation and aggregation on
  2,000 units x 50 indicators, 100 bootstrap resamples): base samples N (runs =
  N (d + 2) with d = 12 factors).

Each point is the wall time and peak resident memory of the whole process (load to
written files) from /usr/bin/time, the median of --repeat runs. Writes OUT.csv (job,
axis, size, seconds, mb) and OUT.png (log-log, a panel per axis, with the slope of each
line: 1 is linear growth). OUT defaults to docs/scale.
"""
import argparse
import csv
import os
import statistics
import subprocess
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_panel(path, units, indicators, periods, seed=1):
    """A panel CSV (unit, year, ind001..) of uniform values with 5 % missing, and its
    framework: 10 groups (indicator k in group k mod 10), the first 3 of each 10
    risk_down, mean imputation, geometric index."""
    rng = np.random.default_rng(seed)
    groups = min(10, indicators)
    names = [f"ind{k + 1:03d}" for k in range(indicators)]
    with open(path + ".csv", "w") as f:
        f.write("unit,year," + ",".join(names) + "\n")
        for year in range(2024 - periods + 1, 2025):
            x = rng.uniform(0, 100, size=(units, indicators))
            x[rng.random(x.shape) < 0.05] = np.nan
            rows = [f"u{u:06d},{year}," + ",".join("" if np.isnan(v) else f"{v:.4f}" for v in x[u]) for u in range(units)]
            f.write("\n".join(rows) + "\n")
    lines = ["[index]", 'id = "index"', 'unit = "unit"', 'period = "year"', 'aggregation = "geometric"', "",
             "[defaults]", "range = [1, 100]", 'impute = "mean"', ""]
    for g in range(groups):
        lines += ["[[group]]", f'id = "g{g + 1:02d}"', ""]
    for k, name in enumerate(names):
        direction = "risk_down" if k % 10 < 3 else "risk_up"
        lines += ["[[indicator]]", f'id = "{name}"', f'group = "g{k % groups + 1:02d}"', f'direction = "{direction}"', ""]
    with open(path + ".toml", "w") as f:
        f.write("\n".join(lines))


def with_sensitivity(toml, n):
    """The framework with a [sensitivity] table of n base samples."""
    with open(toml) as f:
        text = f.read()
    # Group scores rescaled to [1, 100] before a geometric mean (z-scores are negative).
    text = text.replace('aggregation = "geometric"', 'aggregation = "geometric"\ngeometric_range = [1, 100]')
    text += "\n".join([
        "", "[sensitivity]", f"samples = {n}", "seed = 1", "bootstrap = 100", "factors = [",
        '  { kind = "weight", target = "group:*", range = [0.75, 1.25] },',
        '  { kind = "normalise", options = ["minmax", "zscore"] },',
        '  { kind = "aggregate", target = "index", options = ["arithmetic", "geometric"] },',
        "]", ""])
    out = toml.replace(".toml", f"_n{n}.toml")
    with open(out, "w") as f:
        f.write(text)
    return out


def measure(cmd, repeat, work):
    """Median wall seconds and peak MB of `cmd` over `repeat` runs."""
    times, mems = [], []
    for _ in range(repeat):
        out = os.path.join(work, "time.txt")
        subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", out] + cmd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t, m = open(out).read().split()[-2:]
        times.append(float(t))
        mems.append(int(m) / 1024)
    return statistics.median(times), statistics.median(mems)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin")
    ap.add_argument("--work")
    ap.add_argument("--out", default=os.path.join(HERE, "docs", "scale"))
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["score", "events", "sensitivity"],
                    help="rerun this job; the other jobs' rows are kept from OUT.csv")
    args = ap.parse_args()
    runs = lambda job: args.only in (None, job)
    work = args.work or tempfile.mkdtemp(prefix="riskscore-scale-")
    os.makedirs(work, exist_ok=True)
    binary = args.bin
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=HERE, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "target"))
        binary = os.path.join(target, "release", "riskscore")
    q = args.quick
    axes = [
        ("score", "units", [500, 1000, 2000, 4000] if q else [1000, 4000, 16000, 64000], lambda s: (s, 100, 5)),
        ("score", "indicators", [25, 50, 100, 200] if q else [25, 50, 100, 200, 400], lambda s: (4000, s, 5)),
        ("score", "periods", [2, 5, 10, 20] if q else [2, 5, 10, 20, 40], lambda s: (4000, 100, s)),
    ]
    results = []
    if args.only:
        with open(args.out + ".csv") as f:
            results = [(r["job"], r["axis"], int(r["size"]), float(r["seconds"]), float(r["mb"]))
                       for r in csv.DictReader(f) if r["job"] != args.only]
    for job, axis, sizes, shape in axes if runs("score") else []:
        for size in sizes:
            units, indicators, periods = shape(size)
            stem = os.path.join(work, f"panel_{units}_{indicators}_{periods}")
            if not os.path.exists(stem + ".csv"):
                write_panel(stem, units, indicators, periods)
            cmd = [binary, "score", "-q", "-f", stem + ".toml", "-d", stem + ".csv", "-o",
                   os.path.join(work, "out"), "--indicators", "none"]
            results.append((job, axis, size) + measure(cmd, args.repeat, work))
            print(*results[-1], flush=True)
    for size in ([62500, 125000, 250000, 500000] if q else [125000, 250000, 500000, 1000000, 2000000]) if runs("events") else []:
        log = os.path.join(work, f"acled_{size}.csv")
        if not os.path.exists(log):
            subprocess.run([binary, "generate-events", "--format", "acled", "--rows", str(size), "--seed", "1",
                            "--first-year", "2010", "--last-year", "2023", "-o", log], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cmd = [binary, "events", "-q", "-i", log, "--actor", "Khorasan|ISKP", "-o", os.path.join(work, "events.csv")]
        results.append(("events", "events", size) + measure(cmd, args.repeat, work))
        print(*results[-1], flush=True)
    stem = os.path.join(work, "panel_2000_50_1")
    if runs("sensitivity") and not os.path.exists(stem + ".csv"):
        write_panel(stem, 2000, 50, 1)
    for n in ([128, 256, 512, 1024] if q else [256, 512, 1024, 2048, 4096]) if runs("sensitivity") else []:
        cmd = [binary, "sensitivity", "-q", "-f", with_sensitivity(stem + ".toml", n), "-d", stem + ".csv",
               "-o", os.path.join(work, "sens")]
        results.append(("sensitivity", "runs", n * 14) + measure(cmd, args.repeat, work))
        print(*results[-1], flush=True)

    order = {"score": 0, "events": 1, "sensitivity": 2}
    results.sort(key=lambda r: order[r[0]])
    with open(args.out + ".csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["job", "axis", "size", "seconds", "mb"])
        for r in results:
            w.writerow([r[0], r[1], r[2], f"{r[3]:.2f}", f"{r[4]:.0f}"])
    plot(results, args.out + ".png")
    print(f"wrote {args.out}.csv and {args.out}.png (scratch: {work})")


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter
    panels = list(dict.fromkeys((r[0], r[1]) for r in results))
    cols = 3
    rows_ = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows_, cols, figsize=(4.2 * cols, 3.4 * rows_), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    for ax, (job, axis) in zip(axes.flat, panels):
        rows = [r for r in results if (r[0], r[1]) == (job, axis)]
        x = np.array([r[2] for r in rows], dtype=float)
        for k, (label, colour) in enumerate([("seconds", "#1f77b4"), ("MB", "#d62728")]):
            y = np.array([r[3 + k] for r in rows], dtype=float)
            slope = np.polyfit(np.log(x), np.log(y), 1)[0]
            ax.loglog(x, y, "o-", color=colour, label=f"{label} (slope {slope:.2f})")
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_title(f"{job}: {axis}")
        ax.set_xlabel(axis)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
