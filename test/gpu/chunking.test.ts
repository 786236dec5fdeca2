/**
 * Batches larger than one dispatch's limit are split into chunks; results (predictions, digest,
 * every activity count) are identical to one big dispatch and to the reference engine. The same
 * holds for the one-vector-per-invocation pipelines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateReference } from '../../src/func/reference.ts';
import type { Readout } from '../../src/func/types.ts';
import type { GpuEngine } from '../../src/gpu/engine.ts';
import { mapSize } from '../../src/model/types.ts';
import { randomLabels, randomModel, randomPixels } from '../../src/model/random.ts';
import { gpuEngineOrSkip } from './gpu-env.ts';

const convModel = randomModel({
  input: { channels: 3, height: 9, width: 9 },
  first: { kind: 'conv', out: 8, kernel: 3, stride: 1, padding: 1, pool: { size: 2, stride: 2 } },
  hidden: [
    { kind: 'conv', out: 16, kernel: 3, stride: 1, padding: 1, groups: 3, pool: null }, // K=72
    { kind: 'dense', out: 20, groups: 4 }, // K=16*4*4=256
  ],
  classes: 10,
  seed: 11,
});
const mlpModel = randomModel({
  input: { channels: 1, height: 10, width: 10 },
  first: { kind: 'dense', out: 90 },
  hidden: [
    { kind: 'dense', out: 45, groups: 5 },
    { kind: 'dense', out: 30, groups: 3 },
  ],
  classes: 10,
  seed: 12,
});

const readouts: Readout[] = [{ kind: 'sense' }, { kind: 'adc', rows: 10, bits: 2 }];

describe('gpu chunking', () => {
  let big: GpuEngine | null = null;
  let byCount: GpuEngine | null = null;
  let byBytes: GpuEngine | null = null;
  let oneVector: GpuEngine | null = null;
  beforeAll(async () => {
    big = await gpuEngineOrSkip();
    byCount = await gpuEngineOrSkip({ maxImagesPerDispatch: 7 });
    // the largest per-image buffer of these models is a few hundred bytes: 1 KiB gives chunks of a few images
    byBytes = await gpuEngineOrSkip({ maxBufferBytes: 1024 });
    // the one-vector-per-invocation pipelines (used for layers too wide for four) on the same cases
    oneVector = await gpuEngineOrSkip({ vectorsPerInvocation: 1, maxImagesPerDispatch: 50 });
  }, 120_000);
  afterAll(() => {
    big?.dispose();
    byCount?.dispose();
    byBytes?.dispose();
    oneVector?.dispose();
  });

  for (const [name, model] of [['conv', convModel], ['mlp', mlpModel]] as const) {
    for (const readout of readouts) {
      it(`${name} ${JSON.stringify(readout)}: chunked == one dispatch == one vector per invocation == reference`, async (ctx) => {
        if (!big || !byCount || !byBytes || !oneVector) return ctx.skip();
        const count = 123;
        const size = mapSize(model.layers[0]!.inShape);
        const inputs = { count, pixels: randomPixels(21, count, size), labels: randomLabels(22, count, 10) };
        // the injected limits really produce several chunks, the default one
        const plan = (e: GpuEngine) => e.chunkSizeFor(model, readout);
        expect(plan(big)).toBeGreaterThanOrEqual(count);
        expect(plan(byCount)).toBe(7);
        expect(plan(byBytes)).toBeGreaterThan(1);
        expect(plan(byBytes)).toBeLessThan(count / 4);
        const want = evaluateReference(model, inputs, { readout });
        const one = await big.evaluate(model, inputs, { readout });
        for (const e of [byCount, byBytes, oneVector]) {
          const got = await e.evaluate(model, inputs, { readout });
          expect(got.predictionsDigest).toBe(one.predictionsDigest);
          expect(got.activity).toEqual(one.activity);
        }
        expect(one.predictionsDigest).toBe(want.predictionsDigest);
        expect(one.accuracy).toBe(want.accuracy);
        expect(one.activity).toEqual(want.activity);
      });
    }
  }

  it('weights are uploaded once per model and reused across calls and readouts', async (ctx) => {
    if (!big) return ctx.skip();
    const size = mapSize(mlpModel.layers[0]!.inShape);
    const inputs = { count: 5, pixels: randomPixels(31, 5, size), labels: null };
    const before = big.uploadedModels;
    await big.evaluate(mlpModel, inputs, { readout: { kind: 'sense' } });
    await big.evaluate(mlpModel, inputs, { readout: { kind: 'adc', rows: 8, bits: 3 } });
    expect(big.uploadedModels - before).toBeLessThanOrEqual(1);
    await big.evaluate(mlpModel, inputs, { readout: { kind: 'sense' } });
    expect(big.uploadedModels - before).toBeLessThanOrEqual(1);
  });

  it('concurrent evaluate() calls on one engine give the results of sequential ones', async (ctx) => {
    if (!byCount) return ctx.skip();
    const size = mapSize(convModel.layers[0]!.inShape);
    const a = { count: 30, pixels: randomPixels(41, 30, size), labels: null };
    const b = { count: 25, pixels: randomPixels(42, 25, size), labels: null };
    const ra: Readout = { kind: 'sense' };
    const rb: Readout = { kind: 'adc', rows: 10, bits: 2 };
    const [ga, gb] = await Promise.all([byCount.evaluate(convModel, a, { readout: ra }), byCount.evaluate(convModel, b, { readout: rb })]);
    const wa = evaluateReference(convModel, a, { readout: ra });
    const wb = evaluateReference(convModel, b, { readout: rb });
    expect(ga.predictionsDigest).toBe(wa.predictionsDigest);
    expect(ga.activity).toEqual(wa.activity);
    expect(gb.predictionsDigest).toBe(wb.predictionsDigest);
    expect(gb.activity).toEqual(wb.activity);
  });

  it('zero images gives the reference result', async (ctx) => {
    if (!big) return ctx.skip();
    const inputs = { count: 0, pixels: new Uint8Array(0), labels: new Uint8Array(0) };
    const readout: Readout = { kind: 'adc', rows: 10, bits: 3 };
    const want = evaluateReference(convModel, inputs, { readout });
    const got = await big.evaluate(convModel, inputs, { readout });
    expect(got.predictionsDigest).toBe(want.predictionsDigest);
    expect(got.accuracy).toBe(want.accuracy);
    expect(got.activity).toEqual(want.activity);
  });
});
