// Dense binary crossbar, tiled: a workgroup of TX x TY invocations computes a tile of
// (TY*4 images) x (TX*4 neurons); each invocation holds a 4 x 4 block of accumulators. The input
// and weight tiles pass through workgroup memory KT words of K at a time, so every word loaded
// feeds 4 XNOR-popcounts from registers. m = popcount(XNOR) over K inputs (pad: see dense_naive).

override TX: u32 = 8u;
override TY: u32 = 8u;
const KT: u32 = 32u;
const TILE: u32 = 32u; // = TX*4 = TY*4 at the default workgroup shape (checked by the host)

struct Params { B: u32, N: u32, words: u32, pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> w: array<u32>;
@group(0) @binding(3) var<storage, read_write> m: array<u32>;

var<workgroup> xs: array<u32, 1024>; // TILE * KT
var<workgroup> ws: array<u32, 1024>;

@compute @workgroup_size(TX, TY)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid3: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let n0 = wid.x * TILE;
  let b0 = wid.y * TILE;
  let tx = lid3.x;
  let ty = lid3.y;
  var acc: array<vec4<u32>, 4>;
  for (var i = 0u; i < 4u; i++) { acc[i] = vec4<u32>(0u); }
  for (var k0 = 0u; k0 < p.words; k0 += KT) {
    // cooperative load: TILE rows x KT words of each operand, zero outside the matrices
    for (var e = lid; e < TILE * KT; e += TX * TY) {
      let r = e / KT;
      let c = e % KT;
      let k = k0 + c;
      var xv = 0u;
      var wv = 0u;
      if (k < p.words) {
        if (b0 + r < p.B) { xv = x[(b0 + r) * p.words + k]; }
        if (n0 + r < p.N) { wv = w[(n0 + r) * p.words + k]; }
      }
      xs[e] = xv;
      ws[e] = wv;
    }
    workgroupBarrier();
    let kn = min(KT, p.words - k0);
    for (var c = 0u; c < kn; c++) {
      let wv = vec4<u32>(ws[(tx * 4u) * KT + c], ws[(tx * 4u + 1u) * KT + c], ws[(tx * 4u + 2u) * KT + c], ws[(tx * 4u + 3u) * KT + c]);
      for (var i = 0u; i < 4u; i++) {
        let xv = xs[(ty * 4u + i) * KT + c];
        acc[i] += countOneBits(~(vec4<u32>(xv) ^ wv));
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let b = b0 + ty * 4u + i;
    if (b >= p.B) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let n = n0 + tx * 4u + j;
      if (n < p.N) { m[b * p.N + n] = acc[i][j] - p.pad; }
    }
  }
}
