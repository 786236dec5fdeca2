/*
 * Body of the gather kernel (the implicit im2col of src/func/cpu/kernels.ts: gather), included
 * once per instruction set by kernels.c with SFX(name) and ATTR as for gemm_body.h.
 *
 * gather(MAP, X, P, PW, STR, PAD, H, W, PSB, RUNS, NR, VECB) -> number of 1 bits copied.
 * For each pre-pool position v (PW per row) and run r (dy, dx, cLo, len, dstBit: 5 i32 at
 * RUNS + 20r) whose source pixel (y, x) = ((v / PW)*STR - PAD + dy, (v % PW)*STR - PAD + dx) lies
 * inside the H x W map: copies `len` bits from bit cLo of that pixel (PSB bytes per pixel) to bit
 * dstBit of vector v (X + v*VECB), ORed in (X is zero beforehand).
 */
ATTR static uint32_t SFX(gather)(uint8_t *m, const int32_t *a) {
  const uint32_t MAP = a[0], X = a[1], P = a[2], PW = a[3], STR = a[4], PAD = a[5], H = a[6], Wd = a[7], PSB = a[8], RUNS = a[9], NR = a[10], VECB = a[11];
  const int32_t *runs = (const int32_t *)(m + RUNS);
  uint64_t ones = 0;
  for (uint32_t v = 0; v < P; v++) {
    const int32_t y0 = (int32_t)((v / PW) * STR) - (int32_t)PAD;
    const int32_t x0 = (int32_t)((v % PW) * STR) - (int32_t)PAD;
    for (uint32_t r = 0; r < NR; r++) {
      const int32_t *rp = runs + 5 * r;
      const int32_t y = y0 + rp[0], x = x0 + rp[1];
      if ((uint32_t)y >= H || (uint32_t)x >= Wd) continue;
      uint64_t src = ((uint64_t)MAP + ((uint64_t)y * Wd + (uint64_t)x) * PSB) * 8 + (uint32_t)rp[2];
      uint64_t dst = ((uint64_t)X + (uint64_t)v * VECB) * 8 + (uint32_t)rp[4];
      int32_t len = rp[3];
      if (((src | dst | (uint64_t)len) & 63) == 0) {
        /* whole aligned words (the usual case: channel counts and groups in multiples of 64) */
        for (int32_t i = 0; i < len; i += 64) {
          uint64_t w;
          memcpy(&w, m + (src >> 3), 8);
          ones += (uint64_t)__builtin_popcountll(w);
          memcpy(m + (dst >> 3), &w, 8);
          src += 64;
          dst += 64;
        }
        continue;
      }
      while (len > 0) {
        const int32_t k = len < 56 ? len : 56;
        uint64_t w, d;
        memcpy(&w, m + (src >> 3), 8);
        const uint64_t val = (w >> (src & 7)) & ((1ull << k) - 1);
        ones += (uint64_t)__builtin_popcountll(val);
        memcpy(&d, m + (dst >> 3), 8);
        d |= val << (dst & 7);
        memcpy(m + (dst >> 3), &d, 8);
        src += (uint64_t)k;
        dst += (uint64_t)k;
        len -= k;
      }
    }
  }
  return (uint32_t)ones;
}
