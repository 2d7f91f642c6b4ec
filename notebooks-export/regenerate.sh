#!/usr/bin/env bash
# Regenerates the committed example notebook (notebooks-export/central_asia.ipynb and
# its data folder) from fresh runs of the Central Asia example, and executes it so it
# is committed with its outputs. The runs go to out/notebook-runs/ (not tracked).
#
#   bash notebooks-export/regenerate.sh
#
# Needs: pip install nbformat nbclient ipykernel pandas matplotlib
set -euo pipefail
cd "$(dirname "$0")/.."
runs=out/notebook-runs
mkdir -p "$runs"
args=(-f indicators/central_asia.toml -d datasets/central_asia.csv)
cargo run -q -- score -q "${args[@]}" -o "$runs/score"
cargo run -q -- sensitivity -q "${args[@]}" -o "$runs/sa"
cargo run -q -- compare -q "${args[@]}" -o "$runs/compare"
# The data folder is made anew: the committed copy's manifest is signed with the key
# of whoever made it, so on another machine riskscore would not write over its files
# (git keeps the old copy).
rm -rf notebooks-export/central_asia_data
cargo run -q -- export-notebook -f indicators/central_asia.toml --scores "$runs/score" \
  --sensitivity "$runs/sa" --compare "$runs/compare" -o notebooks-export/central_asia.ipynb
python3 notebooks-export/execute.py notebooks-export/central_asia.ipynb
echo "regenerated notebooks-export/central_asia.ipynb"
