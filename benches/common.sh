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

# Runs a command REPEAT times; prints "median_seconds median_peak_MB" (/usr/bin/time).
measure() {
  local times=() mems=() r t m
  for r in $(seq "$REPEAT"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>&1
    read -r t m < "$WORK/time.txt"
    times+=("$t"); mems+=("$m")
  done
  echo "$(printf '%s\n' "${times[@]}" | median) $(( $(printf '%s\n' "${mems[@]}" | median) / 1024 ))"
}
