#!/usr/bin/env bash
# Issue 6 on a lent GPU machine (no Node.js there): target 2, the WGSL kernels and the engine's
# binary-layer path (bench/crossbar-gpu.ts: dense 4096 x 2048 x 2048 and 16384 x 2048 x 2048,
# sense and ADC read-outs, the seed VGG's second conv layer) on the machine's Vulkan GPU; the
# shipped MNIST models end to end on the GPU and on the CPU path; and, on the host's idle CPU, the
# event engine (bench/events.ts) and 1 vs 2 CPU workers (bench/crossbar-cpu.ts: wasm kernels, and
# the native ones where the bundle has the addon and the CPU has AVX-512 VPOPCNTDQ).
# It first checks the WGSL path bit for bit against the reference engine on that GPU
# (scripts/gpu-verify.ts). Outputs (JSON lines, the GPU's name, logs) go to $OUT.
#
# Here, first: bash scripts/device-bundle.sh (and the .gl loader debs, see the device README).
# Then one device run (82-98 s measured on an H200, 2026-11-27, plus the machine's start):
#   run(command: "bash scripts/device-gpu-bench.sh", timeout_s: 600,
#       carry: [".gl", ".dev/node.xz", ".dev/dawn.node.xz", ".dev/bundle", ".dev/package.json",
#               ".dev/data/mnist/t10k-images-idx3-ubyte.xz", ".dev/data/mnist/t10k-labels-idx1-ubyte.xz"])
. scripts/device-setup.sh
# (at most 8 files come back from $OUT: the GPU's name goes into device.log, the runs' logs into one file)
# first, bit-exactness on this GPU (scripts/gpu-verify.ts): the timings below count only if it passes
timeout 120 $N .dev/bundle/gpu-verify.mjs --configs auto,shared --models models/mnist-mlp-split256.json --images 300 > "$OUT/verify.jsonl" 2>&1
log "gpu-verify exit $?: $(grep -c '"ok":false' "$OUT/verify.jsonl") differing; $(grep -o '"config":"[a-z-]*","summary":true,"ok":[0-9]*,"total":[0-9]*' "$OUT/verify.jsonl" | tr '\n' ' ')"
timeout 200 $N .dev/bundle/crossbar-gpu.mjs 4096 2048 2048 16384 2048 2048 --vgg > "$OUT/crossbar-gpu.jsonl" 2> "$OUT/crossbar-gpu.err"
log "crossbar-gpu exit $?: $(grep -c bitMacPerSec "$OUT/crossbar-gpu.jsonl") records"
# the shipped MNIST models end to end: twice on the GPU, once on the fast CPU path
for run in gpu-1 gpu-2 cpu-1; do
  s=$(date +%s.%N)
  timeout 60 $N .dev/bundle/archsim.mjs --arch arch-configs/tile64.json --model models/mnist-mlp-split256.json \
    --design both --backend ${run%-*} --out $W/report-$run > $W/e2e.log 2>&1
  log "e2e mnist split256 --design both --backend ${run%-*} (run $run): exit $?, $(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}') s"
  { echo "== $run"; cat $W/e2e.log; } >> "$OUT/e2e-mnist.log"
done
# the bit-exact self-check the CLI runs before using a GPU, as archsim doctor reports it
$N .dev/bundle/archsim.mjs doctor 2>/dev/null | grep -E "backend|GPU adapter|self-check" >> "$OUT/device.log"
# seed-width CIFAR-10 VGG (random weights) over 10,000 random CIFAR-shaped images, both designs:
# twice on the GPU, once on the host's CPU path (all its cores)
timeout 60 $N .dev/bundle/synthetic-e2e-inputs.mjs $W/syn 10000 > /dev/null 2>> "$OUT/e2e-mnist.log"
for run in gpu-1 gpu-2 cpu-1; do
  s=$(date +%s.%N)
  timeout 150 $N .dev/bundle/archsim.mjs --arch arch-configs/tile64.json --model $W/syn/cifar10-vgg-split256.json \
    --input $W/syn/cifar10-random.msgpack --design both --backend ${run%-*} --out $W/creport-$run > $W/e2e.log 2>&1
  log "e2e cifar10 seed-width split256 --design both --backend ${run%-*} (run $run), 10000 images: exit $?, $(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}') s"
  { echo "== cifar $run"; cat $W/e2e.log; } >> "$OUT/e2e-mnist.log"
done
# the same host's CPU, idle (targets 1b and 3 off the shared 2-core VMs)
ARCHSIM_ROOT=$PWD timeout 90 $N .dev/bundle/events.mjs --rounds 5 --processes 2 > "$OUT/events.jsonl" 2>&1
log "events exit $?"
timeout 80 $N .dev/bundle/crossbar-cpu.mjs --kernels simd-csa,native,native-one-copy --min-seconds 2 > "$OUT/crossbar-cpu.jsonl" 2>&1 ||
  timeout 40 $N .dev/bundle/crossbar-cpu.mjs --kernels simd-csa --min-seconds 2 >> "$OUT/crossbar-cpu.jsonl" 2>&1
log "crossbar-cpu exit $?"
log "end"
