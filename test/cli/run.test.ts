/**
 * The main job end to end through the real CLI: the golden report (any change to results must be
 * deliberate: regenerate with ARCHSIM_UPDATE_GOLDEN=1 and review the diff), outputs written
 * atomically, the HTML report in headless Chromium, and every error class with its exit code.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { archsim, ROOT } from '../helpers/cli.ts';
import { makeMnistPair } from '../helpers/fixtures.ts';
import { checkPage, chromiumPath } from '../helpers/browser.ts';

const GOLDEN = join(ROOT, 'test/golden/run-small-demo.json');
const SMALL = join(ROOT, 'arch-configs/small.json');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'archsim-run-'));
  makeMnistPair(dir);
});

/** Rounds every number to 9 significant digits and drops what legitimately varies. */
function normalise(r: any): any {
  const walk = (v: any): any => {
    if (typeof v === 'number') return Number.isInteger(v) ? v : Number(v.toPrecision(9));
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const c = structuredClone(r);
  delete c.wallMs;
  delete c.backend;
  delete c.archsimVersion;
  expect(c.arch.file).toBe('arch-configs/small.json');
  return walk(c);
}

describe('archsim run (golden)', () => {
  it('the README command on the small chip, the shipped demo model and the shipped trace at --images 500 equals the stored report', () => {
    const out = join(dir, 'golden-out');
    const r = archsim(['--arch', 'arch-configs/small.json', '--model', 'models/demo/tiny-mlp-split32.json', '--input', 'traces/mnist-test-500.msgpack', '--images', '500', '--backend', 'cpu', '--out', out, '--trace']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['layers.csv', 'report.html', 'report.json', 'tech-table.csv', 'trace.json']);
    const raw = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    const got = normalise(raw);
    if (process.env.ARCHSIM_UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) {
      mkdirSync(join(ROOT, 'test/golden'), { recursive: true });
      writeFileSync(GOLDEN, JSON.stringify(got, null, 1) + '\n');
    }
    expect(got).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
    // breakdowns sum to their totals (relative 1e-12: float summation order only)
    for (const d of ['adc', 'split']) {
      const x = raw.designs[d];
      const e = Object.values(x.energyBreakdownPj as Record<string, number>).reduce((a, b) => a + b, 0);
      const a = Object.values(x.areaBreakdownUm2 as Record<string, number>).reduce((a, b) => a + b, 0);
      expect(Math.abs(e - x.energyPj) / x.energyPj).toBeLessThan(1e-12);
      expect(Math.abs(a - x.areaUm2) / x.areaUm2).toBeLessThan(1e-12);
      const layers = (x.layers as { energyPj: number }[]).reduce((t, l) => t + l.energyPj, 0);
      expect(Math.abs(layers - x.energyPj) / x.energyPj).toBeLessThan(1e-12);
    }
    // the trace opens in Perfetto: traceEvents with complete events
    const trace = JSON.parse(readFileSync(join(out, 'trace.json'), 'utf8'));
    expect(trace.traceEvents.some((e: any) => e.ph === 'X')).toBe(true);
    // the terminal table has no control characters when stdout is not a TTY
    expect(r.stdout).not.toMatch(/\x1b/);
    expect(r.stdout).toMatch(/ADC design\s+split design\s+split ÷ ADC/);
  }, 180_000);

  it('--json prints the same document; every backend gives the same digests', () => {
    const a = archsim(['--arch', SMALL, '--model', 'fixture-split64.json', '--images', '200', '--backend', 'cpu', '--json'], { cwd: dir });
    const ja = JSON.parse(a.stdout);
    expect(a.code).toBe(0);
    for (const backend of ['reference', 'gpu']) {
      const b = archsim(['--arch', SMALL, '--model', 'fixture-split64.json', '--images', '200', '--backend', backend, '--json'], { cwd: dir });
      if (backend === 'gpu' && b.code === 2 && process.env.ARCHSIM_REQUIRE_GPU !== '1') continue; // no adapter here
      expect(b.code).toBe(0);
      const jb = JSON.parse(b.stdout);
      expect(jb.backend).toBe(backend);
      expect(jb.designs.adc.predictionsDigest).toBe(ja.designs.adc.predictionsDigest);
      expect(jb.designs.split.predictionsDigest).toBe(ja.designs.split.predictionsDigest);
      expect(jb.designs.split.energyPj).toBe(ja.designs.split.energyPj);
      expect(jb.designs.adc.energyPj).toBe(ja.designs.adc.energyPj);
    }
    for (const k of ['archsimVersion', 'arch', 'model', 'images', 'backend', 'wallMs', 'ratios', 'designs']) expect(ja).toHaveProperty(k);
    for (const k of ['accuracy', 'predictionsDigest', 'latencyNs', 'throughputIps', 'energyPj', 'areaUm2', 'adcCount', 'energyBreakdownPj', 'areaBreakdownUm2', 'layers']) {
      expect(ja.designs.adc).toHaveProperty(k);
      expect(ja.designs.split).toHaveProperty(k);
    }
  }, 180_000);
});

describe('archsim doctor', () => {
  it('exits 0, prints JSON with the adapter (required in CI) and keeps driver noise off stderr', () => {
    const r = archsim(['doctor', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const d = JSON.parse(r.stdout);
    expect(d).toHaveProperty('adapter');
    expect(['gpu', 'cpu']).toContain(d.backend);
    expect(d.cpu.available).toBe(true);
    if (process.env.ARCHSIM_REQUIRE_GPU === '1') expect(d.adapter).not.toBeNull();
    // with an adapter, the WGSL path's bit-exact self-check ran there and passed
    if (d.adapter) {
      expect(d.gpuSelfCheck.ok).toBe(true);
      expect(d.gpuSelfCheck.comparisons).toBeGreaterThan(10);
      expect(d.gpuSelfCheck.failures).toEqual([]);
    } else expect(d.gpuSelfCheck).toBeNull();
  }, 60_000);
});

describe('the HTML report in headless Chromium', () => {
  it.skipIf(!chromiumPath() && process.env.CI === undefined)('loads with no console errors and every chart has drawn marks', async () => {
    const out = join(dir, 'html-out');
    const r = archsim(['--arch', SMALL, '--model', 'fixture-split64.json', '--images', '100', '--backend', 'cpu', '--out', out], { cwd: dir });
    expect(r.code).toBe(0);
    const page = await checkPage(join(out, 'report.html'));
    expect(page.errors).toEqual([]);
    expect(page.marksPerChart.length).toBe(4);
    for (const n of page.marksPerChart) expect(n).toBeGreaterThan(0);
  }, 180_000);
});

describe('errors: exit codes and messages, nothing half-written', () => {
  const run = (args: string[]) => archsim(args, { cwd: dir });
  it('missing model file', () => {
    const r = run(['--arch', SMALL, '--model', 'nope.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.json: model file not found/);
  });
  it('invalid JSON architecture', () => {
    writeFileSync(join(dir, 'broken-arch.json'), '{"version": 1,');
    const r = run(['--arch', 'broken-arch.json', '--model', 'fixture-split64.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken-arch\.json/);
  });
  it('schema violation in the architecture names the JSON path', () => {
    const a = JSON.parse(readFileSync(SMALL, 'utf8'));
    a.tile.array.rowz = 5;
    a.tech = join(ROOT, 'arch-configs', a.tech);
    writeFileSync(join(dir, 'bad-arch.json'), JSON.stringify(a));
    const r = run(['--arch', 'bad-arch.json', '--model', 'fixture-split64.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-arch\.json: tile\.array\.rowz/);
  });
  it('archsim validate checks architecture files too (0 when valid, 2 naming file and path)', () => {
    const ok = archsim(['validate', 'arch-configs/tile64.json', 'arch-configs/isaac-tile.json', 'models/demo/tiny-mlp-split32.json']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/tile64\.json: ok/);
    const a = JSON.parse(readFileSync(SMALL, 'utf8'));
    a.tile.readout.adc.bits = 17;
    a.tech = join(ROOT, 'arch-configs', a.tech);
    writeFileSync(join(dir, 'bits17.json'), JSON.stringify(a));
    const bad = run(['validate', 'bits17.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bits17\.json: tile\.readout\.adc\.bits/);
  });
  it('a split model made for larger arrays than the chip has', () => {
    const a = JSON.parse(readFileSync(SMALL, 'utf8'));
    a.tile.array.rows = 32;
    a.tech = join(ROOT, 'arch-configs', a.tech);
    writeFileSync(join(dir, 'rows32.json'), JSON.stringify(a));
    const r = run(['--arch', 'rows32.json', '--model', 'fixture-split64.json', '--design', 'split']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/64/);
    expect(r.stderr).toMatch(/32/);
  });
  it('an unknown option and a bad value', () => {
    expect(run(['--arch', SMALL, '--model', 'fixture-split64.json', '--frob']).code).toBe(2);
    const r = run(['--arch', SMALL, '--model', 'fixture-split64.json', '--images', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--images must be an integer/);
  });
  it('an existing --out folder is not overwritten without --force, and a failed run writes nothing', () => {
    const out = join(dir, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'mine.txt'), 'keep');
    const r = run(['--arch', SMALL, '--model', 'fixture-split64.json', '--images', '10', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*taken: folder exists/);
    expect(readdirSync(out)).toEqual(['mine.txt']);
    const out2 = join(dir, 'never');
    const r2 = run(['--arch', SMALL, '--model', 'nope.json', '--out', out2]);
    expect(r2.code).toBe(2);
    expect(existsSync(out2)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
  it('a chip too small for both designs reports why and exits 2', () => {
    const a = JSON.parse(readFileSync(SMALL, 'utf8'));
    a.tile.arrays = 1;
    a.chip.tiles = 1;
    a.chip.interconnect.width = 1;
    a.chip.interconnect.height = 1;
    a.tech = join(ROOT, 'arch-configs', a.tech);
    writeFileSync(join(dir, 'tiny.json'), JSON.stringify(a));
    const r = run(['--arch', 'tiny.json', '--model', 'fixture-split64.json', '--images', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/adc design does not fit .*needs \d+ arrays/);
    expect(r.stdout).toMatch(/does not fit/);
  });
});
