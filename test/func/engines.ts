/**
 * Backends under test. Each entry makes an engine; the shared suite (backends.test.ts) runs every
 * case against the reference with each. GPU entries skip when no adapter is found, unless
 * ARCHSIM_REQUIRE_GPU=1, which turns the skip into a failure (CI sets it).
 */
import type { Engine } from '../../src/func/types.ts';
import { createCpuEngine } from '../../src/func/cpu/engine.ts';
import { createGpuEngine } from '../../src/gpu/engine.ts';

export interface EngineEntry {
  name: string;
  /** returns null when the backend is unavailable on this machine (GPU without adapter) */
  make: () => Promise<Engine | null>;
}

export const ENGINES: EngineEntry[] = [
  // the fast CPU path on the calling thread, and split across two worker threads
  { name: 'cpu (1 worker)', make: async () => createCpuEngine({ workers: 1 }) },
  { name: 'cpu (2 workers)', make: async () => createCpuEngine({ workers: 2, chunk: 4 }) },
  // the WGSL path (null without an adapter: skipped, or a failure with ARCHSIM_REQUIRE_GPU=1)
  { name: 'gpu', make: () => createGpuEngine() },
  // the WGSL path with every binary layer on binary_dots.wgsl (the workgroup-memory kernel that
  // the default register-blocked path replaced, still used where packed fields do not fit a buffer)
  { name: 'gpu (binary_dots kernel)', make: () => createGpuEngine({ binaryKernel: 'shared' }) },
];
