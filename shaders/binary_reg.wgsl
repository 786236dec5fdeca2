// Binary layer, blocked path, second pass: register-blocked XNOR-popcount on the packed receptive
// fields that binary_gather.wgsl wrote (layout there; each group's slice padded to wp4 vec4s, as
// are the layer's weight rows in the model buffer, from word p._p2). One invocation per (pre-pool
// position, block of TI images, one 32-row word of `pre`): the TI vectors share the position, so
// they share its validity words. It walks the word's rows group by group (row r = o*G + g belongs
// to group g = r % G) in steps of TJ rows of the same group, so that each field vec4 it loads
// serves TJ rows and each weight vec4 TI vectors (dense_reg.wgsl's blocking), with no workgroup
// memory. Per row and vector: per ADC row block the popcount m over valid inputs, the ADC
// quantiser (or the exact count for a sense read-out, ADC = 0), the threshold bit; the 32 bits of
// a vector form one `pre` word, so no atomics and no clearing are needed. dot = sum 2*m^ - n, with
// n the group's valid inputs at the position (the sum of the blocks' n_j). Matches and
// saturations: u32 sums per invocation, added into 64-bit (lo, hi) counters with an exact carry
// (workgroup, then global). Same uniform block as binary_dots.wgsl with _p1 = wp4 and _p2 = the
// padded weights' word offset, and the ADC quantiser's division as a multiply (qMul, qShift); NUMERICS.md is the contract.

override WG: u32 = 64u;
override TI: u32 = 8u; // images per invocation, 1..8
override TJ: u32 = 4u; // rows per step, 1..4
override ADC: u32 = 0u; // 1: ADC read-out (row blocks of R, quantiser); 0: sense (exact dot)

// #include "lib/binary_params.wgsl"

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> field: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> model: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read_write> pre: array<u32>;
@group(0) @binding(4) var<storage, read_write> stats: array<atomic<u32>>;

var<workgroup> wsum: array<atomic<u32>, 4>; // (lo, hi) of matches, saturations

// #include "lib/counters.wgsl"

fn modelWord(i: u32) -> u32 {
  return model[i >> 2u][i & 3u];
}

fn pc4(v: vec4<u32>) -> u32 {
  let c = countOneBits(v);
  return c.x + c.y + c.z + c.w;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  if (lid < 4u) { atomicStore(&wsum[lid], 0u); }
  workgroupBarrier();
  let wp4 = p._p1;
  let f4 = p.G * wp4; // field vec4s per vector
  let iBlocks = (p.count + TI - 1u) / TI;
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  var matches = 0u;
  var sats = 0u;
  // Every array is declared here, at the function's top level, and cleared by explicit stores
  // where a loop needs it zero: on NVIDIA's Vulkan driver (H200, 580.159) arrays declared without
  // an initializer inside a loop body kept their values from the previous iteration, so the
  // per-block counts accumulated (scripts/gpu-verify.ts; test/gpu/shader-source.test.ts keeps it so).
  var xb: array<u32, 8>;
  var out: array<u32, 8>;
  var wb: array<u32, 4>;
  var dot: array<u32, 32>;
  var m: array<u32, 32>;
  var wv: array<vec4<u32>, 4>;
  for (var k = 0u; k < 8u; k++) { out[k] = 0u; }
  if (t < p.P * iBlocks * p.rowWords) {
    // invocations are laid out row word fastest: neighbours share the vectors
    let rw = t % p.rowWords;
    let bi = t / p.rowWords;
    let pos = bi / iBlocks;
    let img0 = (bi % iBlocks) * TI;
    let ni = min(TI, p.count - img0); // real images of the block (the rest repeat the last one)
    let r0 = rw * 32u;
    let rEnd = min(32u, p.N * p.G - r0);
    for (var i = 0u; i < TI; i++) {
      let img = min(img0 + i, p.count - 1u);
      xb[i] = (p.P + img * p.P + pos) * f4;
    }
    let vb = pos * f4;
    let wb0 = p._p2 >> 2u;
    // the first min(G, rEnd) rows of the word are in distinct groups and cover every group present
    for (var gi = 0u; gi < min(p.G, rEnd); gi++) {
      let g = (r0 + gi) % p.G;
      let go = g * wp4;
      let cnt = (rEnd - gi + p.G - 1u) / p.G; // rows r0 + gi + c*G of this word, c < cnt
      var n = 0u;
      for (var w = 0u; w < wp4; w++) { n += pc4(field[vb + go + w]); }
      for (var jb = 0u; jb < cnt; jb += TJ) {
        for (var j = 0u; j < TJ; j++) { wb[j] = wb0 + (r0 + gi + min(jb + j, cnt - 1u) * p.G) * wp4; }
        for (var k = 0u; k < TI * TJ; k++) { dot[k] = 0u; }
        var lo = 0u;
        loop {
          if (lo >= p.per) { break; }
          let hi = select(p.per, min(lo + p.R, p.per), ADC != 0u);
          for (var k = 0u; k < TI * TJ; k++) { m[k] = 0u; }
          let wEnd = (hi - 1u) >> 7u;
          for (var w = lo >> 7u; w <= wEnd; w++) {
            var vv = field[vb + go + w];
            if (ADC != 0u) {
              let b = w * 128u;
              if (b < lo || b + 128u > hi) {
                vv = vv & vec4<u32>(rangeMask(4u * w, lo, hi), rangeMask(4u * w + 1u, lo, hi), rangeMask(4u * w + 2u, lo, hi), rangeMask(4u * w + 3u, lo, hi));
              }
            }
            for (var j = 0u; j < TJ; j++) { wv[j] = model[wb[j] + w]; }
            for (var i = 0u; i < TI; i++) {
              let xv = field[xb[i] + go + w];
              for (var j = 0u; j < TJ; j++) {
                m[i * TJ + j] += pc4(~(xv ^ wv[j]) & vv);
              }
            }
          }
          for (var i = 0u; i < TI; i++) {
            for (var j = 0u; j < TJ; j++) {
              let mm = m[i * TJ + j];
              let real = i < ni && jb + j < cnt;
              if (real) { matches += mm; }
              if (ADC != 0u) {
                // round(m / s), halves up: (2m + s) / 2s, as a multiply and shift (p.qMul)
                let q = min(((2u * mm + p.s) * p.qMul) >> p.qShift, p.L - 1u);
                if (real && mm > (p.L - 1u) * p.s) { sats += 1u; }
                dot[i * TJ + j] += 2u * q * p.s;
              } else {
                dot[i * TJ + j] += 2u * mm;
              }
            }
          }
          lo = hi;
        }
        for (var j = 0u; j < TJ; j++) {
          if (jb + j < cnt) {
            let b = gi + (jb + j) * p.G; // bit of the row in the word
            let r = r0 + b;
            let th = bitcast<i32>(modelWord(p.tOff + 2u * r));
            let d = bitcast<i32>(modelWord(p.tOff + 2u * r + 1u));
            for (var i = 0u; i < TI; i++) {
              let dv = i32(dot[i * TJ + j]) - i32(n);
              var bit = u32(th);
              if (d == 1i) { bit = select(0u, 1u, dv >= th); }
              if (d == -1i) { bit = select(0u, 1u, dv <= th); }
              out[i] = out[i] | (bit << b);
            }
          }
        }
      }
    }
    for (var i = 0u; i < TI; i++) {
      if (i < ni) {
        pre[(img0 + i) * p.preWords + pos * p.rowWords + rw] = out[i];
      }
    }
  }
  addWg(0u, matches);
  addWg(2u, sats);
  workgroupBarrier();
  if (lid == 0u) {
    add64(p.statOff + 2u, atomicLoad(&wsum[0]), atomicLoad(&wsum[1]));
    add64(p.statOff + 4u, atomicLoad(&wsum[2]), atomicLoad(&wsum[3]));
  }
}
