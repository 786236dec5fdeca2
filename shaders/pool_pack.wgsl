// Binary layer (and input layer), second pass: one invocation per output word of an image's
// bit-packed (c, y, x) map. For each of its 32 bits (neuron o, position y, x): per group g the
// max-pooled threshold bit (OR of the window's pre-pool bits for d = +1, AND for d = -1, the
// constant for d = 0), then the majority of the G bits with ties to +1 (2 * ones >= G).
// Counts the +1 outputs into a 64-bit (lo, hi) counter. NUMERICS.md is the contract.

override WG: u32 = 64u;

struct Params {
  count: u32, OC: u32, OH: u32, OW: u32,
  G: u32, pw: u32, size: u32, stride: u32,
  hasPool: u32, preWords: u32, outWords: u32, tOff: u32,
  statOff: u32, rowWords: u32, mapBits: u32, _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pre: array<u32>;
@group(0) @binding(2) var<storage, read> model: array<u32>;
@group(0) @binding(3) var<storage, read_write> outMap: array<u32>;
@group(0) @binding(4) var<storage, read_write> stats: array<atomic<u32>>;

var<workgroup> ones: atomic<u32>;

fn add64(i: u32, v: u32) {
  if (v == 0u) { return; }
  let old = atomicAdd(&stats[i], v);
  if (old > 0xffffffffu - v) { atomicAdd(&stats[i + 1u], 1u); }
}

// threshold bit of row r at pre-pool position pos (binary_dots.wgsl layout)
fn preBit(base: u32, pos: u32, r: u32) -> u32 {
  return (pre[base + pos * p.rowWords + (r >> 5u)] >> (r & 31u)) & 1u;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { atomicStore(&ones, 0u); }
  workgroupBarrier();
  let gi = (wid.y * nwg.x + wid.x) * WG + lid;
  let img = gi / p.outWords;
  if (img < p.count) {
    let word = gi % p.outWords;
    let base = img * p.preWords;
    let OP = p.OH * p.OW;
    var out = 0u;
    let b0 = word * 32u;
    let nb = min(32u, p.mapBits - b0);
    for (var b = 0u; b < nb; b++) {
      let i = b0 + b;
      let o = i / OP;
      let q = i % OP;
      let y = q / p.OW;
      let x = q % p.OW;
      var cnt = 0u;
      for (var g = 0u; g < p.G; g++) {
        let r = o * p.G + g;
        let d = bitcast<i32>(model[p.tOff + 2u * r + 1u]);
        var acc = 0u;
        if (p.hasPool == 0u) {
          acc = preBit(base, q, r);
        } else {
          acc = select(0u, 1u, d == -1i);
          for (var dy = 0u; dy < p.size; dy++) {
            for (var dx = 0u; dx < p.size; dx++) {
              let pp = (y * p.stride + dy) * p.pw + (x * p.stride + dx);
              let v = preBit(base, pp, r);
              if (d == -1i) { acc = acc & v; } else { acc = acc | v; }
            }
          }
        }
        cnt += acc;
      }
      if (2u * cnt >= p.G) { out = out | (1u << b); }
    }
    outMap[img * p.outWords + word] = out;
    atomicAdd(&ones, countOneBits(out));
  }
  workgroupBarrier();
  if (lid == 0u) { add64(p.statOff + 6u, atomicLoad(&ones)); }
}
