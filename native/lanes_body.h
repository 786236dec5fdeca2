/*
 * Per-width part of the GEMM body (gemm_body.h includes it for 8 and for 16 lanes, one neuron a
 * lane): loads, a lane sum, output bits, the ADC conversion, a slice's follow-up work (post) and a group's
 * outputs (out). The includer defines
 *   LANES         8 or 16
 *   VI, VU, VF    the LANES x i32 / u32 / f32 vector types
 *   FLOORL(v)     per-lane floor of a VF
 *   PACKST(v, p)  stores the low bytes of a VI's lanes as LANES bytes at p (lane j in byte j)
 *   LN(name)      the name with the width and the instruction set appended
 * and they are undefined again at the end of this file.
 */

ATTR static inline __attribute__((always_inline)) VU LN(load)(const uint8_t *m, uint32_t addr) {
  VU v;
  memcpy(&v, m + addr, 4 * LANES);
  return v;
}

ATTR static inline __attribute__((always_inline)) int64_t LN(hsum)(VU v) {
  int64_t t = 0;
  for (int j = 0; j < LANES; j++) t += v[j];
  return t;
}

/* out[0..LANES) = lanes of `bits` (0 or -1) as 0/1 bytes */
ATTR static inline __attribute__((always_inline)) void LN(store_bits)(uint8_t *m, uint32_t addr, VI bits) {
  PACKST(bits & 1, m + addr);
}

/*
 * The ADC's m^ = min(floor((2m + s) / (2s)), L - 1) * s. The wasm kernel divides in f32, exact
 * while 2m + s < 2^24; for a step s = 2^k (exact ADCs have s = 1) the same floor is a shift of
 * the non-negative 2m + s by k + 1 (sh = k), else (sh < 0) the f32 division as the wasm kernel.
 */
ATTR static inline __attribute__((always_inline)) VI LN(adc_round)(VI mm, VI sv, VI l1v, int sh) {
  VI qi;
  if (sh >= 0) {
    qi = (VI)((VU)(mm + mm + sv) >> (uint32_t)(sh + 1));
  } else {
    const VF q = FLOORL(__builtin_convertvector(mm + mm + sv, VF) / __builtin_convertvector(sv + sv, VF));
    qi = __builtin_convertvector(q, VI);
  }
  const VI lt = qi < l1v;
  qi = (qi & lt) | (l1v & ~lt);
  return sh >= 0 ? qi << sh : qi * sv;
}

/*
 * One slice s (of group g) of 4 vectors x LANES neurons n0..: gemmS1 writes the output bits;
 * the others add the slice's 2m^ - nv into dot (m^ = m, or its ADC conversion).
 */
ATTR static inline __attribute__((always_inline)) void LN(post)(uint8_t *m, const int32_t *a, const int variant, uint32_t n0, uint32_t g, uint32_t s,
    const uint32_t rb[4], const uint32_t ob[4], const int real[4], const VU raw[4], VI dot[4], VU *rawacc, VI *satacc) {
  const uint32_t CORR = a[8], NV = a[9], THA = a[10], NP = a[17], NMASK = a[19];
  const int32_t ADCS = a[14], ADCL1 = a[15];
  const uint32_t tix = g * NP * 4;
  if (variant == VARIANT_S1) {
    const VI A = (VI)LN(load)(m, THA + tix + n0 * 4);
    for (int i = 0; i < 4; i++) {
      *rawacc += raw[i];
      const VI U = (VI)LN(load)(m, rb[i] + tix + n0 * 4);
      LN(store_bits)(m, ob[i] + g * NP + n0, (VI)((VU)A * raw[i]) >= U);
    }
    return;
  }
  const VI sv = (VI){0} + ADCS, l1v = (VI){0} + ADCL1, satv = (VI){0} + ADCL1 * ADCS;
  const int sh = ADCS > 0 && (ADCS & (ADCS - 1)) == 0 ? __builtin_ctz((unsigned)ADCS) : -1;
  const VI nm = variant == VARIANT_ADC ? (VI)LN(load)(m, NMASK + 4 * n0) : (VI){0};
  for (int i = 0; i < 4; i++) {
    *rawacc += raw[i];
    int32_t nvs;
    memcpy(&nvs, m + NV + (rb[i] + s) * 4, 4);
    const VI corr = (VI)LN(load)(m, CORR + ((rb[i] + s) * NP + n0) * 4);
    VI mm = (VI){0} + nvs - (VI)raw[i] + corr;
    if (variant == VARIANT_ADC) {
      const VI rl = real[i] ? nm : (VI){0};
      *satacc -= (mm > satv) & rl; /* lanes are 0 or -1 */
      mm = LN(adc_round)(mm, sv, l1v, sh);
    }
    dot[i] += mm + mm - nvs;
  }
}

/* group g's outputs of 4 vectors x LANES neurons: the dots (mode 1) or their threshold bits */
ATTR static inline __attribute__((always_inline)) void LN(out)(uint8_t *m, const int32_t *a, uint32_t n0, uint32_t g, const uint32_t ob[4], const VI dot[4]) {
  const uint32_t THA = a[10], THU = a[11], MODE = a[13], NP = a[17];
  const uint32_t tix = g * NP * 4;
  if (MODE) {
    for (int i = 0; i < 4; i++) memcpy(m + ob[i] + n0 * 4, &dot[i], 4 * LANES);
    return;
  }
  const VI A = (VI)LN(load)(m, THA + tix + n0 * 4);
  const VI U = (VI)LN(load)(m, THU + tix + n0 * 4);
  for (int i = 0; i < 4; i++) LN(store_bits)(m, ob[i] + g * NP + n0, (VI)((VU)A * (VU)dot[i]) >= U);
}

#undef LANES
#undef VI
#undef VU
#undef VF
#undef FLOORL
#undef PACKST
#undef LN
