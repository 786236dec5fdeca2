/**
 * The optional native kernels of the fast CPU path (native/kernels.c, a Node-API addon built by
 * `npm run build:native`): the binary GEMMs (gemm, gemmAdc, gemmS1) with AVX-512 VPOPCNTDQ, which
 * Node 20's WebAssembly cannot reach (V8 emits no AVX-512), the im2col gather, the pooling +
 * majority pass and the first layers (dotMask, dot16). Same arguments, layouts and exact integer
 * results as the wasm kernels they replace; the others (gemmScalar, gather8) stay WebAssembly.
 *
 * Selection (CpuEngineOptions.kernels, or ARCHSIM_CPU_KERNELS): 'auto' takes the AVX-512 build
 * when the addon is built and the CPU has AVX-512 F, VL, BW and VPOPCNTDQ, else the wasm kernels;
 * 'wasm' never loads the addon; 'native' requires the AVX-512 build; 'native-generic' runs the
 * addon's portable C build (for tests on any CPU).
 *
 * The addon is build/native/archsim_kernels.node of this checkout, or the file ARCHSIM_NATIVE_ADDON
 * names (a relocated or bundled archsim); a file named there that cannot be loaded is an error
 * under every choice but 'wasm', never a silent fallback.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../errors.ts';
import type { Kernels } from './kernels.ts';

export const CPU_KERNELS = ['auto', 'wasm', 'native', 'native-generic'] as const;
export type CpuKernelChoice = (typeof CPU_KERNELS)[number];
/** what an engine actually runs: the wasm GEMMs or one of the addon's builds */
export type CpuKernelIsa = 'wasm' | 'avx512' | 'generic';

type Gemm = (mem: Uint8Array, ...a: number[]) => void;
interface AddonSet {
  gemm: Gemm;
  gemmAdc: Gemm;
  gemmS1: Gemm;
  gather: (mem: Uint8Array, ...a: number[]) => number;
  poolMajority: (mem: Uint8Array, ...a: number[]) => number;
  dotMask: (mem: Uint8Array, ...a: number[]) => void;
  dot16: (mem: Uint8Array, ...a: number[]) => void;
}
interface Addon {
  /** the kernel interface the addon was built for (ARCHSIM_NATIVE_ABI in native/kernels.c) */
  abi: number;
  generic: AddonSet;
  avx512?: AddonSet;
  hasAvx512: boolean;
}

/** The kernel interface this code calls; an addon built from older sources is not used. */
export const NATIVE_ABI = 4;

/** Where `npm run build:native` puts the addon. */
export const BUILT_ADDON_PATH = fileURLToPath(new URL('../../../build/native/archsim_kernels.node', import.meta.url));

/** The addon's path: ARCHSIM_NATIVE_ADDON (resolved against the working directory) when set, else the built one. */
export function addonPath(): string {
  const v = process.env.ARCHSIM_NATIVE_ADDON;
  return v ? resolve(v) : BUILT_ADDON_PATH;
}

const loaded = new Map<string, { addon: Addon | null; error: string | null }>();

/** The addon, or null with the reason it could not be loaded (not built, wrong platform). */
export function loadAddon(): { addon: Addon | null; error: string | null } {
  const path = addonPath();
  let r = loaded.get(path);
  if (!r) {
    try {
      const addon = createRequire(import.meta.url)(path) as Addon;
      r = addon.abi === NATIVE_ABI ? { addon, error: null } : { addon: null, error: `built from other sources (kernel interface ${addon.abi ?? 'unknown'}, this archsim needs ${NATIVE_ABI}); rebuild it with npm run build:native` };
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      r = { addon: null, error: msg };
    }
    loaded.set(path, r);
  }
  return r;
}

/** The env override, validated (exit code 2 on a bad value, naming the variable). */
export function kernelsFromEnv(): CpuKernelChoice | undefined {
  const v = process.env.ARCHSIM_CPU_KERNELS;
  if (v === undefined || v === '') return undefined;
  if (!(CPU_KERNELS as readonly string[]).includes(v)) throw new InputError(`ARCHSIM_CPU_KERNELS: '${v}' is not one of ${CPU_KERNELS.join(', ')}`);
  return v as CpuKernelChoice;
}

/** Resolves a choice to what runs; 'native' / 'native-generic' throw when the addon cannot serve them. */
export function resolveKernels(choice: CpuKernelChoice): CpuKernelIsa {
  if (choice === 'wasm') return 'wasm';
  const { addon, error } = loadAddon();
  const named = process.env.ARCHSIM_NATIVE_ADDON;
  if (!addon && named) throw new InputError(`ARCHSIM_NATIVE_ADDON: the native addon ${addonPath()} could not be loaded (${error}); point it at a build of npm run build:native, or unset it`);
  const how = 'build it with `npm run build:native` (needs Debian gcc and libc6-dev), or choose the wasm kernels (ARCHSIM_CPU_KERNELS=wasm)';
  if (choice === 'auto') return addon?.avx512 ? 'avx512' : 'wasm';
  if (!addon) throw new InputError(`cpu kernels '${choice}': the native addon ${addonPath()} could not be loaded (${error}); ${how}`);
  if (choice === 'native-generic') return 'generic';
  if (!addon.avx512) throw new InputError(`cpu kernels 'native': this CPU lacks AVX-512 VPOPCNTDQ/VL; use 'auto' or 'wasm' (or 'native-generic', the addon's portable build)`);
  return 'avx512';
}

/** `base` with its binary GEMMs, gather, poolMajority, dotMask and dot16 replaced by the addon's `isa` build, over `memory`. */
export function withNativeGemms(base: Kernels, memory: WebAssembly.Memory, isa: CpuKernelIsa): Kernels {
  if (isa === 'wasm') return base;
  const set = loadAddon().addon?.[isa];
  if (!set) throw new Error(`cpu engine: native kernels '${isa}' are not available in this thread`);
  let u8 = new Uint8Array(memory.buffer);
  const view = () => {
    if (u8.length !== memory.buffer.byteLength) u8 = new Uint8Array(memory.buffer);
    return u8;
  };
  return {
    ...base,
    gemm: (...a: number[]) => set.gemm(view(), ...a),
    gemmAdc: (...a: number[]) => set.gemmAdc(view(), ...a),
    gemmS1: (...a: number[]) => set.gemmS1(view(), ...a),
    gather: (...a: number[]) => set.gather(view(), ...a),
    // byte counters: more than 255 groups stay on the wasm kernel (G is the 4th argument)
    poolMajority: (...a: number[]) => (a[3]! <= 255 ? set.poolMajority(view(), ...a) : base.poolMajority(...a)),
    dotMask: (...a: number[]) => set.dotMask(view(), ...a),
    dot16: (...a: number[]) => set.dot16(view(), ...a),
  };
}
