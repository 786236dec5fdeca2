/**
 * Two threads of one engine against two processes (issue 6, target 1b): throughput in images/ms
 * of the fast CPU path on back-to-back 4096 x 2048 x 2048 batches (sense read-out, fresh pixels
 * every evaluate), for each configuration in its own child process, cycle after cycle:
 *   solo         one process, a 1-worker engine
 *   2 processes  two such processes at once (their sum)
 *   2 workers    one process, a 2-worker engine (each thread with its own copy of the weights)
 *   one copy     the same with both threads reading one copy (the sharedPlan option)
 * Ratios to solo are taken within a cycle (this VM's speed drifts); the summary gives their medians.
 *
 *   node --import tsx bench/cpu-threads.ts [--seconds 4] [--cycles 3] [--kernels auto|native|wasm]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { createCpuEngine } from '../src/func/cpu/engine.ts';
import type { CpuKernelChoice } from '../src/func/cpu/native.ts';
import { crossbarModel } from './crossbar-cpu.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const seconds = Number(arg('seconds', '4'));
const cycles = Number(arg('cycles', '3'));
const kernels = arg('kernels', 'auto') as CpuKernelChoice;
if (!(seconds > 0) || !(Number.isInteger(cycles) && cycles > 0) || !['native', 'wasm', 'auto'].includes(kernels)) {
  console.error('bench/cpu-threads: --seconds takes a positive number, --cycles a positive integer, --kernels native, wasm or auto');
  process.exit(2);
}

async function child(workers: number, sharedPlan: boolean): Promise<void> {
  const batch = 4096;
  const model = crossbarModel(2048, 2048);
  const px = new Uint8Array(batch * 4);
  for (let i = 0; i < px.length; i++) px[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
  const e = createCpuEngine({ workers, kernels, scalarMinBits: Infinity, sharedPlan });
  await e.evaluate(model, { count: 64, pixels: px.subarray(0, 256), labels: null }, { readout: { kind: 'sense' } });
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    px[n % px.length] ^= 1; // new pixels: nothing reused between evaluates
    await e.evaluate(model, { count: batch, pixels: px, labels: null }, { readout: { kind: 'sense' } });
    n++;
  }
  console.log((n * batch) / (performance.now() - t0));
  await e.dispose();
}

function run(workers: number, sharedPlan: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(workers), String(sharedPlan), '--seconds', String(seconds), '--kernels', kernels], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`bench/cpu-threads: child exited with ${code}`))));
  });
}

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
};

const ci = process.argv.indexOf('--child');
if (ci >= 0) {
  await child(Number(process.argv[ci + 1]), process.argv[ci + 2] === 'true');
} else {
  const ratios: Record<'twoProcesses' | 'twoWorkers' | 'oneCopy', number[]> = { twoProcesses: [], twoWorkers: [], oneCopy: [] };
  for (let c = 0; c < cycles; c++) {
    const solo = await run(1, false);
    const pair = (await Promise.all([run(1, false), run(1, false)])).reduce((a, b) => a + b, 0);
    const two = await run(2, false);
    const oneCopy = await run(2, true);
    ratios.twoProcesses.push(pair / solo);
    ratios.twoWorkers.push(two / solo);
    ratios.oneCopy.push(oneCopy / solo);
    console.log(JSON.stringify({ bench: 'cpu-threads', cycle: c, kernels, seconds, imagesPerMs: { solo, twoProcesses: pair, twoWorkers: two, twoWorkersOneCopy: oneCopy }, loadavg: loadavg() }));
  }
  console.log(JSON.stringify({ bench: 'cpu-threads', summary: true, kernels, cycles, medianRatioToSolo: { twoProcesses: median(ratios.twoProcesses), twoWorkers: median(ratios.twoWorkers), twoWorkersOneCopy: median(ratios.oneCopy) } }));
}
