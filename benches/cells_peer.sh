#!/usr/bin/env bash
# Scoring at PRIO-GRID scale: the peer's seeded panel of 64,818 units x 12 periods x 20
# indicators (gen_panel.py, 132 MB of CSV) with its units renamed to a block of
# PRIO-GRID cell ids, scored by riskscore with and without `[data] neighbours =
# "grid:queen"` (and a neighbours indicator), beside the pandas peer (score_peer.py, no
# neighbours) and pandas reading the file alone, in one run: medians of REPEAT
# interleaved rounds, wall time and peak memory (see common.sh for PEER, WORK, PY).
#
#   pip install pandas numpy
#   bash benches/cells_peer.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
dir=$WORK/cells
[ -f "$dir/panel.csv" ] || $PY "$PEER/gen_panel.py" --units 64818 --indicators 20 --groups 4 --periods 12 --out "$dir" >/dev/null
if [ ! -f "$dir/cells.csv" ]; then
  $PY - "$dir" <<'PYEOF'
import sys
d = sys.argv[1]
with open(f"{d}/panel.csv") as f, open(f"{d}/cells.csv", "w") as g:
    g.write(f.readline())
    for line in f:
        unit, rest = line.split(",", 1)
        g.write(f"{100001 + int(unit[1:])},{rest}")
t = open(f"{d}/panel.toml").read().replace("[defaults]", '[data]\nneighbours = "grid:queen"\n\n[defaults]')
t += '\n[[derived]]\nid = "ind001_around"\nkind = "neighbours"\nof = "ind001"\nstat = "mean"\nmissing = "skip"\n\n[[indicator]]\nid = "ind001_around"\ngroup = "g01"\n'
open(f"{d}/cells.toml", "w").write(t)
PYEOF
fi
rm -f "$WORK"/runs_*
for r in $(seq "$REPEAT"); do
  run_once read "$PY" -c "import pandas, sys; pandas.read_csv(sys.argv[1])" "$dir/panel.csv"
  run_once peer "$PY" "$PEER/score_peer.py" "$dir/panel.csv" "$WORK/peer"
  run_once plain "$BIN" score -q -f "$dir/panel.toml" -d "$dir/panel.csv" --indicators none -o "$WORK/plain"
  run_once queen "$BIN" score -q -f "$dir/cells.toml" -d "$dir/cells.csv" --indicators none -o "$WORK/queen"
done
printf "64,818 cells x 12 periods x 20 indicators, medians of %s interleaved rounds\n" "$REPEAT"
for run in read peer plain queen; do
  read -r t m <<< "$(medians "$run")"
  case $run in
    read) what="pandas read_csv alone" ;;
    peer) what="pandas peer (score_peer.py)" ;;
    plain) what="riskscore, no neighbours" ;;
    queen) what="riskscore, grid:queen" ;;
  esac
  printf '%-30s %7.2f s %6s MB\n' "$what" "$t" "$m"
done
