# Shared by the peer scripts in benches/ (sourced): paths and settings (each may be
# set in the environment), the release binary, and the median of several runs.
#   PEER  the peers' folder (default ../shared/peer beside the clone)
#   WORK  scratch folder (default a new temporary one)
#   PY    python (default python3)    REPEAT  timed runs per point (default 3)
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER=${PEER:-$HERE/../shared/peer}
WORK=${WORK:-$(mktemp -d)}
PY=${PY:-python3}
REPEAT=${REPEAT:-3}
cd "$HERE"
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$HERE/target}/release/riskscore

# The median of the numbers on standard input.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Interleaved runs, so that a machine that slows down or speeds up during the script
# weighs on every command alike: `run_once LABEL CMD...` times one run and keeps it
# under LABEL; `medians LABEL` prints "median_seconds median_peak_MB" of its runs.
run_once() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>&1
  tail -n 1 "$WORK/time.txt" >> "$WORK/runs_$label"
}
medians() {
  echo "$(cut -d' ' -f1 "$WORK/runs_$1" | median) $(( $(cut -d' ' -f2 "$WORK/runs_$1" | median) / 1024 ))"
}

