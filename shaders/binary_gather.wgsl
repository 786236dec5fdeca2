// Binary layer, blocked path, first pass: implicit im2col into a packed buffer. One invocation per
// (vector, field word), vector = image x pre-pool output position of the chunk. Field word jj of a
// vector is word jj % (4*wp4) of group jj / (4*wp4)'s slice of the receptive field (flattened
// (c, kh, kw)); each group's slice is padded to wp4 = ceil(wpr/4) vec4s, and the bits past its `per`
// inputs are 0 (wp4 is the uniform's _p1). Layout of `field` (fw = G*4*wp4 words per vector):
//   [0, P*fw)                 validity per position (1 = a real input, 0 = padding or past `per`);
//                             depends only on the position, written by the chunk's first image
//   [P*fw + vec*fw, ... + fw) input bits of vector vec, 0 wherever the validity bit is 0
// binary_reg.wgsl then runs the register-blocked product on it. Counts active inputs (+1 inputs on
// valid rows) into the layer's 64-bit (lo, hi) counter. Same uniform block as binary_dots.wgsl;
// NUMERICS.md is the contract.

override WG: u32 = 64u;

// #include "lib/binary_params.wgsl"

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> inMap: array<u32>;
@group(0) @binding(2) var<storage, read_write> field: array<u32>;
@group(0) @binding(3) var<storage, read_write> stats: array<atomic<u32>>;

var<workgroup> wsum: array<atomic<u32>, 2>;

// #include "lib/counters.wgsl"
// #include "lib/field.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  if (lid < 2u) { atomicStore(&wsum[lid], 0u); }
  workgroupBarrier();
  let ws = 4u * p._p1; // words per group slice
  let fw = p.G * ws;
  let total = p.count * p.P;
  let j = (wid.y * nwg.x + wid.x) * WG + lid;
  if (j < total * fw) {
    let vec = j / fw;
    let jj = j % fw;
    let img = vec / p.P;
    let pos = vec % p.P;
    let oy = pos / p.pw;
    let ox = pos % p.pw;
    let ib = img * p.inWords;
    let g = jj / ws;
    let jw = jj % ws;
    let e0 = g * p.per + jw * 32u;
    let nb = select(0u, min(32u, p.per - jw * 32u), jw < p.wpr);
    var bits = 0u;
    var valid = 0u;
    if (nb == 0u) {
      // padding words of the slice
    } else {
      let fv = fieldWord(ib, e0, nb, oy, ox);
      bits = fv.x;
      valid = fv.y;
    }
    field[p.P * fw + j] = bits;
    if (img == 0u) { field[pos * fw + jj] = valid; }
    addWg(0u, countOneBits(bits));
  }
  workgroupBarrier();
  if (lid == 0u) { add64(p.statOff, atomicLoad(&wsum[0]), atomicLoad(&wsum[1])); }
}
