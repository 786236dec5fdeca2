/** GPU runtime: adapter description for `archsim doctor`, one shared device, leases. */
import { describe, expect, it } from 'vitest';
import { acquireGpu, probeGpu, releaseGpu } from '../../src/gpu/runtime.ts';
import { requireGpu } from './gpu-env.ts';

describe('gpu runtime', () => {
  it('probeGpu describes the adapter as plain JSON', async (ctx) => {
    const p = await probeGpu();
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    if (!p.adapter) {
      expect(p.hint).toMatch(/mesa-vulkan-drivers/);
      if (requireGpu) throw new Error('no WebGPU adapter found and ARCHSIM_REQUIRE_GPU=1');
      return ctx.skip();
    }
    expect(['default', 'opengles']).toContain(p.backend);
    expect(typeof p.adapter.isSoftware).toBe('boolean');
    if (/llvmpipe|swiftshader/i.test(`${p.adapter.device} ${p.adapter.description}`)) expect(p.adapter.isSoftware).toBe(true);
    // the device was created with the adapter's limits, not the WebGPU defaults
    expect(p.limits!.maxStorageBufferBindingSize).toBeGreaterThan(0);
    expect(p.limits!.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(16384);
  });

  it('hands out one shared device per process and destroys it with the last lease', async (ctx) => {
    const a = await acquireGpu();
    if (!a) {
      if (requireGpu) throw new Error('no WebGPU adapter found and ARCHSIM_REQUIRE_GPU=1');
      return ctx.skip();
    }
    const b = await acquireGpu();
    expect(b!.device).toBe(a.device);
    a.release();
    a.release(); // a second release of the same lease is a no-op
    const c = await acquireGpu();
    expect(c!.device).toBe(a.device);
    b!.release();
    c!.release();
    const d = await acquireGpu();
    expect(d!.device).not.toBe(a.device);
    d!.release();
    releaseGpu();
  });
});
