#!/usr/bin/env bash
# Bit-exactness of the WGSL path on a lent GPU machine (scripts/gpu-verify.ts, bundled): every
# shared backend case and the shipped MNIST model against the reference engine, under four engine
# configurations; where something differs, again under Dawn toggles that change code generation
# or robustness, to tell a driver or compiler difference from an archsim bug.
# Here, first: bash scripts/device-bundle.sh. Then one run (1-3 minutes of device time):
#   run(command: "bash scripts/device-gpu-verify.sh", timeout_s: 300,
#       carry: [".gl", ".dev/node.xz", ".dev/dawn.node.xz", ".dev/bundle", ".dev/package.json",
#               ".dev/data/mnist/t10k-images-idx3-ubyte.xz", ".dev/data/mnist/t10k-labels-idx1-ubyte.xz"])
. scripts/device-setup.sh
V() { timeout "$1" $N .dev/bundle/gpu-verify.mjs "${@:2}"; }
V 150 --models models/mnist-mlp-split256.json --images 500 > "$OUT/verify.jsonl" 2> "$OUT/verify.err"
rc=$?
log "gpu-verify exit $rc: $(grep -c '"ok":false' "$OUT/verify.jsonl") differing, $(grep -c '"error"' "$OUT/verify.jsonl") errors"
if [ $rc -ne 0 ]; then
  for t in enable-dawn-features=disable_robustness enable-dawn-features=disable_workgroup_init \
           disable-dawn-features=vulkan_use_zero_initialize_workgroup_memory_extension \
           enable-dawn-features=use_vulkan_memory_model disable-dawn-features=use_vulkan_memory_model \
           enable-dawn-features=disable_polyfills_on_integer_div_and_mod; do
    ARCHSIM_DAWN_OPTIONS="$t" V 60 --configs auto,shared --models models/mnist-mlp-split256.json --images 200 > $W/t.jsonl 2>> "$OUT/verify.err"
    log "toggle $t: exit $?: $(grep -c '"ok":false' $W/t.jsonl) differing"
    { echo "== $t"; grep -v '"limits"' $W/t.jsonl; } >> "$OUT/verify-toggles.jsonl"
  done
fi
log "end"
