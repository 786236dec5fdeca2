#!/usr/bin/env bash
# The MNIST (and Fashion-MNIST) training sequence of issue 3: the baseline first, then each split
# model reconstructed from the baseline checkpoint and retrained briefly. Checkpoints and logs
# under runs/ (git-ignored); exported models in models/. Safe to rerun: a finished step is skipped,
# an interrupted one resumes from its last completed epoch.
#   BACKEND=webgpu|cpu (default webgpu)  SEED=1  DATASET=mnist|fashion-mnist  SIZES="512 256 128"
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND=${BACKEND:-webgpu}
SEED=${SEED:-1}
DATASET=${DATASET:-mnist}
SIZES=${SIZES:-512 256 128}
BASE_EPOCHS=${BASE_EPOCHS:-15}
TRAIN="node --import tsx src/train/main.ts train"
tag=mnist-mlp; [ "$DATASET" = mnist ] || tag="mnist-mlp-$DATASET"

step() { # dir out args...
  local dir=$1 out=$2; shift 2
  if [ -f "$out" ]; then echo "skip: $out exists"; return; fi
  if [ -f "$dir/checkpoint.json" ]; then $TRAIN --resume "$dir" --out "$out" "$@"; else $TRAIN --checkpoint-dir "$dir" --out "$out" "$@"; fi
}
step "runs/$tag-baseline" "models/$tag-baseline.json" --preset mnist-mlp --dataset "$DATASET" --baseline --epochs "$BASE_EPOCHS" --seed "$SEED" --backend "$BACKEND"
for A in $SIZES; do
  step "runs/$tag-split$A" "models/$tag-split$A.json" --preset mnist-mlp --dataset "$DATASET" --array-size "$A" --init-from "runs/$tag-baseline" --baseline-model "models/$tag-baseline.json" --seed "$SEED" --backend "$BACKEND"
done
