/**
 * NUMERICS.md's worked example and other hand-computed cases, on the reference engine.
 * (The same cases run on every backend in backends.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { evaluateReference, popcount32, type ReferenceExtras } from '../../src/func/reference.ts';
import { passThroughModel, signPixels } from '../helpers/hand-model.ts';

const x = '+-+++-';
const w = '+++-++';

function run(model: ReturnType<typeof passThroughModel>, pixels: Uint8Array, readout: Parameters<typeof evaluateReference>[2]['readout']) {
  const extras: ReferenceExtras = {};
  const res = evaluateReference(model, { count: pixels.length / model.layers[0]!.inShape.width, pixels, labels: null }, { readout }, extras);
  return { res, extras };
}

describe('NUMERICS.md worked example (K = 6)', () => {
  it('first layer passes the signs through', () => {
    const m = passThroughModel(6, { out: 1, groups: 1, rows: [w], t: [0], d: [1] });
    const { extras } = run(m, signPixels(x), { kind: 'sense' });
    expect(Array.from(extras.layerOutputs![0]!)).toEqual([1, 0, 1, 1, 1, 0]);
  });

  it('split design, G = 2: group bits 1 and 0, majority tie gives +1', () => {
    // one neuron, two groups of 3: rows are (o=0,g=0) then (o=0,g=1)
    const m = passThroughModel(6, { out: 1, groups: 2, rows: [w.slice(0, 3), w.slice(3)], t: [0, 0], d: [1, 1] });
    const { res, extras } = run(m, signPixels(x), { kind: 'sense' });
    expect(extras.layerOutputs![1]![0]).toBe(1);
    const a = res.activity[1]!;
    // group 0: m = 2; group 1: m = 1
    expect(a.matches).toBe(3);
    expect(a.conversions).toBe(2);
    expect(a.drivenRows).toBe(6);
    expect(a.activeInputs).toBe(4);
    expect(a.majorityOps).toBe(1);
    expect(a.saturations).toBe(0);
  });

  it('split design: flipping group 1 threshold to -1 makes the vote 1 of 2 still +1, 0 of 2 gives -1', () => {
    const m = passThroughModel(6, { out: 1, groups: 2, rows: [w.slice(0, 3), w.slice(3)], t: [2, 0], d: [1, 1] });
    const { extras } = run(m, signPixels(x), { kind: 'sense' });
    // group 0 dot 1 < 2 -> 0; group 1 dot -1 < 0 -> 0: majority 0 of 2 -> -1
    expect(extras.layerOutputs![1]![0]).toBe(0);
  });

  it('ADC design, R = 4, b = 2: estimate 2 >= 1 gives +1 while the exact dot 0 gives -1', () => {
    const m = passThroughModel(6, { out: 1, groups: 1, rows: [w], t: [1], d: [1] });
    const q = run(m, signPixels(x), { kind: 'adc', rows: 4, bits: 2 });
    expect(q.extras.layerOutputs![1]![0]).toBe(1);
    expect(q.res.activity[1]!.conversions).toBe(2);
    expect(q.res.activity[1]!.matches).toBe(3);
    expect(q.res.activity[1]!.blocksPerVector).toBe(2);
    const exact = run(m, signPixels(x), { kind: 'adc', rows: 4, bits: 3 });
    expect(exact.extras.layerOutputs![1]![0]).toBe(0);
    const sense = run(m, signPixels(x), { kind: 'sense' });
    expect(sense.extras.layerOutputs![1]![0]).toBe(0);
  });

  it('ADC saturation is counted when m exceeds (L-1)*s', () => {
    // R = 4, b = 1: L = 2, s = ceil(5/2) = 3; block of 4 all matching: m = 4 > 3 -> saturates, q = 1, m^ = 3
    const m = passThroughModel(4, { out: 1, groups: 1, rows: ['++++'], t: [4], d: [1] });
    const r = run(m, signPixels('++++'), { kind: 'adc', rows: 4, bits: 1 });
    expect(r.res.activity[1]!.saturations).toBe(1);
    // dot^ = 2*3 - 4 = 2 < 4 -> 0, although the exact dot 4 >= 4
    expect(r.extras.layerOutputs![1]![0]).toBe(0);
  });
});

describe('a 4-input, 2-group layer worked out by hand', () => {
  // x = (+1, +1, -1, +1); neuron 0: w = (+1, -1 | -1, -1); neuron 1: w = (-1, -1 | +1, -1)
  // neuron 0: g0: xnor 10 -> m=1, dot 0; g1: xnor 10 -> m=1, dot 0.
  //   thresholds (T=0,d=+1) -> 1 ; (T=-1,d=-1) -> 0 dot 0 <= -1 false -> 0. votes 1 of 2 -> tie -> +1
  // neuron 1: g0: x ++ vs w -- -> m=0, dot -2; g1: x -+ vs w +- -> m=0, dot -2.
  //   (T=-2,d=-1) -> 1 ; constant 0 -> 0: 1 of 2 -> tie -> +1
  it('gives the bits computed by hand', () => {
    const m = passThroughModel(4, { out: 2, groups: 2, rows: ['+-', '--', '--', '+-'], t: [0, -1, -2, 0], d: [1, -1, -1, 0] });
    const { res, extras } = run(m, signPixels('++-+'), { kind: 'sense' });
    expect(Array.from(extras.layerOutputs![1]!)).toEqual([1, 1]);
    expect(res.activity[1]!.matches).toBe(1 + 1 + 0 + 0);
    expect(res.activity[1]!.conversions).toBe(4);
    expect(res.activity[1]!.majorityOps).toBe(2);
    expect(res.activity[1]!.onesOut).toBe(2);
  });
  it('a three-group layer needs 2 of 3 votes', () => {
    // K = 3, G = 3: each group one input. x = (+1, -1, -1), w = (+1, +1, +1): dots 1, -1, -1
    const m = passThroughModel(3, { out: 1, groups: 3, rows: ['+', '+', '+'], t: [1, 1, 1], d: [1, 1, 1] });
    expect(run(m, signPixels('+--'), { kind: 'sense' }).extras.layerOutputs![1]![0]).toBe(0);
    expect(run(m, signPixels('++-'), { kind: 'sense' }).extras.layerOutputs![1]![0]).toBe(1);
  });
});

describe('popcount32', () => {
  it('matches a bit loop', () => {
    for (const v of [0, 1, 0xffffffff, 0x80000000, 0x12345678, 0xdeadbeef, 0x55555555]) {
      let c = 0;
      for (let i = 0; i < 32; i++) c += (v >>> i) & 1;
      expect(popcount32(v)).toBe(c);
    }
  });
});
