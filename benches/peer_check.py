#!/usr/bin/env python3
"""Agreement between the peer (numpy + SALib) and riskscore on the same sample matrix.

    peer_check.py PEER_DIR OURS_DIR

PEER_DIR has the peer's ranks.csv and sobol.csv (run with --dump-samples); OURS_DIR
has riskscore's uncertainty.csv and sobol.csv from `--samples-from PEER_DIR/samples.csv`.
With identical runs, nominal ranks, rank quantiles, mean shifts and S1/ST must agree to
float precision; the confidence intervals come from different bootstrap generators
and are compared statistically (their half-widths should be close).
Exit 1 on disagreement.
"""
import csv
import math
import sys


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    peer_dir, ours_dir = sys.argv[1], sys.argv[2]
    peer = {r["unit"]: r for r in read(f"{peer_dir}/ranks.csv")}
    ours = {r["unit"]: r for r in read(f"{ours_dir}/uncertainty.csv")}
    bad = 0
    worst = {}
    for unit, p in peer.items():
        o = ours[unit]
        for pk, ok, tol in [("nominal_rank", "nominal_rank", 0), ("median_rank", "median_rank", 0.006),
                            ("q05_rank", "q05_rank", 0.006), ("q95_rank", "q95_rank", 0.006),
                            ("mean_abs_shift", "mean_abs_shift", 2e-6)]:
            d = abs(float(p[pk]) - float(o[ok]))
            worst[pk] = max(worst.get(pk, 0), d)
            if d > tol:
                bad += 1
                if bad < 10:
                    print(f"{unit} {pk}: peer {p[pk]} ours {o[ok]}")
    ps = {(r["output"], r["factor"]): r for r in read(f"{peer_dir}/sobol.csv")}
    names = {"norm": "normalise", "agg": "aggregate:index"}
    s_diff = conf_ratio = 0.0
    n_conf = 0
    for r in read(f"{ours_dir}/sobol.csv"):
        out = r["output"]
        out = "mean_abs_shift" if out.startswith("mean_abs_shift") else "rank:" + out.split(":")[1]
        factor = r["factor"]
        factor = "w_" + factor.split(":", 1)[1] if factor.startswith("weight:") else {v: k for k, v in names.items()}[factor]
        p = ps[(out, factor)]
        if r["s1"] == "" or p["S1"] in ("", "nan"):
            continue
        for ours_key, peer_key in (("s1", "S1"), ("st", "ST")):
            s_diff = max(s_diff, abs(float(r[ours_key]) - float(p[peer_key])))
        ours_half = (float(r["s1_hi"]) - float(r["s1_lo"])) / 2
        if float(p["S1_conf"]) > 0:
            conf_ratio += ours_half / float(p["S1_conf"])
            n_conf += 1
    print("max |difference| by statistic:", {k: round(v, 6) for k, v in worst.items()})
    print(f"max |S1 or ST difference| = {s_diff:.2e} (outputs written with 6 decimals)")
    print(f"mean ratio of CI half-widths (ours / SALib) = {conf_ratio / max(n_conf, 1):.3f} over {n_conf} indices")
    if s_diff > 2e-6 or bad:
        print(f"DISAGREEMENT: {bad} statistics out of tolerance")
        sys.exit(1)
    print("agreement: ok")


if __name__ == "__main__":
    main()
