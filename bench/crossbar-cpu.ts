/**
 * Binary crossbar throughput on the CPU: bit-MACs per second of the plain TypeScript reference
 * engine and of the fast CPU path (1 worker, 2 workers), for dense shapes (batch x K inputs x N
 * outputs, one XNOR + popcount-accumulate per bit-MAC), kernel by kernel.
 *
 * What is timed: a whole `engine.evaluate` of a three-layer model whose work is dominated by
 * the measured layer: a tiny input layer (4 pixels -> K bits), the binary dense layer K -> N
 * (sense read-out, G = 1) and a 2-class classifier over N bits. Only the measured layer's
 * batch*K*N bit-MACs are counted (the two others add K*(4+...) MACs per image, < 0.5% here),
 * so the rates are slightly conservative. Weights are laid out (once per model) before timing:
 * a warm-up evaluate runs first; every timed evaluate is a full pass over fresh inputs in
 * shared memory, nothing is cached across calls but the weight layout.
 *
 * Kernels (`--kernels`, comma separated; the fast path picks per layer, these force one):
 * - default: the engine's own choice (here: simd-csa);
 * - simd-popcnt: vertical SIMD tiles, one i8x16.popcnt per 128 bit-MACs (the old kernel);
 * - simd-csa: the same tiles counted with carry-save adders (Harley-Seal);
 * - scalar: i64.popcnt in 2x2 tiles (before the carry-save kernel, the default for K >= 897);
 * - native: the native addon's AVX-512 VPOPCNTDQ GEMM (`npm run build:native`; the default
 *   where it is built and the CPU has the instructions); native-generic: its portable C build;
 *   native-one-copy: native with every thread reading one copy of the laid-out weights (the
 *   engine gives each thread its own copy).
 * All kernels at both worker counts are timed round-robin in one process (one evaluate each in
 * turn, 1 and 2 workers interleaved), so that they share the machine's load and clock; each reports its fastest evaluate (at least 5
 * runs and `--min-seconds` of timing each, default 2) with the process CPU time of that same
 * evaluate (all threads: bitMacPerCpuSec is the rate per busy core, less sensitive to other
 * processes taking turns on the cores than the wall-clock rate), its median and every run's
 * time, the load average and the CPU. The summary line's kernel ratios are medians of the
 * per-round ratios (paired runs), the figure least moved by a shared machine's load.
 *
 * The reference is measured once on a smaller batch (default 32 images) and reported per
 * second.
 *
 *   node --import tsx bench/crossbar-cpu.ts [--batch 4096] [--k 2048] [--n 2048] [--ref-batch 32]
 *     [--kernels simd-popcnt,simd-csa,scalar,native] [--min-seconds 2]
 *   node --import tsx bench/crossbar-cpu.ts --vgg [--images 500] [--array 512]
 *   node --import tsx bench/crossbar-cpu.ts --mlp [--images 500] [--array 512]
 *   (--vgg / --mlp: --scalar-min-bits N and --csa-min-bits N override the engine's kernel choice)
 *
 * prints one JSON line per (shape, path, kernel) and a summary line with the ratios between
 * kernels in that run, or per (design, workers) for the seed CIFAR-10 VGG.
 */
import { evaluateReference } from '../src/func/reference.ts';
import { createCpuEngine, type CpuEngineOptions } from '../src/func/cpu/engine.ts';
import type { Engine, InputBatch } from '../src/func/types.ts';
import type { Model } from '../src/model/types.ts';
import { wordsFor } from '../src/model/types.ts';
import { mulberry32 as rng } from '../src/util/rng.ts';
import { cpus, loadavg } from 'node:os';
import { cpuTicks, stealShare, ticksBetween, type CpuTicks } from './_steal.ts';

export interface CrossbarShape {
  batch: number;
  k: number;
  n: number;
}

export type CpuKernel = 'default' | 'simd-popcnt' | 'simd-csa' | 'scalar' | 'native' | 'native-generic' | 'native-one-copy';

/** engine options that force each kernel on every sense layer of the crossbar model */
export const KERNEL_OPTIONS: Record<CpuKernel, CpuEngineOptions> = {
  default: {},
  'simd-popcnt': { scalarMinBits: Infinity, csaMinBits: Infinity, kernels: 'wasm' },
  'simd-csa': { scalarMinBits: Infinity, csaMinBits: 0, kernels: 'wasm' },
  scalar: { scalarMinBits: 1, kernels: 'wasm' },
  native: { scalarMinBits: Infinity, kernels: 'native' },
  'native-generic': { scalarMinBits: Infinity, kernels: 'native-generic' },
  // the native kernels with every thread reading one copy of the laid-out weights (the engine
  // gives each thread its own): the same-run baseline of that choice
  'native-one-copy': { scalarMinBits: Infinity, kernels: 'native', sharedPlan: true },
};

export interface CrossbarRecord {
  bench: 'crossbar-cpu';
  path: 'reference' | 'cpu-1worker' | 'cpu-2workers';
  /** fast path only: which counting kernel */
  kernel?: CpuKernel;
  batch: number;
  k: number;
  n: number;
  /** bit-MACs of the measured layer per evaluate: batch*k*n */
  bitMacs: number;
  seconds: number;
  bitMacPerSec: number;
  /** bitMacPerSec / the reference's in the same run */
  ratioToReference: number | null;
  /** bitMacPerSec / workers */
  perWorker: number;
  workers: number;
  /** process CPU seconds (all threads) of the fastest evaluate, and bitMacs over them */
  cpuSeconds: number;
  bitMacPerCpuSec: number;
  /** fast path: the median over all timed evaluates of the wall time and the number of them */
  medianSeconds?: number;
  runs?: number;
  /** fast path: seconds of every timed evaluate, in round order (rounds are paired across kernels) */
  samples?: number[];
  /** fast path: share of the machine's CPU time the hypervisor stole during these evaluates (Linux; null elsewhere) */
  stealShare?: number | null;
  /** fast path: per evaluate, the machine's ticks during it (steal and all; null where unknown) */
  ticks?: (CpuTicks | null)[];
  /** os.loadavg() right after the measurement, and the machine */
  loadavg: number[];
  cpu: string;
  cores: number;
}


function randomRows(r: () => number, rows: number, bits: number): Uint32Array {
  const wpr = wordsFor(bits);
  const w = new Uint32Array(rows * wpr);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < wpr; j++) w[i * wpr + j] = (r() * 2 ** 32) >>> 0;
    const tail = bits & 31;
    if (tail) w[i * wpr + wpr - 1]! &= (1 << tail) - 1;
  }
  return w;
}

/** The three-layer model described above (random weights, thresholds near 0); `groups` splits the measured layer (intra grouping). */
export function crossbarModel(k: number, n: number, seed = 1, groups = 1): Model {
  const r = rng(seed);
  const th = (count: number, scale: number) => ({
    t: Int32Array.from({ length: count }, () => Math.round((r() * 2 - 1) * scale)),
    d: Int8Array.from({ length: count }, () => (r() < 0.5 ? 1 : -1)),
  });
  const inShape = { channels: 1, height: 2, width: 2 };
  return {
    name: `crossbar-${k}x${n}${groups > 1 ? `-g${groups}` : ''}`,
    dataset: 'mnist',
    arraySize: null,
    baseline: null,
    preprocess: { scale: 1 / 255, mean: null },
    metrics: {},
    training: null,
    layers: [
      {
        type: 'input',
        kind: 'dense',
        inShape,
        outShape: { channels: k, height: 1, width: 1 },
        kernel: 0,
        stride: 0,
        padding: 0,
        pool: null,
        fanIn: 4,
        weights: randomRows(r, k, 4),
        thresholds: th(k, 100),
      },
      {
        type: 'binary',
        kind: 'dense',
        inShape: { channels: k, height: 1, width: 1 },
        outShape: { channels: n, height: 1, width: 1 },
        kernel: 0,
        stride: 1,
        padding: 0,
        pool: null,
        fanIn: k,
        groups,
        grouping: 'intra',
        outChannels: n,
        weights: randomRows(r, n * groups, k / groups),
        thresholds: th(n * groups, Math.sqrt(k / groups)),
      },
      {
        type: 'classifier',
        inShape: { channels: n, height: 1, width: 1 },
        fanIn: n,
        classes: 2,
        weights: randomRows(r, 2, n),
        bias: new Float64Array([0.1, -0.1]),
        gamma: new Float64Array([1, 1]),
        beta: new Float64Array([0, 0]),
        mean: new Float64Array([0, 0]),
        variance: new Float64Array([1, 1]),
        epsilon: 1e-5,
      },
    ],
  };
}

/**
 * The seed's CIFAR-10 VGG (128C3-128C3-MP2-256C3-256C3-MP2-512C3-512C3-MP2-FC1024-FC1024-FC10,
 * 3x3 convs stride 1 pad 1) with random weights and thresholds (untrained: the work is the same).
 * `arraySize` 512 or 256 splits it by the seed's IntraC rule (groups per layer from seed.md);
 * null keeps it unsplit (the ADC design's network). `width` scales every channel count.
 */
export function vggModel(arraySize: 512 | 256 | null, width = 1, seed = 3): Model {
  const r = rng(seed);
  const groups512 = [3, 3, 6, 6, 9, 16, 2];
  const groups256 = [6, 6, 9, 9, 18, 32, 4];
  const G = (i: number) => (arraySize === 512 ? groups512[i]! : arraySize === 256 ? groups256[i]! : 1);
  const c = (n: number) => n * width;
  const th = (count: number, scale: number) => ({
    t: Int32Array.from({ length: count }, () => Math.round((r() * 2 - 1) * scale)),
    d: Int8Array.from({ length: count }, () => (r() < 0.5 ? 1 : -1)),
  });
  const layers: Model['layers'] = [];
  let shape = { channels: 3, height: 32, width: 32 };
  const pool = { size: 2, stride: 2 };
  layers.push({
    type: 'input', kind: 'conv', inShape: shape, outShape: { channels: c(128), height: 32, width: 32 }, kernel: 3, stride: 1, padding: 1, pool: null,
    fanIn: 27, weights: randomRows(r, c(128), 27), thresholds: th(c(128), 800),
  });
  shape = { channels: c(128), height: 32, width: 32 };
  const convs: [number, boolean][] = [[c(128), true], [c(256), false], [c(256), true], [c(512), false], [c(512), true]];
  convs.forEach(([out, pooled], i) => {
    const K = shape.channels * 9;
    const g = G(i);
    const hw = pooled ? shape.height / 2 : shape.height;
    const outShape = { channels: out, height: hw, width: hw };
    layers.push({
      type: 'binary', kind: 'conv', inShape: shape, outShape, kernel: 3, stride: 1, padding: 1, pool: pooled ? pool : null, fanIn: K, groups: g,
      grouping: 'intra', outChannels: out, weights: randomRows(r, out * g, K / g), thresholds: th(out * g, Math.sqrt(K / g)),
    });
    shape = outShape;
  });
  for (const [i, out] of [[5, c(1024)], [6, c(1024)]] as const) {
    const K = shape.channels * shape.height * shape.width;
    const g = G(i);
    const outShape = { channels: out, height: 1, width: 1 };
    layers.push({
      type: 'binary', kind: 'dense', inShape: shape, outShape, kernel: 0, stride: 1, padding: 0, pool: null, fanIn: K, groups: g,
      grouping: 'intra', outChannels: out, weights: randomRows(r, out * g, K / g), thresholds: th(out * g, Math.sqrt(K / g)),
    });
    shape = outShape;
  }
  const f = (n: number, lo: number, hi: number) => Float64Array.from({ length: n }, () => lo + r() * (hi - lo));
  layers.push({
    type: 'classifier', inShape: shape, fanIn: shape.channels, classes: 10, weights: randomRows(r, 10, shape.channels),
    bias: f(10, -1, 1), gamma: f(10, 0.5, 2), beta: f(10, -1, 1), mean: f(10, -3, 3), variance: f(10, 0.5, 4), epsilon: 1e-5,
  });
  return {
    name: `vgg-seed-${arraySize ?? 'baseline'}`, dataset: 'cifar10', arraySize, baseline: null,
    preprocess: { scale: 1 / 255, mean: null }, metrics: {}, training: null, layers,
  };
}

/** The seed's MNIST MLP 784-2048-2048-2048-10 (random weights); split per `arraySize` (G = 4 at 512, 8 at 256). */
export function mlpModel(arraySize: 512 | 256 | null, seed = 4): Model {
  const r = rng(seed);
  const G = arraySize === 512 ? 4 : arraySize === 256 ? 8 : 1;
  const th = (count: number, scale: number) => ({
    t: Int32Array.from({ length: count }, () => Math.round((r() * 2 - 1) * scale)),
    d: Int8Array.from({ length: count }, () => (r() < 0.5 ? 1 : -1)),
  });
  const one = (channels: number) => ({ channels, height: 1, width: 1 });
  const layers: Model['layers'] = [
    {
      type: 'input', kind: 'dense', inShape: { channels: 1, height: 28, width: 28 }, outShape: one(2048), kernel: 0, stride: 0, padding: 0, pool: null,
      fanIn: 784, weights: randomRows(r, 2048, 784), thresholds: th(2048, 3000),
    },
  ];
  for (let i = 0; i < 2; i++) {
    layers.push({
      type: 'binary', kind: 'dense', inShape: one(2048), outShape: one(2048), kernel: 0, stride: 1, padding: 0, pool: null, fanIn: 2048, groups: G,
      grouping: 'intra', outChannels: 2048, weights: randomRows(r, 2048 * G, 2048 / G), thresholds: th(2048 * G, Math.sqrt(2048 / G)),
    });
  }
  const f = (n: number, lo: number, hi: number) => Float64Array.from({ length: n }, () => lo + r() * (hi - lo));
  layers.push({
    type: 'classifier', inShape: one(2048), fanIn: 2048, classes: 10, weights: randomRows(r, 10, 2048),
    bias: f(10, -1, 1), gamma: f(10, 0.5, 2), beta: f(10, -1, 1), mean: f(10, -3, 3), variance: f(10, 0.5, 4), epsilon: 1e-5,
  });
  return {
    name: `mlp-seed-${arraySize ?? 'baseline'}`, dataset: 'mnist', arraySize, baseline: null,
    preprocess: { scale: 1 / 255, mean: null }, metrics: {}, training: null, layers,
  };
}

export interface VggRecord {
  bench: 'vgg-cpu' | 'mlp-cpu';
  design: 'split' | 'adc';
  arraySize: 512 | 256;
  readout: string;
  workers: number;
  images: number;
  seconds: number;
  imagesPerSec: number;
  /** projected for the 10,000-image CIFAR-10 test set at this rate */
  projected10kSeconds: number;
  /** bit-MACs of the binary layers per second */
  binaryBitMacPerSec: number;
}

/**
 * Functional pass of the seed-width CIFAR-10 VGG on random pixels (untrained weights): the split
 * design (split model, sense read-out) and the ADC design (unsplit model, `bits`-bit ADC over row
 * blocks of `arraySize`). Times one evaluate of `images` images after a warm-up that lays out
 * the weights.
 */
export async function measureVggCpu(
  opts: { images?: number; workers?: number[]; arraySize?: 512 | 256; bits?: number; network?: 'vgg' | 'mlp'; scalarMinBits?: number; csaMinBits?: number; kernels?: CpuEngineOptions['kernels'] } = {},
): Promise<VggRecord[]> {
  const images = opts.images ?? 500;
  const R = opts.arraySize ?? 512;
  const bits = opts.bits ?? 5;
  const mlp = opts.network === 'mlp';
  const inSize = mlp ? 784 : 3072;
  const out: VggRecord[] = [];
  const r = rng(99);
  const pixels = Uint8Array.from({ length: images * inSize }, () => (r() < 0.3 ? 0 : Math.floor(r() * 256)));
  const designs = [
    { design: 'split' as const, model: mlp ? mlpModel(R) : vggModel(R), readout: { kind: 'sense' } as const },
    { design: 'adc' as const, model: mlp ? mlpModel(null) : vggModel(null), readout: { kind: 'adc', rows: R, bits } as const },
  ];
  for (const workers of opts.workers ?? [1, 2]) {
    const engine = createCpuEngine({ workers, scalarMinBits: opts.scalarMinBits, csaMinBits: opts.csaMinBits, kernels: opts.kernels });
    try {
      for (const d of designs) {
        await engine.evaluate(d.model, { count: 4, pixels: pixels.subarray(0, 4 * inSize), labels: null }, { readout: d.readout });
        const t0 = performance.now();
        const res = await engine.evaluate(d.model, { count: images, pixels, labels: null }, { readout: d.readout });
        const seconds = (performance.now() - t0) / 1000;
        const macs = res.activity.slice(1, -1).reduce((a, l) => a + l.macs, 0);
        out.push({
          bench: mlp ? 'mlp-cpu' : 'vgg-cpu', design: d.design, arraySize: R, readout: JSON.stringify(d.readout), workers, images, seconds,
          imagesPerSec: images / seconds, projected10kSeconds: (10000 * seconds) / images, binaryBitMacPerSec: macs / seconds,
        });
      }
    } finally {
      await engine.dispose();
    }
  }
  return out;
}

function randomInputs(count: number, seed: number): InputBatch {
  const r = rng(seed);
  return { count, pixels: Uint8Array.from({ length: count * 4 }, () => Math.floor(r() * 256)), labels: null };
}

/**
 * Times the engines round-robin on fresh inputs (one evaluate each in turn) until each has had
 * `minSeconds` of timed evaluates and at least 5; per engine every evaluate's wall and process
 * CPU seconds, round by round (round r of every engine ran on the same inputs, back to back).
 */
async function timeEngines(engines: Engine[], model: Model, batch: number, minSeconds: number): Promise<{ seconds: number; cpuSeconds: number; ticks: CpuTicks | null }[][]> {
  for (const e of engines) await e.evaluate(model, randomInputs(Math.min(batch, 64), 7), { readout: { kind: 'sense' } }); // lay out weights, start workers
  const samples: { seconds: number; cpuSeconds: number; ticks: CpuTicks | null }[][] = engines.map(() => []);
  let total = 0;
  for (let run = 0; total < minSeconds * engines.length || run < 5; run++) {
    const inputs = randomInputs(batch, 100 + run);
    for (let i = 0; i < engines.length; i++) {
      const k0 = cpuTicks();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await engines[i]!.evaluate(model, inputs, { readout: { kind: 'sense' } });
      const s = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      total += s;
      samples[i]!.push({ seconds: s, cpuSeconds: (c.user + c.system) / 1e6, ticks: ticksBetween(k0, cpuTicks()) });
    }
  }
  return samples;
}

const median = (xs: number[]) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
};

/**
 * Measures the reference and the fast path (1 and 2 workers, each of `kernels`) at each shape.
 * The reference runs `refBatch` images (its rate is per second, comparable across batch sizes).
 */
export async function measureCrossbarCpu(
  shapes: CrossbarShape[] = [{ batch: 4096, k: 2048, n: 2048 }],
  opts: { refBatch?: number; minSeconds?: number; kernels?: CpuKernel[] } = {},
): Promise<CrossbarRecord[]> {
  const refBatch = opts.refBatch ?? 32;
  const minSeconds = opts.minSeconds ?? 2;
  const kernels = opts.kernels ?? ['default'];
  const cpu = cpus()[0]?.model ?? 'unknown';
  const cores = cpus().length;
  const out: CrossbarRecord[] = [];
  for (const shape of shapes) {
    const model = crossbarModel(shape.k, shape.n);
    // reference: a smaller batch
    const rb = Math.min(refBatch, shape.batch);
    evaluateReference(model, randomInputs(2, 3), { readout: { kind: 'sense' } });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    evaluateReference(model, randomInputs(rb, 5), { readout: { kind: 'sense' } });
    const refSec = (performance.now() - t0) / 1000;
    const refCpu = process.cpuUsage(c0);
    const refRate = (rb * shape.k * shape.n) / refSec;
    const rec = (path: CrossbarRecord['path'], kernel: CpuKernel | undefined, batch: number, seconds: number, cpuSeconds: number, workers: number): CrossbarRecord => {
      const bitMacs = batch * shape.k * shape.n;
      const rate = bitMacs / seconds;
      return {
        bench: 'crossbar-cpu', path, ...(kernel ? { kernel } : {}), batch, k: shape.k, n: shape.n, bitMacs, seconds, bitMacPerSec: rate, ratioToReference: rate / refRate,
        perWorker: rate / workers, workers, cpuSeconds, bitMacPerCpuSec: bitMacs / cpuSeconds, loadavg: loadavg(), cpu, cores,
      };
    };
    out.push(rec('reference', undefined, rb, refSec, (refCpu.user + refCpu.system) / 1e6, 1));
    // every (worker count, kernel) engine is timed in one round-robin, so that the 1- and
    // 2-worker figures of a round ran back to back under the same load and clock (this VM's
    // per-core speed drifts by up to 2x over seconds; separate phases compared different periods)
    const combos = [1, 2].flatMap((workers) => kernels.map((kernel) => ({ workers, kernel })));
    const engines = combos.map((c) => createCpuEngine({ workers: c.workers, ...KERNEL_OPTIONS[c.kernel] }));
    try {
      const times = await timeEngines(engines, model, shape.batch, minSeconds);
      combos.forEach(({ workers, kernel }, i) => {
        const best = times[i]!.reduce((a, b) => (b.seconds < a.seconds ? b : a));
        const secs = times[i]!.map((t) => t.seconds);
        const ticks = times[i]!.map((t) => t.ticks);
        out.push({ ...rec(workers === 1 ? 'cpu-1worker' : 'cpu-2workers', kernel, shape.batch, best.seconds, best.cpuSeconds, workers), medianSeconds: median(secs), runs: secs.length, samples: secs, stealShare: stealShare(ticks), ticks });
      });
    } finally {
      for (const e of engines) await e.dispose();
    }
  }
  return out;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const scalarArg = process.argv.includes('--scalar-min-bits') ? arg('scalar-min-bits', 897) : undefined;
const csaArg = process.argv.includes('--csa-min-bits') ? arg('csa-min-bits', 1024) : undefined;
// run alone (by file name: inside an esbuild bundle of another entry, import.meta.url is the bundle's)
const runAlone = /crossbar-cpu\.[cm]?[jt]s$/.test(process.argv[1] ?? '');
if (runAlone && (process.argv.includes('--vgg') || process.argv.includes('--mlp'))) {
  const network = process.argv.includes('--mlp') ? 'mlp' : 'vgg';
  const recs = await measureVggCpu({ network, images: arg('images', 500), arraySize: arg('array', 512) as 512 | 256, scalarMinBits: scalarArg, csaMinBits: csaArg });
  for (const r of recs) console.log(JSON.stringify({ ...r, scalarMinBits: scalarArg ?? 'default', csaMinBits: csaArg ?? 'default', loadavg: loadavg() }));
} else if (runAlone) {
  const shape = { batch: arg('batch', 4096), k: arg('k', 2048), n: arg('n', 2048) };
  const ki = process.argv.indexOf('--kernels');
  const kernels = (ki >= 0 ? process.argv[ki + 1]! : 'simd-popcnt,simd-csa,scalar,native').split(',') as CpuKernel[];
  for (const k of kernels) if (!(k in KERNEL_OPTIONS)) throw new Error(`unknown kernel ${k} (have ${Object.keys(KERNEL_OPTIONS).join(', ')})`);
  const recs = await measureCrossbarCpu([shape], { refBatch: arg('ref-batch', 32), minSeconds: arg('min-seconds', 2), kernels });
  for (const r of recs) console.log(JSON.stringify(r));
  // ratios between kernels and worker counts, all from this run
  const get = (path: string, kernel: string) => recs.find((r) => r.path === path && r.kernel === kernel);
  const summary: Record<string, number> = {};
  for (const path of ['cpu-1worker', 'cpu-2workers']) {
    const csa = get(path, 'simd-csa');
    for (const old of ['simd-popcnt', 'scalar']) {
      const o = get(path, old);
      if (!csa || !o) continue;
      // the median of the per-round speed ratios (paired: same inputs, back to back) is the
      // figure least moved by other processes; the fastest runs' ratios are given too
      summary[`${path}: simd-csa / ${old}, median of paired runs`] = median(csa.samples!.map((s, r) => o.samples![r]! / s));
      summary[`${path}: simd-csa / ${old}, fastest runs`] = csa.bitMacPerSec / o.bitMacPerSec;
      summary[`${path}: simd-csa / ${old}, fastest runs per CPU second`] = csa.bitMacPerCpuSec / o.bitMacPerCpuSec;
    }
  }
  for (const path of ['cpu-1worker', 'cpu-2workers']) {
    const nat = get(path, 'native');
    for (const old of ['simd-csa', 'scalar']) {
      const o = get(path, old);
      if (!nat || !o) continue;
      summary[`${path}: native / ${old}, median of paired runs`] = median(nat.samples!.map((s, r) => o.samples![r]! / s));
      summary[`${path}: native / ${old}, fastest runs`] = nat.bitMacPerSec / o.bitMacPerSec;
    }
  }
  const own = get('cpu-2workers', 'native');
  const oneCopy = get('cpu-2workers', 'native-one-copy');
  if (own && oneCopy) summary['2 workers: native (a copy of the weights per thread) / native-one-copy, median of paired runs'] = median(own.samples!.map((s, r) => oneCopy.samples![r]! / s));
  for (const k of kernels) {
    const one = get('cpu-1worker', k);
    const two = get('cpu-2workers', k);
    if (!one || !two) continue;
    summary[`${k}: 2 workers / 1, median of paired runs`] = median(two.samples!.map((s, r) => one.samples![r]! / s));
    summary[`${k}: 2 workers / 1, medians`] = one.medianSeconds! / two.medianSeconds!;
    summary[`${k}: 2 workers / 1, fastest runs`] = one.seconds / two.seconds;
    // rounds in which the hypervisor took no tick during either evaluate: the scaling the
    // engine gets where the VM's two vCPUs actually ran (the number of such rounds is given)
    const calm = two.samples!.map((s, r) => ({ ratio: one.samples![r]! / s, calm: one.ticks![r]?.steal === 0 && two.ticks![r]?.steal === 0 })).filter((x) => x.calm);
    if (calm.length > 0) {
      summary[`${k}: 2 workers / 1, median of paired runs without steal`] = median(calm.map((x) => x.ratio));
      summary[`${k}: rounds without steal`] = calm.length;
    }
  }
  console.log(JSON.stringify({ bench: 'crossbar-cpu', summary: true, ...shape, ratios: summary, stealShare: stealShare(recs.flatMap((r) => r.ticks ?? [])), loadavg: loadavg(), cpu: cpus()[0]?.model, cores: cpus().length }));
}
