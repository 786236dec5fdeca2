#!/usr/bin/env bash
# Machine instructions per simulated event of the CIFAR-10 VGG timing run (issue 6, target 3),
# counted by valgrind's callgrind: deterministic, unlike wall time on a shared VM. Runs the timing
# run (tile64, synthetic seed-shape model, IMAGES images per round) for 2 and for 4 rounds in two
# processes under callgrind with V8's perf map, and prints (4-round count - 2-round count) / 2 per
# function of the JIT code: the steady state of one round, without start-up and compilation.
# Needs Debian's valgrind and python3. Takes a few minutes.
# Usage: bash bench/events-callgrind.sh [adc|split (split)] [images (8)]
set -euo pipefail
cd "$(dirname "$0")/.."
design=${1:-split}
images=${2:-8}
command -v valgrind >/dev/null || { echo "events-callgrind: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in 2 4; do
  valgrind --tool=callgrind --cache-sim=no --dump-instr=yes --smc-check=all-non-file \
    --callgrind-out-file="$out/cg-$r.out" \
    node --single-threaded --perf-basic-prof --import tsx/esm bench/_events-driver.ts --design "$design" --images "$images" --rounds "$r" \
    > "$out/log-$r.txt" 2>&1
  pid=$(sed -n 's/^==\([0-9]*\)==.*/\1/p' "$out/log-$r.txt" | head -1)
  mv "/tmp/perf-$pid.map" "$out/perf-$r.map"
done
python3 bench/callgrind-jit.py "$out" "$(grep -o '"events":[0-9]*' "$out/log-4.txt" | cut -d: -f2)"
