#!/usr/bin/env python3
"""riskscore beside COINr 1.1.14 on COINr's ASEM example, variant by variant.

    python3 benches/coinr_compare.py REF_DIR [RISKSCORE]

REF_DIR holds COINr's own outputs (scores_<variant>.csv and variants.csv, written by
the project's reference.R: `COINR_REF_OUT=REF_DIR Rscript reference.R`; the eight
that the tests use are in tests/fixtures/coinr/). RISKSCORE is the binary (default:
target/debug/riskscore under $CARGO_TARGET_DIR, else ./target). For every variant the
script imports ASEM with the variant's COINr step arguments (`riskscore import
coinr`), scores it and prints, per level, the largest absolute difference from COINr
and the number of ranks that differ (counting near-ties, two
scores within 1e-12 of each other in both tools, separately: which ranks first is
rounding noise).
Standard library only.
"""
import csv
import os
import subprocess
import sys
import tempfile

CANONICAL = ["--impute", "i_mean_grp", "--use-group", "EurAsia_group"]
# Each variant's COINr call as `import coinr` arguments; None = not expressible.
VARIANTS = {
    "a_canonical": CANONICAL,
    "b_minmax_amean": CANONICAL,
    "c_zscore_amean": CANONICAL + ["--normalise", "n_zscore", "--normalise-para", "0,1"],
    "c2_zscore10_2_amean": CANONICAL + ["--normalise", "n_zscore", "--normalise-para", "10,2"],
    "d1_minmax1_100_gmean_all": CANONICAL + ["--normalise-para", "1,100", "--aggregate", "a_gmean"],
    "d2_minmax_gmean_top": CANONICAL + ["--aggregate", "a_amean,a_amean,a_gmean"],
    "d3_minmax1_100_amean_gmean_amean": CANONICAL
    + ["--normalise-para", "1,100", "--aggregate", "a_amean,a_gmean,a_amean"],
    "d4_minmax1_100_hmean_all": CANONICAL + ["--normalise-para", "1,100", "--aggregate", "a_hmean"],
    "d5_minmax_copeland_all": CANONICAL + ["--aggregate", "a_copeland"],
    "d6_minmax_genmean_p2_all": CANONICAL + ["--aggregate", "a_genmean(2)"],
    "e_n_rank_amean": CANONICAL + ["--normalise", "n_rank"],
    "e_n_borda_amean": CANONICAL + ["--normalise", "n_borda"],
    "e_n_prank_amean": CANONICAL + ["--normalise", "n_prank"],
    "e_n_fracmax_amean": CANONICAL + ["--normalise", "n_fracmax"],
    "e_n_dist2max_amean": CANONICAL + ["--normalise", "n_dist2max"],
    "e_n_dist2ref_amean": CANONICAL + ["--normalise", "n_dist2ref", "--normalise-para", "11,0"],
    "e_n_dist2ref_cap_amean": CANONICAL + ["--normalise", "n_dist2ref", "--normalise-para", "11,1"],
    "e_n_dist2targ_amean": CANONICAL + ["--normalise", "n_dist2targ"],
    "e_n_scaled_amean": CANONICAL + ["--normalise", "n_scaled", "--normalise-para", "0,100"],
    "f_impute_i_mean": ["--impute", "i_mean"],
    "f_impute_i_median": ["--impute", "i_median"],
    "f_impute_i_mean_grp_EurAsia": CANONICAL,
    "f_impute_i_median_grp_EurAsia": ["--impute", "i_median_grp", "--use-group", "EurAsia_group"],
    "f_impute_i_mean_grp_GDPpc": ["--impute", "i_mean_grp", "--use-group", "GDPpc_group"],
    "f_impute_none": ["--screen", "0.9"],
    "g_treat_winmax1": CANONICAL + ["--winmax", "1"],
    "g_treat_winmax2": CANONICAL + ["--winmax", "2"],
    "g_treat_winmax3": CANONICAL + ["--winmax", "3"],
    "g_treat_none": CANONICAL + ["--no-treat"],
}
LEVELS = {4: "index", 3: "sub-index", 2: "pillar", 1: "indicator"}


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return float("nan")


def ours(out):
    """(unit, code) -> (value, rank or None)."""
    t = {}
    skip = {"unit", "period", "rank", "class", "coverage", "imputed"}
    for s, r in zip(rows(os.path.join(out, "scores.csv")), rows(os.path.join(out, "ranks.csv"))):
        for code, v in s.items():
            if code in skip:
                continue
            code = "Index" if code == "score" else code
            t[(s["unit"], code)] = (num(v), num(r.get(code)))
    for r in rows(os.path.join(out, "data_normalised.csv")):
        for code, v in r.items():
            if code not in ("unit", "period"):
                t[(r["unit"], code)] = (num(v), None)
    return t


def compare(ref, mine):
    diff, ranks, float_ties, missing, nonfinite = {}, {}, {}, 0, 0
    for r in ref:
        key, level = (r["uCode"], r["iCode"]), int(r["Level"])
        a, rank = num(r["Score"]), num(r["Rank"])
        if key not in mine:
            missing += 1
            continue
        b, my_rank = mine[key]
        if a != a or abs(a) == float("inf"):
            if not b != b:
                nonfinite += 1
            continue
        if b != b:
            missing += 1
            continue
        diff[level] = max(diff.get(level, 0.0), abs(a - b))
        if my_rank is not None and rank == rank and my_rank != rank:
            near = lambda x, y: x is not None and abs(x - y) <= 1e-12 * max(abs(x), abs(y))
            tie = any(
                o["iCode"] == r["iCode"]
                and o["uCode"] != r["uCode"]
                and near(num(o["Score"]), a)
                and near(mine.get((o["uCode"], o["iCode"]), (None,))[0], b)
                for o in ref
            )
            bucket = float_ties if tie else ranks
            bucket[level] = bucket.get(level, 0) + 1
    return diff, ranks, float_ties, missing, nonfinite


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ref_dir = sys.argv[1]
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    exe = sys.argv[2] if len(sys.argv) > 2 else os.path.join(target, "debug", "riskscore")
    idata, imeta = "datasets/asem/ASEM_iData.csv", "datasets/asem/ASEM_iMeta.csv"
    print("| variant | index | sub-indexes | pillars | indicators | ranks differing | near-ties |")
    print("|---|---|---|---|---|---|---|")
    for variant, args in VARIANTS.items():
        path = os.path.join(ref_dir, f"scores_{variant}.csv")
        if not os.path.exists(path):
            continue
        with tempfile.TemporaryDirectory() as d:
            imp = subprocess.run(
                [exe, "import", "coinr", "-q", "--idata", idata, "--imeta", imeta, "-o", d] + args,
                capture_output=True,
                text=True,
            )
            if imp.returncode != 0:
                why = imp.stderr.strip().splitlines()[-1] if imp.stderr.strip() else "?"
                why = why.split(": ", 2)[-1]
                print(f"| {variant} | not expressible: {why} | | | | | |")
                continue
            out = os.path.join(d, "out")
            run = subprocess.run(
                [exe, "score", "-q", "--steps", "-f", os.path.join(d, "framework.toml"),
                 "-d", os.path.join(d, "data.csv"), "-o", out],
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                print(f"| {variant} | riskscore refuses: {run.stderr.strip().splitlines()[-1]} | | | | | |")
                continue
            diff, ranks, ties, missing, nonfinite = compare(rows(path), ours(out))
        cells = [f"{diff[l]:.1e}" if l in diff else "-" for l in (4, 3, 2, 1)]
        fmt = lambda d: ", ".join(f"{LEVELS[l]} {n}" for l, n in sorted(d.items(), reverse=True)) or "0"
        note = f" ({missing} values missing)" if missing else ""
        if nonfinite:
            note += f" ({nonfinite} COINr values Inf/NaN, riskscore's finite)"
        print(f"| {variant}{note} | " + " | ".join(cells) + f" | {fmt(ranks)} | {fmt(ties)} |")


if __name__ == "__main__":
    main()
