#!/usr/bin/env bash
# `events` by country, by province (--unit admin1) and by PRIO-GRID cell (--unit grid)
# on one synthetic ACLED log (riskscore generate-events, with coordinates and provinces),
# release build, interleaved runs, medians and the ratios to the country run.
#   ROWS=2000000 bash benches/places.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
ROWS=${ROWS:-2000000}
log="$WORK/acled_$ROWS.csv"
[ -f "$log" ] || "$BIN" generate-events -q --format acled --rows "$ROWS" --seed 1 --first-year 2010 --last-year 2023 -o "$log"
for i in $(seq "$REPEAT"); do
  run_once country "$BIN" events -q -i "$log" -o "$WORK/country.csv"
  run_once admin1 "$BIN" events -q -i "$log" --unit admin1 -o "$WORK/admin1.csv"
  run_once grid "$BIN" events -q -i "$log" --unit grid -o "$WORK/grid.csv"
done
read -r t_country m_country <<<"$(medians country)"
echo "events on $ROWS ACLED events (median of $REPEAT):"
for unit in country admin1 grid; do
  read -r t m <<<"$(medians "$unit")"
  echo "  --unit $unit: $t s, $m MB, $(awk -v a="$t" -v b="$t_country" 'BEGIN {printf "%.2f", a / b}')x the country run"
done
