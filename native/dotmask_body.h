/*
 * Body of dotMask (src/func/cpu/kernels.ts: the dense first layer over an image's nonzero pixels),
 * included once per instruction set by kernels.c with SFX(name) and ATTR.
 *
 * dotMask(LIST, NL, SUMX, W, NP, THA, THU, OUT, ACC): LIST holds NL pairs (byte offset of the
 * pixel's mask row from W, pixel value 1..255); mask rows are NP bytes (0xff where the weight is
 * +1; NP a multiple of 64). acc[n] = Σ x & mask[n], dot = 2·acc - SUMX, and
 * out[n] = (THA[n]·dot >= THU[n]) as a 0/1 byte (i32 products wrap as in the wasm kernel). ACC (the
 * wasm kernel's scratch) is not used. Counts in u16 lanes, flushed into i32 every 256 pixels
 * (256 · 255 < 2^16).
 */
#define HALF32(v, o) __builtin_shufflevector(v, v, o + 0, o + 1, o + 2, o + 3, o + 4, o + 5, o + 6, o + 7, o + 8, o + 9, o + 10, o + 11, o + 12, o + 13, o + 14, o + 15, \
    o + 16, o + 17, o + 18, o + 19, o + 20, o + 21, o + 22, o + 23, o + 24, o + 25, o + 26, o + 27, o + 28, o + 29, o + 30, o + 31)
#define QUART16(v, o) __builtin_shufflevector(v, v, o + 0, o + 1, o + 2, o + 3, o + 4, o + 5, o + 6, o + 7, o + 8, o + 9, o + 10, o + 11, o + 12, o + 13, o + 14, o + 15)
ATTR static void SFX(dot_mask)(uint8_t *m, const int32_t *a) {
  const uint32_t LIST = a[0], NL = a[1], W = a[3], NP = a[4], THA = a[5], THU = a[6], OUT = a[7];
  const int32_t SUMX = a[2];
  const int32_t *list = (const int32_t *)(m + LIST);
  for (uint32_t blk = 0; blk < NP; blk += 64) {
    v16i acc[4] = {{0}, {0}, {0}, {0}};
    v32u16 lo = {0}, hi = {0};
    uint32_t cnt = 0;
    for (uint32_t i = 0; i < NL; i++) {
      v64b mk;
      memcpy(&mk, m + W + (uint32_t)list[2 * i] + blk, 64);
      const v64b t = mk & (uint8_t)list[2 * i + 1];
      lo += __builtin_convertvector(HALF32(t, 0), v32u16);
      hi += __builtin_convertvector(HALF32(t, 32), v32u16);
      if (++cnt == 256 || i + 1 == NL) {
        acc[0] += __builtin_convertvector(QUART16(lo, 0), v16i);
        acc[1] += __builtin_convertvector(QUART16(lo, 16), v16i);
        acc[2] += __builtin_convertvector(QUART16(hi, 0), v16i);
        acc[3] += __builtin_convertvector(QUART16(hi, 16), v16i);
        lo = (v32u16){0};
        hi = (v32u16){0};
        cnt = 0;
      }
    }
    uint8_t out[64];
    for (int q = 0; q < 4; q++) {
      v16i A, U;
      memcpy(&A, m + THA + (blk + 16 * q) * 4, 64);
      memcpy(&U, m + THU + (blk + 16 * q) * 4, 64);
      const v16i dot = acc[q] + acc[q] - SUMX;
      const v16i bits = (v16i)((v16u)A * (v16u)dot) >= U;
      for (int j = 0; j < 16; j++) out[16 * q + j] = (uint8_t)(bits[j] & 1);
    }
    memcpy(m + OUT + blk, out, 64);
  }
}
#undef HALF32
#undef QUART16
