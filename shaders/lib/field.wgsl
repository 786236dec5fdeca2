// One 32-bit word of a vector's receptive field (included with `// #include "lib/field.wgsl"`):
// field bits [e0, e0 + nb) of output position (oy, ox) of the image whose bit-packed (c, y, x)
// map starts at word ib of `inMap`; returns (bits, valid). Dense layers read the map directly;
// for convs, for fixed (c, kh) the kw elements are consecutive x in one map row, so each run of
// up to k field bits is one or two word reads, clipped to the map's x range. The including
// shader declares `p` (C, H, W, k, stride, pad, dense, inWords) and `inMap`.
fn fieldWord(ib: u32, e0: u32, nb: u32, oy: u32, ox: u32) -> vec2<u32> {
  let nmask = select((1u << nb) - 1u, 0xffffffffu, nb == 32u);
  if (p.dense != 0u) {
    let a = e0 >> 5u;
    let sh = e0 & 31u;
    var bits = inMap[ib + a] >> sh;
    if (sh != 0u && a + 1u < p.inWords) { bits = bits | (inMap[ib + a + 1u] << (32u - sh)); }
    return vec2<u32>(bits & nmask, nmask);
  }
  let kk = p.k * p.k;
  var bits = 0u;
  var valid = 0u;
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
  return vec2<u32>(bits, valid);
}
