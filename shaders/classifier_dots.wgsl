// Classifier: one workgroup per image. The image's bit-packed map (K bits) goes to workgroup
// memory; each invocation takes classes: m = popcount(XNOR) over the K inputs, dot = 2m - K.
// The float64 scores and the argmax run on the CPU (NUMERICS.md). Counts +1 inputs and matches.

override WG: u32 = 64u;
const MAXW: u32 = 4096u;

struct Params {
  count: u32, K: u32, wpr: u32, classes: u32,
  inWords: u32, wOff: u32, statOff: u32, _p0: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> inMap: array<u32>;
@group(0) @binding(2) var<storage, read> model: array<u32>;
@group(0) @binding(3) var<storage, read_write> dots: array<i32>;
@group(0) @binding(4) var<storage, read_write> stats: array<atomic<u32>>;

var<workgroup> xw: array<u32, MAXW>;
var<workgroup> sumOnes: atomic<u32>;
var<workgroup> sumMatch: atomic<u32>;

fn add64(i: u32, v: u32) {
  if (v == 0u) { return; }
  let old = atomicAdd(&stats[i], v);
  if (old > 0xffffffffu - v) { atomicAdd(&stats[i + 1u], 1u); }
}

fn tailMask(w: u32) -> u32 {
  let nb = min(32u, p.K - w * 32u);
  return select((1u << nb) - 1u, 0xffffffffu, nb == 32u);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let img = wid.y * nwg.x + wid.x;
  if (img >= p.count) { return; }
  if (lid == 0u) { atomicStore(&sumOnes, 0u); atomicStore(&sumMatch, 0u); }
  workgroupBarrier();
  var onesIn = 0u;
  for (var w = lid; w < p.wpr; w += WG) {
    let x = inMap[img * p.inWords + w] & tailMask(w);
    xw[w] = x;
    onesIn += countOneBits(x);
  }
  atomicAdd(&sumOnes, onesIn);
  workgroupBarrier();
  var matches = 0u;
  for (var c = lid; c < p.classes; c += WG) {
    var m = 0u;
    let wb = p.wOff + c * p.wpr;
    for (var w = 0u; w < p.wpr; w++) {
      m += countOneBits(~(xw[w] ^ model[wb + w]) & tailMask(w));
    }
    matches += m;
    dots[img * p.classes + c] = 2i * i32(m) - i32(p.K);
  }
  atomicAdd(&sumMatch, matches);
  workgroupBarrier();
  if (lid == 0u) {
    add64(p.statOff + 0u, atomicLoad(&sumOnes));
    add64(p.statOff + 2u, atomicLoad(&sumMatch));
  }
}
