#!/usr/bin/env bash
# Issue 6, target 4 on a lent GPU machine's host CPU (16 cores), CPU path only: the seed-width
# CIFAR-10 comparison (random weights, 10,000 random CIFAR-shaped images, scripts/synthetic-e2e-inputs.ts)
# with --backend cpu, three times, after `archsim doctor` (which kernels, and the native kernels'
# self-check on this CPU). Needs the bundle (scripts/device-bundle.sh: archsim.mjs, worker-boot.mjs,
# synthetic-e2e-inputs.mjs, the native addon) and the node binary; no GPU libraries.
#   run(command: "bash scripts/device-cpu-e2e.sh", timeout_s: 300,
#       carry: [".dev/node.xz", ".dev/bundle", ".dev/package.json"])
. scripts/device-node.sh
[ -f .dev/bundle/archsim_kernels.node ] && export ARCHSIM_NATIVE_ADDON=$PWD/.dev/bundle/archsim_kernels.node
export CI=1
log "node $($N --version), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo)"
$N .dev/bundle/archsim.mjs doctor > "$OUT/doctor.txt" 2>&1
log "doctor exit $?: $(grep -E 'native' "$OUT/doctor.txt" | tr '\n' ' ')"
timeout 60 $N .dev/bundle/synthetic-e2e-inputs.mjs $W/syn 10000 > /dev/null 2> "$OUT/e2e.log"
for run in 1 2 3; do
  s=$(date +%s.%N)
  timeout 100 $N .dev/bundle/archsim.mjs --arch arch-configs/tile64.json --model $W/syn/cifar10-vgg-split256.json \
    --input $W/syn/cifar10-random.msgpack --design both --backend cpu --out $W/rep-$run > $W/e2e.log 2>&1
  log "cifar10 seed-width --design both --backend cpu, 10000 images, run $run: exit $?, $(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}') s; $(grep -o 'backend:.*' $W/e2e.log)"
  { echo "== run $run"; cat $W/e2e.log; } >> "$OUT/e2e.log"
done
log end
