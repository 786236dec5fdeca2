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
  const uint32_t PH = PW ? P / PW : 0;
  uint64_t ones = 0;
  /* run by run, then over the positions: a run's bit offsets and mask are the same at every
   * position, and the positions whose source pixel lies in the map form one x range per row */
  for (uint32_t r = 0; r < NR; r++) {
    const int32_t *rp = runs + 5 * r;
    const int32_t dy = rp[0], dx = rp[1];
    const uint32_t cLo = (uint32_t)rp[2], len = (uint32_t)rp[3], dstBit = (uint32_t)rp[4];
    /* ox with 0 <= ox*STR - PAD + dx < W */
    const int32_t lo0 = (int32_t)PAD - dx;
    const uint32_t oxLo = lo0 <= 0 ? 0 : ((uint32_t)lo0 + STR - 1) / STR;
    const int32_t hi0 = (int32_t)Wd - 1 + (int32_t)PAD - dx;
    uint32_t oxHi = hi0 < 0 ? 0 : (uint32_t)hi0 / STR + 1;
    if (oxHi > PW) oxHi = PW;
    if (oxLo >= oxHi || len == 0) continue;
    const uint64_t sstep = (uint64_t)STR * PSB; /* bytes between the source pixels of consecutive ox */
    const uint32_t ssh = cLo & 7, dsh = dstBit & 7;
    for (uint32_t oy = 0; oy < PH; oy++) {
      const int32_t y = (int32_t)(oy * STR) - (int32_t)PAD + dy;
      if (y < 0 || (uint32_t)y >= H) continue;
      const int32_t x0 = (int32_t)(oxLo * STR) - (int32_t)PAD + dx;
      const uint8_t *sp = m + MAP + ((uint64_t)y * Wd + (uint64_t)x0) * PSB + (cLo >> 3);
      uint8_t *dp = m + X + (uint64_t)(oy * PW + oxLo) * VECB + (dstBit >> 3);
      if (len <= 56) {
        const uint64_t mask = (1ull << len) - 1;
        for (uint32_t ox = oxLo; ox < oxHi; ox++, sp += sstep, dp += VECB) {
          uint64_t w, d;
          memcpy(&w, sp, 8);
          const uint64_t val = (w >> ssh) & mask;
          ones += (uint64_t)__builtin_popcountll(val);
          memcpy(&d, dp, 8);
          d |= val << dsh;
          memcpy(dp, &d, 8);
        }
        continue;
      }
      for (uint32_t ox = oxLo; ox < oxHi; ox++, sp += sstep, dp += VECB) {
        if (ssh == 0 && dsh == 0 && (len & 63) == 0) {
          /* whole aligned words (channel counts and groups in multiples of 64) */
          for (uint32_t i = 0; i < len; i += 64) {
            uint64_t w;
            memcpy(&w, sp + i / 8, 8);
            ones += (uint64_t)__builtin_popcountll(w);
            memcpy(dp + i / 8, &w, 8);
          }
          continue;
        }
        uint64_t src = ssh, dst = dsh; /* bit offsets from sp, dp */
        for (uint32_t left = len; left > 0;) {
          const uint32_t k = left < 56 ? left : 56;
          uint64_t w, d;
          memcpy(&w, sp + (src >> 3), 8);
          const uint64_t val = (w >> (src & 7)) & ((1ull << k) - 1);
          ones += (uint64_t)__builtin_popcountll(val);
          memcpy(&d, dp + (dst >> 3), 8);
          d |= val << (dst & 7);
          memcpy(dp + (dst >> 3), &d, 8);
          src += k;
          dst += k;
          left -= k;
        }
      }
    }
  }
  return (uint32_t)ones;
}
