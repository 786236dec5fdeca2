// Binary layer, first pass. A workgroup takes p.tv consecutive input vectors (vector = image x
// pre-pool output position). It gathers each vector's receptive field by implicit im2col from the
// bit-packed (c, y, x) input map into workgroup memory (bits and validity, per group,
// word-aligned). Then each work item, (32 consecutive weight rows, VB consecutive vectors), goes
// to one invocation: for each row (neuron o, group g: row o*G + g) it loads each weight word once
// and XNORs it with the VB vectors: per ADC row block the popcount over valid inputs, the ADC
// model (or the exact dot for a sense read-out), the threshold bit. The host picks p.tv so that
// there are at least WG work items when workgroup memory allows (layers with few neurons, such as
// convs, take many positions per workgroup). The 32 bits of each vector form one word of `pre`: vector (img, pos) owns
// words [img*preWords + pos*rowWords, ... + rowWords), so no atomics and no clearing are needed.
// Activity counts: per-invocation u32 sums, added into 64-bit (lo, hi) counters with an exact
// carry (workgroup, then global). NUMERICS.md is the contract.

override WG: u32 = 64u;
override VB: u32 = 1u; // vectors per work item, 1..4
const MAXW: u32 = 3072u; // p.tv * G * wpr field words (bits and validity each)

// #include "lib/binary_params.wgsl"

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> inMap: array<u32>;
@group(0) @binding(2) var<storage, read> model: array<u32>;
@group(0) @binding(3) var<storage, read_write> pre: array<u32>;
@group(0) @binding(4) var<storage, read_write> stats: array<atomic<u32>>;

var<workgroup> xw: array<u32, MAXW>;
var<workgroup> vw: array<u32, MAXW>;
var<workgroup> wsum: array<atomic<u32>, 6>; // (lo, hi) of active inputs, matches, saturations

// #include "lib/counters.wgsl"
// #include "lib/field.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let total = p.count * p.P;
  let v0 = (wid.y * nwg.x + wid.x) * p.tv;
  if (v0 >= total) { return; }
  if (lid < 6u) { atomicStore(&wsum[lid], 0u); }
  let fw = p.G * p.wpr;
  var nActive = 0u;
  for (var j = lid; j < p.tv * fw; j += WG) {
    let vi = j / fw;
    let jj = j % fw;
    let vec = v0 + vi;
    var bits = 0u;
    var valid = 0u;
    if (vec < total) {
      let img = vec / p.P;
      let pos = vec % p.P;
      let oy = pos / p.pw;
      let ox = pos % p.pw;
      let ib = img * p.inWords;
      let g = jj / p.wpr;
      let jw = jj % p.wpr;
      let e0 = g * p.per + jw * 32u;
      let nb = min(32u, p.per - jw * 32u);
      let fv = fieldWord(ib, e0, nb, oy, ox);
      bits = fv.x;
      valid = fv.y;
    }
    xw[j] = bits;
    vw[j] = valid;
    nActive += countOneBits(bits & valid);
  }
  workgroupBarrier();
  addWg(0u, nActive);

  let NG = p.N * p.G;
  let items = p.rowWords * (p.tv / VB);
  for (var item = lid; item < items; item += WG) {
    let rw = item % p.rowWords;
    let vb = (item / p.rowWords) * VB; // first vector of the item, relative to v0
    var matches = 0u;
    var sats = 0u;
    var out = array<u32, 4>(0u, 0u, 0u, 0u);
    let rEnd = min(32u, NG - rw * 32u);
    for (var i = 0u; i < rEnd; i++) {
      let r = rw * 32u + i;
      let g = r % p.G;
      let wb = p.wOff + r * p.wpr;
      let xb = g * p.wpr;
      var dot = array<i32, 4>(0i, 0i, 0i, 0i);
      var lo = 0u;
      loop {
        if (lo >= p.per) { break; }
        let hi = min(lo + p.R, p.per);
        var m = array<u32, 4>(0u, 0u, 0u, 0u);
        var n = array<u32, 4>(0u, 0u, 0u, 0u);
        let wEnd = (hi - 1u) >> 5u;
        for (var w = lo >> 5u; w <= wEnd; w++) {
          let wword = model[wb + w];
          let bm = rangeMask(w, lo, hi);
          for (var v = 0u; v < VB; v++) {
            let a = (vb + v) * fw + xb + w;
            let mask = bm & vw[a];
            m[v] += countOneBits(~(xw[a] ^ wword) & mask);
            n[v] += countOneBits(mask);
          }
        }
        for (var v = 0u; v < VB; v++) {
          matches += m[v];
          if (p.adc != 0u) {
            let q = min((2u * m[v] + p.s) / (2u * p.s), p.L - 1u);
            if (m[v] > (p.L - 1u) * p.s) { sats += 1u; }
            dot[v] += i32(2u * q * p.s) - i32(n[v]);
          } else {
            dot[v] += i32(2u * m[v]) - i32(n[v]);
          }
        }
        lo = hi;
      }
      let t = bitcast<i32>(model[p.tOff + 2u * r]);
      let d = bitcast<i32>(model[p.tOff + 2u * r + 1u]);
      for (var v = 0u; v < VB; v++) {
        var bit = u32(t);
        if (d == 1i) { bit = select(0u, 1u, dot[v] >= t); }
        if (d == -1i) { bit = select(0u, 1u, dot[v] <= t); }
        out[v] = out[v] | (bit << i);
      }
    }
    for (var v = 0u; v < VB; v++) {
      let vec = v0 + vb + v;
      if (vec < total) {
        pre[(vec / p.P) * p.preWords + (vec % p.P) * p.rowWords + rw] = out[v];
      }
    }
    addWg(2u, matches);
    addWg(4u, sats);
  }
  workgroupBarrier();
  if (lid == 0u) {
    for (var c = 0u; c < 3u; c++) {
      add64(p.statOff + 2u * c, atomicLoad(&wsum[2u * c]), atomicLoad(&wsum[2u * c + 1u]));
    }
  }
}
