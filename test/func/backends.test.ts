/** Every backend agrees with the reference engine bit for bit: predictions, digest, activity counts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateReference } from '../../src/func/reference.ts';
import type { Engine } from '../../src/func/types.ts';
import { mapSize } from '../../src/model/types.ts';
import { randomLabels, randomPixels } from '../../src/model/random.ts';
import { CASES, buildCase } from '../../src/func/cases.ts';
import { ENGINES } from './engines.ts';

const requireGpu = process.env.ARCHSIM_REQUIRE_GPU === '1';

describe.each(ENGINES)('backend $name', (entry) => {
  let engine: Engine | null = null;
  beforeAll(async () => {
    engine = await entry.make();
    if (!engine && requireGpu) throw new Error(`${entry.name}: no adapter found and ARCHSIM_REQUIRE_GPU=1`);
  }, 120_000);
  afterAll(async () => {
    await engine?.dispose();
  });
  for (const c of CASES) {
    const model = buildCase(c);
    const size = mapSize(model.layers[0]!.inShape);
    const pixels = randomPixels(c.spec.seed + 100, c.images, size);
    const labels = randomLabels(c.spec.seed + 200, c.images, c.spec.classes);
    for (const readout of c.readouts) {
      it(`${c.name} / ${JSON.stringify(readout)}`, async (ctx) => {
        if (!engine) return ctx.skip();
        const want = evaluateReference(model, { count: c.images, pixels, labels }, { readout });
        const got = await engine.evaluate(model, { count: c.images, pixels, labels }, { readout });
        expect(Array.from(got.predictions)).toEqual(Array.from(want.predictions));
        expect(got.predictionsDigest).toBe(want.predictionsDigest);
        expect(got.accuracy).toBe(want.accuracy);
        expect(got.activity).toEqual(want.activity);
      });
    }
  }
});
