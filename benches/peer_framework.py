#!/usr/bin/env python3
"""Expresses the peer model (../shared/peer/peer_ua_sa.py) as a riskscore framework.

    peer_framework.py DATA.csv INDICATORS.csv N OUT_DIR

writes OUT_DIR/peer.toml and OUT_DIR/data.csv (the peer's data with a `year` column,
since riskscore scores units within periods). The model, as the peer defines it:
mean imputation, direction applied before normalising (identical to riskscore's flip
for minmax and z-score), equal weights within groups, group weights multiplied by
U[0.75, 1.25] and renormalised, minmax or z-score (population sd), arithmetic or
geometric index with group scores rescaled across units to [1, 100] first
(riskscore's geometric_range), average-tie ranks. Factor order matches the peer's
(w_<group> in first-seen order, norm, agg), so its --dump-samples matrix can be fed
to `riskscore sensitivity --samples-from`.
"""
import csv
import os
import sys


def main():
    data, indicators, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    os.makedirs(out, exist_ok=True)
    with open(indicators, newline="") as f:
        meta = list(csv.DictReader(f))
    groups = list(dict.fromkeys(m["group"] for m in meta))
    lines = [
        "# The peer model (shared/peer/peer_ua_sa.py docstring) as a framework.",
        "[index]",
        'id = "index"',
        'unit = "unit"',
        'period = "year"',
        'aggregation = "arithmetic"',
        "geometric_range = [1, 100]",
        "",
        "[defaults]",
        'impute = "mean"',
        'normalise = "minmax"',
        "",
    ]
    for g in groups:
        lines += ["[[group]]", f'id = "{g}"', ""]
    for m in meta:
        direction = "risk_up" if int(m["direction"]) > 0 else "risk_down"
        lines += ["[[indicator]]", f'id = "{m["indicator"]}"', f'group = "{m["group"]}"', f'direction = "{direction}"', ""]
    lines += [
        "[sensitivity]",
        f"samples = {n}",
        "seed = 1",
        "bootstrap = 100",
        "factors = [",
        '  { kind = "weight", target = "group:*", range = [0.75, 1.25] },',
        '  { kind = "normalise", options = ["minmax", "zscore"] },',
        '  { kind = "aggregate", target = "index", options = ["arithmetic", "geometric"] },',
        "]",
    ]
    with open(os.path.join(out, "peer.toml"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(data, newline="") as src, open(os.path.join(out, "data.csv"), "w", newline="") as dst:
        reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\n")
        for i, row in enumerate(reader):
            writer.writerow(row + (["year"] if i == 0 else ["2024"]))


if __name__ == "__main__":
    main()
