// Dense binary crossbar, register-blocked: each invocation computes TI images x TJ neurons,
// reading 4 words (one vec4) of each row per step straight from global memory; no workgroup
// memory, no barriers. Rows are padded with zero words to a multiple of 4 words (vec4s); padded
// bits XNOR to 1 and are subtracted (pad = vec4s*128 - K).

override WG: u32 = 64u;
override TI: u32 = 4u;
override TJ: u32 = 4u;

struct Params { B: u32, N: u32, vecs: u32, pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> w: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read_write> m: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  // invocations are laid out neuron-block fastest: consecutive lanes share the image block
  let t = (wid.y * nwg.x + wid.x) * WG + lid;
  let nb = (p.N + TJ - 1u) / TJ;
  let bb = (p.B + TI - 1u) / TI;
  if (t >= nb * bb) { return; }
  let b0 = (t / nb) * TI;
  let n0 = (t % nb) * TJ;
  var acc: array<u32, 32>;
  for (var i = 0u; i < 32u; i++) { acc[i] = 0u; }
  var wv: array<vec4<u32>, 4>;
  for (var k = 0u; k < p.vecs; k++) {
    for (var j = 0u; j < TJ; j++) { wv[j] = w[min(n0 + j, p.N - 1u) * p.vecs + k]; }
    for (var i = 0u; i < TI; i++) {
      let xv = x[min(b0 + i, p.B - 1u) * p.vecs + k];
      for (var j = 0u; j < TJ; j++) {
        let c = countOneBits(~(xv ^ wv[j]));
        acc[i * TJ + j] += c.x + c.y + c.z + c.w;
      }
    }
  }
  for (var i = 0u; i < TI; i++) {
    for (var j = 0u; j < TJ; j++) {
      if (b0 + i < p.B && n0 + j < p.N) { m[(b0 + i) * p.N + n0 + j] = acc[i * TJ + j] - p.pad; }
    }
  }
}
