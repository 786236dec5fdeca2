# Sourced by the device scripts on a lent GPU machine (no Node.js there): log() (timestamped, into
# $OUT/device.log), the work folder $W, and $N, the node binary unpacked from .dev/node.xz.
set -u
T0=$(date +%s)
log() { echo "[$(( $(date +%s) - T0 ))s] $*" | tee -a "$OUT/device.log"; }
W=/tmp/w; mkdir -p $W/bin
xz -dc .dev/node.xz > $W/bin/node; chmod +x $W/bin/node
N="$W/bin/node"
