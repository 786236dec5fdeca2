#!/usr/bin/env bash
# Issue 6, target 2 on a lent GPU machine (no Node.js there): the WGSL kernels and the engine's
# binary-layer path (bench/crossbar-gpu.ts: dense 4096 x 2048 x 2048 and 16384 x 2048 x 2048,
# sense and ADC read-outs, the seed VGG's second conv layer) on the machine's Vulkan GPU, then the
# shipped MNIST models end to end with --backend gpu (functional pass on the GPU, both designs).
# Outputs (JSON lines, the GPU's name, logs) go to $OUT.
#
# Here, first: bash scripts/device-bundle.sh (and the .gl loader debs, see the device README).
# Then one device run (about 3-5 minutes of GPU time):
#   run(command: "bash scripts/device-gpu-bench.sh", timeout_s: 420,
#       carry: [".gl", ".dev/node.xz", ".dev/dawn.node.xz", ".dev/bundle", ".dev/package.json",
#               ".dev/data/mnist/t10k-images-idx3-ubyte.xz", ".dev/data/mnist/t10k-labels-idx1-ubyte.xz"])
set -u
T0=$(date +%s)
log() { echo "[$(( $(date +%s) - T0 ))s] $*" | tee -a "$OUT/device.log"; }
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
W=/tmp/w; mkdir -p $W/bin $W/mnist
xz -dc .dev/node.xz > $W/bin/node; chmod +x $W/bin/node
# the bundle stays in the tree: it reads the WGSL sources from ../../shaders
xz -dc .dev/dawn.node.xz > .dev/bundle/node_modules/webgpu/dist/linux-x64/dawn.node
for f in .dev/data/mnist/t10k-*.xz; do xz -dc "$f" > $W/mnist/$(basename "$f" .xz); done
export ARCHSIM_MNIST_DIR=$W/mnist CI=1
if [ -z "$(ldconfig -p | grep libvulkan)" ]; then log "no libvulkan after unpacking .gl"; fi
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.sm --format=csv > "$OUT/gpu.csv" 2>&1
log "setup done: $(tail -1 "$OUT/gpu.csv")"
N="$W/bin/node"
timeout 240 $N .dev/bundle/crossbar-gpu.mjs 4096 2048 2048 16384 2048 2048 --vgg > "$OUT/crossbar-gpu.jsonl" 2> "$OUT/crossbar-gpu.err"
log "crossbar-gpu exit $?: $(grep -c bitMacPerSec "$OUT/crossbar-gpu.jsonl") records"
# (the bundle runs the GPU path only: the CPU engine's and the sweep's worker threads start from
# worker-boot.mjs files beside their sources, which a single-file bundle does not have)
for run in 1 2; do
  s=$(date +%s.%N)
  timeout 120 $N .dev/bundle/archsim.mjs --arch arch-configs/tile64.json --model models/mnist-mlp-split256.json \
    --design both --backend gpu --out $W/report-gpu-$run > "$OUT/e2e-mnist-gpu-$run.log" 2>&1
  log "e2e mnist split256 --design both --backend gpu, run $run: exit $?, $(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}') s"
done
ls $W/report-gpu-1 >> "$OUT/device.log" 2>&1
log "end"
