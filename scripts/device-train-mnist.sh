#!/usr/bin/env bash
# Trains the shipped MNIST models on a lent GPU machine (no Node.js there): the seed MLP baseline,
# then the split models for 512-, 256- and 128-row arrays started from its weights, all with
# tfjs-webgpu on the machine's Vulkan GPU. Epoch counts are fitted to the time available from a
# measured probe and are recorded in each model's training metadata. Outputs go to $OUT.
# Carry: .gl (Vulkan/GL loader .debs), .dev (node.xz, dawn.node.xz, bundle/, data/mnist/*.xz).
set -u
T0=$(date +%s)
el() { echo $(( $(date +%s) - T0 )); }
log() { echo "[$(el)s] $*" | tee -a "$OUT/device.log"; }
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
W=/tmp/w; mkdir -p $W/bin $W/mnist $W/runs $W/models
xz -dc .dev/node.xz > $W/bin/node; chmod +x $W/bin/node
cp -r .dev/bundle $W/; cp .dev/package.json $W/
xz -dc .dev/dawn.node.xz > $W/bundle/node_modules/webgpu/dist/linux-x64/dawn.node
for f in .dev/data/mnist/*.xz; do xz -dc "$f" > $W/mnist/$(basename "$f" .xz); done
export ARCHSIM_MNIST_DIR=$W/mnist CI=1
A="$W/bin/node $W/bundle/archsim.mjs"
cd $W
log "setup done; $(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null)"
# probe: 40 steps of 100 images
$A train --preset mnist-mlp --baseline --backend webgpu --epochs 1 --max-steps 40 --images 100 --checkpoint-dir runs/probe > probe.log 2>&1
RATE=$(grep -o '"imagesPerSecond":[0-9.]*' runs/probe/train.jsonl 2>/dev/null | tail -1 | cut -d: -f2)
log "probe: ${RATE:-?} images/s"; tail -3 probe.log >> "$OUT/device.log"
RATE=${RATE:-2000}
EB=$(awk -v r="$RATE" -v s="${BASE_S:-130}" 'BEGIN{e=int(r*s/60000); if(e>20)e=20; if(e<2)e=2; print e}')
ES=$(awk -v r="$RATE" -v s="${SPLIT_S:-60}" 'BEGIN{e=int(r*s/3/60000); if(e>4)e=4; if(e<1)e=1; print e}')
log "baseline epochs $EB, split epochs $ES"
timeout ${BASE_T:-190} $A train --preset mnist-mlp --baseline --backend webgpu --epochs $EB --seed 1 \
  --checkpoint-dir runs/mnist-baseline --out models/mnist-mlp-baseline.json > base.log 2>&1
log "baseline exit $?"; tail -4 base.log >> "$OUT/device.log"
for R in 512 256 128; do
  timeout ${SPLIT_T:-170} $A train --preset mnist-mlp --array-size $R --backend webgpu --epochs $ES --seed 1 \
    --init-from runs/mnist-baseline \
    --checkpoint-dir runs/mnist-split$R --out models/mnist-mlp-split$R.json > split$R.log 2>&1 &
done
wait
log "splits done"
for R in 512 256 128; do tail -3 split$R.log >> "$OUT/device.log"; done
tar cJf "$OUT/models.tar.xz" models runs/*/train.jsonl *.log 2>/dev/null
ls -la models >> "$OUT/device.log"
log "end"
