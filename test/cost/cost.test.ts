import { describe, expect, it } from 'vitest';
import { tilePeak, TableLookup } from '../../src/cost/index.ts';
import { evaluateDesign, readoutFor, type DesignOk } from '../../src/sim/index.ts';
import { evaluateReference } from '../../src/func/reference.ts';
import { syntheticModel, syntheticActivity } from '../../src/model/synthetic.ts';
import { randomModel, rng } from '../../src/model/random.ts';
import { archWith } from '../arch/helpers.ts';

const sum = (o: Record<string, number>) => Object.values(o).reduce((s, v) => s + v, 0);

describe('ISAAC validation (Shafiee et al., ISCA 2016, Table I)', () => {
  // isaac-tile.json + tech/isaac-32nm.json: 12 IMAs x 8 crossbars of 128x128, one 8-bit 1.28 GS/s ADC
  // per crossbar, 100 ns reads, 1.2 GHz. Published tile: 330 mW, 0.372 mm^2, ADCs 58% of power, 31% of area.
  const a = archWith('isaac-tile');
  const p = tilePeak(a, 'adc', new TableLookup(a.tech));
  it('tile peak power at full activity within 5% of 330 mW', () => {
    expect(Math.abs(p.totalMw - 330) / 330).toBeLessThan(0.05);
  });
  it('tile area within 5% of 0.372 mm^2', () => {
    expect(Math.abs(p.totalUm2 / 1e6 - 0.372) / 0.372).toBeLessThan(0.05);
  });
  it('ADC share of power within 3 points of 58% and of area within 3 points of 31%', () => {
    expect(Math.abs((100 * p.powerMw.adc!) / p.totalMw - 58)).toBeLessThan(3);
    expect(Math.abs((100 * p.areaUm2.adc!) / p.totalUm2 - 31)).toBeLessThan(3);
  });
  it('the roll-up counts what ISAAC counts', () => {
    expect(p.powerMw.adc).toBeCloseTo(96 * 2, 6); // 96 ADCs x 2 mW
    expect(p.areaUm2.adc).toBeCloseTo(96 * 1200, 6);
    expect(p.powerMw.wordlineDriver).toBeCloseTo(12 * 4, 6); // 12 IMAs x 4 mW of DACs
    expect(p.powerMw.router).toBeCloseTo(42 / 4, 2); // shared by 4 tiles
  });
});

describe('energy and area of a design', () => {
  const small = archWith('small');
  const model = randomModel({ input: { channels: 1, height: 6, width: 6 }, first: { kind: 'conv', out: 8, kernel: 3, padding: 1 }, hidden: [{ kind: 'conv', out: 16, kernel: 3, padding: 1, groups: 2, pool: { size: 2, stride: 2 } }, { kind: 'dense', out: 32, groups: 3 }], classes: 10, seed: 11 });
  const n = 20;
  const r = rng(4);
  const pixels = new Uint8Array(n * 36).map(() => Math.floor(r() * 256));

  function run(design: 'adc' | 'split', extra: { adc?: { bits?: number; model?: string } } = {}): DesignOk {
    const readout = readoutFor(small, design, extra.adc?.bits);
    const ev = evaluateReference(model, { count: n, pixels, labels: null }, { readout });
    const res = evaluateDesign({ arch: small, model, design, activity: ev.activity, images: n, ...extra });
    if (!res.ok) throw new Error(res.reason);
    return res;
  }

  for (const design of ['adc', 'split'] as const) {
    it(`${design}: parts sum to the totals (per component, per layer, area)`, () => {
      const d = run(design);
      expect(sum(d.energyBreakdownPj)).toBeCloseTo(d.energyPj, 6);
      expect(d.layers.reduce((s, l) => s + l.energyPj, 0)).toBeCloseTo(d.energyPj, 6);
      for (const l of d.layers) expect(sum(l.energyBreakdownPj)).toBeCloseTo(l.energyPj, 6);
      expect(sum(d.areaBreakdownUm2)).toBeCloseTo(d.areaUm2, 6);
      expect(d.dynamicEnergyPj + d.leakageEnergyPj).toBeCloseTo(d.energyPj, 6);
      expect(d.withoutDigital.energyPj).toBeCloseTo(d.energyPj - (d.energyBreakdownPj.digitalUnit ?? 0), 6);
      expect(d.topsPerW).toBeCloseTo(d.opsPerImage / d.energyPj, 12);
      // every resolved row traces to a citation
      for (const e of d.techTable) expect(e.source.length).toBeGreaterThan(5);
    });
  }

  it('data-dependent energy follows the activity counts and the table', () => {
    const readout = readoutFor(small, 'adc');
    const ev = evaluateReference(model, { count: n, pixels, labels: null }, { readout });
    const d = run('adc');
    const act = ev.activity[1]!; // the split conv layer, read with 7-bit ADCs in row blocks of 64
    const l = d.layers.find((x) => x.layer === 1)!;
    const eOn = 0.51 ** 2 / 100e3 * 10e-9 * 1e12;
    const eOff = 0.51 ** 2 / 1.7e6 * 10e-9 * 1e12;
    const cells = (act.matches * eOn + (act.macs - act.matches) * eOff) / n;
    expect(l.energyBreakdownPj.array! / cells).toBeCloseTo(1, 4); // table rows are rounded to 6 digits
    expect(l.energyBreakdownPj.adc).toBeCloseTo((act.conversions / n) * (1.5625 / 2), 9); // 7 bits: isaac 8-bit / 2
    expect(d.adcBits).toBe(7);
    const split = run('split');
    const ls = split.layers.find((x) => x.layer === 1)!;
    const evs = evaluateReference(model, { count: n, pixels, labels: null }, { readout: { kind: 'sense' } });
    expect(ls.energyBreakdownPj.senseAmp).toBeCloseTo((evs.activity[1]!.conversions / n) * 0.00659, 9);
    expect(ls.energyBreakdownPj.majority).toBeCloseTo((evs.activity[1]!.majorityOps / n) * 0.0416667, 9);
    expect(split.energyBreakdownPj.adc ?? 0).toBe(0);
  });

  it('the ADC row is a sweepable choice', () => {
    const d9 = run('adc');
    const d5 = run('adc', { adc: { bits: 5 } });
    const ratio = (d5.energyBreakdownPj.adc ?? 0) / (d9.energyBreakdownPj.adc ?? 1);
    expect(ratio).toBeCloseTo(2 ** (5 - 7), 6); // exp2 scaling from the 8-bit ISAAC point, same conversions
    const m = run('adc', { adc: { model: 'mnsim' } });
    expect(m.adcModel).toBe('mnsim');
    expect(m.techTable.find((e) => e.component === 'adc.sar' && e.action === 'convert')!.source).toContain('MNSIM');
  });
});

describe('seed workloads on tile64', () => {
  const a = archWith('tile64');
  it('ADC count, what replaced it, and an infeasible point', () => {
    const base = syntheticModel('mnist-mlp', null);
    const adc = evaluateDesign({ arch: a, model: base, design: 'adc', activity: syntheticActivity(base, readoutFor(a, 'adc'), 10), images: 10 });
    const sp = syntheticModel('mnist-mlp', 256);
    const split = evaluateDesign({ arch: a, model: sp, design: 'split', activity: syntheticActivity(sp, readoutFor(a, 'split'), 10), images: 10 });
    if (!adc.ok || !split.ok) throw new Error('should fit');
    expect(adc.adcCount).toBe(256 * 32); // 256 arrays x 256 columns / 8 columns per ADC
    expect(adc.readout).toEqual({ kind: 'adc', rows: 256, bits: 9 });
    expect(adc.adcEnergyShare).toBeGreaterThan(0);
    expect(adc.adcAreaShare).toBeGreaterThan(0);
    expect(split.adcCount).toBe(0);
    expect(split.senseAmpCount).toBe(256 * 256);
    expect(split.replacement!.areaUm2).toBeCloseTo(sum(Object.fromEntries(['senseAmp', 'reference', 'majority'].map((k) => [k, split.areaBreakdownUm2[k] ?? 0]))), 6);
    expect(split.areaUm2).toBeLessThan(adc.areaUm2);
    const tiny = archWith('tile64', { 'chip.tiles': 16 });
    const cifar = syntheticModel('cifar10-vgg', null);
    const f = evaluateDesign({ arch: tiny, model: cifar, design: 'adc', activity: syntheticActivity(cifar, readoutFor(tiny, 'adc'), 1), images: 1 });
    expect(f).toMatchObject({ ok: false, reason: 'needs 217 arrays of 256x256, chip has 64', design: 'adc' });
  });
});
