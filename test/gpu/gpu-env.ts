/**
 * How GPU tests get an engine: null (the test skips) when no adapter is found, an error when
 * ARCHSIM_REQUIRE_GPU=1 (CI), so the WGSL path cannot silently go untested.
 */
import { createGpuEngine, type GpuEngine, type GpuEngineOptions } from '../../src/gpu/engine.ts';

export const requireGpu = process.env.ARCHSIM_REQUIRE_GPU === '1';

export async function gpuEngineOrSkip(opts: GpuEngineOptions = {}): Promise<GpuEngine | null> {
  const e = await createGpuEngine(opts);
  if (!e && requireGpu) throw new Error('no WebGPU adapter found and ARCHSIM_REQUIRE_GPU=1');
  return e;
}
