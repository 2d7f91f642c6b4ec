#!/usr/bin/env bash
# Scale run of `riskscore events`: generates an ACLED-format log of ROWS events
# (default 2,000,000, about 600 MB) and aggregates it, reporting wall time and peak
# memory (max RSS, from /usr/bin/time -v) for yearly and monthly tables.
#
#   bash benches/events_scale.sh            # ROWS=2000000 WORK=$(mktemp -d) REPEAT=3
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${ROWS:-2000000}
WORK=${WORK:-$(mktemp -d)}
REPEAT=${REPEAT:-3}
cd "$HERE"
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$HERE/target}/release/riskscore
LOG=$WORK/acled_${ROWS}.csv
if [ ! -f "$LOG" ]; then
  start=$(date +%s.%N)
  "$BIN" generate-events --format acled --rows "$ROWS" --seed 1 --first-year 2010 --last-year 2023 -o "$LOG"
  echo "generated $ROWS rows ($(du -h "$LOG" | cut -f1)) in $(echo "$(date +%s.%N) - $start" | bc -l | cut -c1-5) s"
fi
for period in year month; do
  for r in $(seq "$REPEAT"); do
    /usr/bin/time -v "$BIN" events -q -i "$LOG" --period "$period" --actor 'Khorasan|ISKP' \
      -o "$WORK/ind_$period.csv" 2> "$WORK/time.txt"
    wall=$(grep "Elapsed (wall clock)" "$WORK/time.txt" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$WORK/time.txt" | awk '{print $NF}')
    printf '%-6s run %s: wall %s, peak RSS %.0f MB\n' "$period" "$r" "$wall" "$(echo "$rss / 1024" | bc -l)"
  done
done
echo "scratch: $WORK"
