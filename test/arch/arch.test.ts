import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadArch, loadArchFromJson, validateArchFile, setByPath, getByPath, parseCliValue, parseQuantity, adcFigures, loadTechTable, buildTechTable } from '../../src/arch/index.ts';
import { InputError } from '../../src/errors.ts';
import { CONFIGS, ROOT, archWith, configJson } from './helpers.ts';

const file = join(CONFIGS, 'tile64.json');

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('units', () => {
  it('parses quantities into base units', () => {
    expect(parseQuantity('1GHz', 'frequency')).toEqual({ value: 1, cycles: false });
    expect(parseQuantity('100ns', 'time')).toEqual({ value: 100, cycles: false });
    expect(parseQuantity('64KB', 'data')).toEqual({ value: 64 * 1024 * 8, cycles: false });
    expect(parseQuantity('2mW', 'power')).toEqual({ value: 2, cycles: false });
    expect(parseQuantity('1200um^2', 'area')).toEqual({ value: 1200, cycles: false });
    expect(parseQuantity('0.372mm^2', 'area')).toMatchObject({ value: 372000 });
    expect(parseQuantity('1.56pJ', 'energy')).toEqual({ value: 1.56, cycles: false });
    expect(parseQuantity('25.6GB/s', 'bandwidth')).toMatchObject({ value: 204.8 });
    expect(parseQuantity('2cycles', 'time', { allowCycles: true })).toEqual({ value: 2, cycles: true });
  });
  it('rejects missing, unknown and mismatched units', () => {
    expect(parseQuantity('100', 'time')).toMatch(/has no unit/);
    expect(parseQuantity('100parsecs', 'time')).toMatch(/unknown time unit "parsecs"/);
    expect(parseQuantity('2mW', 'energy')).toMatch(/unknown energy unit "mW"/);
    expect(parseQuantity('2cycles', 'time')).toMatch(/cycles are not allowed/);
    expect(parseQuantity(5, 'time')).toMatch(/must be a string/);
  });
});

describe('architecture files', () => {
  it('loads every shipped config', () => {
    for (const n of ['tile64', 'small', 'tile64-r128', 'tile64-r512', 'isaac-tile']) {
      expect(validateArchFile(join(CONFIGS, `${n}.json`))).toEqual({ ok: true, name: n });
    }
  });
  it('parses tile64 into base units and immutable specs', () => {
    const a = loadArch(file);
    expect(a.version).toBe(1);
    expect(a.chip.tiles).toBe(64);
    expect(a.chip.interconnect).toMatchObject({ impl: 'mesh', width: 8, height: 8, linkWidthBits: 128, hopLatencyPs: 2000 });
    expect(a.cyclePs).toBe(1000);
    expect(a.tile.array).toMatchObject({ rows: 256, cols: 256, physicalRows: 512, physicalCols: 256, readLatencyPs: 10000 });
    expect(a.tile.readout.adc).toMatchObject({ bitsSetting: 'exact', bits: 9, columnsPerAdc: 8, model: 'isaac' });
    expect(a.tile.buffer.capacityBits).toBe(64 * 1024 * 8);
    expect(Object.isFrozen(a.tile.array)).toBe(true);
    expect(() => {
      (a.tile.array as { rows: number }).rows = 1;
    }).toThrow();
  });
  it('cell encodings set the physical array size', () => {
    expect(archWith('tile64', { 'tile.array.cellEncoding': 'differential' }).tile.array).toMatchObject({ physicalRows: 256, physicalCols: 512 });
    expect(archWith('tile64', { 'tile.array.cellEncoding': 'single' }).tile.array).toMatchObject({ physicalRows: 256, physicalCols: 256 });
    // bias rows are physical rows too
    expect(archWith('tile64', { 'tile.array.threshold': { impl: 'bias-rows', rows: 8 } }).tile.array).toMatchObject({ physicalRows: 2 * 264, threshold: { impl: 'bias-rows', rows: 8 } });
  });
  it('names file and JSON path for unknown keys, missing keys, wrong types and impossible values', () => {
    const bad = (edit: (j: Record<string, any>) => void) => {
      const j = configJson('tile64');
      edit(j);
      return errorOf(() => loadArchFromJson(j, file));
    };
    expect(bad((j) => (j.tile.array.rowz = 5))).toContain(`${file}: tile.array.rowz: unknown key "rowz"`);
    expect(bad((j) => delete j.tile.buffer)).toContain(`${file}: tile.buffer: missing required key "buffer"`);
    expect(bad((j) => (j.tile.array.rows = '256'))).toContain(`${file}: tile.array.rows: must be integer`);
    expect(bad((j) => (j.tile.array.rows = 0))).toContain(`${file}: tile.array.rows:`);
    expect(bad((j) => (j.tile.readout.adc.bits = 17))).toContain(`${file}: tile.readout.adc.bits`);
    expect(bad((j) => (j.version = 2))).toContain(`${file}: version: must be 1`);
    expect(bad((j) => (j.clock = '1'))).toContain(`${file}: clock: "1" has no unit`);
    expect(bad((j) => (j.clock = '1GW'))).toContain(`${file}: clock: "1GW": unknown frequency unit "GW"`);
    expect(bad((j) => (j.tile.array.readLatency = '-5ns'))).toContain(`${file}: tile.array.readLatency: must be positive`);
    expect(bad((j) => (j.chip.tiles = 65))).toContain('8x8 mesh has 64 nodes, fewer than chip.tiles = 65');
    expect(bad((j) => (j.tile.readout.adc.model = 'nope'))).toContain(`${file}: tile.readout.adc.model: "nope" is not an ADC model`);
    expect(bad((j) => (j.tile.array.threshold = { impl: 'bias-rows', rows: 256 }))).toContain('tile.array.threshold.rows: 256 bias rows leave no input rows');
  });
  it('reports a missing file and invalid JSON as bad input', () => {
    expect(errorOf(() => loadArch('/nonexistent/arch.json'))).toContain('architecture file not found');
    const d = mkdtempSync(join(tmpdir(), 'arch-'));
    writeFileSync(join(d, 'a.json'), '{ nope');
    expect(errorOf(() => loadArch(join(d, 'a.json')))).toContain('not valid JSON');
  });
  it('sets dotted paths for sweeps and re-validates', () => {
    const j = configJson('tile64');
    setByPath(j, 'tile.array.rows', 128);
    setByPath(j, 'tile.array.cols', 128);
    expect(getByPath(j, 'tile.array.rows')).toBe(128);
    const a = loadArchFromJson(j, file);
    expect(a.tile.array.rows).toBe(128);
    expect(a.tile.readout.adc.bits).toBe(8); // "exact" follows the rows
    expect(errorOf(() => setByPath(j, 'tile.arry.rows', 1))).toContain('the architecture has no "tile.arry"');
    setByPath(j, 'tile.array.rowz', 1);
    expect(errorOf(() => loadArchFromJson(j, file))).toContain('tile.array.rowz: unknown key');
    expect(parseCliValue('256')).toBe(256);
    expect(parseCliValue('1GHz')).toBe('1GHz');
    setByPath(j, 'tile.extras', [{ component: 'sigmoid', count: 1 }]);
    setByPath(j, 'tile.extras[0].count', 3);
    expect(getByPath(j, 'tile.extras[0].count')).toBe(3);
  });
  it('publishes a JSON Schema that the shipped configs reference', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/arch.schema.json'), 'utf8'));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.tile.properties.array.properties.rows.minimum).toBe(1);
    expect(configJson('tile64').$schema).toBe('../schemas/arch.schema.json');
  });
});

describe('technology tables', () => {
  const techFile = join(CONFIGS, 'tech/rram-32nm.json');
  it('every row cites a source and has a unit matching its action', () => {
    for (const f of ['rram-32nm', 'isaac-32nm']) {
      const t = loadTechTable(join(CONFIGS, `tech/${f}.json`));
      expect(t.rows.length).toBeGreaterThan(10);
      for (const r of t.rows) expect(r.source.length).toBeGreaterThan(5);
      expect(t.adcModels[t.adcDefault]).toBeDefined();
    }
  });
  it('rejects negative energy, wrong units and duplicate rows', () => {
    const j = JSON.parse(readFileSync(techFile, 'utf8'));
    const k = structuredClone(j);
    k.rows[0].value = -1;
    expect(errorOf(() => buildTechTable(k, techFile))).toContain(`${techFile}: rows[0].value`);
    const u = structuredClone(j);
    u.rows[0].unit = 'mW';
    expect(errorOf(() => buildTechTable(u, techFile))).toContain('"mW" is a power unit, but action "readOn" needs a energy unit');
    const d = structuredClone(j);
    d.rows.push(d.rows[0]);
    expect(errorOf(() => buildTechTable(d, techFile))).toContain('duplicate row for component "cell" action "readOn"');
  });
  it('ADC figures: listed points, interpolation, scaling', () => {
    const t = loadTechTable(techFile);
    expect(adcFigures(t, 'isaac', 8)).toMatchObject({ energyPj: 1.5625, areaUm2: 1200, rateGHz: 1.28 });
    const i9 = adcFigures(t, 'isaac', 9);
    expect(i9.energyPj).toBeCloseTo(3.125, 10);
    expect(i9.areaUm2).toBeCloseTo(2400, 10);
    expect(i9.rateGHz).toBeCloseTo((1.28 * 8) / 9, 10);
    const m7 = adcFigures(t, 'mnsim', 7);
    expect(m7.energyPj).toBeCloseTo(Math.sqrt(1.26 * (4 / 1.1)), 4); // geometric mean of the 6- and 8-bit points
    expect(m7.derivation).toContain('interpolation');
    expect(adcFigures(t, 'neurosim', 8).energyPj).toBeCloseTo((1.1294 * 8 + 8.8998) * 9 * 1e-3, 5);
  });
  it('a tech table path is resolved relative to the arch file', () => {
    const d = mkdtempSync(join(tmpdir(), 'arch-'));
    mkdirSync(join(d, 'tech'));
    copyFileSync(join(CONFIGS, 'tech/rram-32nm.json'), join(d, 'tech/rram-32nm.json'));
    copyFileSync(join(CONFIGS, 'small.json'), join(d, 'small.json'));
    expect(loadArch(join(d, 'small.json')).tech.name).toBe('rram-32nm');
    const j = configJson('small');
    j.tech = 'tech/missing.json';
    writeFileSync(join(d, 'x.json'), JSON.stringify(j));
    expect(errorOf(() => loadArch(join(d, 'x.json')))).toContain(': tech: technology table');
  });
});
