#!/usr/bin/env bash
# Runs the commands of the README and docs/ with the binary of a base revision and with
# the working tree's, and compares every file they write, byte for byte (a manifest's
# times, dates and its own hashes of the files aside; report.html, which embeds its
# manifest, compared with its dates blanked). For refactors that must not change
# behaviour. Exits non-zero when a file differs, and names it.
#
#   bash benches/same_outputs.sh [BASE]     # BASE: a git revision (default HEAD)
#
# Env: WORK (scratch, default a new temporary folder). Debug builds in one
# CARGO_TARGET_DIR (default target/), so that the two share every dependency: the base
# is built from a worktree in WORK and its binary copied aside.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
BASE=${1:-HEAD}
WORK=${WORK:-$(mktemp -d)}
cd "$HERE"
git worktree add -q --detach "$WORK/base" "$BASE"
trap 'git -C "$HERE" worktree remove --force "$WORK/base"' EXIT
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HERE/target}
(cd "$WORK/base" && cargo build -q)
cp "$CARGO_TARGET_DIR/debug/riskscore" "$WORK/riskscore-base"
cargo build -q
declare -A BIN=([base]="$WORK/riskscore-base" [head]="$CARGO_TARGET_DIR/debug/riskscore")

run_all() {  # the commands, from the repository's root, writing into out/
  local rs=$1
  $rs score -q -f indicators/central_asia.toml -d datasets/central_asia.csv -o out/score
  $rs score -q -f indicators/gti.toml -d datasets/gti_central_asia.csv -o out/gti
  $rs explain -f indicators/central_asia.toml -d datasets/central_asia.csv --unit TJK --period 2022 > out/explain.txt
  $rs validate -f indicators/central_asia.toml -d datasets/central_asia.csv > out/validate.txt
  $rs audit -q -f indicators/central_asia.toml -d datasets/central_asia.csv -o out/audit
  $rs sensitivity -q -f indicators/central_asia.toml -d datasets/central_asia.csv -o out/sa
  $rs compare -q -f indicators/central_asia.toml -d datasets/central_asia.csv \
    --variants base,additive,no_recruitment,no_spillover -o out/compare
  $rs backtest -q -f indicators/central_asia.toml -d datasets/central_asia.csv \
    --variants base,additive,no_recruitment,no_spillover --outcome terror_impact -o out/backtest
  $rs events -q -i datasets/events_example_acled.csv --actor 'Khorasan|ISKP|ISIS-K' \
    --first-period 2014 --last-period 2022 -o out/events_indicators.csv
  $rs score -q -f indicators/central_asia_events.toml -d out/events_indicators.csv \
    -d datasets/central_asia.csv -o out/events_scores
  $rs events -q -i datasets/ucdp_ged_pakistan_2015_2021.csv --unit admin1 --actor '^IS$' \
    -o out/pakistan_provinces.csv
  $rs score -q -f indicators/pakistan_provinces.toml -d out/pakistan_provinces.csv -o out/pakistan
  $rs backtest -q -f indicators/pakistan_provinces.toml -d out/pakistan_provinces.csv \
    --outcome fatalities --threshold 25 -o out/backtest-pakistan
  $rs events -q -i datasets/ucdp_ged_pakistan_2015_2021.csv --unit grid --actor '^IS$' \
    --max-geo-precision 3 --bbox 23.5,37.5,60.5,77.5 -o out/pakistan_cells.csv
  $rs import coinr -q --idata datasets/asem/ASEM_iData.csv --imeta datasets/asem/ASEM_iMeta.csv \
    --impute i_mean_grp --use-group EurAsia_group -o out/asem-import
  $rs score -q -f indicators/asem.toml -d datasets/asem/ASEM_iData.csv -o out/asem --steps
  $rs report -q -f indicators/central_asia.toml -d datasets/central_asia.csv \
    --sensitivity out/sa --compare out/compare --backtest out/backtest --xlsx -o out/report
  $rs export-notebook -f indicators/central_asia.toml --scores out/score \
    --sensitivity out/sa --compare out/compare -o out/notebook/central_asia.ipynb > /dev/null
}

for side in base head; do
  mkdir -p "$WORK/$side-run"
  cp -r datasets indicators "$WORK/$side-run/"
  (cd "$WORK/$side-run" && mkdir -p out && run_all "${BIN[$side]}")
done

# Blanks what differs between any two runs: times, dates, hashes of files that hold them.
normalise() {
  case "$1" in
    *manifest.json|*.ipynb)
      python3 - "$1" <<'PY'
import json, re, sys
def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()
                if not re.search(r"seconds|created|elapsed|timings|hmac|signature|threads|output_mac|output_sha256", k)}
    if isinstance(v, list):
        return [clean(x) for x in v]
    if isinstance(v, str):
        return re.sub(r"/[^\s\"']*/(base|head)-run/", "/RUN/", v)
    return v
try:
    print(json.dumps(clean(json.load(open(sys.argv[1]))), indent=1, sort_keys=True))
except ValueError:
    print(open(sys.argv[1]).read())
PY
      ;;
    *.html) sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z//g; s/[0-9]+\.[0-9]+ s\b//g; s#/[^" ]*/(base|head)-run/#/RUN/#g;
                   s/(&quot;[a-z_]*(seconds|output_mac|output_sha256|load|prepare|evaluate|summarise|sobol|write)&quot;: )[0-9.e-]+/\1/g' "$1" ;;
    *.xlsx) unzip -p "$1" 'xl/worksheets/*.xml' 'xl/sharedStrings.xml' 2>/dev/null || cat "$1" ;;
    *) cat "$1" ;;
  esac
}

differ=0; same=0
while IFS= read -r file; do
  rel=${file#"$WORK/base-run/"}
  if [ ! -f "$WORK/head-run/$rel" ]; then
    echo "missing in head: $rel"; differ=$((differ + 1)); continue
  fi
  if cmp -s <(normalise "$WORK/base-run/$rel") <(normalise "$WORK/head-run/$rel"); then
    same=$((same + 1))
  else
    echo "differs: $rel"; differ=$((differ + 1))
  fi
done < <(find "$WORK/base-run/out" -type f ! -name '.*' | sort)
extra=$(comm -13 <(cd "$WORK/base-run/out" && find . -type f ! -name '.*' | sort) <(cd "$WORK/head-run/out" && find . -type f ! -name '.*' | sort))
[ -z "$extra" ] || { echo "only in head:"; echo "$extra"; differ=$((differ + 1)); }
echo "$same files the same, $differ differ (base $BASE, runs in $WORK)"
[ "$differ" = 0 ]
