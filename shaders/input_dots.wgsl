// Input layer, first pass. A workgroup takes p.tv consecutive input vectors (vector = image x
// pre-pool output position); a work item is (32 consecutive neurons, VB consecutive vectors). Raw uint8 pixels (four per u32 word, images back to back) times
// +-1 weights: the exact integer dot over the valid inputs (padding contributes nothing). Each
// vector's receptive field is gathered into 8 bit planes in workgroup memory, so
// sum over +1 weights of x = sum_q 2^q * popcount(plane_q AND weights): 8 popcounts per 32
// inputs, each weight word loaded once for the VB vectors; dot = 2 * that - sum(x). Every
// work item writes its 32 neurons' threshold bits as one word of `pre` per vector
// (binary_dots.wgsl layout with G = 1). Counts the nonzero valid pixels. NUMERICS.md is the contract.

override WG: u32 = 64u;
override VB: u32 = 1u; // vectors per work item, 1..4
const MAXP: u32 = 4096u; // p.tv * 8 * wpr plane words
const MAXV: u32 = 256u; // p.tv

struct Params {
  count: u32, C: u32, H: u32, W: u32,
  k: u32, stride: u32, pad: u32, dense: u32,
  pw: u32, P: u32, K: u32, N: u32,
  wpr: u32, wOff: u32, tOff: u32, imgBytes: u32,
  preWords: u32, statOff: u32, rowWords: u32, tv: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> pixels: array<u32>;
@group(0) @binding(2) var<storage, read> model: array<u32>;
@group(0) @binding(3) var<storage, read_write> pre: array<u32>;
@group(0) @binding(4) var<storage, read_write> stats: array<atomic<u32>>;

var<workgroup> planes: array<u32, MAXP>;
var<workgroup> sumV: array<atomic<u32>, MAXV>;
var<workgroup> nonzero: atomic<u32>;

fn add64(i: u32, v: u32) {
  if (v == 0u) { return; }
  let old = atomicAdd(&stats[i], v);
  if (old > 0xffffffffu - v) { atomicAdd(&stats[i + 1u], 1u); }
}

fn pixel(byteIndex: u32) -> u32 {
  return (pixels[byteIndex >> 2u] >> ((byteIndex & 3u) * 8u)) & 255u;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let total = p.count * p.P;
  let v0 = (wid.y * nwg.x + wid.x) * p.tv;
  if (v0 >= total) { return; }
  for (var v = lid; v < p.tv; v += WG) { atomicStore(&sumV[v], 0u); }
  if (lid == 0u) { atomicStore(&nonzero, 0u); }
  workgroupBarrier();
  let kk = p.k * p.k;
  var nz = 0u;
  for (var j = lid; j < p.tv * p.wpr; j += WG) {
    let vi = j / p.wpr;
    let jw = j % p.wpr;
    let vec = v0 + vi;
    var pl = array<u32, 8>(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
    var sv = 0u;
    if (vec < total) {
      let img = vec / p.P;
      let pos = vec % p.P;
      let oy = pos / p.pw;
      let ox = pos % p.pw;
      let ib = img * p.imgBytes;
      let e0 = jw * 32u;
      let nb = min(32u, p.K - e0);
      for (var b = 0u; b < nb; b++) {
        let e = e0 + b;
        var v = 0u;
        if (p.dense != 0u) {
          v = pixel(ib + e);
        } else {
          let c = e / kk;
          let rem = e % kk;
          let y = i32(oy * p.stride + rem / p.k) - i32(p.pad);
          let x = i32(ox * p.stride + rem % p.k) - i32(p.pad);
          if (y >= 0 && y < i32(p.H) && x >= 0 && x < i32(p.W)) {
            v = pixel(ib + (c * p.H + u32(y)) * p.W + u32(x));
          }
        }
        sv += v;
        nz += select(0u, 1u, v != 0u);
        for (var q = 0u; q < 8u; q++) { pl[q] = pl[q] | (((v >> q) & 1u) << b); }
      }
    }
    for (var q = 0u; q < 8u; q++) { planes[(vi * 8u + q) * p.wpr + jw] = pl[q]; }
    atomicAdd(&sumV[vi], sv);
  }
  atomicAdd(&nonzero, nz);
  workgroupBarrier();
  let items = p.rowWords * (p.tv / VB);
  for (var item = lid; item < items; item += WG) {
    let rw = item % p.rowWords;
    let vb = (item / p.rowWords) * VB; // first vector of the item, relative to v0
    var tot = array<i32, 4>(0i, 0i, 0i, 0i);
    for (var v = 0u; v < VB; v++) { tot[v] = i32(atomicLoad(&sumV[vb + v])); }
    var out = array<u32, 4>(0u, 0u, 0u, 0u);
    let oEnd = min(32u, p.N - rw * 32u);
    for (var i = 0u; i < oEnd; i++) {
      let o = rw * 32u + i;
      let wb = p.wOff + o * p.wpr;
      var pos1 = array<u32, 4>(0u, 0u, 0u, 0u); // sum of pixels where the weight is +1
      for (var w = 0u; w < p.wpr; w++) {
        let bits = model[wb + w]; // bits past K are 0 in the planes
        for (var v = 0u; v < VB; v++) {
          for (var q = 0u; q < 8u; q++) { pos1[v] += countOneBits(planes[((vb + v) * 8u + q) * p.wpr + w] & bits) << q; }
        }
      }
      let t = bitcast<i32>(model[p.tOff + 2u * o]);
      let d = bitcast<i32>(model[p.tOff + 2u * o + 1u]);
      for (var v = 0u; v < VB; v++) {
        let dot = 2i * i32(pos1[v]) - tot[v];
        var bit = u32(t);
        if (d == 1i) { bit = select(0u, 1u, dot >= t); }
        if (d == -1i) { bit = select(0u, 1u, dot <= t); }
        out[v] = out[v] | (bit << i);
      }
    }
    for (var v = 0u; v < VB; v++) {
      let vec = v0 + vb + v;
      if (vec < total) {
        pre[(vec / p.P) * p.preWords + (vec % p.P) * p.rowWords + rw] = out[v];
      }
    }
  }
  workgroupBarrier();
  if (lid == 0u) { add64(p.statOff + 0u, atomicLoad(&nonzero)); }
}
