/** Sanity of the shared cases on the reference engine itself (shapes, counts, invariants). */
import { describe, expect, it } from 'vitest';
import { canonicalReadout } from '../../src/func/common.ts';
import { evaluateReference } from '../../src/func/reference.ts';
import { mapSize } from '../../src/model/types.ts';
import { randomLabels, randomPixels } from '../../src/model/random.ts';
import { CASES, buildCase } from '../../src/func/cases.ts';

describe.each(CASES)('reference engine: $name', (c) => {
  const model = buildCase(c);
  const size = mapSize(model.layers[0]!.inShape);
  const pixels = randomPixels(c.spec.seed + 100, c.images, size);
  const labels = randomLabels(c.spec.seed + 200, c.images, c.spec.classes);
  it('counts are consistent with the shapes', () => {
    const r = evaluateReference(model, { count: c.images, pixels, labels }, { readout: { kind: 'sense' } });
    expect(r.predictions.length).toBe(c.images);
    expect(r.predictionsDigest).toMatch(/^[0-9a-f]{64}$/);
    for (const a of r.activity) {
      const l = model.layers[a.layer]!;
      if (l.type !== 'binary') continue;
      expect(a.conversions).toBe(a.vectors * l.groups * l.outChannels);
      expect(a.outputs).toBe(c.images * mapSize(l.outShape));
      expect(a.majorityOps).toBe(l.groups > 1 ? a.outputs : 0);
      expect(a.matches).toBeLessThanOrEqual(a.drivenRows * l.outChannels);
      expect(a.macs).toBe(a.drivenRows * l.outChannels);
      expect(a.onesOut).toBeGreaterThan(0);
      expect(a.onesOut).toBeLessThan(a.outputs);
    }
  });
  it('an exact ADC (b >= log2(R+1)) gives the same predictions as the sense read-out of the full dot', () => {
    const s = evaluateReference(model, { count: c.images, pixels, labels }, { readout: { kind: 'sense' } });
    const a = evaluateReference(model, { count: c.images, pixels, labels }, { readout: { kind: 'adc', rows: 16, bits: 5 } });
    expect(a.predictionsDigest).toBe(s.predictionsDigest);
    expect(a.activity.map((x) => x.matches)).toEqual(s.activity.map((x) => x.matches));
    expect(a.activity.reduce((t, x) => t + x.saturations, 0)).toBe(0);
  });
  it('every exact ADC (any bits with 2^b - 1 >= R, any clip) gives the canonical read-out\'s result', () => {
    const binary = model.layers.flatMap((l, i) => (l.type === 'binary' ? [i] : []));
    const canon = canonicalReadout({ kind: 'adc', rows: 20, bits: 7, clip: Object.fromEntries(binary.map((i) => [i, 9])) });
    expect(canon).toEqual({ kind: 'adc', rows: 20, bits: 5 });
    const ref = evaluateReference(model, { count: c.images, pixels, labels }, { readout: canon });
    for (const r of [{ kind: 'adc', rows: 20, bits: 6 }, { kind: 'adc', rows: 20, bits: 5, clip: Object.fromEntries(binary.map((i) => [i, 3])) }] as const) {
      expect(canonicalReadout(r)).toEqual(canon);
      const x = evaluateReference(model, { count: c.images, pixels, labels }, { readout: r });
      expect(x.predictionsDigest).toBe(ref.predictionsDigest);
      expect(x.activity).toEqual(ref.activity);
    }
    // not exact: 4 bits on 20 rows (step 2), or saturating: unchanged
    const lossy = { kind: 'adc', rows: 20, bits: 4 } as const;
    expect(canonicalReadout(lossy)).toBe(lossy);
    expect(canonicalReadout({ kind: 'sense' })).toEqual({ kind: 'sense' });
  });
});
