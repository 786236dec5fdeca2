/**
 * The fast CPU path of the functional pass (engine name 'cpu'): WebAssembly kernels over
 * bit-packed data (XNOR SIMD in 4-vector x 8-neuron tiles, counted with i8x16.popcnt per 128
 * bits on slices under 1024 bits and with carry-save adders on longer ones; optionally XNOR +
 * i64.popcnt in 2x2 tiles for long sense groups; i16 dot products for the first layer), the
 * batch split across worker threads. Bit-exact with the
 * reference engine (src/func/reference.ts): predictions, digest and every activity count.
 * Kernels: kernels.ts (emitted by the tiny assembler in wasm-asm.ts); layouts: plan.ts;
 * per-image pipeline: runner.ts.
 *
 * - The first layer's outputs are kept per (model, batch of pixels) and reused by later read-outs
 *   of the same batch (sweeps): that layer is exact and read-out independent.
 * - Weights are laid out once per (model object, ADC row count) in one shared
 *   WebAssembly.Memory (a SharedArrayBuffer) that every worker imports; sweeps reuse them.
 * - The batch is planned as one contiguous shard per thread (the calling thread takes one),
 *   cut into pieces that a thread claims atomically: its own shard's first, then what is left of
 *   the others' (work stealing, so a thread slowed by other processes does not hold the batch
 *   back). Each piece is evaluated in chunks; conv layers use an implicit im2col per image,
 *   dense layers and the classifier batch the chunk's images.
 * - workers = 1 runs on the calling thread; more start worker threads (on first use), which
 *   are unref'd while idle and terminated by dispose().
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ClassifierLayer, Model } from '../../model/types.ts';
import { addActivity, adcStep, emptyActivity, finishResult, predictFromDots, readoutProblem } from '../common.ts';
import type { Engine, EvalOptions, EvalResult, InputBatch, LayerActivity } from '../types.ts';
import { kernelBytes, type Kernels } from './kernels.ts';
import { Arena, copyModelPlan, CSA_MIN_BITS, planModel, SCALAR_MIN_BITS, type InputPlan, type LayerPlan, type ModelPlan } from './plan.ts';
import { runShard, scratchLayout, type ShardJob, type ShardResult } from './runner.ts';
import { kernelsFromEnv, resolveKernels, withNativeGemms, type CpuKernelChoice, type CpuKernelIsa } from './native.ts';

export interface CpuEngineOptions {
  /** worker threads; default os.availableParallelism(). Capped by the batch size. */
  workers?: number;
  /** images per chunk inside a thread (dense layers batch a chunk: each chunk streams the layer's weights once); default 64 */
  chunk?: number;
  /**
   * tuning: sense groups of at least this many bits use the scalar i64.popcnt kernel, shorter
   * ones the SIMD kernel (default SCALAR_MIN_BITS: none). Results are identical either way.
   */
  scalarMinBits?: number;
  /**
   * tuning: the SIMD kernels count slices of at least this many bits with carry-save adders
   * (Harley-Seal), shorter ones with one popcount per 128 bits (default CSA_MIN_BITS; Infinity:
   * never). Results are identical either way.
   */
  csaMinBits?: number;
  /**
   * which binary GEMM kernels run (native.ts): 'auto' (default, or ARCHSIM_CPU_KERNELS) takes the
   * native AVX-512 addon when it is built and the CPU has VPOPCNTDQ, else WebAssembly. Results
   * are identical either way.
   */
  kernels?: CpuKernelChoice;
  /**
   * tuning (benchmarks): every thread reads the one copy of the laid-out weights and tables
   * instead of its own (ModelCache). Results are identical either way.
   */
  sharedPlan?: boolean;
}

export interface CpuEngine extends Engine {
  readonly name: 'cpu';
  /** the most worker threads an evaluation uses */
  readonly workers: number;
  /** the last evaluation's planned shards: images per thread (one entry per thread used) */
  readonly lastShards: readonly number[];
  /** images each thread actually evaluated in the last evaluation (work stealing moves pieces) */
  readonly lastImagesPerThread: readonly number[];
  /** evaluations that took the first layer's outputs from an earlier one (same model and pixels) */
  readonly firstLayerReuses: number;
  /** the binary GEMMs it runs: 'wasm', or the native addon's 'avx512' or 'generic' build */
  readonly kernelIsa: CpuKernelIsa;
}

interface ModelCache {
  /**
   * Thread 0's layer layouts (shared between the read-outs' plans where a layer does not depend
   * on the read-out), each other thread's copies of them (by thread 0's layer plan), and every
   * thread's plans by read-out rows. Every thread evaluates from its own copy of the laid-out
   * weights and tables: two threads reading one copy were slower (2 workers 1.55x one against
   * 1.36x, bench/cpu-threads.ts; 1.18x faster with copies in a paired bench/crossbar-cpu.ts run;
   * 2026-11-27, bench/RESULTS.md), for a few MB of memory per thread. The copies are made by
   * copying thread 0's bytes (copyLayerPlan), not by planning again: on a 16-core host planning
   * one per thread took the main thread 3.8 s of a 10 s run.
   */
  reuse: Map<string, LayerPlan>;
  copies: Map<LayerPlan, LayerPlan>[];
  plans: Map<string, ModelPlan>[];
  /**
   * First-layer outputs of image batches this model has evaluated, by sha1 of the pixels: the
   * first layer is exact integer arithmetic (NUMERICS.md), the same under every read-out, so a
   * sweep's many read-outs of one model evaluate it once per batch. Bounded by FIRST_LAYER_CACHE_BYTES.
   * A batch's maps are kept from its second evaluation on (`seen` holds the keys of batches
   * evaluated once): a run that evaluates each batch once (`archsim run`, `eval`) keeps nothing,
   * instead of copying out up to FIRST_LAYER_CACHE_BYTES that nobody reads.
   */
  firstLayer: Map<string, { maps: Uint8Array; activity: LayerActivity }>;
  seen: Set<string>;
}

/** Batch keys per model remembered for the first layer's keep-on-second-evaluation rule; oldest dropped first. */
const SEEN_KEYS = 4096;

/** Bytes of first-layer output maps an engine keeps (all models together); oldest dropped first. */
export const FIRST_LAYER_CACHE_BYTES = 192 * 2 ** 20;

let compiled: WebAssembly.Module | null = null;
function kernelModule(): WebAssembly.Module {
  if (!compiled) compiled = new WebAssembly.Module(kernelBytes());
  return compiled;
}

/** Whether this Node has what the fast path needs (shared memory, SIMD). */
export function cpuFastPathAvailable(): boolean {
  try {
    kernelModule();
    return true;
  } catch {
    return false;
  }
}

interface PoolWorker {
  worker: Worker;
  pending: { resolve: (r: ShardResult) => void; reject: (e: Error) => void } | null;
}

export function createCpuEngine(opts: CpuEngineOptions = {}): CpuEngine {
  const maxWorkers = Math.max(1, Math.floor(opts.workers ?? availableParallelism()));
  const chunk = Math.max(1, Math.floor(opts.chunk ?? 64));
  const scalarMinBits = opts.scalarMinBits ?? SCALAR_MIN_BITS;
  const csaMinBits = opts.csaMinBits ?? CSA_MIN_BITS;
  const sharedPlan = opts.sharedPlan === true;
  const kernelIsa = resolveKernels(opts.kernels ?? kernelsFromEnv() ?? 'auto');
  let arena: Arena | null = null;
  let kernels: Kernels | null = null;
  let cache = new WeakMap<Model, ModelCache>();
  const pool: PoolWorker[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  let disposed = false;
  let lastShards: number[] = [];
  let lastImagesPerThread: number[] = [];
  let firstLayerReuses = 0;

  function ensureArena(): { arena: Arena; kernels: Kernels } {
    if (!arena) {
      arena = new Arena();
      const inst = new WebAssembly.Instance(kernelModule(), { env: { mem: arena.memory } });
      kernels = withNativeGemms(inst.exports as unknown as Kernels, arena.memory, kernelIsa);
    }
    return { arena, kernels: kernels! };
  }

  /** The model's plans for read-out rows R, one per thread for the first `threads` threads. */
  function planFor(model: Model, R: number | null, threads: number): ModelPlan[] {
    const { arena } = ensureArena();
    let mc = cache.get(model);
    if (!mc) {
      mc = { reuse: new Map(), copies: [], plans: [], firstLayer: new Map(), seen: new Set() };
      cache.set(model, mc);
    }
    const key = String(R);
    const out: ModelPlan[] = [];
    for (let t = 0; t < threads; t++) {
      mc.plans[t] ??= new Map();
      let plan = mc.plans[t]!.get(key);
      if (!plan) {
        // thread 0 plans (layer plans shared across read-outs through mc.reuse); the others copy
        // its bytes, layer by layer (a layer shared across read-outs is copied once per thread)
        plan = t === 0 ? planModel(arena, model, R, mc.reuse, scalarMinBits, csaMinBits) : copyModelPlan(arena, out[0]!, (mc.copies[t] ??= new Map()));
        mc.plans[t]!.set(key, plan);
      }
      out.push(plan);
    }
    return out;
  }

  function startWorker(): PoolWorker {
    const { arena } = ensureArena();
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), {
      workerData: { module: kernelModule(), memory: arena.memory, kernelIsa },
      execArgv: [],
    });
    const pw: PoolWorker = { worker, pending: null };
    worker.unref();
    worker.on('message', (msg: { ok: boolean; result?: ShardResult; error?: string }) => {
      const p = pw.pending;
      pw.pending = null;
      worker.unref();
      if (!p) return;
      if (msg.ok) p.resolve(msg.result!);
      else p.reject(new Error(`cpu engine worker: ${msg.error}`));
    });
    const fail = (e: Error) => {
      const p = pw.pending;
      pw.pending = null;
      const i = pool.indexOf(pw);
      if (i >= 0) pool.splice(i, 1);
      p?.reject(e);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`cpu engine worker exited with code ${code}`)));
    return pw;
  }

  function runOnWorker(pw: PoolWorker, job: ShardJob): Promise<ShardResult> {
    return new Promise((resolve, reject) => {
      pw.pending = { resolve, reject };
      pw.worker.ref();
      pw.worker.postMessage(job);
    });
  }

  const kept: { mc: ModelCache; key: string; bytes: number }[] = [];
  let keptBytes = 0;
  function keepFirstLayer(mc: ModelCache, key: string, entry: { maps: Uint8Array; activity: LayerActivity }): void {
    mc.firstLayer.set(key, entry);
    kept.push({ mc, key, bytes: entry.maps.length });
    keptBytes += entry.maps.length;
    while (keptBytes > FIRST_LAYER_CACHE_BYTES) {
      const old = kept.shift()!;
      old.mc.firstLayer.delete(old.key);
      keptBytes -= old.bytes;
    }
  }

  async function evaluateNow(model: Model, inputs: InputBatch, evalOpts: EvalOptions): Promise<EvalResult> {
    if (disposed) throw new Error('cpu engine: used after dispose()');
    const readout = evalOpts.readout;
    const problem = readoutProblem(readout);
    if (problem) throw new Error(problem);
    const layers = model.layers;
    const classifier = layers[layers.length - 1] as ClassifierLayer;
    const count = inputs.count;
    const nWorkers = Math.max(1, Math.min(maxWorkers, count));
    const plans = planFor(model, readout.kind === 'adc' ? readout.rows : null, sharedPlan ? 1 : nWorkers);
    const plan = plans[0]!;
    const { arena, kernels } = ensureArena();
    if (inputs.pixels.length < count * plan.inSize) throw new Error(`cpu engine: ${count} images need ${count * plan.inSize} pixel bytes, found ${inputs.pixels.length}`);
    const adc = layers.map((l, i) => {
      if (l.type !== 'binary' || readout.kind !== 'adc') return { s: 0, L1: 0 };
      const { L, s } = adcStep(readout, i);
      return { s, L1: L - 1 };
    });

    // first-layer outputs: reuse a batch this model evaluated before, else keep them for later
    const mc = cache.get(model)!;
    const firstBytes = (plan.layers[0] as InputPlan).outMapBytes * count;
    const key = count > 0 && firstBytes <= FIRST_LAYER_CACHE_BYTES ? `${createHash('sha1').update(inputs.pixels.subarray(0, count * plan.inSize)).digest('hex')}:${count}` : null;
    const hit = key ? mc.firstLayer.get(key) : undefined;
    // keep this batch's maps only when it was evaluated before (see ModelCache.firstLayer)
    const keep = key !== null && !hit && mc.seen.has(key);
    if (key !== null && !hit && !keep) {
      mc.seen.add(key);
      if (mc.seen.size > SEEN_KEYS) mc.seen.delete(mc.seen.values().next().value!);
    }

    const lay = scratchLayout(plan, chunk);
    const mark = arena.top;
    const activity = layers.map((_, i) => emptyActivity(i));
    let dots: Int32Array;
    try {
      const pixAddr = arena.alloc(Math.max(1, count * plan.inSize));
      const dotsAddr = arena.alloc(Math.max(1, count * plan.classes * 4));
      const scratch = Array.from({ length: nWorkers }, () => arena.alloc(lay.bytes));
      arena.u8().set(inputs.pixels.subarray(0, count * plan.inSize), pixAddr);
      const firstAddr = hit || keep ? arena.alloc(firstBytes) : 0;
      if (hit) arena.u8().set(hit.maps, firstAddr);
      const firstLayer = hit || keep ? { mode: hit ? ('load' as const) : ('store' as const), addr: firstAddr } : undefined;
      lastShards = [];
      const shards: { first: number; count: number }[] = [];
      const per = Math.floor(count / nWorkers);
      const extra = count % nWorkers;
      for (let w = 0, first = 0; w < nWorkers; w++) {
        const n = per + (w < extra ? 1 : 0);
        shards.push({ first, count: n });
        lastShards.push(n);
        first += n;
      }
      const job = { plan, adc, pixAddr, first: 0, count, dotsAddr, scratchAddr: scratch[0]!, chunk, firstLayer };
      let parts: ShardResult[];
      if (nWorkers === 1) {
        parts = [runShard(kernels, arena.memory, job)];
      } else {
        // pieces: at most a chunk, at least 4 per shard (something to steal)
        const piece = Math.max(1, Math.min(chunk, Math.ceil(per / 4)));
        const counters = arena.alloc(4 * nWorkers);
        new Int32Array(arena.memory.buffer, counters, nWorkers).fill(0);
        const share = (self: number): ShardJob => ({ ...job, plan: plans[self] ?? plan, scratchAddr: scratch[self]!, share: { counters, piece, shards, self } });
        while (pool.length < nWorkers - 1) pool.push(startWorker());
        const others = pool.slice(0, nWorkers - 1).map((pw, w) => runOnWorker(pw, share(w + 1)));
        let mine: ShardResult;
        try {
          // the calling thread takes shard 0 itself (it would only wait)
          mine = runShard(kernels, arena.memory, share(0));
        } finally {
          // settle the workers before the arena is released, even when this thread threw
          await Promise.allSettled(others);
        }
        parts = [mine, ...(await Promise.all(others))];
      }
      lastImagesPerThread = parts.map((p) => p.images);
      for (const part of parts) part.activity.forEach((a, i) => addActivity(activity[i]!, a));
      if (hit) {
        addActivity(activity[0]!, hit.activity);
        firstLayerReuses++;
      }
      else if (keep) {
        // Buffer#copy is a memcpy; slice() of shared memory copies about 4x slower (Node 20)
        const maps = new Uint8Array(firstBytes);
        Buffer.from(arena.memory.buffer, firstAddr, firstBytes).copy(maps);
        keepFirstLayer(mc, key!, { maps, activity: { ...activity[0]! } });
      }
      dots = new Int32Array(count * plan.classes);
      dots.set(new Int32Array(arena.memory.buffer, dotsAddr, count * plan.classes));
    } finally {
      arena.top = mark;
    }
    activity[0]!.blocksPerVector = 1;
    activity[layers.length - 1]!.blocksPerVector = 1;
    // the reference sets a binary layer's blocks per vector when it evaluates an image
    for (let i = 1; i < layers.length - 1; i++) {
      const p = plan.layers[i]!;
      activity[i]!.blocksPerVector = count > 0 && p.kind !== 'input' ? p.readoutBlocks : 0;
    }
    const predictions = predictFromDots(classifier, dots, count);
    return finishResult(predictions, inputs.labels, activity);
  }

  return {
    name: 'cpu',
    workers: maxWorkers,
    kernelIsa,
    get lastShards() {
      return lastShards;
    },
    get lastImagesPerThread() {
      return lastImagesPerThread;
    },
    get firstLayerReuses() {
      return firstLayerReuses;
    },
    evaluate(model, inputs, evalOpts) {
      const run = queue.then(() => evaluateNow(model, inputs, evalOpts));
      queue = run.catch(() => undefined);
      return run;
    },
    async dispose() {
      disposed = true;
      const ws = pool.splice(0);
      await Promise.all(ws.map((w) => w.worker.terminate()));
      arena = null;
      kernels = null;
      cache = new WeakMap();
      kept.length = 0;
      keptBytes = 0;
    },
  };
}
