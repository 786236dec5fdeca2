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

ATTR static inline __attribute__((always_inline)) v8u SFX(load8)(const uint8_t *m, uint32_t addr) {
  v8u v;
  memcpy(&v, m + addr, 32);
  return v;
}

/* out[0..8) = lanes of `bits` (0 or -1) as 0/1 bytes */
ATTR static inline __attribute__((always_inline)) void SFX(store_bits)(uint8_t *m, uint32_t addr, v8i bits) {
  const uint64_t b = PACK8(bits & 1);
  memcpy(m + addr, &b, 8);
}

ATTR static inline __attribute__((always_inline)) int64_t SFX(hsum8)(v8u v) {
  int64_t t = 0;
  for (int j = 0; j < 8; j++) t += v[j];
  return t;
}

ATTR static inline __attribute__((always_inline)) v16u SFX(load16)(const uint8_t *m, uint32_t addr) {
  v16u v;
  memcpy(&v, m + addr, 64);
  return v;
}

/* out[0..16) = lanes of `bits` (0 or -1) as 0/1 bytes */
ATTR static inline __attribute__((always_inline)) void SFX(store_bits16)(uint8_t *m, uint32_t addr, v16i bits) {
  PACK16(bits & 1, m + addr);
}

ATTR static inline __attribute__((always_inline)) int64_t SFX(hsum16)(v16u v) {
  int64_t t = 0;
  for (int j = 0; j < 16; j++) t += v[j];
  return t;
}

/*
 * The ADC's m^ = min(floor((2m + s) / (2s)), L - 1) * s. The wasm kernel divides in f32, exact
 * while 2m + s < 2^24; for a step s = 2^k (exact ADCs have s = 1) the same floor is a shift of
 * the non-negative 2m + s by k + 1 (sh = k), else (sh < 0) the f32 division as the wasm kernel.
 */
ATTR static inline __attribute__((always_inline)) v8i SFX(adc_round)(v8i mm, v8i sv, v8i l1v, int sh) {
  v8i qi;
  if (sh >= 0) {
    qi = (v8i)((v8u)(mm + mm + sv) >> (uint32_t)(sh + 1));
  } else {
    const v8f q = FLOOR8(__builtin_convertvector(mm + mm + sv, v8f) / __builtin_convertvector(sv + sv, v8f));
    qi = __builtin_convertvector(q, v8i);
  }
  const v8i lt = qi < l1v;
  qi = (qi & lt) | (l1v & ~lt);
  return sh >= 0 ? qi << sh : qi * sv;
}

/* the same on 16 lanes */
ATTR static inline __attribute__((always_inline)) v16i SFX(adc_round16)(v16i mm, v16i sv, v16i l1v, int sh) {
  v16i qi;
  if (sh >= 0) {
    qi = (v16i)((v16u)(mm + mm + sv) >> (uint32_t)(sh + 1));
  } else {
    const v16f q = FLOOR16(__builtin_convertvector(mm + mm + sv, v16f) / __builtin_convertvector(sv + sv, v16f));
    qi = __builtin_convertvector(q, v16i);
  }
  const v16i lt = qi < l1v;
  qi = (qi & lt) | (l1v & ~lt);
  return sh >= 0 ? qi << sh : qi * sv;
}

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

#define LD8(addr) SFX(load8)(m, (addr))
#define ST8(addr, v) memcpy(m + (addr), &(v), 32)

/*
 * One slice s (of group g) of 4 vectors x 8 neurons n0..n0+7: gemmS1 writes the output bits;
 * the others add the slice's 2m^ - nv into dot (m^ = m, or its ADC conversion).
 */
ATTR static inline __attribute__((always_inline)) void SFX(post)(uint8_t *m, const int32_t *a, const int variant, uint32_t n0, uint32_t g, uint32_t s,
    const uint32_t rb[4], const uint32_t ob[4], const int real[4], const v8u raw[4], v8i dot[4], v8u *rawacc, v8i *satacc) {
  const uint32_t CORR = a[8], NV = a[9], THA = a[10], NP = a[17], NMASK = a[19];
  const int32_t ADCS = a[14], ADCL1 = a[15];
  const uint32_t tix = g * NP * 4;
  if (variant == VARIANT_S1) {
    const v8i A = (v8i)LD8(THA + tix + n0 * 4);
    for (int i = 0; i < 4; i++) {
      *rawacc += raw[i];
      const v8i U = (v8i)LD8(rb[i] + tix + n0 * 4);
      SFX(store_bits)(m, ob[i] + g * NP + n0, (v8i)((v8u)A * raw[i]) >= U);
    }
    return;
  }
  const v8i sv = (v8i){0} + ADCS, l1v = (v8i){0} + ADCL1, satv = (v8i){0} + ADCL1 * ADCS;
  const int sh = ADCS > 0 && (ADCS & (ADCS - 1)) == 0 ? __builtin_ctz((unsigned)ADCS) : -1;
  const v8i nm = variant == VARIANT_ADC ? (v8i)LD8(NMASK + 4 * n0) : (v8i){0};
  for (int i = 0; i < 4; i++) {
    *rawacc += raw[i];
    int32_t nvs;
    memcpy(&nvs, m + NV + (rb[i] + s) * 4, 4);
    const v8i corr = (v8i)LD8(CORR + ((rb[i] + s) * NP + n0) * 4);
    v8i mm = (v8i){0} + nvs - (v8i)raw[i] + corr;
    if (variant == VARIANT_ADC) {
      const v8i rl = real[i] ? nm : (v8i){0};
      *satacc -= (mm > satv) & rl; /* lanes are 0 or -1 */
      mm = SFX(adc_round)(mm, sv, l1v, sh);
    }
    dot[i] += mm + mm - nvs;
  }
}

/* group g's outputs of 4 vectors x 8 neurons: the dots (mode 1) or their threshold bits */
ATTR static inline __attribute__((always_inline)) void SFX(out)(uint8_t *m, const int32_t *a, uint32_t n0, uint32_t g, const uint32_t ob[4], const v8i dot[4]) {
  const uint32_t THA = a[10], THU = a[11], MODE = a[13], NP = a[17];
  const uint32_t tix = g * NP * 4;
  if (MODE) {
    for (int i = 0; i < 4; i++) ST8(ob[i] + n0 * 4, dot[i]);
    return;
  }
  const v8i A = (v8i)LD8(THA + tix + n0 * 4);
  const v8i U = (v8i)LD8(THU + tix + n0 * 4);
  for (int i = 0; i < 4; i++) SFX(store_bits)(m, ob[i] + g * NP + n0, (v8i)((v8u)A * (v8u)dot[i]) >= U);
}

#define LD16(addr) SFX(load16)(m, (addr))

/* post() on 16 neurons n0..n0+15 (two adjacent 8-neuron tiles), lane for lane the same arithmetic */
ATTR static inline __attribute__((always_inline)) void SFX(post16)(uint8_t *m, const int32_t *a, const int variant, uint32_t n0, uint32_t g, uint32_t s,
    const uint32_t rb[4], const uint32_t ob[4], const int real[4], const v16u raw[4], v16i dot[4], v16u *rawacc, v16i *satacc) {
  const uint32_t CORR = a[8], NV = a[9], THA = a[10], NP = a[17], NMASK = a[19];
  const int32_t ADCS = a[14], ADCL1 = a[15];
  const uint32_t tix = g * NP * 4;
  if (variant == VARIANT_S1) {
    const v16i A = (v16i)LD16(THA + tix + n0 * 4);
    for (int i = 0; i < 4; i++) {
      *rawacc += raw[i];
      const v16i U = (v16i)LD16(rb[i] + tix + n0 * 4);
      SFX(store_bits16)(m, ob[i] + g * NP + n0, (v16i)((v16u)A * raw[i]) >= U);
    }
    return;
  }
  const v16i sv = (v16i){0} + ADCS, l1v = (v16i){0} + ADCL1, satv = (v16i){0} + ADCL1 * ADCS;
  const int sh = ADCS > 0 && (ADCS & (ADCS - 1)) == 0 ? __builtin_ctz((unsigned)ADCS) : -1;
  const v16i nm = variant == VARIANT_ADC ? (v16i)LD16(NMASK + 4 * n0) : (v16i){0};
  for (int i = 0; i < 4; i++) {
    *rawacc += raw[i];
    int32_t nvs;
    memcpy(&nvs, m + NV + (rb[i] + s) * 4, 4);
    const v16i corr = (v16i)LD16(CORR + ((rb[i] + s) * NP + n0) * 4);
    v16i mm = (v16i){0} + nvs - (v16i)raw[i] + corr;
    if (variant == VARIANT_ADC) {
      const v16i rl = real[i] ? nm : (v16i){0};
      *satacc -= (mm > satv) & rl; /* lanes are 0 or -1 */
      mm = SFX(adc_round16)(mm, sv, l1v, sh);
    }
    dot[i] += mm + mm - nvs;
  }
}

/* out() on 16 neurons n0..n0+15 */
ATTR static inline __attribute__((always_inline)) void SFX(out16)(uint8_t *m, const int32_t *a, uint32_t n0, uint32_t g, const uint32_t ob[4], const v16i dot[4]) {
  const uint32_t THA = a[10], THU = a[11], MODE = a[13], NP = a[17];
  const uint32_t tix = g * NP * 4;
  if (MODE) {
    for (int i = 0; i < 4; i++) memcpy(m + ob[i] + n0 * 4, &dot[i], 64);
    return;
  }
  const v16i A = (v16i)LD16(THA + tix + n0 * 4);
  const v16i U = (v16i)LD16(THU + tix + n0 * 4);
  for (int i = 0; i < 4; i++) SFX(store_bits16)(m, ob[i] + g * NP + n0, (v16i)((v16u)A * (v16u)dot[i]) >= U);
}

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
          SFX(post)(m, a, variant, nt * 8, g, s, rb, ob, real, raw, dot, &rawacc, &satacc);
        }
        if (!s1) SFX(out)(m, a, nt * 8, g, ob, dot);
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

#undef LD8
#undef ST8
#undef LD16
