#!/usr/bin/env bash
# Builds a self-contained bundle of the archsim CLI for a machine without Node.js or npm (the
# lent GPU machines): .dev/bundle/archsim.mjs, the GPU crossbar benchmark .dev/bundle/crossbar-gpu.mjs
# (bench/crossbar-gpu.ts: the WGSL kernels and the engine's binary-layer path), plus a minimal
# node_modules/webgpu beside them, the CPU benchmarks (crossbar-cpu.mjs, events.mjs) and the worker
# threads' entry (worker-boot.mjs, from scripts/bundle-worker.ts: the fast CPU path's and the
# sweep's workers). Shaders are read from shaders/ of the working tree (../../shaders from the
# bundle), which travels with it. The native addon, when built here (npm run build:native; it
# needs only glibc 2.2.5 symbols), is copied beside them: set ARCHSIM_NATIVE_ADDON to it there.
# The node binary and dawn.node travel xz-compressed (.dev/node.xz, .dev/dawn.node.xz).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.dev/bundle
rm -rf "$out"; mkdir -p "$out/node_modules/webgpu/dist/linux-x64"
npx esbuild src/cli/bin.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$out/archsim.mjs" --external:webgpu --external:msgpackr-extract --external:canvas \
  --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
  --log-level=warning
for entry in bench/crossbar-gpu.ts bench/crossbar-cpu.ts bench/events.ts scripts/gpu-verify.ts scripts/synthetic-e2e-inputs.ts scripts/bundle-worker.ts; do
  name=$(basename "$entry" .ts); [ "$name" = bundle-worker ] && name=worker-boot
  npx esbuild "$entry" --bundle --platform=node --format=esm --target=node20 \
    --outfile="$out/$name.mjs" --external:webgpu \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    --log-level=warning
done
[ -f build/native/archsim_kernels.node ] && cp build/native/archsim_kernels.node "$out/"
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$out/node_modules/webgpu/"
cp package.json .dev/package.json  # src/version.ts reads ../package.json relative to the bundle
[ -f .dev/node.xz ] || xz -T2 -6 -c "$(command -v node)" > .dev/node.xz
[ -f .dev/dawn.node.xz ] || xz -T2 -9 -c node_modules/webgpu/dist/linux-x64/dawn.node > .dev/dawn.node.xz
du -sh "$out" .dev/node.xz .dev/dawn.node.xz
