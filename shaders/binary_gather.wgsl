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

struct Params {
  count: u32, C: u32, H: u32, W: u32,
  k: u32, stride: u32, pad: u32, dense: u32,
  pw: u32, P: u32, K: u32, G: u32,
  per: u32, wpr: u32, N: u32, R: u32,
  adc: u32, L: u32, s: u32, inWords: u32,
  wOff: u32, tOff: u32, preWords: u32, statOff: u32,
  rowWords: u32, tv: u32, _p1: u32, _p2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> inMap: array<u32>;
@group(0) @binding(2) var<storage, read_write> field: array<u32>;
@group(0) @binding(3) var<storage, read_write> stats: array<atomic<u32>>;

var<workgroup> wsum: array<atomic<u32>, 2>;

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
    let nmask = select((1u << nb) - 1u, 0xffffffffu, nb == 32u);
    var bits = 0u;
    var valid = 0u;
    if (nb == 0u) {
      // padding words of the slice
    } else if (p.dense != 0u) {
      let a = e0 >> 5u;
      let sh = e0 & 31u;
      bits = inMap[ib + a] >> sh;
      if (sh != 0u && a + 1u < p.inWords) { bits = bits | (inMap[ib + a + 1u] << (32u - sh)); }
      bits = bits & nmask;
      valid = nmask;
    } else {
      // runs: for fixed (c, kh) the kw elements are consecutive x in one map row, so each run of
      // up to k field bits is one or two word reads, clipped to the map's x range
      let kk = p.k * p.k;
      var c = e0 / kk;
      let rem = e0 % kk;
      var kh = rem / p.k;
      var kw = rem % p.k;
      var b = 0u;
      loop {
        if (b >= nb) { break; }
        let len = min(p.k - kw, nb - b);
        let y = i32(oy * p.stride + kh) - i32(p.pad);
        let x0 = i32(ox * p.stride + kw) - i32(p.pad);
        let xs = max(x0, 0i);
        let xe = min(x0 + i32(len), i32(p.W));
        if (y >= 0 && y < i32(p.H) && xe > xs) {
          let cnt = u32(xe - xs);
          let at = b + u32(xs - x0);
          let idx = (c * p.H + u32(y)) * p.W + u32(xs);
          let a = ib + (idx >> 5u);
          let sh = idx & 31u;
          var v = inMap[a] >> sh;
          if (sh + cnt > 32u) { v = v | (inMap[a + 1u] << (32u - sh)); }
          let m = select((1u << cnt) - 1u, 0xffffffffu, cnt == 32u);
          bits = bits | ((v & m) << at);
          valid = valid | (m << at);
        }
        b += len;
        kw += len;
        if (kw == p.k) { kw = 0u; kh += 1u; if (kh == p.k) { kh = 0u; c += 1u; } }
      }
    }
    field[p.P * fw + j] = bits;
    if (img == 0u) { field[pos * fw + jj] = valid; }
    let act = countOneBits(bits);
    if (act != 0u) {
      let old = atomicAdd(&wsum[0], act);
      if (old > 0xffffffffu - act) { atomicAdd(&wsum[1], 1u); }
    }
  }
  workgroupBarrier();
  if (lid == 0u) {
    let lo = atomicLoad(&wsum[0]);
    let hi = atomicLoad(&wsum[1]);
    if (lo != 0u) {
      let old = atomicAdd(&stats[p.statOff], lo);
      if (old > 0xffffffffu - lo) { atomicAdd(&stats[p.statOff + 1u], 1u); }
    }
    if (hi != 0u) { atomicAdd(&stats[p.statOff + 1u], hi); }
  }
}
