/**
 * Sweeps through the real CLI: resume after a real kill -9 of a child process (no torn or
 * duplicated lines), shards merged equal one unsharded run, infeasible points recorded with
 * their reason, and the sweep report.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { archsim, ROOT } from '../helpers/cli.ts';
import { makeMnistPair } from '../helpers/fixtures.ts';

const SMALL = join(ROOT, 'arch-configs/small.json');
let dir: string;
const base = () => ['sweep', '--arch', SMALL, '--model', 'fixture-split64.json', '--vary', 'tile.array.rows=64,96,128', '--vary', 'tile.readout.adc.bits=3..6', '--images', '200', '--backend', 'cpu'];

function lines(file: string): any[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** result lines without fields that are allowed to differ between runs */
function canon(ls: any[]): string[] {
  return ls.map((l) => JSON.stringify(l)).sort();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'archsim-sweep-'));
  makeMnistPair(dir);
});

describe('archsim sweep', () => {
  it('runs the cross product in order, then a rerun skips every point', () => {
    const out = join(dir, 'full.jsonl');
    const r = archsim([...base(), '--out', out, '--workers', '2'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ls = lines(out);
    expect(ls.length).toBe(12);
    expect(ls.map((l) => l.index).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    const p5 = ls.find((l) => l.index === 5)!;
    expect(p5.params).toEqual({ 'tile.array.rows': 96, 'tile.readout.adc.bits': 4 });
    expect(new Set(ls.map((l) => l.id)).size).toBe(12);
    const again = archsim([...base(), '--out', out], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 points run, 12 already present/);
    expect(lines(out).length).toBe(12);
  }, 240_000);

  it('shards 0/3, 1/3, 2/3 merged equal the unsharded run', () => {
    const files = [0, 1, 2].map((i) => join(dir, `shard${i}.jsonl`));
    files.forEach((f, i) => expect(archsim([...base(), '--out', f, '--shard', `${i}/3`, '--workers', '1'], { cwd: dir }).code).toBe(0));
    const merged = join(dir, 'merged.jsonl');
    const m = archsim(['merge', ...files, '--out', merged], { cwd: dir });
    expect(m.code).toBe(0);
    const ml = lines(merged);
    expect(ml.map((l) => l.index)).toEqual([...Array(12).keys()]);
    expect(canon(ml)).toEqual(canon(lines(join(dir, 'full.jsonl'))));
    expect(archsim([...base(), '--out', join(dir, 'x.jsonl'), '--shard', '3/3'], { cwd: dir }).code).toBe(2);
  }, 240_000);

  it('a kill -9 mid-sweep loses at most the points in flight; the rerun completes without duplicates', async () => {
    const out = join(dir, 'killed.jsonl');
    const args = ['sweep', '--arch', SMALL, '--model', 'fixture-split64.json', '--vary', 'tile.array.rows=64,96,128', '--vary', 'tile.readout.adc.bits=3..8', '--images', '1000', '--backend', 'cpu', '--out', out, '--workers', '1'];
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const child = spawn(process.execPath, ['--import', tsx, join(ROOT, 'src/cli/bin.ts'), ...args], { cwd: dir, stdio: 'ignore', env: { ...process.env, EGL_PLATFORM: 'surfaceless' } });
    const exited = new Promise((r) => child.on('exit', r));
    // wait for the first lines to appear, then kill -9
    const t0 = Date.now();
    while (Date.now() - t0 < 120_000) {
      if (existsSync(out) && readFileSync(out, 'utf8').split('\n').length > 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const before = readFileSync(out, 'utf8');
    const complete = before.split('\n').filter((l) => l.trim()).length;
    expect(complete).toBeGreaterThan(0);
    expect(complete).toBeLessThan(18);
    // simulate the worst case as well: a torn last line
    writeFileSync(out, before + '{"id":"torn","index":99,"des');
    const r = archsim(args, { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/torn last line/);
    const ls = lines(out);
    expect(ls.length).toBe(18);
    expect(new Set(ls.map((l) => l.id)).size).toBe(18);
  }, 240_000);

  it('an infeasible point is a line with ok: false and the reason', () => {
    const out = join(dir, 'infeasible.jsonl');
    const r = archsim(['sweep', '--arch', SMALL, '--model', 'fixture-split64.json', '--vary', 'tile.arrays=1,4', '--images', '50', '--backend', 'cpu', '--out', out, '--workers', '1'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 infeasible/);
    const bad = lines(out).find((l) => l.params['tile.arrays'] === 1)!;
    expect(bad.ok).toBe(false);
    expect(bad.designs.adc.ok).toBe(false);
    expect(bad.designs.adc.reason).toMatch(/needs \d+ arrays/);
  }, 120_000);

  it('bad --vary keys and values exit 2 before any work', () => {
    const r1 = archsim(['sweep', '--arch', SMALL, '--model', 'fixture-split64.json', '--vary', 'tile.array.rowz=1,2', '--out', join(dir, 'b1.jsonl')], { cwd: dir });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/rowz/);
    const r2 = archsim(['sweep', '--arch', SMALL, '--model', 'fixture-split64.json', '--vary', 'tile.array.rows=0,64', '--out', join(dir, 'b2.jsonl')], { cwd: dir });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/point 0 \(tile\.array\.rows=0\).*tile\.array\.rows/);
    expect(existsSync(join(dir, 'b2.jsonl'))).toBe(false);
  }, 60_000);

  it('archsim report draws the sweep', () => {
    const r = archsim(['report', join(dir, 'full.jsonl'), '--out', join(dir, 'rep')], { cwd: dir });
    expect(r.code).toBe(0);
    const html = readFileSync(join(dir, 'rep/report.html'), 'utf8');
    expect(html).toMatch(/Energy per image vs accuracy/);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
  }, 60_000);
});
