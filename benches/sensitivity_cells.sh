#!/usr/bin/env bash
# Sensitivity at the scale of PRIO-GRID's 64,818 land cells: one process against four
# shards merged, with the quantiles as a sketch (memory that does not grow with the
# runs) and, where it fits, exact. Four Sobol groups: the pillar weights (one group),
# normalisation, index aggregation, imputation; 100 bootstrap resamples.
#
#   bash benches/sensitivity_cells.sh            # needs the peer folder's gen_panel.py
#
# Env: PEER (default ../shared/peer), WORK (scratch), NS (base samples, default
#      "1024 8192"), EXACT (1: also the exact quantiles at the first N).
# Prints per run: wall seconds and peak resident MB (/usr/bin/time), and for shards
# each shard's time and memory, the merge's, and the bytes of the partial files.
set -euo pipefail
source "$(dirname "$0")/common.sh"
NS=${NS:-"1024 8192"}
dir="$WORK/cells"
mkdir -p "$dir"
[ -f "$dir/panel.csv" ] || $PY "$PEER/gen_panel.py" --units 64818 --indicators 20 --groups 4 --periods 1 --out "$dir" >/dev/null
# The index is a geometric mean: its children are rescaled onto [1, 100] first, so
# that a z-score run feeds it no value <= 0.
sed 's/^\[index\]$/[index]\ngeometric_range = [1, 100]/' "$dir/panel.toml" > "$dir/sa.toml"
cat >> "$dir/sa.toml" <<'TOML'

[sensitivity]
seed = 1
bootstrap = 100
factors = [
  { kind = "weight", target = "group:*", range = [0.75, 1.25], group = "weights" },
  { kind = "normalise", options = ["minmax", "zscore"] },
  { kind = "aggregate", target = "index", options = ["arithmetic", "geometric"] },
  { kind = "impute", options = ["mean", "none"] },
]
TOML
measure() {  # label, command...: one line of wall seconds and peak MB
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null
  read -r s kb < "$WORK/time.txt"
  printf '%-34s %8.1f s %8.0f MB\n' "$label" "$s" "$((kb / 1024))"
}
first=1
for n in $NS; do
  common=(-f "$dir/sa.toml" -d "$dir/panel.csv" --samples "$n")
  if [ "${EXACT:-1}" = 1 ] && [ $first = 1 ]; then
    measure "N=$n one process, exact" "$BIN" sensitivity -q "${common[@]}" --quantiles exact -o "$WORK/exact_$n"
  fi
  first=0
  measure "N=$n one process, sketch" "$BIN" sensitivity -q "${common[@]}" --quantiles sketch -o "$WORK/one_$n"
  for k in 1 2 3 4; do
    measure "N=$n shard $k/4" "$BIN" sensitivity -q "${common[@]}" --shard "$k/4" -o "$WORK/shard_${n}_$k"
  done
  printf '%-34s %s bytes each\n' "N=$n partial files" "$(stat -c %s "$WORK"/shard_${n}_*/*.rsshard | sort -u | tr '\n' ' ')"
  measure "N=$n merge-shards" "$BIN" merge-shards -q -f "$dir/sa.toml" -d "$dir/panel.csv" -o "$WORK/merged_$n" "$WORK"/shard_${n}_*
  if cmp -s "$WORK/one_$n/uncertainty.csv" "$WORK/merged_$n/uncertainty.csv" && cmp -s "$WORK/one_$n/sobol.csv" "$WORK/merged_$n/sobol.csv"; then
    echo "N=$n merged outputs: the same bytes as the one process"
  else
    echo "N=$n merged outputs DIFFER from the one process" && exit 1
  fi
done
echo "scratch: $WORK"
