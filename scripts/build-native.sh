#!/usr/bin/env bash
# Builds the native crossbar kernels (native/kernels.c) into build/native/archsim_kernels.node:
# gcc (Debian: gcc, libc6-dev) and the Node-API headers of the npm package node-api-headers (a
# dev dependency). Optional: without the addon the fast CPU path runs its WebAssembly kernels.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-gcc}
inc=node_modules/node-api-headers/include
if ! command -v "$CC" >/dev/null; then
  echo "build-native: no C compiler '$CC'; install Debian's gcc and libc6-dev (apt-get install gcc libc6-dev)" >&2
  exit 2
fi
if [ ! -f "$inc/node_api.h" ]; then
  echo "build-native: $inc/node_api.h is missing; run npm ci first" >&2
  exit 2
fi
extra=()
# macOS resolves the Node-API symbols from the node binary at load time
[ "$(uname -s)" = Darwin ] && extra+=(-undefined dynamic_lookup)
mkdir -p build/native
tmp=build/native/archsim_kernels.node.tmp
"$CC" -O3 -std=gnu11 -fPIC -shared -fwrapv -fvisibility=hidden -Wall -Wextra -Wno-unused-parameter -Wno-psabi -Werror \
  -I "$inc" native/kernels.c -o "$tmp" -lm "${extra[@]}"
mv "$tmp" build/native/archsim_kernels.node
echo "build-native: build/native/archsim_kernels.node"
