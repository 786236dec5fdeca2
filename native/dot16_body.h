/*
 * Body of dot16 (src/func/cpu/kernels.ts: the conv first layer's exact integer dots), included
 * once per instruction set by kernels.c with SFX(name), ATTR and MADD16(x, w) (per i32 lane j:
 * x.i16[2j]*w.i16[2j] + x.i16[2j+1]*w.i16[2j+1] for 16 lanes).
 *
 * dot16(F, W, V, Nt8, Kp, thrA, thrU, out, Np): rows v < V (a multiple of 4) of F (Kp i16
 * pixels, row stride 2*Kp bytes) against weights in tiles of 8 neurons, pixel pairs:
 * W + (t*Kp/2 + p)*32 holds (w[2p], w[2p+1]) as i16 pairs for neurons t*8 .. t*8 + 7. Then
 * out[v*Np + n] = (thrA[n]·dot >= thrU[n]) as a 0/1 byte. Two tiles (16 neurons) at a time.
 */
ATTR static void SFX(dot16)(uint8_t *m, const int32_t *a) {
  const uint32_t F = a[0], W = a[1], V = a[2], Nt8 = a[3], KP = a[4], THA = a[5], THU = a[6], OUT = a[7], NP = a[8];
  const uint32_t rowB = KP * 2, pairs = KP / 2, tileB = pairs * 32;
  for (uint32_t v0 = 0; v0 < V; v0 += 4) {
    const uint32_t *x[4];
    for (int i = 0; i < 4; i++) x[i] = (const uint32_t *)(m + F + (v0 + i) * rowB);
    for (uint32_t nt = 0; nt < Nt8; nt += 2) {
      const int two = nt + 1 < Nt8;
      const uint8_t *wa = m + W + nt * tileB, *wb = two ? wa + tileB : wa;
      v16i acc[4] = {{0}, {0}, {0}, {0}};
      for (uint32_t p = 0; p < pairs; p++) {
        const v16u wv = COMBINE16(wa + 32 * (size_t)p, wb + 32 * (size_t)p);
        for (int i = 0; i < 4; i++) acc[i] += MADD16((v16u){0} + x[i][p], wv);
      }
      for (int half = 0; half < 1 + two; half++) {
        const uint32_t n0 = (nt + half) * 8;
        v8i A, U;
        memcpy(&A, m + THA + n0 * 4, 32);
        memcpy(&U, m + THU + n0 * 4, 32);
        for (int i = 0; i < 4; i++) {
          v8i dot;
          memcpy(&dot, (const uint8_t *)&acc[i] + 32 * half, 32);
          const uint64_t bits = PACK8(((v8i)((v8u)A * (v8u)dot) >= U) & 1);
          memcpy(m + OUT + (v0 + i) * NP + n0, &bits, 8);
        }
      }
    }
  }
}
