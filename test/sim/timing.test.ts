/**
 * Timing rules of the chip model, each checked exactly on time and one cycle (or one bit) early,
 * on a hand-computed two-layer pipeline: input layer (digital) -> binary dense 32->16 (crossbar) ->
 * classifier (digital), on the small chip (1 GHz: 1 cycle = 1000 ps ticks).
 */
import { describe, expect, it } from 'vitest';
import { mapModel } from '../../src/map/index.ts';
import { simulateChip, evaluateDesign, readoutFor } from '../../src/sim/index.ts';
import { inputPrefixNeeded } from '../../src/sim/chip.ts';
import { syntheticActivity } from '../../src/model/synthetic.ts';
import type { ArchSpec } from '../../src/arch/index.ts';
import type { Model } from '../../src/model/types.ts';
import { randomModel } from '../../src/model/random.ts';
import { archWith } from '../arch/helpers.ts';

const twoLayer: Model = randomModel({ input: { channels: 1, height: 4, width: 4 }, first: { kind: 'dense', out: 32 }, hidden: [{ kind: 'dense', out: 16 }], classes: 10, seed: 3 });

function latencyPs(arch: ArchSpec, design: 'adc' | 'split'): number {
  const m = mapModel(arch, twoLayer, design);
  if (!m.ok) throw new Error(m.reason);
  return Math.round(simulateChip(arch, m, { images: 1 }).latencyNs * 1000);
}

/*
 * Hand computation, split design (all in ps):
 *   off-chip: 128 bits / 204.8 bit/ns = 625 ps, + 50 ns latency            -> 50625
 *   global-buffer write: ceil(128/512) = 1 cycle + 4 cycles latency         -> 55625
 *   digital unit: ceil(16*32/256) = 2 cycles + 4 cycles latency             -> 61625
 *   hub -> tile 0: 1 hop: ceil(32/128) = 1 cycle serialisation + 2 cycles    -> 64625
 *   tile-buffer write: ceil(32/256) = 1 cycle + 1 cycle latency             -> 66625
 *   tile-buffer read (issue): 1 + 1 cycles                                   -> 68625
 *   array read 10 ns                                                         -> 78625
 *   sense amp latch 1 cycle                                                  -> 79625
 *   (one part, one row block: no merge; threshold inside the sense amp)
 *   tile 0 -> hub: 1 hop, 1 + 2 cycles                                       -> 82625
 *   global-buffer write 1 + 4 cycles                                         -> 87625
 *   classifier on the digital unit: ceil(16*10/256) = 1 + 4 cycles           -> 92625
 * ADC design: 7-bit ADC ("exact" for 64 rows), 1.28 GS/s x 8/7 -> 684 ps per conversion; 16 ADCs
 * per array (64 columns / 4), 16 columns used -> 1 conversion; sample-and-hold; threshold unit
 * ceil(16/32) = 1 cycle + 1 cycle latency:
 *   78625 + 684 = 79309, + 2000 = 81309, + 3000 + 5000 + 5000               -> 94309
 */
describe('hand-computed two-layer pipeline', () => {
  const small = archWith('small');
  it('split design latency', () => expect(latencyPs(small, 'split')).toBe(92625));
  it('ADC design latency', () => expect(latencyPs(small, 'adc')).toBe(94309));
  it('steady-state throughput is set by the busiest unit (the array)', () => {
    for (const [design, perImagePs] of [
      ['split', 11000], // the array is held through the 1-cycle sense-amp latch (no sample-and-hold)
      ['adc', 10000], // with sample-and-hold the array is free after its 10 ns read
    ] as const) {
      const m = mapModel(small, twoLayer, design);
      if (!m.ok) throw new Error(m.reason);
      const r = simulateChip(small, m, { images: 12 });
      expect(r.throughputIps).toBeCloseTo(1e12 / perImagePs, 3);
      const arr = r.components.find((c) => c.kind === 'array')!;
      expect(arr.busyNs).toBeCloseTo((12 * perImagePs) / 1000, 6);
    }
  });
});

describe('timing rules, one cycle early and exactly on time', () => {
  it('ADC shared by n columns converts them one after another', () => {
    const base = latencyPs(archWith('small'), 'adc');
    // 16 columns per ADC: 4 ADCs, 16 used columns -> 4 conversions (3 more than with 4 columns per ADC)
    expect(latencyPs(archWith('small', { 'tile.readout.adc.columnsPerAdc': 16 }), 'adc')).toBe(base + 3 * 684);
    // 64 columns per ADC: one ADC for the array -> 16 conversions
    expect(latencyPs(archWith('small', { 'tile.readout.adc.columnsPerAdc': 64 }), 'adc')).toBe(base + 15 * 684);
  });
  it('without sample-and-hold the array waits for its read-out', () => {
    const m = mapModel(archWith('small', { 'tile.readout.adc.columnsPerAdc': 64, 'tile.readout.adc.sampleHold': false }), twoLayer, 'adc');
    if (!m.ok) throw new Error(m.reason);
    const r = simulateChip(archWith('small', { 'tile.readout.adc.columnsPerAdc': 64, 'tile.readout.adc.sampleHold': false }), m, { images: 12 });
    expect(r.throughputIps).toBeCloseTo(1e12 / (10000 + 16 * 684), 3);
  });
  it('buffer port width: exactly one word per cycle vs one bit more', () => {
    const base = latencyPs(archWith('small'), 'split');
    // the 32-bit activation vector is written once and read once at the tile
    expect(latencyPs(archWith('small', { 'tile.buffer.portWidth': '32b' }), 'split')).toBe(base);
    expect(latencyPs(archWith('small', { 'tile.buffer.portWidth': '31b' }), 'split')).toBe(base + 2000);
  });
  it('link serialisation: a packet of exactly the link width vs one bit wider', () => {
    const base = latencyPs(archWith('small'), 'split');
    expect(latencyPs(archWith('small', { 'chip.interconnect.linkWidth': '32b' }), 'split')).toBe(base);
    // the 32-bit packet now takes 2 cycles on its link; the 16-bit result still 1
    expect(latencyPs(archWith('small', { 'chip.interconnect.linkWidth': '31b' }), 'split')).toBe(base + 1000);
  });
  it('hop latency adds per hop', () => {
    const base = latencyPs(archWith('small'), 'split');
    expect(latencyPs(archWith('small', { 'chip.interconnect.hopLatency': '3cycles' }), 'split')).toBe(base + 2 * 1000);
  });
  it('array read latency: 10 ns vs one cycle longer', () => {
    const base = latencyPs(archWith('small'), 'split');
    expect(latencyPs(archWith('small', { 'tile.array.readLatency': '11ns' }), 'split')).toBe(base + 1000);
  });
  it('a conv position starts when its receptive field is in the buffer (raster prefix)', () => {
    const m = randomModel({ input: { channels: 2, height: 6, width: 6 }, first: { kind: 'conv', out: 8, kernel: 3, padding: 1 }, hidden: [{ kind: 'conv', out: 8, kernel: 3, padding: 1 }], classes: 10, seed: 5 });
    const a = archWith('small');
    const mp = mapModel(a, m, 'adc');
    if (!mp.ok) throw new Error(mp.reason);
    const conv = mp.layers[1]!;
    // output (0,0) of a 3x3, pad-1 conv on a 6-wide map needs inputs up to (1,1): raster index 7 -> 8 positions
    expect(inputPrefixNeeded(conv, 0)).toBe(8);
    // output (2,3) needs up to (3,4): 3*6+4+1 = 23 positions; (5,5) needs everything (36)
    expect(inputPrefixNeeded(conv, 2 * 6 + 3)).toBe(23);
    expect(inputPrefixNeeded(conv, 35)).toBe(36);
    // the first layer reads image rows: output row 0 needs rows 0..1
    expect(inputPrefixNeeded(mp.layers[0]!, 0)).toBe(2);
    // in the simulation the conv layer starts before its producer has finished the image
    const r = simulateChip(a, mp, { images: 1 });
    expect(r.layers[1]!.firstIssueNs).toBeLessThan(r.layers[0]!.lastDoneNs);
  });
});

describe('determinism and trace', () => {
  it('two runs give byte-identical results', () => {
    const a = archWith('tile64');
    const run = () => {
      const model = randomModel({ input: { channels: 3, height: 8, width: 8 }, first: { kind: 'conv', out: 16, kernel: 3, padding: 1 }, hidden: [{ kind: 'conv', out: 32, kernel: 3, padding: 1, groups: 2, pool: { size: 2, stride: 2 } }, { kind: 'dense', out: 64, groups: 2 }], classes: 10, seed: 9 });
      const act = syntheticActivity(model, readoutFor(a, 'split'), 10);
      return JSON.stringify(evaluateDesign({ arch: a, model, design: 'split', activity: act, images: 10, trace: true }));
    };
    const x = run();
    expect(x).toBe(run());
    const r = JSON.parse(x);
    expect(r.ok).toBe(true);
    expect(r.trace.traceEvents.length).toBeGreaterThan(10);
    const ev = r.trace.traceEvents.find((e: { ph: string }) => e.ph === 'X');
    expect(ev).toMatchObject({ ph: 'X', pid: 1 });
    expect(typeof ev.ts).toBe('number');
  });
});
