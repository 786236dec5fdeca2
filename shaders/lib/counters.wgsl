// Shared helpers of the binary-layer shaders (included with `// #include "lib/counters.wgsl"`).
// The including shader declares `wsum` (workgroup atomics, (lo, hi) pairs) and `stats` (global
// 64-bit counters as (lo, hi) u32 pairs). Sums carry exactly from lo into hi.

// adds v to the workgroup's 64-bit counter at wsum[i], wsum[i + 1]
fn addWg(i: u32, v: u32) {
  if (v == 0u) { return; }
  let old = atomicAdd(&wsum[i], v);
  if (old > 0xffffffffu - v) { atomicAdd(&wsum[i + 1u], 1u); }
}


// adds (lo, hi) to the global 64-bit counter at stats[i], stats[i + 1]
fn add64(i: u32, lo: u32, hi: u32) {
  if (lo != 0u) {
    let old = atomicAdd(&stats[i], lo);
    if (old > 0xffffffffu - lo) { atomicAdd(&stats[i + 1u], 1u); }
  }
  if (hi != 0u) { atomicAdd(&stats[i + 1u], hi); }
}

// bits [lo, hi) of the group's slice that fall into word w
fn rangeMask(w: u32, lo: u32, hi: u32) -> u32 {
  let base = w * 32u;
  let a = select(0u, lo - base, lo > base);
  let b = min(hi - base, 32u);
  if (b <= a || hi <= base) { return 0u; }
  let width = b - a;
  let ones = select((1u << width) - 1u, 0xffffffffu, width == 32u);
  return ones << a;
}

