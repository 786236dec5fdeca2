/** bench/crossbar-gpu.ts: every kernel runs, agrees with the others and with a CPU popcount (checked inside benchGpu). */
import { describe, expect, it } from 'vitest';
import { crossbarModel } from '../../bench/crossbar-cpu.ts';
import { benchEngineLayer, benchGpu } from '../../bench/crossbar-gpu.ts';
import { requireGpu } from './gpu-env.ts';

describe('gpu crossbar bench', () => {
  it('measures the blocked, tiled and naive kernels on small shapes (K not a multiple of 32)', async (ctx) => {
    const shapes = [
      { batch: 37, K: 300, N: 45 },
      { batch: 64, K: 256, N: 64 },
    ];
    const res = await benchGpu(shapes, { minSeconds: 0.02 });
    if (!res.length) {
      if (requireGpu) throw new Error('no WebGPU adapter found and ARCHSIM_REQUIRE_GPU=1');
      return ctx.skip();
    }
    expect(res.map((r) => r.name)).toEqual(['gpu-blocked', 'gpu-tiled', 'gpu-naive', 'gpu-blocked', 'gpu-tiled', 'gpu-naive']);
    for (const r of res) {
      expect(r.bitMacsPerSec).toBeGreaterThan(0);
      expect(r.repetitions).toBeGreaterThanOrEqual(1);
    }
  }, 60_000);

  it('times the engine binary-layer path with each kernel (GpuEngine.timeLayer)', async (ctx) => {
    const res = await benchEngineLayer(crossbarModel(300, 70), 1, 19, 300 * 70, [{ kind: 'sense' }, { kind: 'adc', rows: 100, bits: 3 }], ['shared', 'blocked'], 0.01);
    if (!res.length) {
      if (requireGpu) throw new Error('no WebGPU adapter found and ARCHSIM_REQUIRE_GPU=1');
      return ctx.skip();
    }
    expect(res.map((r) => r.path)).toEqual(['engine-shared', 'engine-shared', 'engine-blocked', 'engine-blocked']);
    for (const r of res) {
      expect(r.images).toBe(19);
      expect(r.bitMacsPerSec).toBeGreaterThan(0);
      expect(r.repetitions).toBeGreaterThanOrEqual(1);
    }
  }, 60_000);
});
