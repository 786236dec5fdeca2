/**
 * End to end (issue 6, targets 4 and 5): the main command over the full test set for the seed
 * MNIST MLP and the seed-width CIFAR-10 VGG (split 256 and their baselines), and a 100-point sweep
 * (array rows x ADC bits) on the MNIST MLP. The models have random weights — the work is the same
 * as for trained ones, and the point here is time, not accuracy. Wall time and peak RSS of the
 * child process are measured with GNU time.
 *
 * `--kernels a,b` runs each measurement once per CPU kernel set (ARCHSIM_CPU_KERNELS: auto, wasm,
 * native, native-generic), in that order, so that the sets compare within one run.
 *
 *   node --import tsx bench/e2e.ts [mnist] [cifar] [sweep] [--kernels auto]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticModel } from '../src/model/synthetic.ts';
import { saveModel } from '../src/model/io.ts';
import { resolveKernels, type CpuKernelChoice } from '../src/func/cpu/native.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'archsim-e2e-'));
const ki = process.argv.indexOf('--kernels');
const kernelSets = ki >= 0 ? process.argv[ki + 1]!.split(',') : ['auto'];
const want = process.argv.slice(2).filter((a, i, all) => a !== '--kernels' && all[i - 1] !== '--kernels');
const on = (k: string) => want.length === 0 || want.includes(k);

function models(shape: 'mnist-mlp' | 'cifar10-vgg', dataset: 'mnist' | 'cifar10'): string {
  saveModel({ ...syntheticModel(shape, null, 1), dataset, baseline: null }, join(dir, `${shape}-baseline.json`));
  saveModel({ ...syntheticModel(shape, 256, 2), dataset, baseline: `${shape}-baseline.json` }, join(dir, `${shape}-split256.json`));
  return join(dir, `${shape}-split256.json`);
}

function timed(name: string, args: string[], extra: Record<string, unknown>): void {
  for (const kernels of kernelSets) timedWith(kernels, name, args, extra);
}

function timedWith(kernels: string, name: string, args: string[], extra: Record<string, unknown>): void {
  const gnuTime = existsSync('/usr/bin/time');
  const cmd = gnuTime ? '/usr/bin/time' : process.execPath;
  const argv = gnuTime ? ['-f', '%e %M', '-o', join(dir, 'time.txt'), process.execPath, join(root, 'bin/archsim.js'), ...args] : [join(root, 'bin/archsim.js'), ...args];
  const t0 = performance.now();
  const r = spawnSync(cmd, argv, { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '1', ARCHSIM_CPU_KERNELS: kernels } });
  const wall = (performance.now() - t0) / 1000;
  let peakMb: number | null = null;
  if (gnuTime && existsSync(join(dir, 'time.txt'))) peakMb = Number(readFileSync(join(dir, 'time.txt'), 'utf8').trim().split(/\s+/).pop()) / 1024;
  // what the choice resolves to here (auto: the native AVX-512 kernels when the addon is built and the CPU has them, else WebAssembly)
  let kernelsTaken: string;
  try {
    kernelsTaken = resolveKernels(kernels as CpuKernelChoice);
  } catch (e) {
    kernelsTaken = `unavailable: ${(e as Error).message}`;
  }
  console.log(JSON.stringify({ bench: 'e2e', name, wallSeconds: +wall.toFixed(2), peakRssMb: peakMb === null ? null : +peakMb.toFixed(0), exit: r.status, kernels, kernelsTaken, ...extra, date: new Date().toISOString() }));
  if (r.status !== 0) process.stderr.write(r.stderr);
}

if (on('mnist')) timed('mnist-mlp split256 vs baseline, tile64, 10000 images', ['--arch', join(root, 'arch-configs/tile64.json'), '--model', models('mnist-mlp', 'mnist'), '--backend', 'auto'], { untrainedWeights: true });
if (on('cifar')) timed('cifar10-vgg (seed width) split256 vs baseline, tile64, 10000 images', ['--arch', join(root, 'arch-configs/tile64.json'), '--model', models('cifar10-vgg', 'cifar10'), '--backend', 'auto'], { untrainedWeights: true });
if (on('sweep')) {
  const m = existsSync(join(dir, 'mnist-mlp-split256.json')) ? join(dir, 'mnist-mlp-split256.json') : models('mnist-mlp', 'mnist');
  timed(
    '100-point sweep: tile.array.rows x ADC bits on the MNIST MLP, 10000 images',
    ['sweep', '--arch', join(root, 'arch-configs/tile64.json'), '--model', m, '--vary', 'tile.array.rows=256,288,320,352,384,416,448,480,512,544', '--vary', 'tile.readout.adc.bits=1..10', '--out', join(dir, 'sweep.jsonl')],
    { points: 100, untrainedWeights: true },
  );
}
rmSync(dir, { recursive: true, force: true });
