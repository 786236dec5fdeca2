/// <reference types="@webgpu/types" />
/**
 * GPU side of bench/crossbar: bit-MAC throughput of the WGSL dense binary crossbar kernels on the
 * process's shared device. For each shape (batch x K inputs x N outputs) it runs
 *   gpu-blocked  shaders/dense_reg.wgsl: register-blocked, 8 images x 4 neurons per invocation,
 *                4 words (a vec4) of each row per load, no workgroup memory or barriers
 *   gpu-tiled    shaders/dense_tiled.wgsl: 32 x 32 output tiles, 4 x 4 accumulators per
 *                invocation, operands staged through workgroup memory
 *   gpu-naive    shaders/dense_naive.wgsl: one invocation per output, rows read from global memory
 * Rows are padded with zero words to a multiple of 4 words for all three. Checks that all produce the same popcounts (and spot-checks them against a CPU popcount), and
 * reports bit-MACs per second (one bit-MAC = one XNOR + popcount-accumulate of one bit;
 * NUMERICS.md). Time is wall time from submit to onSubmittedWorkDone, over repeated dispatches
 * after one warm-up, uploads excluded.
 *
 * benchEngineLayer measures the ENGINE's own binary-layer path (src/gpu/engine.ts: the kernels a
 * model evaluation runs, including the pool/pack pass) on the same dense shape: a model whose
 * input layer makes a K-bit map per image and whose binary layer is K x N, read out by sense amps
 * or an ADC; the binary layer's passes are re-run alone (GpuEngine.timeLayer), per kernel choice
 * ('shared': binary_dots.wgsl, 'blocked': binary_gather.wgsl + binary_reg.wgsl).
 *
 * Run alone (JSON lines; ratios to gpu-naive in the same run):
 *   LP_NUM_THREADS=2 node --import tsx bench/crossbar-gpu.ts [--kernels-only] [batch K N ...]
 */
import { loadavg } from 'node:os';
import { acquireGpu } from '../src/gpu/runtime.ts';
import { compile, grid, type ProgramSpec } from '../src/gpu/program.ts';
import { createGpuEngine, type BinaryKernel } from '../src/gpu/engine.ts';
import type { Readout } from '../src/func/types.ts';
import type { Model } from '../src/model/types.ts';
import { crossbarModel, vggModel } from './crossbar-cpu.ts';

export type GpuKernelName = 'gpu-blocked' | 'gpu-tiled' | 'gpu-naive';

export interface DenseShape {
  batch: number;
  K: number;
  N: number;
}

export interface GpuBenchResult {
  name: GpuKernelName;
  shape: DenseShape;
  bitMacsPerSec: number;
  /** seconds per dispatch (mean over the timed repetitions) */
  secondsPerDispatch: number;
  repetitions: number;
  /** adapter that ran it */
  adapter: string;
  isSoftware: boolean;
}

export interface GpuBenchOptions {
  /** keep repeating a kernel until this much time has passed (default 1 s), at least once after warm-up */
  minSeconds?: number;
  /** kernels to run (default all three) */
  kernels?: GpuKernelName[];
}

const tiledSpec: ProgramSpec = {
  shader: 'dense_tiled.wgsl',
  bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
  overrides: { TX: 8, TY: 8 },
  workgroupInvocations: 64,
};
const naiveSpec: ProgramSpec = {
  shader: 'dense_naive.wgsl',
  bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
  overrides: { WG: 64 },
  workgroupInvocations: 64,
};
const blockedSpec: ProgramSpec = {
  shader: 'dense_reg.wgsl',
  bindings: ['uniform', 'read-only-storage', 'read-only-storage', 'storage'],
  overrides: { WG: 128, TI: 8, TJ: 4 },
  workgroupInvocations: 128,
};
const TILE = 32;

function randomWords(n: number, seed: number): Uint32Array<ArrayBuffer> {
  const a = new Uint32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s ^ (s >>> 13);
  }
  return a;
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** Measures the dense kernels; returns [] when no adapter is found. */
export async function benchGpu(shapes: DenseShape[], opts: GpuBenchOptions = {}): Promise<GpuBenchResult[]> {
  const ctx = await acquireGpu();
  if (!ctx) return [];
  const device = ctx.device;
  const results: GpuBenchResult[] = [];
  const kernels = opts.kernels ?? ['gpu-blocked', 'gpu-tiled', 'gpu-naive'];
  const minSeconds = opts.minSeconds ?? 1;
  const adapter = ctx.info.description || ctx.info.device || ctx.info.backend;
  try {
    device.pushErrorScope('validation');
    const programs = { 'gpu-blocked': compile(device, blockedSpec), 'gpu-tiled': compile(device, tiledSpec), 'gpu-naive': compile(device, naiveSpec) };
    const err = await device.popErrorScope();
    if (err) throw new Error(`bench: pipeline creation failed: ${err.message}`);
    for (const shape of shapes) {
      const { batch: B, K, N } = shape;
      // rows of `words` words (a multiple of 4), random bits below K, zero from K on
      const words = Math.ceil(K / 128) * 4;
      const keep = (i: number) => {
        const lo = i * 32;
        if (lo + 32 <= K) return 0xffffffff;
        if (lo >= K) return 0;
        return (1 << (K - lo)) - 1;
      };
      const rows = (n: number, seed: number) => {
        const a = randomWords(n * words, seed);
        for (let i = 0; i < a.length; i++) a[i] = (a[i]! & keep(i % words)) >>> 0;
        return a;
      };
      const xs = rows(B, 1 + B);
      const wsArr = rows(N, 2 + N);
      const S = GPUBufferUsage.STORAGE;
      const mk = (size: number, usage: number) => device.createBuffer({ size: Math.max(size, 16), usage });
      const xBuf = mk(xs.byteLength, S | GPUBufferUsage.COPY_DST);
      const wBuf = mk(wsArr.byteLength, S | GPUBufferUsage.COPY_DST);
      const outBytes = B * N * 4;
      const outs = kernels.map(() => mk(outBytes, S | GPUBufferUsage.COPY_SRC));
      const uni = mk(16, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
      device.queue.writeBuffer(xBuf, 0, xs);
      device.queue.writeBuffer(wBuf, 0, wsArr);
      const maxDim = device.limits.maxComputeWorkgroupsPerDimension;
      const readbacks: Uint32Array[] = [];
      try {
        for (let k = 0; k < kernels.length; k++) {
          const name = kernels[k]!;
          const prog = programs[name];
          const bind = device.createBindGroup({
            layout: prog.layout,
            entries: [uni, xBuf, wBuf, outs[k]!].map((buffer, binding) => ({ binding, resource: { buffer } })),
          });
          const blockedThreads = Math.ceil(B / blockedSpec.overrides.TI!) * Math.ceil(N / blockedSpec.overrides.TJ!);
          const [gx, gy] =
            name === 'gpu-tiled'
              ? [Math.ceil(N / TILE), Math.ceil(B / TILE)]
              : name === 'gpu-blocked'
                ? grid(Math.ceil(blockedThreads / blockedSpec.workgroupInvocations), maxDim)
                : grid(Math.ceil((B * N) / 64), maxDim);
          const u = name === 'gpu-blocked' ? [B, N, words / 4, words * 32 - K] : [B, N, words, words * 32 - K];
          device.queue.writeBuffer(uni, 0, new Uint32Array(u));
          if (gx > maxDim || gy > maxDim) throw new Error(`bench: shape ${B}x${K}x${N} needs more workgroups than one dispatch allows`);
          const run = async () => {
            const enc = device.createCommandEncoder();
            const pass = enc.beginComputePass();
            pass.setPipeline(prog.pipeline);
            pass.setBindGroup(0, bind);
            pass.dispatchWorkgroups(gx, gy);
            pass.end();
            device.queue.submit([enc.finish()]);
            await device.queue.onSubmittedWorkDone();
          };
          await run(); // warm-up (compilation, first touch of the buffers)
          let reps = 0;
          const t0 = performance.now();
          let elapsed = 0;
          do {
            await run();
            reps++;
            elapsed = (performance.now() - t0) / 1000;
          } while (elapsed < minSeconds);
          const errors = ctx.takeErrors();
          if (errors.length) throw new Error(`bench: device reported: ${errors.join('; ')}`);
          const per = elapsed / reps;
          results.push({ name, shape, bitMacsPerSec: (B * K * N) / per, secondsPerDispatch: per, repetitions: reps, adapter, isSoftware: ctx.info.isSoftware });
          // read the popcounts back for the cross-check
          const rb = device.createBuffer({ size: Math.max(outBytes, 16), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
          const enc = device.createCommandEncoder();
          enc.copyBufferToBuffer(outs[k]!, 0, rb, 0, outBytes);
          device.queue.submit([enc.finish()]);
          await rb.mapAsync(GPUMapMode.READ);
          readbacks.push(new Uint32Array(rb.getMappedRange().slice(0)));
          rb.unmap();
          rb.destroy();
        }
        // kernels agree with each other everywhere and with a CPU popcount on sampled outputs
        for (let k = 1; k < readbacks.length; k++) {
          const a = readbacks[0]!;
          const b = readbacks[k]!;
          for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) throw new Error(`bench: ${kernels[k]} differs from ${kernels[0]} at output ${i}`);
        }
        const first = readbacks[0]!;
        for (let t = 0; t < 64; t++) {
          const b = (t * 7919) % B;
          const n = (t * 104729) % N;
          let m = 0;
          for (let w = 0; w < words; w++) m += popcount32(~(xs[b * words + w]! ^ wsArr[n * words + w]!) & keep(w));
          if (first[b * N + n] !== m) throw new Error(`bench: ${kernels[0]} output (${b}, ${n}) is ${first[b * N + n]}, CPU says ${m}`);
        }
      } finally {
        for (const buf of [xBuf, wBuf, uni, ...outs]) buf.destroy();
      }
    }
  } finally {
    ctx.release();
  }
  return results;
}

export interface EngineLayerResult {
  path: `engine-${BinaryKernel}`;
  images: number;
  readout: Readout;
  bitMacsPerSec: number;
  secondsPerDispatch: number;
  repetitions: number;
}

/**
 * The engine's path on binary layer `layer` of `model` (bit-MACs per image: valid inputs x neurons
 * summed over positions, `macsPerImage`), per kernel choice and read-out; [] without an adapter.
 * Pixels are deterministic pseudo-random bytes.
 */
export async function benchEngineLayer(model: Model, layer: number, batch: number, macsPerImage: number, readouts: Readout[], kernels: BinaryKernel[], minSeconds = 1): Promise<EngineLayerResult[]> {
  const s0 = model.layers[0]!.inShape;
  const pixels = new Uint8Array(batch * s0.channels * s0.height * s0.width).map((_, i) => (Math.imul(i, 2654435761) >>> 24) & 255);
  const out: EngineLayerResult[] = [];
  for (const kernel of kernels) {
    const engine = await createGpuEngine({ binaryKernel: kernel });
    if (!engine) return [];
    try {
      for (const readout of readouts) {
        const t = await engine.timeLayer(model, { count: batch, pixels, labels: null }, readout, layer, minSeconds);
        if (t.kernel !== kernel) throw new Error(`bench: engine chose ${t.kernel}, asked for ${kernel}`);
        out.push({ path: `engine-${kernel}`, images: t.images, readout, bitMacsPerSec: (t.images * macsPerImage) / t.seconds, secondsPerDispatch: t.seconds, repetitions: t.repetitions });
      }
    } finally {
      engine.dispose();
    }
  }
  return out;
}

// Run alone: JSON lines, one per kernel / engine path, shape and read-out.
if (/crossbar-gpu\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  const kernelsOnly = process.argv.includes('--kernels-only');
  const a = process.argv.slice(2).filter((x) => !x.startsWith('--')).map(Number);
  const shapes: DenseShape[] = [];
  for (let i = 0; i + 2 < a.length; i += 3) shapes.push({ batch: a[i]!, K: a[i + 1]!, N: a[i + 2]! });
  if (!shapes.length) shapes.push({ batch: 4096, K: 2048, N: 2048 });
  const date = new Date().toISOString();
  const env = { date, lpNumThreads: process.env.LP_NUM_THREADS ?? null };
  for (const shape of shapes) {
    const load0 = loadavg();
    const res = await benchGpu([shape], { kernels: ['gpu-naive', 'gpu-blocked'], minSeconds: 0.5 });
    if (!res.length) {
      console.log(JSON.stringify({ bench: 'crossbar-gpu', ...env, skipped: 'no GPU adapter' }));
      break;
    }
    const naive = res.find((r) => r.name === 'gpu-naive')!.bitMacsPerSec;
    for (const r of res) {
      console.log(JSON.stringify({ bench: 'crossbar-gpu', ...env, path: r.name, adapter: r.adapter, software: r.isSoftware, ...r.shape, readout: 'none (popcounts)', bitMacPerSec: r.bitMacsPerSec, ratioToNaive: r.bitMacsPerSec / naive, secondsPerDispatch: r.secondsPerDispatch, repetitions: r.repetitions, loadavg: loadavg() }));
    }
    if (kernelsOnly) continue;
    const readouts: Readout[] = [{ kind: 'sense' }, { kind: 'adc', rows: 256, bits: 6 }];
    const model = crossbarModel(shape.K, shape.N);
    for (const r of await benchEngineLayer(model, 1, shape.batch, shape.K * shape.N, readouts, ['shared', 'blocked'], 0.5)) {
      console.log(JSON.stringify({ bench: 'crossbar-gpu', ...env, path: r.path, adapter: res[0]!.adapter, ...shape, batch: r.images, readout: r.readout, bitMacPerSec: r.bitMacsPerSec, ratioToNaive: r.bitMacsPerSec / naive, secondsPerDispatch: r.secondsPerDispatch, repetitions: r.repetitions, loadavg: loadavg() }));
    }
    console.log(JSON.stringify({ bench: 'crossbar-gpu', ...env, loadavgBefore: load0, loadavgAfter: loadavg() }));
  }
  if (process.argv.includes('--vgg')) {
    // a conv layer: the seed VGG's second conv (128 -> 128 channels, 3x3 pad 1 on 32 x 32), 16 images;
    // split design at 512 rows (G = 3, sense) and ADC design (unsplit, 512-row blocks, 6 bits)
    const batch = 16;
    for (const [arraySize, readout] of [[512, { kind: 'sense' }], [null, { kind: 'adc', rows: 512, bits: 6 }]] as const) {
      const model = vggModel(arraySize);
      const l = model.layers[1]!;
      // valid inputs summed over positions: 128 channels x (sum over rows of valid kh) x (same for kw); 3 taps inside, 2 at the 2 edges
      const along = 30 * 3 + 2 * 2;
      const valid = 128 * along * along;
      const macs = valid * (l.type === 'binary' ? l.outChannels : 0);
      for (const r of await benchEngineLayer(model, 1, batch, macs, [readout], ['shared', 'blocked'], 0.5)) {
        console.log(JSON.stringify({ bench: 'crossbar-gpu', ...env, path: r.path, layer: `vgg-${arraySize ?? 'adc'} layer 1 (128C3 on 32x32, G=${l.type === 'binary' ? l.groups : 1})`, images: r.images, readout: r.readout, bitMacPerSec: r.bitMacsPerSec, secondsPerDispatch: r.secondsPerDispatch, repetitions: r.repetitions, loadavg: loadavg() }));
      }
    }
  }
}
