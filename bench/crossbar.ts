/**
 * Binary crossbar throughput (bit-MAC/s; one bit-MAC = one XNOR + popcount-accumulate of one bit)
 * of the three functional paths in one run: the plain TypeScript reference, the fast CPU path
 * (1 and 2 workers) and the WGSL engine on whatever adapter Dawn finds, plus the WGSL kernels
 * alone (blocked, tiled, naive one-thread-per-output). Each line is JSON with its inputs and the
 * ratio to the reference measured in the same run.
 *
 *   node --import tsx bench/crossbar.ts [--batch 4096 --k 2048 --n 2048] [--no-gpu]
 */
import { crossbarModel, measureCrossbarCpu } from './crossbar-cpu.ts';
import { benchGpu } from './crossbar-gpu.ts';
import { createGpuEngine } from '../src/gpu/engine.ts';
import { releaseGpu } from '../src/gpu/runtime.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const shapes = [{ batch: arg('batch', 4096), k: arg('k', 2048), n: arg('n', 2048) }];
if (!process.argv.includes('--batch')) shapes.push({ batch: 1024, k: 1152, n: 256 });
const date = new Date().toISOString();
for (const shape of shapes) {
  const cpu = await measureCrossbarCpu([shape], { refBatch: 16, minSeconds: 2 });
  const ref = cpu.find((r) => r.path === 'reference')!;
  for (const r of cpu) console.log(JSON.stringify({ ...r, bench: 'crossbar', date }));
  if (process.argv.includes('--no-gpu')) continue;
  const engine = await createGpuEngine();
  if (!engine) {
    console.log(JSON.stringify({ bench: 'crossbar', date, path: 'gpu', skipped: 'no WebGPU adapter' }));
    continue;
  }
  try {
    const model = crossbarModel(shape.k, shape.n);
    const size = 4; // crossbarModel's input image: 1 x 2 x 2 pixels
    const pixels = new Uint8Array(shape.batch * size).map((_, i) => (i * 2654435761) >>> 24);
    const input = { count: shape.batch, pixels, labels: null };
    await engine.evaluate(model, { count: 8, pixels: pixels.subarray(0, 8 * size), labels: null }, { readout: { kind: 'sense' } });
    let runs = 0;
    const t0 = performance.now();
    do {
      await engine.evaluate(model, input, { readout: { kind: 'sense' } });
      runs++;
    } while (performance.now() - t0 < 2000);
    const seconds = (performance.now() - t0) / 1000 / runs;
    const rate = (shape.batch * shape.k * shape.n) / seconds;
    console.log(JSON.stringify({ bench: 'crossbar', date, path: 'gpu-engine', adapter: engine.name, ...shape, seconds, bitMacPerSec: rate, ratioToReference: rate / ref.bitMacPerSec }));
  } finally {
    await engine.dispose();
  }
  for (const g of await benchGpu([{ batch: shape.batch, K: shape.k, N: shape.n }], { minSeconds: 1 })) {
    console.log(JSON.stringify({ bench: 'crossbar', date, path: g.name, adapter: g.adapter, software: g.isSoftware, ...shape, bitMacPerSec: g.bitMacsPerSec, ratioToReference: g.bitMacsPerSec / ref.bitMacPerSec }));
  }
}
await releaseGpu();
