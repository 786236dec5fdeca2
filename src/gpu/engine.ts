/// <reference types="@webgpu/types" />
/**
 * The GPU functional engine: evaluates a model on WebGPU bit for bit like src/func/reference.ts.
 *
 * Per chunk of images (thousands per dispatch, split automatically by buffer limits):
 *   input layer   input_dots.wgsl  -> pre-pool threshold bits -> pool_pack.wgsl -> map A
 *   binary layer  binary_gather.wgsl (implicit im2col once per vector into a packed field buffer)
 *                 -> binary_reg.wgsl (register-blocked: 8 images x 4 same-group rows per step,
 *                    vec4 loads; groups, ADC row blocks, threshold)
 *                 or, where one image's packed fields do not fit a buffer (or binaryKernel:
 *                 'shared'), binary_dots.wgsl (implicit im2col into workgroup memory)
 *                 -> pool_pack.wgsl (pool OR/AND, majority, pack)                -> map B, ...
 *   classifier    classifier_dots.wgsl -> integer dots, read back; float64 scores + argmax on the CPU
 * all encoded into one submission. Activity counts that depend on data (active inputs, matches,
 * saturations, +1 outputs) are reduced per workgroup and added on the GPU into 64-bit (lo, hi)
 * counters with an exact carry, then summed in float64 on the CPU; the counts that depend only on
 * geometry (vectors, driven rows, conversions, majority operations, outputs, MACs) are computed on
 * the CPU. Weights and thresholds of all layers live in one buffer, uploaded once per model object.
 */
import type { BinaryLayer, ClassifierLayer, InputLayer, Model } from '../model/types.ts';
import { mapSize, wordsFor } from '../model/types.ts';
import type { Engine, EvalOptions, EvalResult, InputBatch, LayerActivity, Readout } from '../func/types.ts';
import { adcStep, emptyActivity, finishResult, predictFromDots, readoutProblem } from '../func/common.ts';
import { acquireGpu, releaseGpu, type AcquireOptions, type GpuContext } from './runtime.ts';
import { compileAsync, grid, storageBindings, type CompiledProgram } from './program.ts';
import {
  BINARY_MAX_FIELD_WORDS,
  BLOCKED_TI,
  CLASSIFIER_MAX_WORDS,
  ENGINE_WG,
  INPUT_MAX_PLANE_WORDS,
  INPUT_MAX_VECTORS,
  UNIFORM_WORDS,
  VECTORS_PER_INVOCATION,
  binaryDotsProgram,
  binaryGatherProgram,
  binaryRegProgram,
  classifierDotsProgram,
  inputDotsProgram,
  poolPackProgram,
} from './programs.ts';

export interface GpuEngineOptions extends AcquireOptions {
  /** Largest storage buffer the engine allocates (default: the device's maxStorageBufferBindingSize). */
  maxBufferBytes?: number;
  /** Most images per dispatch (default 4096). */
  maxImagesPerDispatch?: number;
  /**
   * Input vectors (image x position) each invocation of the dots passes XNORs against one load of
   * a weight word: 4 (default) or 1 (forces the one-vector pipelines, for tests and tuning). A layer
   * whose receptive fields do not fit 4 at a time in workgroup memory uses 1 anyway.
   */
  vectorsPerInvocation?: 1 | 4;
  /**
   * Kernel of the binary layers: 'blocked' (binary_gather.wgsl packs each vector's receptive field
   * once, binary_reg.wgsl runs a register-blocked product on it), 'shared' (binary_dots.wgsl:
   * implicit im2col into workgroup memory), or 'auto' (default): blocked for dense layers and for
   * conv layers, shared where the packed fields of one image do not fit in a buffer or where no
   * 32-bit multiply-and-shift is exact for the ADC quantiser (adcDivider; ADC blocks of thousands
   * of rows). 'blocked' falls back to shared in the same cases.
   */
  binaryKernel?: 'auto' | 'blocked' | 'shared';
}

/** Kernel choice of a binary layer (see GpuEngineOptions.binaryKernel). */
export type BinaryKernel = 'blocked' | 'shared';

/** What GpuEngine.timeLayer measured. */
export interface LayerTiming {
  layer: number;
  /** images in the timed chunk */
  images: number;
  /** seconds per repetition of the layer's passes */
  seconds: number;
  repetitions: number;
  kernel: BinaryKernel;
}

/** u32 counters per layer in the stats buffer: (lo, hi) of active inputs, matches, saturations, +1 outputs. */
const STAT_WORDS = 8;
/** u32 words of the counters buffer (512 layers). */
const STATS_BUFFER_WORDS = 4096;

interface UploadedModel {
  buffer: GPUBuffer;
  /** per layer: word offsets of weights and (t, d) threshold pairs in the buffer */
  wOff: number[];
  tOff: number[];
  /** per binary layer: word offset (a multiple of 4) of a copy of its weights with each row padded to whole vec4s (blocked path) */
  pOff: number[];
}

/** Per-image geometry of a layer (counts that do not depend on data). */
interface Geometry {
  vectors: number;
  blocksPerVector: number;
  drivenRows: number;
  conversions: number;
  majorityOps: number;
  outputs: number;
  macs: number;
}

interface LayerPlan {
  kind: 'input' | 'binary' | 'classifier';
  index: number;
  /** uniform blocks: dots pass and (input, binary) pool/pack pass, with `count` at word 0 */
  dotsUniform: Uint32Array<ArrayBuffer>;
  packUniform: Uint32Array<ArrayBuffer> | null;
  /** input vectors per image (pre-pool positions; 1 for the classifier) */
  vectorsPerImage: number;
  /** vectors per work item of the dots pass (the shader's VB override) */
  vb: number;
  /** vectors per workgroup of the dots pass (uniform tv, a multiple of vb) */
  tv: number;
  /** output map words per image (0 for the classifier) */
  outWords: number;
  preWords: number;
  /** binary layers: which kernel computes the dots */
  kernel: BinaryKernel;
  /** blocked binary layers: packed field words per image (P * G * wpr), also the validity words */
  fieldWords: number;
  /** blocked binary layers: ADC read-out (selects the ADC-specialised pipeline) */
  adc: boolean;
  geometry: Geometry;
}

interface Plan {
  layers: LayerPlan[];
  imgBytes: number;
  maxMapWords: number;
  maxPreWords: number;
  /** largest fieldWords of a blocked layer (the field buffer holds one more image's worth: validity) */
  maxFieldWords: number;
  classes: number;
}

function preShape(l: InputLayer | BinaryLayer): { h: number; w: number } {
  if (l.kind === 'dense') return { h: 1, w: 1 };
  return {
    h: Math.floor((l.inShape.height + 2 * l.padding - l.kernel) / l.stride) + 1,
    w: Math.floor((l.inShape.width + 2 * l.padding - l.kernel) / l.stride) + 1,
  };
}

/** Sum over pre-pool positions of the number of valid (non-padded) inputs of the receptive field. */
function validInputs(l: InputLayer | BinaryLayer): number {
  if (l.kind === 'dense') return l.fanIn;
  const { h, w } = preShape(l);
  const along = (n: number, size: number): number => {
    let total = 0;
    for (let o = 0; o < n; o++) {
      for (let k = 0; k < l.kernel; k++) {
        const y = o * l.stride - l.padding + k;
        if (y >= 0 && y < size) total++;
      }
    }
    return total;
  };
  // valid(oy, ox) = C * vh(oy) * vw(ox); summed over the grid it factorises
  return l.inShape.channels * along(h, l.inShape.height) * along(w, l.inShape.width);
}

/**
 * Multiply-and-shift for floor(x / d) on 0 <= x <= xMax in u32 arithmetic: the smallest shift k
 * with M = ceil(2^k / d) such that (x * M) >> k equals floor(x / d) for every such x and x * M
 * stays below 2^32, each x checked. { mul: 0 } when there is none (the layer then runs on
 * binary_dots.wgsl, which divides). GPU integer division is a long instruction sequence;
 * binary_reg.wgsl quantises every ADC block of 32 (image, row) pairs with it.
 */
export function adcDivider(d: number, xMax: number): { mul: number; shift: number } {
  if (d < 1 || !Number.isInteger(d) || !Number.isInteger(xMax) || xMax < 0) throw new Error(`adcDivider(${d}, ${xMax}): positive integer divisor and non-negative bound expected`);
  for (let k = 0; k < 32; k++) {
    const M = Math.ceil(2 ** k / d);
    if (xMax * M > 0xffffffff) break;
    let ok = true;
    for (let x = 0; x <= xMax && ok; x++) ok = Math.floor((x * M) / 2 ** k) === Math.floor(x / d);
    if (ok) return { mul: M, shift: k };
  }
  return { mul: 0, shift: 0 };
}

/**
 * Vectors per workgroup: a multiple of vb, grown until there are ENGINE_WG work items (32 rows x vb
 * vectors each) or workgroup memory (fieldWords per vector, maxWords in all) is full.
 */
function vectorsPerWorkgroup(vb: number, rowWords: number, fieldWords: number, maxWords: number, maxVectors: number): number {
  let tv = vb;
  while (rowWords * (tv / vb) < ENGINE_WG && (tv + vb) * fieldWords <= maxWords && tv + vb <= maxVectors) tv += vb;
  return tv;
}

function makePlan(model: Model, readout: Readout, up: UploadedModel, maxVb: number, choice: 'auto' | BinaryKernel, maxBufferBytes: number): Plan {
  const layers = model.layers;
  if (layers.length * STAT_WORDS > STATS_BUFFER_WORDS) throw new Error(`gpu engine: ${layers.length} layers exceed the ${STATS_BUFFER_WORDS / STAT_WORDS} the counters buffer holds`);
  const plans: LayerPlan[] = [];
  let maxMapWords = 1;
  let maxPreWords = 1;
  let maxFieldWords = 0;
  const input = layers[0] as InputLayer;
  const imgBytes = mapSize(input.inShape);
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    const where = `layer ${i}`;
    if (l.type === 'classifier') {
      const wpr = wordsFor(l.fanIn);
      if (wpr > CLASSIFIER_MAX_WORDS) throw new Error(`gpu engine: ${where}: classifier fan-in ${l.fanIn} exceeds ${CLASSIFIER_MAX_WORDS * 32}`);
      const inWords = wordsFor(mapSize(l.inShape));
      const u = new Uint32Array(UNIFORM_WORDS.classifier);
      u.set([0, l.fanIn, wpr, l.classes, inWords, up.wOff[i]!, i * STAT_WORDS, 0]);
      plans.push({
        kind: 'classifier',
        index: i,
        dotsUniform: u,
        packUniform: null,
        vectorsPerImage: 1,
        vb: 1,
        tv: 1,
        outWords: 0,
        preWords: 0,
        kernel: 'shared',
        fieldWords: 0,
        adc: false,
        geometry: { vectors: 1, blocksPerVector: 1, drivenRows: l.fanIn, conversions: 0, majorityOps: 0, outputs: 1, macs: l.fanIn * l.classes },
      });
      continue;
    }
    const { h: ph, w: pw } = preShape(l);
    const P = ph * pw;
    const isInput = l.type === 'input';
    const G = isInput ? 1 : l.groups;
    const N = l.outShape.channels;
    const NG = N * G;
    const rowWords = wordsFor(NG);
    const preWords = P * rowWords;
    const outBits = mapSize(l.outShape);
    const outWords = wordsFor(outBits);
    const inWords = wordsFor(mapSize(l.inShape));
    maxMapWords = Math.max(maxMapWords, outWords, isInput ? 0 : inWords);
    maxPreWords = Math.max(maxPreWords, preWords);
    const OP = l.outShape.height * l.outShape.width;
    const valid = validInputs(l);
    const dense = l.kind === 'dense' ? 1 : 0;
    const kernel = l.kind === 'dense' ? 0 : l.kernel;
    const stride = l.kind === 'dense' ? 0 : l.stride;
    const pad = l.kind === 'dense' ? 0 : l.padding;
    let dotsUniform: Uint32Array<ArrayBuffer>;
    let geometry: Geometry;
    let vb = 1;
    let tv = 1;
    let binKernel: BinaryKernel = 'shared';
    let fieldWords = 0;
    if (isInput) {
      const planeWords = 8 * wordsFor(l.fanIn);
      if (planeWords > INPUT_MAX_PLANE_WORDS) throw new Error(`gpu engine: ${where}: input-layer fan-in ${l.fanIn} exceeds ${(INPUT_MAX_PLANE_WORDS / 8) * 32}`);
      vb = maxVb >= VECTORS_PER_INVOCATION && VECTORS_PER_INVOCATION * planeWords <= INPUT_MAX_PLANE_WORDS ? VECTORS_PER_INVOCATION : 1;
      tv = vectorsPerWorkgroup(vb, rowWords, planeWords, INPUT_MAX_PLANE_WORDS, INPUT_MAX_VECTORS);
      dotsUniform = new Uint32Array(UNIFORM_WORDS.input);
      const { channels: C, height: H, width: W } = l.inShape;
      dotsUniform.set([0, C, H, W, kernel, stride, pad, dense, pw, P, l.fanIn, N, wordsFor(l.fanIn), up.wOff[i]!, up.tOff[i]!, imgBytes, preWords, i * STAT_WORDS, rowWords, tv]);
      geometry = { vectors: P, blocksPerVector: 1, drivenRows: valid, conversions: 0, majorityOps: 0, outputs: outBits, macs: valid * N };
    } else {
      const per = l.fanIn / G;
      const wpr = wordsFor(per);
      // blocked: the packed fields of one image plus the validity words must fit in one buffer
      const ws = paddedRowWords(l);
      const fits = 2 * P * G * ws * 4 <= maxBufferBytes;
      let R = per;
      let adc = 0;
      let L = 1;
      let s = 1;
      let blocks = 1;
      if (readout.kind === 'adc') {
        ({ L, s } = adcStep(readout, i));
        R = readout.rows;
        adc = 1;
        blocks = Math.ceil(per / R);
      }
      // binary_reg.wgsl quantises by multiply and shift only: a divider exact for every numerator
      // 2m + s of the layer (m <= min(R, per))
      const q = adc ? adcDivider(2 * s, 2 * Math.min(R, per) + s) : { mul: 0, shift: 0 };
      const regOk = fits && (!adc || q.mul !== 0);
      if (choice === 'blocked' ? regOk : choice === 'auto' && regOk) binKernel = 'blocked';
      if (binKernel === 'blocked') {
        fieldWords = P * G * ws;
        maxFieldWords = Math.max(maxFieldWords, fieldWords);
      } else if (G * wpr > BINARY_MAX_FIELD_WORDS) throw new Error(`gpu engine: ${where}: receptive field of ${G * wpr} words exceeds ${BINARY_MAX_FIELD_WORDS}`);
      vb = maxVb >= VECTORS_PER_INVOCATION && VECTORS_PER_INVOCATION * G * wpr <= BINARY_MAX_FIELD_WORDS ? VECTORS_PER_INVOCATION : 1;
      tv = vectorsPerWorkgroup(vb, rowWords, G * wpr, BINARY_MAX_FIELD_WORDS, Infinity);
      dotsUniform = new Uint32Array(UNIFORM_WORDS.binary);
      const { channels: C, height: H, width: W } = l.inShape;
      dotsUniform.set([0, C, H, W, kernel, stride, pad, dense, pw, P, l.fanIn, G, per, wpr, N, R, adc, L, s, inWords, up.wOff[i]!, up.tOff[i]!, preWords, i * STAT_WORDS, rowWords, tv, paddedRowWords(l) / 4, up.pOff[i]!, q.mul, q.shift, 0, 0]);
      geometry = {
        vectors: P,
        blocksPerVector: G * blocks,
        drivenRows: valid,
        conversions: P * G * blocks * N,
        majorityOps: G > 1 ? N * OP : 0,
        outputs: outBits,
        macs: valid * N,
      };
    }
    const packUniform = new Uint32Array(UNIFORM_WORDS.pool);
    const pool = l.pool;
    packUniform.set([0, N, l.outShape.height, l.outShape.width, G, pw, pool?.size ?? 1, pool?.stride ?? 1, pool ? 1 : 0, preWords, outWords, up.tOff[i]!, i * STAT_WORDS, rowWords, outBits, 0]);
    const adc = !isInput && readout.kind === 'adc';
    plans.push({ kind: isInput ? 'input' : 'binary', index: i, dotsUniform, packUniform, vectorsPerImage: P, vb, tv, outWords, preWords, kernel: binKernel, fieldWords, adc, geometry });
  }
  const classes = (layers[layers.length - 1] as ClassifierLayer).classes;
  return { layers: plans, imgBytes, maxMapWords, maxPreWords, maxFieldWords, classes };
}

function uploadModel(device: GPUDevice, model: Model): UploadedModel {
  const wOff: number[] = [];
  const tOff: number[] = [];
  const pOff: number[] = [];
  let words = 0;
  for (const l of model.layers) {
    wOff.push(words);
    words += l.weights.length;
    tOff.push(words);
    if (l.type !== 'classifier') words += 2 * l.thresholds.t.length;
    words = align4(words);
    pOff.push(words);
    if (l.type === 'binary') words += l.outChannels * l.groups * paddedRowWords(l);
  }
  const data = new Uint32Array(Math.max(words, 4));
  model.layers.forEach((l, i) => {
    data.set(l.weights, wOff[i]!);
    if (l.type !== 'classifier') {
      const base = tOff[i]!;
      for (let r = 0; r < l.thresholds.t.length; r++) {
        data[base + 2 * r] = l.thresholds.t[r]! >>> 0;
        data[base + 2 * r + 1] = l.thresholds.d[r]! >>> 0;
      }
    }
    if (l.type === 'binary') {
      const wpr = wordsFor(l.fanIn / l.groups);
      const ws = paddedRowWords(l);
      for (let r = 0; r < l.outChannels * l.groups; r++) data.set(l.weights.subarray(r * wpr, (r + 1) * wpr), pOff[i]! + r * ws);
    }
  });
  const buffer = device.createBuffer({ label: `model ${model.name}`, size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  return { buffer, wOff, tOff, pOff };
}

/** Words per weight row (and per group slice of a packed field) on the blocked path: whole vec4s. */
function paddedRowWords(l: BinaryLayer): number {
  return align4(wordsFor(l.fanIn / l.groups));
}

interface WorkBuffers {
  images: number;
  pixels: GPUBuffer;
  mapA: GPUBuffer;
  mapB: GPUBuffer;
  pre: GPUBuffer;
  /** packed receptive fields of the blocked binary layers (binary_gather.wgsl's layout) */
  field: GPUBuffer;
  dots: GPUBuffer;
  stats: GPUBuffer;
  readback: GPUBuffer;
  sizes: { pixels: number; map: number; pre: number; field: number; dots: number; stats: number };
}

interface LayerBindGroups {
  gather: GPUBindGroup | null;
  dots: GPUBindGroup;
  pack: GPUBindGroup | null;
}

const align4 = (n: number) => Math.ceil(n / 4) * 4;

/** Engines not yet disposed in this process; disposing the last one destroys the shared device. */
let liveEngines = 0;

/** The engine's compiled pipelines. */
interface EnginePrograms {
  /** indexed by VB (1 or VECTORS_PER_INVOCATION) */
  binary: CompiledProgram[];
  gather: CompiledProgram;
  /** [sense, ADC] */
  reg: [CompiledProgram, CompiledProgram];
  pool: CompiledProgram;
  input: CompiledProgram[];
  classifier: CompiledProgram;
}

/** Compiles every pipeline of the engine at once (in parallel on Dawn's threads). */
async function compilePrograms(d: GPUDevice): Promise<EnginePrograms> {
  const vbs = [1, VECTORS_PER_INVOCATION];
  const [binary, input, [gather, reg0, reg1, pool, classifier]] = await Promise.all([
    Promise.all(vbs.map((vb) => compileAsync(d, binaryDotsProgram(vb)))),
    Promise.all(vbs.map((vb) => compileAsync(d, inputDotsProgram(vb)))),
    Promise.all([binaryGatherProgram(), binaryRegProgram(false), binaryRegProgram(true), poolPackProgram(), classifierDotsProgram()].map((p) => compileAsync(d, p))),
  ]);
  const byVb = (list: CompiledProgram[]) => vbs.reduce((a, vb, i) => ((a[vb] = list[i]!), a), [] as CompiledProgram[]);
  return { binary: byVb(binary), input: byVb(input), gather: gather!, reg: [reg0!, reg1!], pool: pool!, classifier: classifier! };
}

export class GpuEngine implements Engine {
  readonly name = 'gpu' as const;
  private models = new WeakMap<Model, UploadedModel>();
  private uploaded = new Set<GPUBuffer>();
  private work: WorkBuffers | null = null;
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private uploads = 0;

  constructor(
    private ctx: GpuContext,
    private opts: GpuEngineOptions,
    private programs: EnginePrograms,
  ) {}

  get info() {
    return this.ctx.info;
  }

  /** Largest buffer the engine allocates. */
  private maxBuffer(): number {
    const lim = this.ctx.device.limits;
    return Math.min(this.opts.maxBufferBytes ?? Infinity, lim.maxStorageBufferBindingSize, lim.maxBufferSize);
  }

  /** Images per dispatch for a plan. */
  chunkSize(plan: Plan): number {
    const perImage = Math.max(plan.imgBytes, plan.maxMapWords * 4, plan.maxPreWords * 4, plan.classes * 4);
    const byBuffer = Math.floor(this.maxBuffer() / perImage);
    // the field buffer holds the validity words and then one field per image
    const byField = plan.maxFieldWords > 0 ? Math.floor(this.maxBuffer() / (plan.maxFieldWords * 4)) - 1 : Infinity;
    const n = Math.min(this.opts.maxImagesPerDispatch ?? 4096, byBuffer, byField);
    if (n < 1) throw new Error(`gpu engine: one image needs ${perImage} bytes in one buffer, above the limit of ${this.maxBuffer()}`);
    return n;
  }

  /** Images per dispatch this engine uses for a model and readout (after its buffer limits). */
  chunkSizeFor(model: Model, readout: Readout): number {
    return this.chunkSize(this.plan(model, readout));
  }

  private plan(model: Model, readout: Readout): Plan {
    return makePlan(model, readout, this.modelBuffers(model), this.opts.vectorsPerInvocation ?? VECTORS_PER_INVOCATION, this.opts.binaryKernel ?? 'auto', this.maxBuffer());
  }

  /** How many model uploads this engine has made (each model object is uploaded once). */
  get uploadedModels(): number {
    return this.uploads;
  }

  private modelBuffers(model: Model): UploadedModel {
    let up = this.models.get(model);
    if (!up) {
      this.uploads++;
      up = uploadModel(this.ctx.device, model);
      this.models.set(model, up);
      this.uploaded.add(up.buffer);
    }
    return up;
  }

  private workBuffers(plan: Plan, images: number): WorkBuffers {
    const sizes = {
      pixels: align4(images * plan.imgBytes),
      map: images * plan.maxMapWords * 4,
      pre: images * plan.maxPreWords * 4,
      field: (images + 1) * plan.maxFieldWords * 4,
      dots: images * plan.classes * 4,
      stats: 0,
    };
    const w = this.work;
    if (w && w.sizes.pixels >= sizes.pixels && w.sizes.map >= sizes.map && w.sizes.pre >= sizes.pre && w.sizes.field >= sizes.field && w.sizes.dots >= sizes.dots) return w;
    const grow = (a: number, b: number | undefined) => Math.max(a, b ?? 0, 16);
    sizes.pixels = grow(sizes.pixels, w?.sizes.pixels);
    sizes.map = grow(sizes.map, w?.sizes.map);
    sizes.pre = grow(sizes.pre, w?.sizes.pre);
    sizes.field = grow(sizes.field, w?.sizes.field);
    sizes.dots = grow(sizes.dots, w?.sizes.dots);
    sizes.stats = STATS_BUFFER_WORDS * 4;
    this.destroyWork();
    const d = this.ctx.device;
    const S = GPUBufferUsage.STORAGE;
    const mk = (label: string, size: number, usage: number) => d.createBuffer({ label, size, usage });
    this.work = {
      images,
      pixels: mk('pixels', sizes.pixels, S | GPUBufferUsage.COPY_DST),
      mapA: mk('mapA', sizes.map, S),
      mapB: mk('mapB', sizes.map, S),
      pre: mk('pre', sizes.pre, S | GPUBufferUsage.COPY_DST),
      field: mk('field', sizes.field, S),
      dots: mk('dots', sizes.dots, S | GPUBufferUsage.COPY_SRC),
      stats: mk('stats', sizes.stats, S | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST),
      readback: mk('readback', sizes.dots + sizes.stats, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST),
      sizes,
    };
    return this.work;
  }

  private destroyWork(): void {
    const w = this.work;
    if (!w) return;
    for (const b of [w.pixels, w.mapA, w.mapB, w.pre, w.field, w.dots, w.stats, w.readback]) b.destroy();
    this.work = null;
  }

  /** Evaluations run one at a time (they share the work buffers). */
  evaluate(model: Model, inputs: InputBatch, opts: EvalOptions): Promise<EvalResult> {
    const run = this.queue.then(() => this.evaluateNow(model, inputs, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Benchmark hook: evaluates the first chunk of `inputs` (so every map holds real data), then
   * re-runs only layer `layer`'s passes (for a binary layer: gather + dots + pool/pack) until
   * `minSeconds` have passed, each repetition one submission awaited with onSubmittedWorkDone.
   * Returns seconds per repetition over the chunk's images; uploads and read-backs excluded.
   */
  timeLayer(model: Model, inputs: InputBatch, readout: Readout, layer: number, minSeconds: number): Promise<LayerTiming> {
    const out: LayerTiming = { layer, images: 0, seconds: 0, repetitions: 0, kernel: 'shared' };
    const run = this.queue.then(() => this.evaluateNow(model, inputs, { readout }, out, minSeconds)).then(() => out);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(model: Model, inputs: InputBatch, opts: EvalOptions, profile?: LayerTiming, minSeconds = 0): Promise<EvalResult> {
    if (this.disposed) throw new Error('gpu engine: evaluate() after dispose()');
    const problem = readoutProblem(opts.readout);
    if (problem) throw new Error(problem);
    const layers = model.layers;
    const classifier = layers[layers.length - 1] as ClassifierLayer;
    const inSize = mapSize(layers[0]!.inShape);
    const count = inputs.count;
    if (inputs.pixels.length < count * inSize) throw new Error(`gpu engine: ${count} images need ${count * inSize} pixel bytes, found ${inputs.pixels.length}`);
    const up = this.modelBuffers(model);
    const plan = this.plan(model, opts.readout);

    const activity = layers.map((_, i) => emptyActivity(i));
    const dots = new Int32Array(count * classifier.classes);
    const dataCounts = layers.map(() => new Float64Array(4)); // active, matches, saturations, ones

    const chunk = this.chunkSize(plan);
    const work = count > 0 ? this.workBuffers(plan, Math.min(chunk, count)) : null;
    const d = this.ctx.device;
    if (work) {
      const uniforms = plan.layers.map((lp) => ({
        dots: d.createBuffer({ label: `u dots ${lp.index}`, size: lp.dotsUniform.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
        pack: lp.packUniform ? d.createBuffer({ label: `u pack ${lp.index}`, size: lp.packUniform.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }) : null,
      }));
      try {
        const groups = this.bindGroups(plan, up, work, uniforms);
        for (let first = 0; first < count; first += chunk) {
          const n = Math.min(chunk, count - first);
          await this.runChunk(plan, work, uniforms, groups, inputs.pixels, first, n, dots, dataCounts);
          if (profile) {
            const lp = plan.layers[profile.layer]!;
            const time = async () => {
              const enc = d.createCommandEncoder({ label: 'archsim layer timing' });
              this.encodeLayer(enc, lp, groups[profile.layer]!, n);
              d.queue.submit([enc.finish()]);
              await d.queue.onSubmittedWorkDone();
            };
            // the chunk just run was the warm-up (pipelines compiled, buffers touched)
            const t0 = performance.now();
            let reps = 0;
            do {
              await time();
              reps++;
            } while (performance.now() - t0 < minSeconds * 1000);
            const errors = this.ctx.takeErrors();
            if (errors.length) throw new Error(`gpu engine: device reported: ${errors.join('; ')}`);
            Object.assign(profile, { images: n, seconds: (performance.now() - t0) / 1000 / reps, repetitions: reps, kernel: lp.kernel });
            break;
          }
        }
      } finally {
        for (const u of uniforms) {
          u.dots.destroy();
          u.pack?.destroy();
        }
      }
    }

    for (const lp of plan.layers) {
      const a = activity[lp.index]!;
      const g = lp.geometry;
      a.vectors = g.vectors * count;
      a.blocksPerVector = lp.kind === 'binary' && count === 0 ? 0 : g.blocksPerVector;
      a.drivenRows = g.drivenRows * count;
      a.conversions = g.conversions * count;
      a.majorityOps = g.majorityOps * count;
      a.outputs = g.outputs * count;
      a.macs = g.macs * count;
      const c = dataCounts[lp.index]!;
      a.activeInputs = c[0]!;
      a.matches = c[1]!;
      a.saturations = c[2]!;
      a.onesOut = lp.kind === 'classifier' ? 0 : c[3]!;
    }
    const predictions = predictFromDots(classifier, dots, count);
    return finishResult(predictions, inputs.labels, activity as LayerActivity[]);
  }

  private bindGroups(plan: Plan, up: UploadedModel, work: WorkBuffers, uniforms: { dots: GPUBuffer; pack: GPUBuffer | null }[]): LayerBindGroups[] {
    const d = this.ctx.device;
    const bg = (p: CompiledProgram, buffers: GPUBuffer[]) =>
      d.createBindGroup({ layout: p.layout, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
    let cur = work.mapA;
    let next = work.mapB;
    return plan.layers.map((lp, k) => {
      const u = uniforms[k]!;
      if (lp.kind === 'classifier') return { gather: null, dots: bg(this.programs.classifier, [u.dots, cur, up.buffer, work.dots, work.stats]), pack: null };
      const src = lp.kind === 'input' ? work.pixels : cur;
      const dst = lp.kind === 'input' ? work.mapA : next;
      const blocked = lp.kind === 'binary' && lp.kernel === 'blocked';
      const out: LayerBindGroups = {
        gather: blocked ? bg(this.programs.gather, [u.dots, src, work.field, work.stats]) : null,
        dots: blocked
          ? bg(this.programs.reg[lp.adc ? 1 : 0], [u.dots, work.field, up.buffer, work.pre, work.stats])
          : bg((lp.kind === 'input' ? this.programs.input : this.programs.binary)[lp.vb]!, [u.dots, src, up.buffer, work.pre, work.stats]),
        pack: bg(this.programs.pool, [u.pack!, work.pre, up.buffer, dst, work.stats]),
      };
      if (lp.kind === 'binary') [cur, next] = [next, cur];
      return out;
    });
  }

  private async runChunk(
    plan: Plan,
    work: WorkBuffers,
    uniforms: { dots: GPUBuffer; pack: GPUBuffer | null }[],
    groups: LayerBindGroups[],
    pixels: Uint8Array,
    first: number,
    n: number,
    dots: Int32Array,
    dataCounts: Float64Array[],
  ): Promise<void> {
    const d = this.ctx.device;
    const q = d.queue;
    // pixels: images back to back, padded to a whole word
    const bytes = n * plan.imgBytes;
    const src = pixels.subarray(first * plan.imgBytes, first * plan.imgBytes + bytes);
    if (bytes % 4 === 0 && src.byteOffset % 4 === 0) q.writeBuffer(work.pixels, 0, src.buffer, src.byteOffset, bytes);
    else {
      const padded = new Uint8Array(align4(bytes));
      padded.set(src);
      q.writeBuffer(work.pixels, 0, padded);
    }
    plan.layers.forEach((lp, k) => {
      lp.dotsUniform[0] = n;
      q.writeBuffer(uniforms[k]!.dots, 0, lp.dotsUniform);
      if (lp.packUniform) {
        lp.packUniform[0] = n;
        q.writeBuffer(uniforms[k]!.pack!, 0, lp.packUniform);
      }
    });
    const enc = d.createCommandEncoder({ label: 'archsim chunk' });
    const statBytes = plan.layers.length * STAT_WORDS * 4;
    enc.clearBuffer(work.stats, 0, align4(statBytes));
    plan.layers.forEach((lp, k) => this.encodeLayer(enc, lp, groups[k]!, n));
    const dotBytes = n * plan.classes * 4;
    const statsAt = work.sizes.dots; // multiple of 4; copies need 4-byte alignment
    enc.copyBufferToBuffer(work.dots, 0, work.readback, 0, dotBytes);
    enc.copyBufferToBuffer(work.stats, 0, work.readback, statsAt, align4(statBytes));
    q.submit([enc.finish()]);
    await work.readback.mapAsync(GPUMapMode.READ);
    const errors = this.ctx.takeErrors();
    if (errors.length) {
      work.readback.unmap();
      throw new Error(`gpu engine: device reported: ${errors.join('; ')}`);
    }
    const range = work.readback.getMappedRange();
    dots.set(new Int32Array(range, 0, n * plan.classes), first * plan.classes);
    const st = new Uint32Array(range, statsAt, plan.layers.length * STAT_WORDS);
    for (const lp of plan.layers) {
      const c = dataCounts[lp.index]!;
      const b = lp.index * STAT_WORDS;
      for (let j = 0; j < 4; j++) c[j]! += st[b + 2 * j]! + st[b + 2 * j + 1]! * 4294967296;
    }
    work.readback.unmap();
  }

  /** Encodes one layer's passes over a chunk of n images. */
  private encodeLayer(enc: GPUCommandEncoder, lp: LayerPlan, g: LayerBindGroups, n: number): void {
    const maxDim = this.ctx.device.limits.maxComputeWorkgroupsPerDimension;
    const dispatch = (p: CompiledProgram, bind: GPUBindGroup, workgroups: number) => {
      const pass = enc.beginComputePass();
      pass.setPipeline(p.pipeline);
      pass.setBindGroup(0, bind);
      const [x, y] = grid(workgroups, maxDim);
      pass.dispatchWorkgroups(x, y);
      pass.end();
    };
    if (lp.kind === 'classifier') {
      dispatch(this.programs.classifier, g.dots, n);
      return;
    }
    // every pre word of the chunk is written by the dots pass: no clearing needed
    if (lp.kind === 'binary' && lp.kernel === 'blocked') {
      const vectors = n * lp.vectorsPerImage;
      dispatch(this.programs.gather, g.gather!, Math.ceil((vectors * (lp.fieldWords / lp.vectorsPerImage)) / ENGINE_WG));
      const rowWords = lp.dotsUniform[24]!;
      // one invocation per (position, block of BLOCKED_TI images, row word)
      dispatch(this.programs.reg[lp.adc ? 1 : 0], g.dots, Math.ceil((lp.vectorsPerImage * Math.ceil(n / BLOCKED_TI) * rowWords) / ENGINE_WG));
    } else {
      dispatch((lp.kind === 'input' ? this.programs.input : this.programs.binary)[lp.vb]!, g.dots, Math.ceil((n * lp.vectorsPerImage) / lp.tv));
    }
    dispatch(this.programs.pool, g.pack!, Math.ceil((n * lp.outWords) / ENGINE_WG));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.destroyWork();
    for (const b of this.uploaded) b.destroy();
    this.uploaded.clear();
    this.models = new WeakMap();
    this.ctx.release();
    // The last engine destroys the shared device, so that the process can exit by itself.
    liveEngines--;
    if (liveEngines === 0) releaseGpu();
  }
}

/**
 * A GPU engine on the process's shared device, or null when no adapter is found (or the adapter
 * cannot bind the four storage buffers a kernel needs).
 */
export async function createGpuEngine(opts: GpuEngineOptions = {}): Promise<GpuEngine | null> {
  const ctx = await acquireGpu(opts);
  if (!ctx) return null;
  const needed = Math.max(...[binaryDotsProgram(), binaryGatherProgram(), binaryRegProgram(false), poolPackProgram(), inputDotsProgram(), classifierDotsProgram()].map(storageBindings));
  if (ctx.device.limits.maxStorageBuffersPerShaderStage < needed) {
    ctx.release();
    return null;
  }
  try {
    // compile every pipeline now, so a shader that the adapter rejects fails here with its message
    ctx.device.pushErrorScope('validation');
    let programs: EnginePrograms;
    try {
      programs = await compilePrograms(ctx.device);
    } catch (e) {
      await ctx.device.popErrorScope();
      throw new Error(`gpu engine: pipeline creation failed: ${(e as Error)?.message ?? String(e)}`);
    }
    const err = await ctx.device.popErrorScope();
    if (err) throw new Error(`gpu engine: pipeline creation failed: ${err.message}`);
    const engine = new GpuEngine(ctx, opts, programs);
    liveEngines++;
    return engine;
  } catch (e) {
    ctx.release();
    throw e;
  }
}
