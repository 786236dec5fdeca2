/**
 * Activity counts beyond 2^32 within one dispatch: the GPU adds per-workgroup sums into 64-bit
 * (lo, hi) counters with an exact carry, and the CPU sums them in float64. One chunk of 600 images
 * through a 4096 x 4096 dense layer makes about 5e9 matches, above the 4.29e9 a u32 holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateReference } from '../../src/func/reference.ts';
import type { GpuEngine } from '../../src/gpu/engine.ts';
import { mapSize } from '../../src/model/types.ts';
import { randomModel, randomPixels } from '../../src/model/random.ts';
import { gpuEngineOrSkip } from './gpu-env.ts';

describe('gpu activity counters', () => {
  let engine: GpuEngine | null = null;
  beforeAll(async () => {
    engine = await gpuEngineOrSkip();
  }, 120_000);
  afterAll(() => engine?.dispose());

  it('matches above 2^32 in one dispatch equal the reference exactly', async (ctx) => {
    if (!engine) return ctx.skip();
    const model = randomModel({
      input: { channels: 1, height: 8, width: 8 },
      first: { kind: 'dense', out: 4096 },
      hidden: [{ kind: 'dense', out: 4096, groups: 1 }],
      classes: 10,
      seed: 77,
    });
    const count = 600;
    const inputs = { count, pixels: randomPixels(78, count, mapSize(model.layers[0]!.inShape)), labels: null };
    const readout = { kind: 'sense' } as const;
    expect(engine.chunkSizeFor(model, readout)).toBeGreaterThanOrEqual(count);
    const got = await engine.evaluate(model, inputs, { readout });
    const want = evaluateReference(model, inputs, { readout });
    expect(want.activity[1]!.matches).toBeGreaterThan(2 ** 32);
    expect(got.activity).toEqual(want.activity);
    expect(got.predictionsDigest).toBe(want.predictionsDigest);
  }, 300_000);
});
