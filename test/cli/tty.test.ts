/**
 * Progress bars on a real terminal: the launcher pipes the CLI's stderr through its Dawn filter,
 * so the bars must still be drawn when the user's stderr is a terminal. `script` (util-linux,
 * Debian's essential bsdutils) runs the command on a pseudo-terminal.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'archsim-tty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function onTerminal(args: string[], env: Record<string, string | undefined>): { code: number; out: string } {
  const cmd = [process.execPath, join(ROOT, 'bin/archsim.js'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const e: Record<string, string | undefined> = { ...process.env, COLUMNS: '120', ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, env: e as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: r.stdout };
}

const run = ['--arch', 'arch-configs/small.json', '--model', 'models/demo/tiny-mlp-split32.json', '--images', '500', '--backend', 'cpu'];

describe('progress bars on a terminal', () => {
  it('the run command draws a bar per functional pass on a terminal, through the launcher', () => {
    const r = onTerminal(run, { CI: undefined, NO_COLOR: undefined });
    expect(r.code).toBe(0);
    // cursor to column 1, then the bar; it ends at 500/500
    expect(r.out).toContain('\x1b[1Gfunctional pass, adc design [');
    expect(r.out).toMatch(/functional pass, split design \[[^\]]*\] 500\/500 images/);
    expect(r.out).toContain('verdict:');
  });

  it('under CI the same run writes no control characters', () => {
    const r = onTerminal(run, { CI: '1' });
    expect(r.code).toBe(0);
    expect(r.out).toContain('verdict:');
    expect(r.out).not.toMatch(/\x1b/);
  });

  it('a sweep draws its point bar', () => {
    const out = join(dir, 'sweep.jsonl');
    const r = onTerminal(['sweep', '--arch', 'arch-configs/small.json', '--model', 'models/demo/tiny-mlp-split32.json', '--images', '200', '--vary', 'tile.readout.adc.bits=4,6', '--out', out, '--backend', 'cpu'], { CI: undefined });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/sweep \[[^\]]*\] 2\/2 points/);
  });
});
