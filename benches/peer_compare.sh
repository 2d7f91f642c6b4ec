#!/usr/bin/env bash
# Speed and agreement against the peer implementation (numpy + SALib) in
# ../shared/peer, on the three workloads of its RESULTS.md, end to end (load to
# written CSVs, bootstrap included), in one run on this machine.
#
#   bash benches/peer_compare.sh            # needs: pip install -r ../shared/peer/requirements.txt
#
# Env: PEER (default ../shared/peer), WORK (scratch, default a new temp dir),
#      PY (python3), REPEAT (timed runs per tool and workload, default 3; medians).
set -euo pipefail
source "$(dirname "$0")/common.sh"

$PY "$PEER/gen_data.py" --units 200 --indicators 30 --groups 5 --seed 1 --missing 0.05 --out "$WORK/d1/data.csv" >/dev/null
$PY "$PEER/gen_data.py" --units 2000 --indicators 100 --groups 10 --seed 1 --missing 0.05 --out "$WORK/d2/data.csv" >/dev/null

seconds() {  # run a command, print its wall time in seconds
  local t0 t1
  t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

inner() {  # phase total inside the program: the peer's timings.json total_s, our manifest elapsed_seconds
  $PY -c "import json,sys; d=json.load(open(sys.argv[1])); print(d.get('total_s', d.get('elapsed_seconds')))" "$1"
}
printf "process wall time (median of %s), and in brackets each program's own load-to-write total\n" "$REPEAT"
printf '%-12s %18s %18s %18s %16s %16s\n' workload peer peer_fast riskscore "x peer" "x fast"
for spec in "d1 1024" "d1 8192" "d2 1024"; do
  set -- $spec; d=$1; n=$2; tag="${d}_N$n"
  $PY benches/peer_framework.py "$WORK/$d/data.csv" "$WORK/$d/indicators.csv" "$n" "$WORK/fw_$tag" >/dev/null
  peer=(); fast=(); ours=(); peer_in=(); fast_in=(); ours_in=()
  for r in $(seq "$REPEAT"); do
    peer+=("$(seconds $PY "$PEER/peer_ua_sa.py" --data "$WORK/$d/data.csv" --indicators "$WORK/$d/indicators.csv" --n "$n" --seed 1 --out "$WORK/peer_$tag")")
    peer_in+=("$(inner "$WORK/peer_$tag/timings.json")")
    fast+=("$(seconds $PY "$PEER/peer_ua_sa.py" --data "$WORK/$d/data.csv" --indicators "$WORK/$d/indicators.csv" --n "$n" --seed 1 --out "$WORK/fast_$tag" --fast)")
    fast_in+=("$(inner "$WORK/fast_$tag/timings.json")")
    ours+=("$(seconds "$BIN" sensitivity -q -f "$WORK/fw_$tag/peer.toml" -d "$WORK/fw_$tag/data.csv" -o "$WORK/ours_$tag")")
    ours_in+=("$(inner "$WORK/ours_$tag/manifest.json")")
  done
  med() { printf '%s\n' "$@" | median; }
  p=$(med "${peer[@]}"); f=$(med "${fast[@]}"); o=$(med "${ours[@]}")
  pi=$(med "${peer_in[@]}"); fi_=$(med "${fast_in[@]}"); oi=$(med "${ours_in[@]}")
  printf '%-12s %8.3fs (%6.3f) %8.3fs (%6.3f) %8.3fs (%6.3f) %6.1fx (%5.1f) %6.1fx (%5.1f)\n' "$tag" \
    "$p" "$pi" "$f" "$fi_" "$o" "$oi" "$(echo "$p / $o" | bc -l)" "$(echo "$pi / $oi" | bc -l)" \
    "$(echo "$f / $o" | bc -l)" "$(echo "$fi_ / $oi" | bc -l)"
  # Agreement on the peer's own sample matrix.
  $PY "$PEER/peer_ua_sa.py" --data "$WORK/$d/data.csv" --indicators "$WORK/$d/indicators.csv" --n "$n" --seed 1 --out "$WORK/dump_$tag" --fast --dump-samples >/dev/null
  "$BIN" sensitivity -q -f "$WORK/fw_$tag/peer.toml" -d "$WORK/fw_$tag/data.csv" -o "$WORK/same_$tag" --samples-from "$WORK/dump_$tag/samples.csv"
  $PY benches/peer_check.py "$WORK/dump_$tag" "$WORK/same_$tag" | sed "s/^/  $tag: /"
done
echo "scratch: $WORK"
