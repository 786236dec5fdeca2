/** Every backend agrees with the reference engine bit for bit: predictions, digest, activity counts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateReference } from '../../src/func/reference.ts';
import type { Engine } from '../../src/func/types.ts';
import { CASES } from '../../src/func/cases.ts';
import { caseJob } from '../../src/func/selfcheck.ts';
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
    // the case's model and inputs, as the CLI's self-check builds them
    const { model, inputs } = caseJob(c);
    const { pixels, labels } = inputs;
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
