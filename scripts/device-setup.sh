# Sourced by the device scripts (scripts/device-gpu-bench.sh, scripts/device-gpu-verify.sh) on a
# lent GPU machine: unpacks the Vulkan/EGL loaders carried in .gl, the node binary and dawn.node
# carried xz-compressed, and the MNIST test set; log(), $W (work folder) and $N (node) come from
# scripts/device-node.sh.
. scripts/device-node.sh
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
mkdir -p $W/mnist
# the bundle stays in the tree: it reads the WGSL sources from ../../shaders
xz -dc .dev/dawn.node.xz > .dev/bundle/node_modules/webgpu/dist/linux-x64/dawn.node
for f in .dev/data/mnist/t10k-*.xz; do xz -dc "$f" > $W/mnist/$(basename "$f" .xz); done
export ARCHSIM_MNIST_DIR=$W/mnist CI=1
# the native CPU kernels built here, when the bundle has them (auto takes them on an AVX-512 VPOPCNTDQ host)
[ -f .dev/bundle/archsim_kernels.node ] && export ARCHSIM_NATIVE_ADDON=$PWD/.dev/bundle/archsim_kernels.node
if [ -z "$(ldconfig -p | grep libvulkan)" ]; then log "no libvulkan after unpacking .gl"; fi
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
log "setup done: $(nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader 2>&1)"
