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
HERE=$(cd "$(dirname "$0")/.." && pwd)
PEER=${PEER:-$HERE/../shared/peer}
WORK=${WORK:-$(mktemp -d)}
PY=${PY:-python3}
REPEAT=${REPEAT:-3}
cd "$HERE"
cargo build --release --quiet
BIN=$HERE/target/release/riskscore
[ -n "${CARGO_TARGET_DIR:-}" ] && BIN=$CARGO_TARGET_DIR/release/riskscore

$PY "$PEER/gen_data.py" --units 200 --indicators 30 --groups 5 --seed 1 --missing 0.05 --out "$WORK/d1/data.csv" >/dev/null
$PY "$PEER/gen_data.py" --units 2000 --indicators 100 --groups 10 --seed 1 --missing 0.05 --out "$WORK/d2/data.csv" >/dev/null

seconds() {  # run a command, print its wall time in seconds
  local t0 t1
  t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-16s %10s %10s %10s %10s %10s\n' workload peer peer_fast riskscore "x peer" "x fast"
for spec in "d1 1024" "d1 8192" "d2 1024"; do
  set -- $spec; d=$1; n=$2; tag="${d}_N$n"
  $PY benches/peer_framework.py "$WORK/$d/data.csv" "$WORK/$d/indicators.csv" "$n" "$WORK/fw_$tag" >/dev/null
  peer=(); fast=(); ours=()
  for r in $(seq "$REPEAT"); do
    peer+=("$(seconds $PY "$PEER/peer_ua_sa.py" --data "$WORK/$d/data.csv" --indicators "$WORK/$d/indicators.csv" --n "$n" --seed 1 --out "$WORK/peer_$tag")")
    fast+=("$(seconds $PY "$PEER/peer_ua_sa.py" --data "$WORK/$d/data.csv" --indicators "$WORK/$d/indicators.csv" --n "$n" --seed 1 --out "$WORK/fast_$tag" --fast)")
    ours+=("$(seconds "$BIN" sensitivity -q -f "$WORK/fw_$tag/peer.toml" -d "$WORK/fw_$tag/data.csv" -o "$WORK/ours_$tag")")
  done
  p=$(printf '%s\n' "${peer[@]}" | median); f=$(printf '%s\n' "${fast[@]}" | median); o=$(printf '%s\n' "${ours[@]}" | median)
  printf '%-16s %9.3fs %9.3fs %9.3fs %9.1fx %9.1fx\n' "$tag" "$p" "$f" "$o" "$(echo "$p / $o" | bc -l)" "$(echo "$f / $o" | bc -l)"
  # Agreement on the peer's own sample matrix.
  $PY "$PEER/peer_ua_sa.py" --data "$WORK/$d/data.csv" --indicators "$WORK/$d/indicators.csv" --n "$n" --seed 1 --out "$WORK/dump_$tag" --fast --dump-samples >/dev/null
  "$BIN" sensitivity -q -f "$WORK/fw_$tag/peer.toml" -d "$WORK/fw_$tag/data.csv" -o "$WORK/same_$tag" --samples-from "$WORK/dump_$tag/samples.csv"
  $PY benches/peer_check.py "$WORK/dump_$tag" "$WORK/same_$tag" | sed "s/^/  $tag: /"
done
echo "scratch: $WORK"
