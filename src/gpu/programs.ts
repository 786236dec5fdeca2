/**
 * The registry of the functional engine's programs: one entry per shader in shaders/, with its
 * bindings, workgroup size (WGSL `override WG`) and dispatch shape. Every program binds at most
 * four storage buffers (the compatibility-mode minimum of maxStorageBuffersPerShaderStage):
 * weights and thresholds of all layers share one buffer, activity counters share another.
 */
import type { ProgramSpec } from './program.ts';

/** Invocations per workgroup of the engine's kernels. */
export const ENGINE_WG = 64;

/** Field words per workgroup in binary_dots.wgsl (MAXW): tv * G * ceil((K/G)/32) must not exceed it. */
export const BINARY_MAX_FIELD_WORDS = 3072;
/** Bit-plane words per workgroup in input_dots.wgsl (MAXP): tv * 8 * ceil(K/32) must not exceed it. */
export const INPUT_MAX_PLANE_WORDS = 4096;
/** Most vectors per workgroup in input_dots.wgsl (MAXV). */
export const INPUT_MAX_VECTORS = 256;
/**
 * Vectors (image x position) each invocation of the dots passes XNORs against one weight-word load
 * (the shaders' VB): 4 when that many receptive fields fit in workgroup memory, else 1.
 */
export const VECTORS_PER_INVOCATION = 4;
/** Input words per image in classifier_dots.wgsl (MAXW). */
export const CLASSIFIER_MAX_WORDS = 4096;

/** u32 words of each program's uniform block. */
export const UNIFORM_WORDS = { binary: 32, pool: 16, input: 20, classifier: 8 } as const;

function spec(shader: string, bindings: ProgramSpec['bindings'], wg = ENGINE_WG, extra: Record<string, number> = {}): ProgramSpec {
  return { shader, bindings, overrides: { WG: wg, ...extra }, workgroupInvocations: wg };
}

/** Binary layer dots + ADC + threshold; work items of 32 rows x `vb` vectors (image x pre-pool position). */
export const binaryDotsProgram = (vb = 1, wg = ENGINE_WG) => spec('binary_dots.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage', 'storage'], wg, { VB: vb });
/** Register-blocked binary path, first pass: implicit im2col into a packed field buffer, one invocation per field word. */
export const binaryGatherProgram = (wg = ENGINE_WG) => spec('binary_gather.wgsl', ['uniform', 'read-only-storage', 'storage', 'storage'], wg);
/** Vectors (TI) and same-group rows per step (TJ) of each invocation of binary_reg.wgsl. */
export const BLOCKED_TI = 8;
export const BLOCKED_TJ = 4;
/**
 * Register-blocked binary path, second pass: each invocation one 32-row word of `pre` for TI
 * vectors, TJ rows of one group at a time; `adc` specialises the ADC row-block loop.
 */
export const binaryRegProgram = (adc: boolean, wg = ENGINE_WG, ti = BLOCKED_TI, tj = BLOCKED_TJ) =>
  spec('binary_reg.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage', 'storage'], wg, { TI: ti, TJ: tj, ADC: adc ? 1 : 0 });
/** Pooling + majority + packing, one invocation per output word. */
export const poolPackProgram = (wg = ENGINE_WG) => spec('pool_pack.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage', 'storage'], wg);
/** Integer first layer; work items of 32 neurons x `vb` vectors (image x pre-pool position). */
export const inputDotsProgram = (vb = 1, wg = ENGINE_WG) => spec('input_dots.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage', 'storage'], wg, { VB: vb });
/** Classifier dots, one workgroup per image. */
export const classifierDotsProgram = (wg = ENGINE_WG) => spec('classifier_dots.wgsl', ['uniform', 'read-only-storage', 'read-only-storage', 'storage', 'storage'], wg);
