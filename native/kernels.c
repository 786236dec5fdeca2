/*
 * archsim's native crossbar kernels: the binary GEMMs of the fast CPU path (gemm, gemmAdc,
 * gemmS1 of src/func/cpu/kernels.ts), its im2col gather, its pooling + majority and its first
 * layers (dotMask, dot16) as a Node-API addon, for CPUs whose vector popcount the
 * WebAssembly path cannot reach (Node 20's V8 emits no AVX-512: i8x16.popcnt becomes a
 * nibble-table sequence). Two builds of one body (gemm_body.h):
 *   - avx512: AVX-512 VPOPCNTDQ + VL, one vpopcntd per 8 neurons x 32 bits;
 *   - generic: portable C (__builtin_popcount), used only when asked for (tests, other CPUs).
 * Same arguments and memory layouts as the wasm kernels; the memory is the engine's shared
 * WebAssembly.Memory, passed as a Uint8Array over its SharedArrayBuffer. Exact integer counts:
 * results equal the wasm kernels' bit for bit.
 *
 * Built by scripts/build-native.sh (gcc + the Node-API headers of the npm package
 * node-api-headers); loaded by src/func/cpu/native.ts.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <stdio.h>

typedef uint32_t v8u __attribute__((vector_size(32), aligned(4)));
typedef int32_t v8i __attribute__((vector_size(32), aligned(4)));
typedef float v8f __attribute__((vector_size(32), aligned(4)));
typedef uint32_t v16u __attribute__((vector_size(64), aligned(4)));
typedef uint8_t v64b __attribute__((vector_size(64), aligned(1)));
typedef uint16_t v32u16 __attribute__((vector_size(64), aligned(2)));
typedef int32_t v16i __attribute__((vector_size(64), aligned(4)));
typedef float v16f __attribute__((vector_size(64), aligned(4)));

enum { VARIANT_SENSE = 0, VARIANT_ADC = 1, VARIANT_S1 = 2 };
/* the JS side (src/func/cpu/native.ts, NATIVE_ABI) refuses an addon built from other sources */
#define ARCHSIM_NATIVE_ABI 4
/* the wasm kernels' 21 arguments, then used32: the 32-bit steps per slice that hold bits (the
 * rest of a slice's steps32 is zero in X and W and adds nothing to a popcount of x ^ w) */
#define NARGS 22

/* ---- generic build ---- */
static inline __attribute__((always_inline)) v8u popc8_generic(v8u v) {
  v8u r;
  for (int j = 0; j < 8; j++) r[j] = (uint32_t)__builtin_popcount(v[j]);
  return r;
}
static inline __attribute__((always_inline)) v8f floor8_generic(v8f v) {
  v8f r;
  for (int j = 0; j < 8; j++) r[j] = floorf(v[j]);
  return r;
}
static inline __attribute__((always_inline)) uint64_t pack8_generic(v8i v) {
  uint64_t r = 0;
  for (int j = 0; j < 8; j++) r |= (uint64_t)(uint8_t)v[j] << (8 * j);
  return r;
}
static inline __attribute__((always_inline)) v16u popc16_generic(v16u v) {
  v16u r;
  for (int j = 0; j < 16; j++) r[j] = (uint32_t)__builtin_popcount(v[j]);
  return r;
}
static inline __attribute__((always_inline)) v16f floor16_generic(v16f v) {
  v16f r;
  for (int j = 0; j < 16; j++) r[j] = floorf(v[j]);
  return r;
}
static inline __attribute__((always_inline)) void pack16_generic(v16i v, uint8_t *p) {
  for (int j = 0; j < 16; j++) p[j] = (uint8_t)v[j];
}
static inline __attribute__((always_inline)) v16u combine16_generic(const uint8_t *lo, const uint8_t *hi) {
  v16u r;
  memcpy(&r, lo, 32);
  memcpy((uint8_t *)&r + 32, hi, 32);
  return r;
}
static inline __attribute__((always_inline)) v64b loadb_generic(const uint8_t *p, uint32_t n) {
  v64b r = {0};
  memcpy(&r, p, n);
  return r;
}
static inline __attribute__((always_inline)) uint64_t mask64_generic(v64b v) {
  uint64_t r = 0;
  for (int j = 0; j < 64; j++) r |= (uint64_t)(v[j] & 1) << j;
  return r;
}
static inline __attribute__((always_inline)) v16i madd16_generic(v16u x, v16u w) {
  v16i r;
  for (int j = 0; j < 16; j++) r[j] = (int32_t)(int16_t)(x[j] & 0xffff) * (int16_t)(w[j] & 0xffff) + (int32_t)(int16_t)(x[j] >> 16) * (int16_t)(w[j] >> 16);
  return r;
}
#define SFX(name) name##_generic
#define ATTR
#define MADD16(x, w) madd16_generic(x, w)
#define LOADB(p, n) loadb_generic(p, n)
#define MASK64(v) mask64_generic(v)
#define POPC8(v) popc8_generic(v)
#define POPC16(v) popc16_generic(v)
#define COMBINE16(lo, hi) combine16_generic(lo, hi)
#define FLOOR8(v) floor8_generic(v)
#define PACK8(v) pack8_generic(v)
#define FLOOR16(v) floor16_generic(v)
#define PACK16(v, p) pack16_generic(v, p)
#include "bodies.h"

/* ---- AVX-512 VPOPCNTDQ build ---- */
#if defined(__x86_64__)
#include <immintrin.h>
#define AVX512_TARGET __attribute__((target("popcnt,avx2,fma,avx512f,avx512vl,avx512bw,avx512vpopcntdq")))
#define SFX(name) name##_avx512
#define ATTR AVX512_TARGET
#define MADD16(x, w) ((v16i)_mm512_madd_epi16((__m512i)(x), (__m512i)(w)))
#define LOADB(p, n) ((v64b)_mm512_maskz_loadu_epi8((n) >= 64 ? ~0ull : (1ull << (n)) - 1, (p)))
#define MASK64(v) ((uint64_t)_mm512_movepi8_mask((__m512i)(v)))
#define POPC8(v) ((v8u)_mm256_popcnt_epi32((__m256i)(v)))
#define POPC16(v) ((v16u)_mm512_popcnt_epi32((__m512i)(v)))
#define COMBINE16(lo, hi) ((v16u)_mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(lo))), _mm256_loadu_si256((const __m256i *)(hi)), 1))
#define FLOOR8(v) ((v8f)_mm256_floor_ps((__m256)(v)))
#define PACK8(v) ((uint64_t)_mm_cvtsi128_si64(_mm256_cvtepi32_epi8((__m256i)(v))))
#define FLOOR16(v) ((v16f)_mm512_roundscale_ps((__m512)(v), _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC))
#define PACK16(v, p) _mm_storeu_si128((__m128i *)(p), _mm512_cvtepi32_epi8((__m512i)(v)))
#include "bodies.h"
static int have_avx512(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vpopcntdq");
}
#else
static int have_avx512(void) { return 0; }
static void gemm_avx512(uint8_t *m, const int32_t *a, int variant) { gemm_generic(m, a, variant); }
static uint32_t gather_avx512(uint8_t *m, const int32_t *a) { return gather_generic(m, a); }
static uint32_t pool_majority_avx512(uint8_t *m, const int32_t *a) { return pool_majority_generic(m, a); }
static void dot_mask_avx512(uint8_t *m, const int32_t *a) { dot_mask_generic(m, a); }
static void dot16_avx512(uint8_t *m, const int32_t *a) { dot16_generic(m, a); }
#endif

/* ---- bounds: every byte a call touches lies inside the memory ---- */
static int in_range(uint64_t addr, uint64_t bytes, uint64_t len) { return addr + bytes <= len; }

static const char *check_args(const int32_t *a, int variant, uint64_t len) {
  for (int i = 0; i < NARGS; i++)
    if (a[i] < 0) return "negative argument";
  const uint64_t X = a[0], W = a[1], V = a[2], Nt8 = a[3], S = a[4], STEPS = a[5], NB = a[6], CLS = a[7];
  const uint64_t THA = a[10], THU = a[11], OUT = a[12], MODE = a[13], SCR = a[16], NP = a[17], NMASK = a[19];
  if (NB == 0 || S % NB != 0) return "S is not a multiple of nb";
  if (4 * Nt8 * S * STEPS * 32 >= (1ull << 32)) return "layer too large: a tile's raw count could overflow 32 bits";
  if (V % 4 != 0) return "V is not a multiple of 4";
  if ((uint64_t)a[21] > STEPS || a[21] == 0) return "used32 must be in 1..steps32";
  if (Nt8 * 8 > NP) return "8*Nt8 exceeds Np";
  const uint64_t G = S / NB, vecB = STEPS * 4 * S;
  if (!in_range(X, V * vecB, len) || !in_range(W, Nt8 * S * STEPS * 32, len) || !in_range(CLS, V, len) || !in_range(SCR, 272, len)) return "X, W, cls or scratch out of memory";
  if (variant == VARIANT_S1) {
    if (!in_range(THA, G * NP * 4, len) || !in_range(OUT, V * G * NP, len)) return "thresholds or output out of memory";
    /* U is indexed by the vector's class: check_classes */
  } else {
    if (!in_range(THA, G * NP * 4, len) || !in_range(THU, G * NP * 4, len)) return "thresholds out of memory";
    if (!in_range(OUT, MODE ? V * G * NP * 4 : V * G * NP, len)) return "output out of memory";
  }
  if (variant == VARIANT_ADC && !in_range(NMASK, NP * 4, len)) return "neuron mask out of memory";
  return NULL;
}

/* classes used by the call's vectors: U (s1) or corr/nv (others) rows must be in memory */
static const char *check_classes(const uint8_t *m, const int32_t *a, int variant, uint64_t len) {
  const uint64_t V = a[2], S = a[4], CLS = a[7], CORR = a[8], NV = a[9], THU = a[11], NP = a[17];
  uint32_t cmax = 0;
  for (uint64_t v = 0; v < V; v++) if (m[CLS + v] > cmax) cmax = m[CLS + v];
  const uint64_t rows = (uint64_t)(cmax + 1) * S;
  if (variant == VARIANT_S1) return in_range(THU, rows * NP * 4, len) ? NULL : "U table out of memory";
  if (!in_range(NV, rows * 4, len) || !in_range(CORR, rows * NP * 4, len)) return "nv or corr table out of memory";
  return NULL;
}

/*
 * Reads a call's (Uint8Array memory, nargs integers) into a; on a bad call throws a TypeError
 * naming the kernel and returns 0.
 */
static int read_args(napi_env env, napi_callback_info info, const char *kernel, size_t nargs, int32_t *a, uint8_t **data, uint64_t *len) {
  char msg[160];
  snprintf(msg, sizeof msg, "archsim native %s: expects (Uint8Array over the memory, %zu integers)", kernel, nargs);
  size_t argc = 32;
  napi_value argv[32];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != nargs + 1) {
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  napi_typedarray_type type;
  size_t length, off;
  void *ptr;
  napi_value ab;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &ptr, &ab, &off) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  for (size_t i = 0; i < nargs; i++) {
    if (napi_get_value_int32(env, argv[i + 1], &a[i]) != napi_ok) {
      napi_throw_type_error(env, NULL, msg);
      return 0;
    }
  }
  *data = (uint8_t *)ptr;
  *len = length;
  return 1;
}

/* throws err (when set) as a RangeError; returns whether it did */
static int range_error(napi_env env, const char *err) {
  if (err) napi_throw_range_error(env, NULL, err);
  return err != NULL;
}

static napi_value uint_result(napi_env env, uint32_t v) {
  napi_value out;
  napi_create_uint32(env, v, &out);
  return out;
}

static napi_value call(napi_env env, napi_callback_info info, int variant, int isa) {
  int32_t a[NARGS];
  uint8_t *m;
  uint64_t len;
  if (!read_args(env, info, "gemm", NARGS, a, &m, &len)) return NULL;
  const char *err = check_args(a, variant, len);
  if (!err) err = check_classes(m, a, variant, len);
  if (range_error(env, err)) return NULL;
  if (isa) gemm_avx512(m, a, variant);
  else gemm_generic(m, a, variant);
  return NULL;
}

/* gather's bounds: the map, the vectors and every run stay inside the memory and their rows */
static const char *check_gather(const uint8_t *m, const int32_t *a, uint64_t len) {
  for (int i = 0; i < 12; i++)
    if (a[i] < 0) return "negative argument";
  const uint64_t MAP = a[0], X = a[1], P = a[2], PW = a[3], H = a[6], Wd = a[7], PSB = a[8], RUNS = a[9], NR = a[10], VECB = a[11];
  if (PW == 0 && P > 0) return "pw is 0";
  if (PW && P % PW != 0) return "P is not a multiple of pw";
  if (a[4] == 0) return "stride is 0";
  if (!in_range(MAP, H * Wd * PSB + 8, len) || !in_range(X, P * VECB + 8, len) || !in_range(RUNS, NR * 20, len)) return "map, vectors or runs out of memory";
  const int32_t *runs = (const int32_t *)(m + RUNS);
  for (uint64_t r = 0; r < NR; r++) {
    const int32_t *rp = runs + 5 * r;
    if (rp[2] < 0 || rp[3] < 0 || rp[4] < 0 || (uint64_t)rp[2] + (uint64_t)rp[3] > PSB * 8 || (uint64_t)rp[4] + (uint64_t)rp[3] > VECB * 8) return "a run reaches outside its pixel or vector";
  }
  return NULL;
}

static napi_value gather_call(napi_env env, napi_callback_info info, int isa) {
  int32_t a[12];
  uint8_t *m;
  uint64_t len;
  if (!read_args(env, info, "gather", 12, a, &m, &len) || range_error(env, check_gather(m, a, len))) return NULL;
  return uint_result(env, isa ? gather_avx512(m, a) : gather_generic(m, a));
}
static napi_value gather_g(napi_env env, napi_callback_info info) { return gather_call(env, info, 0); }
static napi_value gather_v(napi_env env, napi_callback_info info) { return gather_call(env, info, 1); }

/* poolMajority's bounds: every byte it reads or writes lies inside the memory */
static const char *check_pool(const int32_t *a, uint64_t len) {
  for (int i = 0; i < 13; i++)
    if (a[i] < 0) return "negative argument";
  const uint64_t PRE = a[0], MAP = a[1], N = a[2], G = a[3], NP = a[4], PH = a[5], PW = a[6], OH = a[7], OW = a[8], PS = a[9], PST = a[10], FLIP = a[11], PSB = a[12];
  if (G == 0 || G > 255) return "G must be in 1..255";
  if (N > NP) return "N exceeds Np";
  if ((N + 7) / 8 > PSB) return "psb too small for N";
  const uint64_t rows = PS ? (OH - 1) * PST + PS : OH, cols = PS ? (OW - 1) * PST + PS : OW;
  if (OH && OW && (rows > PH || cols > PW)) return "pool windows reach outside the pre-pool map";
  if (!in_range(PRE, PH * PW * G * NP, len) || !in_range(MAP, OH * OW * PSB, len) || (PS && !in_range(FLIP, G * NP, len))) return "pre, map or flip out of memory";
  return NULL;
}

static napi_value pool_call(napi_env env, napi_callback_info info, int isa) {
  int32_t a[13];
  uint8_t *m;
  uint64_t len;
  if (!read_args(env, info, "poolMajority", 13, a, &m, &len) || range_error(env, check_pool(a, len))) return NULL;
  return uint_result(env, isa ? pool_majority_avx512(m, a) : pool_majority_generic(m, a));
}
static napi_value pool_g(napi_env env, napi_callback_info info) { return pool_call(env, info, 0); }
static napi_value pool_v(napi_env env, napi_callback_info info) { return pool_call(env, info, 1); }

/* dotMask's bounds: the list, every mask row it names, the thresholds and the output */
static const char *check_dotmask(const uint8_t *m, const int32_t *a, uint64_t len) {
  for (int i = 0; i < 9; i++)
    if (i != 2 && a[i] < 0) return "negative argument";
  const uint64_t LIST = a[0], NL = a[1], W = a[3], NP = a[4], THA = a[5], THU = a[6], OUT = a[7];
  if (NP % 64 != 0) return "Np is not a multiple of 64";
  if (!in_range(LIST, NL * 8, len) || !in_range(THA, NP * 4, len) || !in_range(THU, NP * 4, len) || !in_range(OUT, NP, len)) return "list, thresholds or output out of memory";
  const int32_t *list = (const int32_t *)(m + LIST);
  for (uint64_t i = 0; i < NL; i++)
    if (list[2 * i] < 0 || !in_range(W + (uint64_t)list[2 * i], NP, len)) return "a mask row out of memory";
  return NULL;
}

static napi_value dotmask_call(napi_env env, napi_callback_info info, int isa) {
  int32_t a[9];
  uint8_t *m;
  uint64_t len;
  if (!read_args(env, info, "dotMask", 9, a, &m, &len) || range_error(env, check_dotmask(m, a, len))) return NULL;
  if (isa) dot_mask_avx512(m, a);
  else dot_mask_generic(m, a);
  return NULL;
}
static napi_value dotmask_g(napi_env env, napi_callback_info info) { return dotmask_call(env, info, 0); }
static napi_value dotmask_v(napi_env env, napi_callback_info info) { return dotmask_call(env, info, 1); }

/* dot16's bounds: the rows, the weight tiles, the thresholds and the output */
static const char *check_dot16(const int32_t *a, uint64_t len) {
  for (int i = 0; i < 9; i++)
    if (a[i] < 0) return "negative argument";
  const uint64_t F = a[0], W = a[1], V = a[2], Nt8 = a[3], KP = a[4], THA = a[5], THU = a[6], OUT = a[7], NP = a[8];
  if (V % 4 != 0 || KP % 2 != 0) return "V must be a multiple of 4 and Kp even";
  if (Nt8 * 8 > NP) return "8*Nt8 exceeds Np";
  if (!in_range(F, V * KP * 2, len) || !in_range(W, Nt8 * KP * 16, len) || !in_range(THA, NP * 4, len) || !in_range(THU, NP * 4, len) || !in_range(OUT, V * NP, len)) return "rows, weights, thresholds or output out of memory";
  return NULL;
}

static napi_value dot16_call(napi_env env, napi_callback_info info, int isa) {
  int32_t a[9];
  uint8_t *m;
  uint64_t len;
  if (!read_args(env, info, "dot16", 9, a, &m, &len) || range_error(env, check_dot16(a, len))) return NULL;
  if (isa) dot16_avx512(m, a);
  else dot16_generic(m, a);
  return NULL;
}
static napi_value dot16_g(napi_env env, napi_callback_info info) { return dot16_call(env, info, 0); }
static napi_value dot16_v(napi_env env, napi_callback_info info) { return dot16_call(env, info, 1); }

#define ENTRY(name, variant, isa) \
  static napi_value name(napi_env env, napi_callback_info info) { return call(env, info, variant, isa); }
ENTRY(gemm_g, VARIANT_SENSE, 0)
ENTRY(gemmAdc_g, VARIANT_ADC, 0)
ENTRY(gemmS1_g, VARIANT_S1, 0)
ENTRY(gemm_v, VARIANT_SENSE, 1)
ENTRY(gemmAdc_v, VARIANT_ADC, 1)
ENTRY(gemmS1_v, VARIANT_S1, 1)

static void set_fn(napi_env env, napi_value obj, const char *name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn);
  napi_set_named_property(env, obj, name, fn);
}

NAPI_MODULE_INIT() {
  napi_value generic, avx512, flag;
  napi_create_object(env, &generic);
  set_fn(env, generic, "gemm", gemm_g);
  set_fn(env, generic, "gemmAdc", gemmAdc_g);
  set_fn(env, generic, "gemmS1", gemmS1_g);
  set_fn(env, generic, "gather", gather_g);
  set_fn(env, generic, "poolMajority", pool_g);
  set_fn(env, generic, "dotMask", dotmask_g);
  set_fn(env, generic, "dot16", dot16_g);
  napi_set_named_property(env, exports, "generic", generic);
  if (have_avx512()) {
    napi_create_object(env, &avx512);
    set_fn(env, avx512, "gemm", gemm_v);
    set_fn(env, avx512, "gemmAdc", gemmAdc_v);
    set_fn(env, avx512, "gemmS1", gemmS1_v);
    set_fn(env, avx512, "gather", gather_v);
    set_fn(env, avx512, "poolMajority", pool_v);
    set_fn(env, avx512, "dotMask", dotmask_v);
    set_fn(env, avx512, "dot16", dot16_v);
    napi_set_named_property(env, exports, "avx512", avx512);
  }
  napi_get_boolean(env, have_avx512(), &flag);
  napi_set_named_property(env, exports, "hasAvx512", flag);
  napi_value abi;
  napi_create_uint32(env, ARCHSIM_NATIVE_ABI, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  return exports;
}
