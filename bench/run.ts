/**
 * `npm run bench [-- NAME...]`: runs the benchmarks in bench/ one process each (crossbar, events,
 * train, e2e, sweep, ...) and prints their JSON lines. Each benchmark states its inputs in its
 * lines; none caches results across runs. Record figures in bench/RESULTS.md with the machine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('.', import.meta.url));
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.includes('-gpu') && !f.includes('-cpu') && !f.startsWith('_'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const want = process.argv.slice(2);
const names = want.length ? want : all;
let failed = 0;
for (const n of names) {
  const file = join(dir, `${n}.ts`);
  if (!existsSync(file)) {
    process.stderr.write(`bench: no benchmark "${n}" (have: ${all.join(', ')})\n`);
    process.exitCode = 2;
    continue;
  }
  const r = spawnSync(process.execPath, ['--import', 'tsx/esm', file], { stdio: 'inherit', env: { ...process.env, EGL_PLATFORM: 'surfaceless' } });
  if (r.status !== 0) failed++;
}
if (failed) process.exitCode = 1;
