import { describe, expect, it } from 'vitest';
import { INTERCONNECTS } from '../../src/arch/index.ts';
import { mapModel } from '../../src/map/index.ts';
import { simulateChip, readoutFor } from '../../src/sim/index.ts';
import { syntheticModel, syntheticActivity } from '../../src/model/synthetic.ts';
import { evaluateReference } from '../../src/func/reference.ts';
import { randomModel, rng } from '../../src/model/random.ts';
import { archWith } from '../arch/helpers.ts';

describe('interconnect implementations', () => {
  it('mesh routes XY: x first, then y; the hub attaches at node 0', () => {
    const m = INTERCONNECTS.mesh({ impl: 'mesh', width: 4, height: 4, tiles: 16 });
    // node 5 = (1,1) -> node 14 = (2,3): east from 5, south from 6, south from 10
    expect(m.route(5, 14)).toEqual([5 * 5 + 0, 6 * 5 + 3, 10 * 5 + 3]);
    expect(m.route(14, 5)).toEqual([14 * 5 + 1, 13 * 5 + 2, 9 * 5 + 2]);
    expect(m.route(16, 1)).toEqual([16 * 5 + 0, 0 * 5 + 0]); // hub -> node 0 -> east
    expect(m.route(1, 16)).toEqual([1 * 5 + 1, 0 * 5 + 4]);
    expect(m.route(3, 3)).toEqual([]);
  });
  it('htree climbs to the common ancestor and descends; bus is one shared link', () => {
    const h = INTERCONNECTS.htree({ impl: 'htree', width: 1, height: 1, tiles: 4 });
    // leaves 4..7; tiles 0 and 1 share parent 2: up 4->2, down 2->5
    expect(h.route(0, 1)).toEqual([8, 11]);
    expect(h.route(0, 3)).toEqual([8, 4, 7, 15]); // 4->2->1, 1->3->7
    expect(h.route(4, 0)).toEqual([5, 9]); // hub (at the root) down 1->2->4
    const b = INTERCONNECTS.bus({ impl: 'bus', width: 1, height: 1, tiles: 4 });
    expect(b.route(0, 3)).toEqual([0]);
    expect(b.route(2, 2)).toEqual([]);
  });
  it('the same workload runs on every interconnect; a bus is slower than the mesh', () => {
    const model = syntheticModel('mnist-mlp', 256);
    const thr: Record<string, number> = {};
    for (const ic of [
      { impl: 'mesh', width: 8, height: 8, linkWidth: '128b', hopLatency: '2cycles' },
      { impl: 'htree', linkWidth: '128b', hopLatency: '2cycles' },
      { impl: 'bus', linkWidth: '128b', hopLatency: '2cycles' },
    ]) {
      const a = archWith('tile64', { 'chip.interconnect': ic });
      const m = mapModel(a, model, 'split');
      if (!m.ok) throw new Error(m.reason);
      thr[ic.impl] = simulateChip(a, m, { images: 4 }).throughputIps;
    }
    expect(thr.bus).toBeLessThan(thr.mesh!);
    expect(thr.htree).toBeGreaterThan(0);
  });
});

describe('flow control and buffers', () => {
  it('credits keep the CIFAR-10 VGG stream inside the tile buffers on tile64', () => {
    const a = archWith('tile64');
    const m = mapModel(a, syntheticModel('cifar10-vgg', 256), 'split');
    if (!m.ok) throw new Error(m.reason);
    const r = simulateChip(a, m, { images: 6 });
    expect(r.traffic.spilledBits).toBe(0);
    expect(r.peakBufferBits).toBeLessThanOrEqual(a.tile.buffer.capacityBits);
    expect(r.peakBufferBits).toBeGreaterThan(0);
  });
});

describe('global buffer overflow', () => {
  it('images that do not fit the global buffer wait in off-chip memory at its cost', () => {
    const model = syntheticModel('cifar10-vgg', 256);
    const run = (gb: string) => {
      const a = archWith('tile64', { 'chip.globalBuffer.capacity': gb });
      const m = mapModel(a, model, 'split');
      if (!m.ok) throw new Error(m.reason);
      return simulateChip(a, m, { images: 4 });
    };
    const big = run('4MB');
    const tiny = run('8Kb'); // smaller than one 3x32x32x8-bit image (24576 bits)
    expect(big.traffic.offChipSpillBits).toBe(0);
    expect(big.traffic.offChipBits).toBe(24576);
    expect(tiny.traffic.offChipSpillBits).toBe(24576);
    expect(tiny.traffic.offChipBits).toBe(3 * 24576); // load + write back + read again
    expect(tiny.latencyNs).toBeGreaterThan(big.latencyNs);
  });
});

describe('synthetic activity', () => {
  it('structural counts equal the reference engine on the same model', () => {
    const model = randomModel({ input: { channels: 2, height: 6, width: 6 }, first: { kind: 'conv', out: 8, kernel: 3, padding: 1 }, hidden: [{ kind: 'conv', out: 16, kernel: 3, padding: 1, groups: 2, pool: { size: 2, stride: 2 } }, { kind: 'dense', out: 24, groups: 4 }], classes: 10, seed: 21 });
    const a = archWith('small');
    const r = rng(1);
    const n = 3;
    const pixels = new Uint8Array(n * 72).map(() => Math.floor(r() * 256));
    for (const design of ['adc', 'split'] as const) {
      const ro = readoutFor(a, design);
      const ref = evaluateReference(model, { count: n, pixels, labels: null }, { readout: ro }).activity;
      const syn = syntheticActivity(model, ro, n);
      for (let i = 1; i < model.layers.length - 1; i++) {
        for (const k of ['vectors', 'blocksPerVector', 'drivenRows', 'conversions', 'majorityOps', 'outputs', 'macs'] as const) {
          expect([i, k, syn[i]![k]]).toEqual([i, k, ref[i]![k]]);
        }
      }
    }
  });
});
