#!/usr/bin/env bash
# The MNIST (and Fashion-MNIST) training sequence of issue 3: the baseline first, then each split
# model reconstructed from the baseline checkpoint and retrained briefly (in parallel, JOBS at a
# time: the wasm backend is single-threaded, so one process per core). Checkpoints and logs under
# runs/ (git-ignored); exported models in models/. Safe to rerun: a finished step (its model file
# exists) is skipped, an interrupted one resumes from its last completed epoch; to train a step
# longer, delete its model file and raise its epochs (the exponential LR schedule of the remaining
# epochs follows the new total).
#   BACKEND=wasm|webgpu|cpu (default wasm: XNNPACK, the fastest on a CPU-only machine)
#   SEED=1  DATASET=mnist|fashion-mnist  SIZES="512 256 128"  JOBS=2
#   BASE_EPOCHS=6 BASE_BATCH=500 BASE_LR=5e-3      (baseline; LR decays exponentially to LR/100)
#   SPLIT_EPOCHS=1 SPLIT_BATCH=100 SPLIT_LR=3e-4   (split retraining from the baseline)
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND=${BACKEND:-wasm}
SEED=${SEED:-1}
DATASET=${DATASET:-mnist}
SIZES=${SIZES:-512 256 128}
JOBS=${JOBS:-2}
BASE_EPOCHS=${BASE_EPOCHS:-6}
BASE_BATCH=${BASE_BATCH:-500}
BASE_LR=${BASE_LR:-5e-3}
SPLIT_EPOCHS=${SPLIT_EPOCHS:-1}
SPLIT_BATCH=${SPLIT_BATCH:-100}
SPLIT_LR=${SPLIT_LR:-3e-4}
TRAIN="node --import tsx src/train/main.ts train"
tag=mnist-mlp; [ "$DATASET" = mnist ] || tag="mnist-mlp-$DATASET"
export CI=${CI:-1} # plain progress lines (logs)

step() { # dir out epochs args...
  local dir=$1 out=$2 epochs=$3; shift 3
  if [ -f "$out" ]; then echo "skip: $out exists"; return; fi
  if [ -f "$dir/checkpoint.json" ]; then $TRAIN --resume "$dir" --epochs "$epochs" --out "$out"
  else $TRAIN --checkpoint-dir "$dir" --out "$out" --epochs "$epochs" "$@"; fi
}
step "runs/$tag-baseline" "models/$tag-baseline.json" "$BASE_EPOCHS" --preset mnist-mlp --dataset "$DATASET" --baseline \
  --batch-size "$BASE_BATCH" --lr "$BASE_LR" --seed "$SEED" --backend "$BACKEND" 2>&1 | tee -a "runs/$tag-baseline.log"
[ -f "models/$tag-baseline.json" ] || { echo "baseline not exported; not starting the split models" >&2; exit 1; }
running=0
for A in $SIZES; do
  step "runs/$tag-split$A" "models/$tag-split$A.json" "$SPLIT_EPOCHS" --preset mnist-mlp --dataset "$DATASET" --array-size "$A" \
    --init-from "runs/$tag-baseline" --baseline-model "models/$tag-baseline.json" \
    --batch-size "$SPLIT_BATCH" --lr "$SPLIT_LR" --seed "$SEED" --backend "$BACKEND" >> "runs/$tag-split$A.log" 2>&1 &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
ls -l models/$tag-*.json
