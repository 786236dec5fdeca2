/*
 * Body of the binary crossbar kernels gemm / gemmAdc / gemmS1, included once per instruction set
 * by kernels.c with:
 *   SFX(name)  the function name with the instruction-set suffix
 *   ATTR       the function attribute that selects the instruction set
 *   POPC8(v)   per-lane popcount of a v8u (8 x u32)
 *   FLOOR8(v)  per-lane floor of a v8f (8 x f32)
 *   PACK8(v)   the low bytes of a v8i's lanes as one u64 (lane j in byte j)
 *   POPC16(v)  per-lane popcount of a v16u (16 x u32)
 *   COMBINE16(lo, hi)  a v16u from 32 bytes at lo (lanes 0..7) and 32 bytes at hi (lanes 8..15)
 *   FLOOR16(v) per-lane floor of a v16f (16 x f32)
 *   PACK16(v, p)  stores the low bytes of a v16i's lanes as 16 bytes at p (lane j in byte j)
 * Semantics, argument order and memory layouts are those of the WebAssembly kernels in
 * src/func/cpu/kernels.ts (see the comment on gemm() there); all addresses are byte offsets into
 * the one shared memory `m`. Counts are exact integers, so the results equal the wasm kernels'
 * (and the reference engine's) bit for bit.
 */

/* raw[i] = per-neuron mismatches of vector i (4 vectors) against 8 neurons over `steps` u32 steps */
ATTR static inline __attribute__((always_inline)) void SFX(raw4x8)(const uint8_t *m, uint32_t px0, uint32_t vecB, uint32_t pw, uint32_t steps, v8u raw[4]) {
  v8u a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  const uint32_t *x0 = (const uint32_t *)(m + px0);
  const uint32_t *x1 = (const uint32_t *)(m + px0 + vecB);
  const uint32_t *x2 = (const uint32_t *)(m + px0 + 2 * vecB);
  const uint32_t *x3 = (const uint32_t *)(m + px0 + 3 * vecB);
  const uint8_t *w = m + pw;
  for (uint32_t k = 0; k < steps; k++) {
    v8u wv;
    memcpy(&wv, w + 32 * (size_t)k, 32);
    a0 += POPC8(wv ^ x0[k]);
    a1 += POPC8(wv ^ x1[k]);
    a2 += POPC8(wv ^ x2[k]);
    a3 += POPC8(wv ^ x3[k]);
  }
  raw[0] = a0;
  raw[1] = a1;
  raw[2] = a2;
  raw[3] = a3;
}

/* the same for 16 neurons: two 8-neuron tiles (weights at pwA and pwB) counted in one 512-bit
 * vector per vector (lanes 0..7: tile A, 8..15: tile B) */
ATTR static inline __attribute__((always_inline)) void SFX(raw4x16)(const uint8_t *m, uint32_t px0, uint32_t vecB, uint32_t pwA, uint32_t pwB, uint32_t steps, v16u raw[4]) {
  v16u a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
  const uint32_t *x0 = (const uint32_t *)(m + px0);
  const uint32_t *x1 = (const uint32_t *)(m + px0 + vecB);
  const uint32_t *x2 = (const uint32_t *)(m + px0 + 2 * vecB);
  const uint32_t *x3 = (const uint32_t *)(m + px0 + 3 * vecB);
  const uint8_t *wa = m + pwA, *wb = m + pwB;
  for (uint32_t k = 0; k < steps; k++) {
    const v16u wv = COMBINE16(wa + 32 * (size_t)k, wb + 32 * (size_t)k);
    a0 += POPC16(wv ^ x0[k]);
    a1 += POPC16(wv ^ x1[k]);
    a2 += POPC16(wv ^ x2[k]);
    a3 += POPC16(wv ^ x3[k]);
  }
  raw[0] = a0;
  raw[1] = a1;
  raw[2] = a2;
  raw[3] = a3;
}

/* the per-slice follow-up work (post) and the outputs (out) on 8 and 16 neurons (lanes_body.h,
 * which undefines these macros again at its end) */
#define LANES 8
#define VI v8i
#define VU v8u
#define VF v8f
#define FLOORL(v) FLOOR8(v)
#define PACKST(v, p) \
  do { \
    const uint64_t b_ = PACK8(v); \
    memcpy((p), &b_, 8); \
  } while (0)
#define LN(name) SFX(name##8)
#include "lanes_body.h"
#define LANES 16
#define VI v16i
#define VU v16u
#define VF v16f
#define FLOORL(v) FLOOR16(v)
#define PACKST(v, p) PACK16(v, p)
#define LN(name) SFX(name##16)
#include "lanes_body.h"

ATTR static inline __attribute__((always_inline)) void SFX(gemm_core)(uint8_t *m, const int32_t *a, const int variant) {
  const uint32_t X = a[0], W = a[1], V = a[2], Nt8 = a[3], S = a[4], STEPS = a[5], NB = a[6], CLS = a[7];
  const uint32_t THU = a[11], OUT = a[12], MODE = a[13], SCR = a[16], NP = a[17], VV = a[18], USED = a[21];
  const int s1 = variant == VARIANT_S1;
  const uint32_t G = S / NB, rowB = STEPS * 4, vecB = rowB * S;
  int64_t raws = 0, sats = 0;
  /* vectors outer, neurons inner: a tile's 4 vectors stay in L1 while the weights stream */
  for (uint32_t v0 = 0; v0 < V; v0 += 4) {
    uint32_t rb[4], ob[4];
    int real[4];
    for (int i = 0; i < 4; i++) {
      const uint32_t c = m[CLS + v0 + i];
      rb[i] = s1 ? THU + (c * S) * NP * 4 : c * S;
      ob[i] = s1 || !MODE ? OUT + (v0 + i) * G * NP : OUT + (v0 + i) * G * NP * 4;
      real[i] = v0 + i < VV;
    }
    const uint32_t xv = X + v0 * vecB;
    v8u rawacc = {0}; /* lane sums of this tile's raw counts (< 2^32: checked by the caller) */
    v8i satacc = {0}; /* lane counts of this tile's saturated ADC conversions */
    uint32_t nt = 0;
    /* pairs of 8-neuron tiles in 512-bit vectors, then a last single tile */
    v16u rawacc16 = {0};
    v16i satacc16 = {0};
    for (; nt + 2 <= Nt8; nt += 2) {
      for (uint32_t g = 0; g < G; g++) {
        v16i dot[4] = {{0}, {0}, {0}, {0}};
        for (uint32_t b = 0; b < NB; b++) {
          const uint32_t s = g * NB + b;
          const uint32_t pw = W + (nt * S + s) * STEPS * 32;
          v16u raw[4];
          SFX(raw4x16)(m, xv + s * rowB, vecB, pw, pw + S * STEPS * 32, USED, raw);
          SFX(post16)(m, a, variant, nt * 8, g, s, rb, ob, real, raw, dot, &rawacc16, &satacc16);
        }
        if (!s1) SFX(out16)(m, a, nt * 8, g, ob, dot);
      }
    }
    raws += SFX(hsum16)(rawacc16);
    sats += SFX(hsum16)((v16u)satacc16);
    for (; nt < Nt8; nt++) {
      for (uint32_t g = 0; g < G; g++) {
        v8i dot[4] = {{0}, {0}, {0}, {0}};
        for (uint32_t b = 0; b < NB; b++) {
          const uint32_t s = g * NB + b;
          v8u raw[4];
          SFX(raw4x8)(m, xv + s * rowB, vecB, W + (nt * S + s) * STEPS * 32, USED, raw);
          SFX(post8)(m, a, variant, nt * 8, g, s, rb, ob, real, raw, dot, &rawacc, &satacc);
        }
        if (!s1) SFX(out8)(m, a, nt * 8, g, ob, dot);
      }
    }
    raws += SFX(hsum8)(rawacc);
    sats += SFX(hsum8)((v8u)satacc);
  }
  int64_t t;
  memcpy(&t, m + SCR + 256, 8);
  t += raws;
  memcpy(m + SCR + 256, &t, 8);
  memcpy(&t, m + SCR + 264, 8);
  t += sats;
  memcpy(m + SCR + 264, &t, 8);
}

ATTR static void SFX(gemm)(uint8_t *m, const int32_t *a, int variant) {
  if (variant == VARIANT_SENSE) SFX(gemm_core)(m, a, VARIANT_SENSE);
  else if (variant == VARIANT_ADC) SFX(gemm_core)(m, a, VARIANT_ADC);
  else SFX(gemm_core)(m, a, VARIANT_S1);
}

