// Dense binary crossbar, naive: one invocation per output (image b, neuron n) reads its input row
// and weight row from global memory: m = popcount(XNOR) over K inputs. The baseline the tiled
// kernel is measured against (bench/crossbar-gpu.ts). Bits past K are 0 in both rows, so their
// XNOR is 1: the kernel subtracts them (pad = words*32 - K).

override WG: u32 = 64u;

struct Params { B: u32, N: u32, words: u32, pad: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> w: array<u32>;
@group(0) @binding(3) var<storage, read_write> m: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * WG + lid;
  if (i >= p.B * p.N) { return; }
  let b = i / p.N;
  let n = i % p.N;
  var acc = 0u;
  for (var k = 0u; k < p.words; k++) {
    acc += countOneBits(~(x[b * p.words + k] ^ w[n * p.words + k]));
  }
  m[i] = acc - p.pad;
}
