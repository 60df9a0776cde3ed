#!/bin/bash
# Interleaved A/B runs of examples/mlp_throughput: the same case under two environments, alternating, then each
# side's runs and median steps/s. By hand; this VM's speed drifts, so only alternating runs compare.
#   bash bench/ab_mlp.sh REPS NET BATCH THREADS "ENV_A" "ENV_B"
#   bash bench/ab_mlp.sh 5 2-64-64-1 256 2 DATA_PARALLEL_MIN_MACS=0 DATA_PARALLEL_MIN_MACS=99999999999
set -euo pipefail
reps=$1; net=$2; batch=$3; threads=$4; a=$5; b=$6
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --release --quiet --features probes --example mlp_throughput --manifest-path "$root/Cargo.toml"
exe="${CARGO_TARGET_DIR:-$root/target}/release/examples/mlp_throughput"
steps() { env $1 "$exe" "$net" "$batch" "$threads" 2 | python3 -c "import json,sys; print(json.load(sys.stdin)['steps_per_s'])"; }
for _ in $(seq "$reps"); do
  echo "$(steps "$a") $(steps "$b")"
done | python3 -c "
import statistics, sys
rows = [tuple(map(float, l.split())) for l in sys.stdin]
for name, col in (('A: $a', 0), ('B: $b', 1)):
    xs = [r[col] for r in rows]
    print(name, ' '.join(f'{x:.1f}' for x in xs), '| median', round(statistics.median(xs), 1))
"
