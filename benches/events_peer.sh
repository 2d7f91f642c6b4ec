#!/usr/bin/env bash
# `riskscore events` beside what an analyst would write instead: the same
# country-year table from polars (lazy, streaming) and from DuckDB
# (../shared/peer/events_peer.py), on seeded ACLED-format logs, in one run.
# Prints wall time and peak memory (medians of REPEAT rounds, each round running every
# command once, so that the machine's ups and downs fall on all alike) and the ratio
# of the fastest peer's time to ours (> 1: riskscore is faster), and checks that the
# incidents and fatalities per country and year agree.
#
#   pip install polars duckdb pandas pyarrow
#   bash benches/events_peer.sh            # SIZES="500000 2000000" REPEAT=3 WORK=$(mktemp -d)
#
# riskscore does more than the peers: it hashes the log, checks every row (dates,
# counts, duplicate ids, country codes) and reads claims with their negations.
set -euo pipefail
source "$(dirname "$0")/common.sh"
SIZES=${SIZES:-500000 2000000}
ACTOR='Khorasan|ISKP'

printf "wall time and peak RSS, medians of %s interleaved rounds\n" "$REPEAT"
printf '%-16s %-6s %16s %16s %16s %8s\n' log period riskscore polars duckdb "x peer"
for rows in $SIZES; do
  log=$WORK/acled_$rows.csv
  [ -f "$log" ] || "$BIN" generate-events --format acled --rows "$rows" --seed 1 --first-year 2010 --last-year 2023 -o "$log"
  rm -f "$WORK"/runs_*
  for r in $(seq "$REPEAT"); do
    run_once polars "$PY" "$PEER/events_peer.py" "$log" polars "$WORK/polars.csv" "$ACTOR"
    run_once duckdb "$PY" "$PEER/events_peer.py" "$log" duckdb "$WORK/duckdb.csv" "$ACTOR"
    for period in year month; do
      run_once "$period" "$BIN" events -q -i "$log" --period "$period" --actor "$ACTOR" -o "$WORK/ours_$period.csv"
    done
  done
  read -r pt pm <<< "$(medians polars)"
  read -r dt dm <<< "$(medians duckdb)"
  for period in year month; do
    read -r ot om <<< "$(medians "$period")"
    if [ "$period" = year ]; then
      peer="$(printf '%6.2f s %5s MB' "$pt" "$pm")"; duck="$(printf '%6.2f s %5s MB' "$dt" "$dm")"
    else
      peer="(yearly only)"; duck=""
    fi
    fastest=$(echo "if ($pt < $dt) $pt else $dt" | bc -l)
    printf '%-16s %-6s %7.2f s %5s MB %16s %16s %7.2fx\n' "$rows events" "$period" "$ot" "$om" "$peer" "$duck" \
      "$(echo "$fastest / $ot" | bc -l)"
  done
  # Agreement: incidents and fatalities per country and year (the peer keys by ISO
  # numeric code, riskscore by ISO alpha-3: compared as sorted value pairs).
  $PY - "$WORK/ours_year.csv" "$WORK/polars.csv" "$WORK/duckdb.csv" <<'EOF'
import csv, sys
def pairs(path, unit):
    rows = list(csv.DictReader(open(path)))
    return sorted((int(r["year"] if "year" in r else r["period"]), float(r["incidents"]), float(r["fatalities"]))
                  for r in rows if float(r["incidents"]) > 0)
ours = pairs(sys.argv[1], "iso3")
for peer in sys.argv[2:]:
    theirs = pairs(peer, "iso")
    print(f"  {peer.rsplit('/', 1)[-1]}: {'incidents and fatalities agree' if ours == theirs else 'DIFFER'} ({len(theirs)} country-years)")
EOF
done
echo "scratch: $WORK"
