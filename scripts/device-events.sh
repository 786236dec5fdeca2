#!/usr/bin/env bash
# Issue 6, target 3 on a lent GPU machine's host CPU (16 cores; not necessarily quieter than the 2-core
# VMs: on 2026-11-27 11:28 UTC one bundle's medians there differed by up to 1.9x between runs): the
# event-engine benchmark (bench/events.ts, esbuild bundle .dev/bundle/events.mjs from
# scripts/device-bundle.sh) and, alternating with it, any other bundles of it found as
# .dev/events-*.mjs (earlier engines, built from a worktree of an older commit, for a same-host
# comparison). Needs only the node binary (.dev/node.xz). Outputs: $OUT/events-<name>-<i>.jsonl and
# the CPU's description.
#   run(command: "bash scripts/device-events.sh", timeout_s: 420,
#       carry: [".dev/node.xz", ".dev/bundle/events.mjs", ".dev/events-s7.mjs", ...])
. scripts/device-node.sh
{ lscpu; echo; uptime; } > "$OUT/cpu.txt" 2>&1
log "node $($N --version), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo)"
ROUNDS=${ROUNDS:-5}; PROCS=${PROCS:-2}; REPEAT=${REPEAT:-2}
for i in $(seq 1 "$REPEAT"); do
  for b in .dev/bundle/events.mjs .dev/events-*.mjs; do
    [ -f "$b" ] || continue
    name=$(basename "$b" .mjs); name=${name#events-}; [ "$b" = .dev/bundle/events.mjs ] && name=head
    ARCHSIM_ROOT=$PWD timeout 200 $N "$b" --rounds "$ROUNDS" --processes "$PROCS" > "$OUT/events-$name-$i.jsonl" 2>&1
    log "$name run $i exit $?: $(grep -o '"design":"[a-z]*"\|"workload":"synthetic-hold"\|"medianEventsPerSec":[0-9]*' "$OUT/events-$name-$i.jsonl" | tr '\n' ' ')"
  done
done
log end
