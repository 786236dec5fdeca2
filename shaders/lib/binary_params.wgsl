// The uniform block of the binary-layer passes (binary_dots, binary_gather, binary_reg), written
// by src/gpu/engine.ts in this order (32 u32). qMul, qShift: the ADC quantiser's division by 2s
// as a multiply and shift, exact for every numerator the layer can produce (adcDivider in
// src/gpu/engine.ts checks each one); binary_reg.wgsl needs them (a layer without a pair runs on
// binary_dots.wgsl, which divides). Included with `// #include "lib/binary_params.wgsl"`.
struct Params {
  count: u32, C: u32, H: u32, W: u32,
  k: u32, stride: u32, pad: u32, dense: u32,
  pw: u32, P: u32, K: u32, G: u32,
  per: u32, wpr: u32, N: u32, R: u32,
  adc: u32, L: u32, s: u32, inWords: u32,
  wOff: u32, tOff: u32, preWords: u32, statOff: u32,
  rowWords: u32, tv: u32, _p1: u32, _p2: u32,
  qMul: u32, qShift: u32, _p3: u32, _p4: u32,
}
