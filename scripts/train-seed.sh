#!/usr/bin/env bash
# The training sequence of issue 3 for one network and dataset: the baseline first, then each
# split model reconstructed from the baseline checkpoint and retrained briefly (JOBS at a time:
# the wasm backend is single-threaded, so one process per core). Checkpoints and logs under runs/
# (git-ignored); exported models in models/. Safe to rerun: a finished step (its model file
# exists) is skipped, an interrupted one resumes from its last completed epoch; to train a step
# longer, delete its model file and raise its epochs (the exponential LR schedule of the remaining
# epochs follows the new total). The LR decays exponentially per epoch from LR to LR/100.
#
#   PRESET=mnist-mlp|cifar-vgg-small|cifar-vgg  DATASET=mnist|fashion-mnist|cifar10 (default: the preset's)
#   BACKEND=wasm|webgpu|cpu (default wasm: XNNPACK, the fastest on a CPU-only machine)
#   SEED=1  SIZES="512 256 128"  JOBS=2
#   BASE_EPOCHS BASE_BATCH BASE_LR BASE_ARGS    (baseline; BASE_ARGS e.g. "--dropout-in 0.1 --dropout-hidden 0.25")
#   SPLIT_EPOCHS SPLIT_BATCH SPLIT_LR SPLIT_ARGS (split retraining from the baseline)
# Defaults per preset: MLP 12 epochs, batch 200, LR 3e-3, dropout 0.1/0.25; splits 2 epochs,
# batch 200, LR 3e-4, same dropout. Reduced VGG: 15 epochs, batch 100, LR 3e-3; splits 5 epochs, LR 3e-3;
# both with precise batch norm (--bn-stats 10000: population statistics from 10,000 training images).
set -euo pipefail
cd "$(dirname "$0")/.."
PRESET=${PRESET:-mnist-mlp}
case "$PRESET" in
  mnist-mlp)
    DATASET=${DATASET:-mnist}
    d_be=12 d_bb=200 d_blr=3e-3 d_se=2 d_sb=200 d_slr=3e-4 d_args="--dropout-in 0.1 --dropout-hidden 0.25" ;;
  cifar-vgg-small|cifar-vgg)
    DATASET=${DATASET:-cifar10}
    d_be=15 d_bb=100 d_blr=3e-3 d_se=5 d_sb=100 d_slr=3e-3 d_args="--bn-stats 10000" ;;
  *) echo "PRESET: mnist-mlp, cifar-vgg-small or cifar-vgg, found '$PRESET'" >&2; exit 2 ;;
esac
BACKEND=${BACKEND:-wasm}
SEED=${SEED:-1}
SIZES=${SIZES:-512 256 128}
JOBS=${JOBS:-2}
BASE_EPOCHS=${BASE_EPOCHS:-$d_be}
BASE_BATCH=${BASE_BATCH:-$d_bb}
BASE_LR=${BASE_LR:-$d_blr}
BASE_ARGS=${BASE_ARGS-$d_args}
SPLIT_EPOCHS=${SPLIT_EPOCHS:-$d_se}
SPLIT_BATCH=${SPLIT_BATCH:-$d_sb}
SPLIT_LR=${SPLIT_LR:-$d_slr}
SPLIT_ARGS=${SPLIT_ARGS-$d_args}
TRAIN="node --import tsx src/train/main.ts train"
tag=$PRESET; [ "$DATASET" = mnist ] || [ "$DATASET" = cifar10 ] || tag="$PRESET-$DATASET"
export CI=${CI:-1} # plain progress lines (logs)

step() { # dir out epochs args...
  local dir=$1 out=$2 epochs=$3; shift 3
  if [ -f "$out" ]; then echo "skip: $out exists"; return; fi
  if [ -f "$dir/checkpoint.json" ]; then $TRAIN --resume "$dir" --epochs "$epochs" --out "$out"
  else $TRAIN --checkpoint-dir "$dir" --out "$out" --epochs "$epochs" "$@"; fi
}
# shellcheck disable=SC2086 # BASE_ARGS / SPLIT_ARGS are word lists
step "runs/$tag-baseline" "models/$tag-baseline.json" "$BASE_EPOCHS" --preset "$PRESET" --dataset "$DATASET" --baseline \
  --batch-size "$BASE_BATCH" --lr "$BASE_LR" --seed "$SEED" --backend "$BACKEND" $BASE_ARGS 2>&1 | tee -a "runs/$tag-baseline.log"
[ -f "models/$tag-baseline.json" ] || { echo "baseline not exported; not starting the split models" >&2; exit 1; }
running=0
for A in $SIZES; do
  # shellcheck disable=SC2086
  step "runs/$tag-split$A" "models/$tag-split$A.json" "$SPLIT_EPOCHS" --preset "$PRESET" --dataset "$DATASET" --array-size "$A" \
    --init-from "runs/$tag-baseline" --baseline-model "models/$tag-baseline.json" \
    --batch-size "$SPLIT_BATCH" --lr "$SPLIT_LR" --seed "$SEED" --backend "$BACKEND" $SPLIT_ARGS >> "runs/$tag-split$A.log" 2>&1 &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
done
wait
ls -l models/$tag-*.json
