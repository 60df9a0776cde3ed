#!/bin/bash
# Two threads against one with one core kept busy (`yes > /dev/null`, killed at the end): examples/mlp_throughput's
# steps/s at --threads 1 and 2, interleaved, REPS rounds, medians. By hand; this VM's speed drifts.
#   bash bench/threads_busy.sh [REPS] [OLD_EXE]   (OLD_EXE: another build's mlp_throughput, run at 2 threads beside)
#   QUIET=1 leaves both cores free; SECONDS_PER_RUN (default 2) sets each run's length.
set -euo pipefail
reps=${1:-3}; old=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --features probes --example mlp_throughput --manifest-path "$root/Cargo.toml"
exe="${CARGO_TARGET_DIR:-$root/target}/release/examples/mlp_throughput"
sps() { "$@" | python3 -c "import json,sys; print(round(json.load(sys.stdin)['steps_per_s']))"; }
if [ "${QUIET:-0}" != 1 ]; then
  yes > /dev/null & hog=$!
  trap 'kill $hog' EXIT
fi
secs=${SECONDS_PER_RUN:-2}
echo "| network, batch | activation | --threads 1 | --threads 2 | 2 ÷ 1 | other build, 2 threads |"
echo "|---|---|---:|---:|---:|---:|"
for case in "2-16-16-1 100 relu" "2-16-16-1 100 tanh" "2-64-64-1 256 relu" "2-64-64-1 256 tanh" \
  "784-256-256-10 128 relu" "784-1024-1024-10 512 relu"; do
  set -- $case
  one=""; two=""; other=""
  for _ in $(seq "$reps"); do
    one="$one $(ACT=$3 sps "$exe" "$1" "$2" 1 "$secs")"
    two="$two $(ACT=$3 sps "$exe" "$1" "$2" 2 "$secs")"
    if [ -n "$old" ]; then other="$other $(ACT=$3 sps "$old" "$1" "$2" 2 "$secs")"; fi
  done
  python3 -c "
import statistics as s, sys
one, two, other = ([int(v) for v in x.split()] for x in sys.argv[1:4])
m = s.median
o = f'{m(other):.0f}' if other else ''
print(f'| $1, $2 | $3 | {m(one):.0f} {one} | {m(two):.0f} {two} | {m(two) / m(one):.2f} | {o} |')
" "$one" "$two" "$other"
done
