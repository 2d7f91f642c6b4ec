#!/usr/bin/env bash
# `riskscore score` beside the pandas + numpy script an analyst would write instead
# (../shared/peer/score_peer.py, same scores), on the peer's seeded panels
# (gen_panel.py: 200 indicators, 10 groups, 5 periods), in one run. Prints wall time
# and peak memory (medians of REPEAT rounds, each round running every command once, so
# that the machine's ups and downs fall on all alike) and the ratio of the peer's time to ours
# (> 1: riskscore is faster), for riskscore without the long indicator table
# (`--indicators none`), with it as CSV (the default) and as Parquet, and checks that
# the scores agree.
#
#   pip install pandas numpy
#   bash benches/score_peer.sh             # UNITS="4000 10000" REPEAT=3 WORK=$(mktemp -d)
set -euo pipefail
source "$(dirname "$0")/common.sh"
UNITS=${UNITS:-4000 10000}

printf "wall time and peak RSS, medians of %s interleaved rounds\n" "$REPEAT"
printf '%-8s %-24s %16s %16s %8s\n' units run riskscore "pandas peer" "x peer"
for units in $UNITS; do
  dir=$WORK/panel_$units
  [ -f "$dir/panel.csv" ] || $PY "$PEER/gen_panel.py" --units "$units" --indicators 200 --groups 10 --periods 5 --out "$dir" >/dev/null
  rm -f "$WORK"/runs_*
  for r in $(seq "$REPEAT"); do
    run_once peer "$PY" "$PEER/score_peer.py" "$dir/panel.csv" "$WORK/peer_$units"
    run_once peer_long "$PY" "$PEER/score_peer.py" "$dir/panel.csv" "$WORK/peer_long_$units" --indicators
    for mode in none csv parquet; do
      run_once "$mode" "$BIN" score -q -f "$dir/panel.toml" -d "$dir/panel.csv" -o "$WORK/ours_${units}_$mode" --indicators "$mode"
    done
  done
  read -r pt pm <<< "$(medians peer)"
  read -r lt lm <<< "$(medians peer_long)"
  for mode in none csv parquet; do
    read -r ot om <<< "$(medians "$mode")"
    # The peer writes the long table only as CSV; without it, beside ours without it.
    if [ "$mode" = none ]; then p=$pt; q=$pm; else p=$lt; q=$lm; fi
    printf '%-8s %-24s %7.2f s %5s MB %7.2f s %5s MB %7.2fx\n' "$units" "--indicators $mode" "$ot" "$om" "$p" "$q" \
      "$(echo "$p / $ot" | bc -l)"
  done
  $PY - "$WORK/ours_${units}_none/scores.csv" "$WORK/peer_$units/scores.csv" <<'PYEOF'
import csv, sys
ours = {(r["unit"], r["period"]): float(r["score"]) for r in csv.DictReader(open(sys.argv[1]))}
peer = {(r["unit"], r["period"]): float(r["score"]) for r in csv.DictReader(open(sys.argv[2]))}
worst = max(abs(ours[k] - peer[k]) for k in peer) if peer.keys() == ours.keys() else float("inf")
print(f"  scores agree with the peer's to {worst:.1e}" if worst < 1e-4 else f"  scores DIFFER (max {worst})")
PYEOF
done
echo "scratch: $WORK"
