#!/usr/bin/env bash
# The default backtest (1,000 resamples; 3 variants + the 5 default baselines, Platt
# calibration) beside the variants alone (--baselines none --calibration none), on the
# peer's seeded 5,000-unit x 50-indicator x 5-period panel, outcome ind001 > 2 at t + 1;
# release build, interleaved runs, medians (see common.sh for PEER, WORK, REPEAT).
#   bash benches/backtest.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
UNITS=${UNITS:-5000}
$PY "$PEER/gen_panel.py" --units "$UNITS" --indicators 50 --groups 5 --periods 5 --out "$WORK/panel" >/dev/null
cat >> "$WORK/panel/panel.toml" <<'TOML'

[[variant]]
name = "additive"
set = { "index.aggregation" = "arithmetic" }

[[variant]]
name = "no_g05"
exclude = ["g05"]
TOML
common=(backtest -q -f "$WORK/panel/panel.toml" -d "$WORK/panel/panel.csv" --outcome ind001 --threshold 2)
for i in $(seq "$REPEAT"); do
  run_once alone "$BIN" "${common[@]}" --baselines none --calibration none -o "$WORK/alone"
  run_once full "$BIN" "${common[@]}" -o "$WORK/full"
done
read -r t_alone m_alone <<<"$(medians alone)"
read -r t_full m_full <<<"$(medians full)"
echo "backtest of $UNITS units x 5 periods, 3 variants, 1,000 resamples (median of $REPEAT):"
echo "  variants alone:                 ${t_alone} s, ${m_alone} MB"
echo "  with 5 baselines and Platt:     ${t_full} s, ${m_full} MB"
echo "  ratio: $(awk -v a="$t_full" -v b="$t_alone" 'BEGIN {printf "%.2f", a / b}')"
