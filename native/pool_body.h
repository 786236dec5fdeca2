/*
 * Body of poolMajority (src/func/cpu/kernels.ts), included once per instruction set by kernels.c
 * with SFX(name), ATTR, LOADB(ptr, n) (a v64b from n <= 64 bytes, the rest zero, no read past
 * them) and MASK64(v) (bit j = lane j of a 0/0xFF v64b), for G <= 255 (byte counters; the JS
 * wrapper keeps the wasm kernel for more groups).
 *
 * poolMajority(PRE, MAP, N, G, NP, PH, PW, OH, OW, PS, PST, FLIP, PSB) -> number of 1 bits written.
 * PRE holds 0/1 bytes pre[v*G*NP + g*NP + n] for pre-pool positions v = y*PW + x. For every output
 * position (y, x) < (OH, OW) and neuron n < N: per group the pooled bit (OR over the PS x PS window
 * at stride PST where flip[g*NP + n] = 0, AND where it is 1; PS 0 = no pooling), then the majority
 * (ones >= ceil(G/2)), written as bit n of pixel y*OW + x of the map (PSB bytes per pixel).
 * Bits of the map at n >= N are left as they are (zero: the runner clears the map first).
 */
ATTR static uint32_t SFX(pool_majority)(uint8_t *m, const int32_t *a) {
  const uint32_t PRE = a[0], MAP = a[1], N = a[2], G = a[3], NP = a[4], PW = a[6], OH = a[7], OW = a[8], PS = a[9], PST = a[10], FLIP = a[11], PSB = a[12];
  const uint32_t NG = G * NP;
  const uint8_t half = (uint8_t)((G + 1) / 2);
  uint64_t ones = 0;
  for (uint32_t y = 0; y < OH; y++) {
    for (uint32_t x = 0; x < OW; x++) {
      for (uint32_t n0 = 0; n0 < N; n0 += 64) {
        const uint32_t nb = N - n0 < 64 ? N - n0 : 64;
        v64b cnt = {0};
        for (uint32_t g = 0; g < G; g++) {
          v64b acc;
          if (PS == 0) {
            acc = LOADB(m + PRE + (y * PW + x) * NG + g * NP + n0, nb);
          } else {
            const v64b fl = LOADB(m + FLIP + g * NP + n0, nb);
            acc = (v64b){0};
            for (uint32_t dy = 0; dy < PS; dy++) {
              const uint32_t row = PRE + ((y * PST + dy) * PW + x * PST) * NG + g * NP + n0;
              for (uint32_t dx = 0; dx < PS; dx++) acc |= LOADB(m + row + dx * NG, nb) ^ fl;
            }
            acc ^= fl;
          }
          cnt += acc;
        }
        uint64_t bits = MASK64(cnt >= half);
        if (nb < 64) bits &= (1ull << nb) - 1;
        ones += (uint64_t)__builtin_popcountll(bits);
        memcpy(m + MAP + (y * OW + x) * PSB + n0 / 8, &bits, (nb + 7) / 8);
      }
    }
  }
  return (uint32_t)ones;
}
