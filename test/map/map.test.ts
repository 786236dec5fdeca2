import { describe, expect, it } from 'vitest';
import { mapModel, mappingReport } from '../../src/map/index.ts';
import { syntheticModel, seedGroups } from '../../src/model/synthetic.ts';
import { InputError } from '../../src/errors.ts';
import { archWith } from '../arch/helpers.ts';

describe('seed group rule', () => {
  it('matches the seed table at 512/256/128', () => {
    // conv 128->128 (K=1152), conv 256->256 (2304), conv 512->512 (4608), FC 8192, FC 1024, MNIST FC 2048
    expect([1152, 2304, 4608].map((K) => seedGroups('conv', K, 512))).toEqual([3, 6, 9]);
    expect([1152, 2304, 4608].map((K) => seedGroups('conv', K, 256))).toEqual([6, 9, 18]);
    expect([1152, 2304, 4608].map((K) => seedGroups('conv', K, 128))).toEqual([9, 18, 36]);
    expect([8192, 1024, 2048].map((K) => seedGroups('dense', K, 512))).toEqual([16, 2, 4]);
    expect([8192, 1024, 2048].map((K) => seedGroups('dense', K, 256))).toEqual([32, 4, 8]);
    expect([8192, 1024, 2048].map((K) => seedGroups('dense', K, 128))).toEqual([64, 8, 16]);
  });
});

describe('mapping', () => {
  const tile64 = archWith('tile64');
  it('places the seed workloads on tile64 in both designs', () => {
    const mb = mapModel(tile64, syntheticModel('mnist-mlp', null), 'adc');
    const ms = mapModel(tile64, syntheticModel('mnist-mlp', 256), 'split');
    const cb = mapModel(tile64, syntheticModel('cifar10-vgg', null), 'adc');
    const cs = mapModel(tile64, syntheticModel('cifar10-vgg', 256), 'split');
    expect([mb, ms, cb, cs].map((m) => (m.ok ? m.arraysUsed : m.reason))).toEqual([128, 128, 217, 219]);
    if (!cb.ok || !cs.ok) throw new Error('unreachable');
    // conv 128->128, baseline: K = 1152 -> 5 row blocks of 256, 128 neurons on 256 columns
    const c2 = cb.layers[1]!;
    expect(c2).toMatchObject({ name: 'conv2', unit: 'crossbar', readout: 'adc', rowBlocks: 5, colBlocks: 1, arrays: 5 });
    expect(c2.rowUtilisation).toBeCloseTo(1152 / 1280, 12);
    expect(c2.colUtilisation).toBeCloseTo(0.5, 12);
    // the same layer split: 6 groups of 192 rows, sense amps
    expect(cs.layers[1]).toMatchObject({ readout: 'sense', groups: 6, rowBlocks: 6, arrays: 6 });
    expect(cs.layers[1]!.rowUtilisation).toBeCloseTo(192 / 256, 12);
    // first and last layers on the digital unit by default
    expect(cb.layers[0]).toMatchObject({ unit: 'digital', arrays: 0 });
    expect(cb.layers[cb.layers.length - 1]).toMatchObject({ unit: 'digital', role: 'classifier' });
    // arrays are packed in layer order: conv2 on tiles 0-1; fc1 (128 arrays) starts at array
    // 5+5+9+18+36 = 73 (tile 18) and ends at array 200 (tile 50): 33 tiles
    expect(c2.tiles).toEqual([0, 1]);
    expect(cb.layers[6]).toMatchObject({ name: 'fc1', arrays: 128 });
    expect(cb.layers[6]!.tiles.length).toBe(33);
    expect(cb.layers[6]!.tiles[0]).toBe(18);
  });
  it('reports a model that does not fit as a result with the reason', () => {
    const small = archWith('small');
    const m = mapModel(small, syntheticModel('cifar10-vgg', null), 'adc');
    expect(m.ok).toBe(false);
    if (m.ok) return;
    // 64-row arrays: conv2 18, conv3 36, conv4 36x4, ... computed by the same rule
    expect(m.reason).toBe(`needs ${m.arraysNeeded} arrays of 64x64, chip has 16`);
    expect(mappingReport(m)).toMatchObject({ ok: false, arraysTotal: 16 });
    const tight = mapModel(archWith('tile64', { 'chip.tiles': 54 }), syntheticModel('cifar10-vgg', null), 'adc');
    expect(tight.ok ? 'fits' : tight.reason).toBe('needs 217 arrays of 256x256, chip has 216');
  });
  it('a split group larger than the array is bad input naming both numbers', () => {
    const r128 = archWith('tile64-r128');
    let msg = '';
    try {
      mapModel(r128, syntheticModel('mnist-mlp', 256), 'split');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      msg = (e as Error).message;
    }
    expect(msg).toContain('has groups of 256 inputs');
    expect(msg).toContain('128 usable logical rows');
    // bias rows take input rows in the split design
    const bias = archWith('tile64', { 'tile.array.threshold': { impl: 'bias-rows', rows: 8 } });
    expect(() => mapModel(bias, syntheticModel('mnist-mlp', 256), 'split')).toThrow(/256 rows minus 8 bias rows/);
    // an unsplit layer cannot be read by sense amps
    expect(() => mapModel(archWith('tile64'), syntheticModel('mnist-mlp', null), 'split')).toThrow(/unsplit layer cannot be read by 1-bit sense amps/);
  });
  it('can place the first and last layers on crossbars with ADCs', () => {
    const a = archWith('tile64', { 'chip.placement.first': 'crossbar', 'chip.placement.last': 'crossbar' });
    const m = mapModel(a, syntheticModel('mnist-mlp', 256), 'split');
    if (!m.ok) throw new Error(m.reason);
    // first: 784 inputs -> 4 row blocks x 8 column blocks, 8 bit-planes; classifier: 8 row blocks x 1
    expect(m.layers[0]).toMatchObject({ unit: 'crossbar', readout: 'adc', rowBlocks: 4, colBlocks: 8, arrays: 32, inputPasses: 8 });
    expect(m.layers[3]).toMatchObject({ unit: 'crossbar', readout: 'adc', rowBlocks: 8, colBlocks: 1, arrays: 8 });
    expect(m.arraysUsed).toBe(128 + 32 + 8);
  });
  it('replication gives spare arrays to the slowest layer', () => {
    const a = archWith('tile64', { 'chip.placement.replication': 'balance' });
    const m = mapModel(a, syntheticModel('cifar10-vgg', null), 'adc');
    if (!m.ok) throw new Error(m.reason);
    expect(m.arraysUsed).toBeLessThanOrEqual(256);
    expect(m.layers[1]!.replicas).toBeGreaterThan(1); // conv2: 1024 vectors per image
    expect(m.layers[1]!.arrays).toBe(5 * m.layers[1]!.replicas);
    expect(m.layers[6]!.replicas).toBe(1);
  });
});
