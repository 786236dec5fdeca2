/**
 * Backends under test. Each entry makes an engine; the shared suite (backends.test.ts) runs every
 * case against the reference with each. GPU entries skip when no adapter is found, unless
 * ARCHSIM_REQUIRE_GPU=1, which turns the skip into a failure (CI sets it).
 */
import type { Engine } from '../../src/func/types.ts';
import { createCpuEngine } from '../../src/func/cpu/engine.ts';
import { loadAddon } from '../../src/func/cpu/native.ts';
import { createGpuEngine } from '../../src/gpu/engine.ts';

/**
 * The native addon's engines: null (skipped) when the addon is not built, unless
 * ARCHSIM_REQUIRE_NATIVE=1 (CI builds it), which makes that a failure; the AVX-512 build also
 * needs a CPU with AVX-512 VPOPCNTDQ (skipped without one).
 */
function nativeEngine(kernels: 'native' | 'native-generic', workers: number): Engine | null {
  const { addon, error } = loadAddon();
  if (!addon) {
    if (process.env.ARCHSIM_REQUIRE_NATIVE === '1') throw new Error(`native addon not loaded (${error}) and ARCHSIM_REQUIRE_NATIVE=1; run npm run build:native`);
    return null;
  }
  if (kernels === 'native' && !addon.avx512) return null;
  return createCpuEngine({ workers, chunk: workers > 1 ? 4 : undefined, kernels });
}

export interface EngineEntry {
  name: string;
  /** returns null when the backend is unavailable on this machine (GPU without adapter) */
  make: () => Promise<Engine | null>;
}

export const ENGINES: EngineEntry[] = [
  // the fast CPU path with its WebAssembly kernels on the calling thread, and split across two
  // worker threads; then with the native addon's binary GEMMs (portable C, and AVX-512 VPOPCNTDQ)
  { name: 'cpu wasm (1 worker)', make: async () => createCpuEngine({ workers: 1, kernels: 'wasm' }) },
  { name: 'cpu wasm (2 workers)', make: async () => createCpuEngine({ workers: 2, chunk: 4, kernels: 'wasm' }) },
  { name: 'cpu native-generic (1 worker)', make: async () => nativeEngine('native-generic', 1) },
  { name: 'cpu native avx512 (2 workers)', make: async () => nativeEngine('native', 2) },
  // the WGSL path (null without an adapter: skipped, or a failure with ARCHSIM_REQUIRE_GPU=1)
  { name: 'gpu', make: () => createGpuEngine() },
  // the WGSL path with every binary layer on binary_dots.wgsl (the workgroup-memory kernel that
  // the default register-blocked path replaced, still used where packed fields do not fit a buffer)
  { name: 'gpu (binary_dots kernel)', make: () => createGpuEngine({ binaryKernel: 'shared' }) },
];
