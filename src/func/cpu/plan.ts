/**
 * Per-model layout of the fast CPU path: weights permuted and packed for the kernels, gather
 * runs, padding-mask classes and their corrections, threshold tables. Built once per (model,
 * ADC row count) in the shared memory and reused by every evaluation and every worker.
 *
 * Gather order. Maps are HWC bitmaps (see kernels.ts). A group's inputs are a contiguous range
 * of the reference flattening (c, kh, kw) (conv) or (c, y, x) (dense); for a fixed kernel offset
 * (or pixel) the channels of that range form one interval, so a slice (group x ADC row block) is
 * gathered as one run of channel bits per kernel offset. Weights are permuted into the same order
 * once; popcounts do not depend on the order, so dots, m per block and every count are exact.
 */
import type { BinaryLayer, ClassifierLayer, InputLayer, Model, Thresholds } from '../../model/types.ts';
import { wordsFor } from '../../model/types.ts';
import { MAX_PAGES } from './kernels.ts';

/** A bump allocator over one shared WebAssembly memory. */
const ZEROS = new Uint8Array(1 << 20);

/**
 * Clears bytes [start, end) of a view over shared memory. TypedArray.fill on a SharedArrayBuffer
 * takes V8's per-element path (8x slower than copying from a zeroed ordinary buffer, measured on
 * Node 20), so this copies zeros in blocks of 1 MiB.
 */
export function clearShared(u8: Uint8Array, start: number, end: number): void {
  for (let a = start; a < end; a += ZEROS.length) {
    const n = Math.min(ZEROS.length, end - a);
    u8.set(n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n), a);
  }
}

export class Arena {
  readonly memory: WebAssembly.Memory;
  top = 1024; // low bytes unused (0 is never a valid region)
  constructor(initialPages = 64) {
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
  }
  alloc(bytes: number, align = 64): number {
    const addr = Math.ceil(this.top / align) * align;
    const end = addr + bytes + 16; // 16 bytes of slack for unaligned 64-bit accesses
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / 65536);
      if (have / 65536 + pages > MAX_PAGES) throw new Error(`cpu engine: needs ${Math.ceil(end / 2 ** 20)} MiB of wasm memory, more than the ${(MAX_PAGES * 65536) / 2 ** 20} MiB it may use; evaluate fewer images at once`);
      this.memory.grow(pages);
    }
    this.top = end;
    clearShared(new Uint8Array(this.memory.buffer), addr, end); // regions may be reused after a reset
    return addr;
  }
  u8(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }
}

export interface PoolGeom {
  /** 0: no pooling */
  size: number;
  stride: number;
}

interface OutGeom {
  N: number;
  Np: number;
  Nt: number;
  /** pre-pool positions */
  ph: number;
  pw: number;
  P: number;
  /** post-pool */
  oh: number;
  ow: number;
  OP: number;
  pool: PoolGeom;
  /** bytes per pixel of the output HWC map and per image */
  outPsb: number;
  outMapBytes: number;
  /** threshold tables (i32 at g*Np + n, padded to Np per group) and pooling flips (u8, same index) */
  thaAddr: number;
  thuAddr: number;
  flipAddr: number;
}

export interface InputPlan extends OutGeom {
  kind: 'input';
  dense: boolean;
  C: number;
  H: number;
  W: number;
  k: number;
  stride: number;
  pad: number;
  K: number;
  Kp: number;
  /** dense: byte weight masks for dotMask (row k at wAddr + k*Np; Np a multiple of 64); conv: dot16's layout */
  wAddr: number;
  drivenPerImage: number;
}

export interface BinaryPlan extends OutGeom {
  kind: 'binary' | 'classifier';
  conv: boolean;
  /** read-out blocks per vector (activity): sense G, ADC G * blocks per group */
  readoutBlocks: number;
  /** weights in the scalar kernel's layout (sense, one slice per group of at least scalarMinBits) */
  scalar: boolean;
  /** the SIMD kernels count this layer's slices with carry-save adders (Harley-Seal) */
  csa: boolean;
  /** Nt: tiles of 8 neurons; steps: v128 (128-bit) steps per slice */
  G: number;
  nb: number;
  S: number;
  steps: number;
  /** 32-bit steps per slice that hold bits (ceil(slice bits / 32) <= 4 * steps; the rest is zero padding in X and W) */
  steps32Used: number;
  /** bytes per gathered vector */
  vecB: number;
  wAddr: number;
  corrAddr: number;
  nvAddr: number;
  /** i32 per neuron (padded to Np): -1 real, 0 padding */
  nmaskAddr: number;
  runsAddr: number;
  nRuns: number;
  /** per pre-pool position mask class (u8, padded to a multiple of 4); conv only */
  clsAddr: number;
  inH: number;
  inW: number;
  inPsb: number;
  inMapBytes: number;
  stride: number;
  pad: number;
  drivenPerImage: number;
  /** K (classifier) */
  K: number;
  /** folded thresholds for gemmS1 (sense, one slice per group), or null */
  s1: { aAddr: number; uAddr: number } | null;
  /** Σ over real (vector, neuron, slice) of nv + corr for one image: Σm = this - Σ raw */
  matchConstPerImage: number;
  /** 1 bits in the layer's packed weights (real neurons) */
  wOnes: number;
}

export type LayerPlan = InputPlan | BinaryPlan;

export interface ModelPlan {
  layers: LayerPlan[];
  classes: number;
  inSize: number;
  /** largest per-image map bytes over all layers' outputs */
  maxMapBytes: number;
}

/** bytes per pixel of an HWC bitmap: ceil(C/64) u64 words */
const psbOf = (channels: number) => Math.ceil(channels / 64) * 8;

function thresholdTables(arena: Arena, th: Thresholds | null, N: number, Np: number, G: number) {
  const thaAddr = arena.alloc(Np * G * 4);
  const thuAddr = arena.alloc(Np * G * 4);
  const flipAddr = arena.alloc(Np * G);
  const mem = arena.memory.buffer;
  const a = new Int32Array(mem, thaAddr, Np * G);
  const u = new Int32Array(mem, thuAddr, Np * G);
  const f = new Uint8Array(mem, flipAddr, Np * G);
  if (th) {
    for (let r = 0; r < N * G; r++) {
      const d = th.d[r]!;
      const t = th.t[r]!;
      const i = (r % G) * Np + Math.floor(r / G); // model index o*G + g -> kernel index g*Np + o
      if (d === 1) {
        a[i] = 1;
        u[i] = t;
      } else if (d === -1) {
        a[i] = -1;
        u[i] = -t;
        f[i] = 1;
      } else {
        a[i] = 0;
        u[i] = t === 1 ? 0 : 1;
      }
    }
  }
  return { thaAddr, thuAddr, flipAddr };
}

function preShape(l: InputLayer | BinaryLayer): { ph: number; pw: number } {
  if (l.kind === 'dense') return { ph: 1, pw: 1 };
  return {
    ph: Math.floor((l.inShape.height + 2 * l.padding - l.kernel) / l.stride) + 1,
    pw: Math.floor((l.inShape.width + 2 * l.padding - l.kernel) / l.stride) + 1,
  };
}

function planInput(arena: Arena, l: InputLayer): InputPlan {
  const dense = l.kind === 'dense';
  const { ph, pw } = preShape(l);
  const { channels: C, height: H, width: W } = l.inShape;
  const K = l.fanIn;
  const Kp = Math.ceil(K / 8) * 8;
  const N = l.outShape.channels;
  const Np = dense ? Math.ceil(N / 64) * 64 : Math.ceil(N / 8) * 8;
  const Nt = Np / 8; // tiles of 8 neurons
  const wpr = wordsFor(K);
  const wAddr = arena.alloc(Np * Kp * 2);
  const w16 = new Int16Array(arena.memory.buffer, wAddr, Np * Kp);
  if (dense) {
    // dotMask layout: byte k*Np + n, 0xff where the weight is +1
    const w8 = new Uint8Array(arena.memory.buffer, wAddr, Np * Kp);
    for (let n = 0; n < N; n++)
      for (let k = 0; k < K; k++) if ((l.weights[n * wpr + (k >>> 5)]! >>> (k & 31)) & 1) w8[k * Np + n] = 0xff;
  } else {
    // dot16 layout: i16 index ((t*Kp/2 + k/2)*2 + h)*8 + j*2 + (k&1) for neuron t*8 + 4h + j
    for (let n = 0; n < N; n++) {
      const t = n >> 3;
      const h = (n >> 2) & 1;
      const j = n & 3;
      for (let k = 0; k < K; k++) {
        const bit = (l.weights[n * wpr + (k >>> 5)]! >>> (k & 31)) & 1;
        w16[((t * (Kp / 2) + (k >> 1)) * 2 + h) * 8 + j * 2 + (k & 1)] = bit ? 1 : -1;
      }
    }
  }
  let driven = 0;
  if (dense) driven = K;
  else {
    for (let oy = 0; oy < ph; oy++)
      for (let ox = 0; ox < pw; ox++)
        for (let kh = 0; kh < l.kernel; kh++)
          for (let kw = 0; kw < l.kernel; kw++) {
            const y = oy * l.stride - l.padding + kh;
            const x = ox * l.stride - l.padding + kw;
            if (y >= 0 && y < H && x >= 0 && x < W) driven += C;
          }
  }
  const outPsb = psbOf(N);
  return {
    kind: 'input',
    dense,
    C,
    H,
    W,
    k: l.kernel,
    stride: l.stride,
    pad: l.padding,
    K,
    Kp,
    wAddr,
    drivenPerImage: driven,
    N,
    Np,
    Nt,
    ph,
    pw,
    P: ph * pw,
    oh: l.outShape.height,
    ow: l.outShape.width,
    OP: l.outShape.height * l.outShape.width,
    pool: l.pool ? { size: l.pool.size, stride: l.pool.stride } : { size: 0, stride: 0 },
    outPsb,
    outMapBytes: outPsb * l.outShape.height * l.outShape.width,
    ...thresholdTables(arena, l.thresholds, N, Np, 1),
  };
}

interface Run {
  dy: number;
  dx: number;
  cLo: number;
  len: number;
  /** bit offset within the vector */
  dst: number;
  s: number;
}

/**
 * Default: sense read-out groups of at least this many bits would run on the scalar i64.popcnt
 * kernel. None do by default: the SIMD kernel with carry-save counting (CSA_MIN_BITS) beat it
 * at every group length measured, 1024 to 16384 bits (bench/RESULTS.md); the scalar kernel stays
 * selectable (CpuEngineOptions.scalarMinBits).
 */
export const SCALAR_MIN_BITS = Infinity;

/**
 * Default: the SIMD kernels count slices of at least this many bits (zero padded to whole 128-bit
 * steps) with carry-save adders (Harley-Seal, kernels.ts), shorter ones with one i8x16.popcnt per
 * 128 bits: at 1024 bits the carry-save count was 1.04x as fast, at 768 bits 0.95x (its fixed
 * cost per slice, 3 popcounts of the counters, does not pay off on short slices).
 */
export const CSA_MIN_BITS = 1024;

/** The carry-save count keeps its top counter in 16-bit lanes: slices up to this many bits. */
export const CSA_MAX_BITS = 1 << 19;

/**
 * Binary or classifier layer. `R`: ADC row block (null: sense, one read-out block per group).
 */
function planBinary(arena: Arena, l: BinaryLayer | ClassifierLayer, R: number | null, scalarMinBits: number, csaMinBits: number): BinaryPlan {
  const isCls = l.type === 'classifier';
  const conv = !isCls && l.kind === 'conv';
  const { channels: C, height: H, width: W } = l.inShape;
  const K = l.fanIn;
  const G = isCls ? 1 : l.groups;
  const per = K / G;
  const N = isCls ? l.classes : l.outChannels;
  const Nt = Math.ceil(N / 8); // tiles of 8 neurons
  const Np = Nt * 8;
  const KH = conv ? l.kernel : H;
  const KW = conv ? l.kernel : W;
  const KK = KH * KW;
  const stride = conv ? l.stride : 1;
  const pad = conv ? l.padding : 0;
  const { ph, pw } = isCls ? { ph: 1, pw: 1 } : preShape(l);
  const P = ph * pw;
  // sense groups over 896 bits run on the scalar i64.popcnt kernel (one slice per group)
  const scalar = R === null && per >= scalarMinBits;
  const blockLen = R === null ? per : Math.min(R, per);
  const nb = Math.ceil(per / blockLen);
  const readoutBlocks = R === null ? G : G * nb;
  const S = G * nb;
  const steps = Math.ceil(blockLen / 128);
  const sliceBits = steps * 128;
  const vecB = S * steps * 16;
  const csa = !scalar && sliceBits >= csaMinBits && sliceBits <= CSA_MAX_BITS;

  // runs per slice, in order
  const runs: Run[] = [];
  for (let g = 0; g < G; g++) {
    for (let b = 0; b < nb; b++) {
      const s = g * nb + b;
      const lo = g * per + b * blockLen;
      const hi = Math.min(lo + blockLen, (g + 1) * per);
      let dst = s * sliceBits;
      for (let dy = 0; dy < KH; dy++)
        for (let dx = 0; dx < KW; dx++) {
          const j = dy * KW + dx;
          const cLo = Math.max(0, Math.ceil((lo - j) / KK));
          const cHi = Math.min(C - 1, Math.floor((hi - 1 - j) / KK));
          if (cHi < cLo) continue;
          const len = cHi - cLo + 1;
          runs.push({ dy, dx, cLo, len, dst, s });
          dst += len;
        }
    }
  }
  const runsAddr = arena.alloc(runs.length * 20);
  {
    const r32 = new Int32Array(arena.memory.buffer, runsAddr, runs.length * 5);
    runs.forEach((r, i) => r32.set([r.dy, r.dx, r.cLo, r.len, r.dst], i * 5));
  }

  // mask classes (conv): by the validity of kernel rows and columns
  const classKey = new Map<string, number>();
  const classRow: boolean[][] = [];
  const classCol: boolean[][] = [];
  const Pp = Math.ceil(P / 4) * 4;
  const clsAddr = arena.alloc(Pp);
  {
    const cls = new Uint8Array(arena.memory.buffer, clsAddr, Pp);
    for (let oy = 0; oy < ph; oy++)
      for (let ox = 0; ox < pw; ox++) {
        const rows: boolean[] = [];
        const cols: boolean[] = [];
        for (let d = 0; d < KH; d++) {
          const y = oy * stride - pad + d;
          rows.push(y >= 0 && y < H);
        }
        for (let d = 0; d < KW; d++) {
          const x = ox * stride - pad + d;
          cols.push(x >= 0 && x < W);
        }
        const key = rows.map(Number).join('') + '/' + cols.map(Number).join('');
        let id = classKey.get(key);
        if (id === undefined) {
          id = classRow.length;
          if (id > 255) throw new Error('cpu engine: too many padding classes');
          classKey.set(key, id);
          classRow.push(rows);
          classCol.push(cols);
        }
        cls[oy * pw + ox] = id;
      }
  }
  const nClasses = classRow.length;
  const valid = (c: number, r: Run) => classRow[c]![r.dy]! && classCol[c]![r.dx]!;

  // nv[c*S + s]
  const nvAddr = arena.alloc(nClasses * S * 4);
  const nv = new Int32Array(arena.memory.buffer, nvAddr, nClasses * S);
  for (let c = 0; c < nClasses; c++) for (const r of runs) if (valid(c, r)) nv[c * S + r.s]! += r.len;
  let driven = 0;
  {
    const cls = new Uint8Array(arena.memory.buffer, clsAddr, Pp);
    for (let v = 0; v < P; v++) for (let s = 0; s < S; s++) driven += nv[cls[v]! * S + s]!;
  }

  // weights, permuted; per (n, run) ones for the corrections
  const wpr = wordsFor(per);
  // vertical layout (kernels.ts): u32 index (((t*S + s)*steps32 + k)*2 + h)*4 + j for neuron
  // t*8 + 4h + j and slice bits [32k, 32k + 32)
  // scalar layout: u32 index (((t2*S + s)*words + k)*2 + j)*2 + half for neuron 2*t2 + j and
  // slice bits [64k, 64k + 64)
  const steps32 = steps * 4;
  const words = steps * 2;
  const wAddr = arena.alloc(Nt * S * steps32 * 32);
  const w32 = new Uint32Array(arena.memory.buffer, wAddr, Nt * S * steps32 * 8);
  const wIndex = scalar
    ? (n: number, s: number, q: number) => ((((n >> 1) * S + s) * words + (q >> 6)) * 2 + (n & 1)) * 2 + ((q >> 5) & 1)
    : (n: number, s: number, q: number) => (((((n >> 3) * S + s) * steps32 + (q >> 5)) * 2 + ((n >> 2) & 1)) * 4 + (n & 3));
  const corrAddr = arena.alloc(nClasses * Np * S * 4); // [(class*S + s)*Np + n]
  const corr = new Int32Array(arena.memory.buffer, corrAddr, nClasses * Np * S);
  const invalidRuns: number[][] = [];
  for (let c = 0; c < nClasses; c++) invalidRuns.push(runs.map((r, i) => (valid(c, r) ? -1 : i)).filter((i) => i >= 0));
  const runOnes = new Int32Array(runs.length);
  const wts = l.weights;
  for (let n = 0; n < N; n++) {
    for (let ri = 0; ri < runs.length; ri++) {
      const r = runs[ri]!;
      const g = Math.floor(r.s / nb);
      const rowBase = (n * G + g) * wpr;
      let ones = 0;
      const src0 = r.cLo * KK + r.dy * KW + r.dx - g * per;
      const q0 = r.dst - r.s * sliceBits;
      if (KK === 1 && (src0 & 31) === 0 && (q0 & 31) === 0) {
        // dense layers: the run's bits are consecutive in the model row and in the slice, both
        // word-aligned: copy whole 32-bit words (bit order is LSB first on both sides)
        for (let b = 0; b < r.len; b += 32) {
          let word = wts[rowBase + ((src0 + b) >>> 5)]!;
          if (r.len - b < 32) word &= (1 << (r.len - b)) - 1;
          if (word === 0) continue;
          ones += popcount32(word);
          const wi = wIndex(n, r.s, q0 + b);
          w32[wi] = (w32[wi]! | word) >>> 0;
        }
        runOnes[ri] = ones;
        continue;
      }
      // conv: the run's channels are KK bits apart in the model row and consecutive in the
      // slice; gather them into one destination word at a time
      let idx = src0;
      let q = q0;
      let acc = 0;
      for (let i = 0; i < r.len; i++, idx += KK, q++) {
        acc |= ((wts[rowBase + (idx >>> 5)]! >>> (idx & 31)) & 1) << (q & 31);
        if ((q & 31) === 31 || i === r.len - 1) {
          if (acc !== 0) {
            ones += popcount32(acc);
            const wi = wIndex(n, r.s, q);
            w32[wi] = (w32[wi]! | acc) >>> 0;
            acc = 0;
          }
        }
      }
      runOnes[ri] = ones;
    }
    for (let c = 0; c < nClasses; c++) for (const ri of invalidRuns[c]!) corr[(c * S + runs[ri]!.s) * Np + n]! += runOnes[ri]!;
  }

  // Σm over real pairs = matchConst - (raw sum over real pairs), per vector class
  const matchConstCls = new Float64Array(nClasses);
  for (let c = 0; c < nClasses; c++)
    for (let s = 0; s < S; s++) {
      matchConstCls[c] += N * nv[c * S + s]!;
      for (let n = 0; n < N; n++) matchConstCls[c] += corr[(c * S + s) * Np + n]!;
    }
  let matchConstPerImage = 0;
  {
    const cls = new Uint8Array(arena.memory.buffer, clsAddr, Pp);
    for (let v = 0; v < P; v++) matchConstPerImage += matchConstCls[cls[v]!]!;
  }
  let wOnes = 0;
  for (let i = 0; i < w32.length; i++) wOnes += popcount32(w32[i]!);
  const th = thresholdTables(arena, isCls ? null : l.thresholds, N, Np, G);
  // the split design's folded thresholds (gemmS1): A = -2a, U = u - a*(nv + 2corr)
  let s1: { aAddr: number; uAddr: number } | null = null;
  if (!isCls && nb === 1) {
    const aAddr = arena.alloc(Np * G * 4);
    const uAddr = arena.alloc(nClasses * S * Np * 4);
    const mem = arena.memory.buffer;
    const a = new Int32Array(mem, th.thaAddr, Np * G);
    const u = new Int32Array(mem, th.thuAddr, Np * G);
    const A = new Int32Array(mem, aAddr, Np * G);
    const U = new Int32Array(mem, uAddr, nClasses * S * Np);
    for (let i = 0; i < Np * G; i++) A[i] = -2 * a[i]!;
    for (let c = 0; c < nClasses; c++)
      for (let g = 0; g < G; g++)
        for (let n = 0; n < Np; n++) {
          const i = (c * S + g) * Np + n;
          U[i] = u[g * Np + n]! - a[g * Np + n]! * (nv[c * S + g]! + 2 * corr[i]!);
        }
    s1 = { aAddr, uAddr };
  }
  const nmaskAddr = arena.alloc(Np * 4);
  new Int32Array(arena.memory.buffer, nmaskAddr, Np).fill(-1, 0, N);
  const inPsb = psbOf(C);
  const outShape = isCls ? { channels: N, height: 1, width: 1 } : l.outShape;
  const outPsb = psbOf(N);
  const pool = !isCls && l.pool ? { size: l.pool.size, stride: l.pool.stride } : { size: 0, stride: 0 };
  return {
    kind: isCls ? 'classifier' : 'binary',
    conv,
    scalar,
    csa,
    readoutBlocks,
    G,
    nb,
    S,
    steps,
    steps32Used: Math.ceil(blockLen / 32),
    vecB,
    wAddr,
    corrAddr,
    nvAddr,
    nmaskAddr,
    runsAddr,
    nRuns: runs.length,
    clsAddr,
    inH: H,
    inW: W,
    inPsb,
    inMapBytes: inPsb * H * W,
    stride,
    pad,
    drivenPerImage: driven,
    K,
    N,
    Np,
    Nt,
    ph,
    pw,
    P,
    oh: outShape.height,
    ow: outShape.width,
    OP: outShape.height * outShape.width,
    pool,
    outPsb,
    outMapBytes: outPsb * outShape.height * outShape.width,
    ...th,
    s1,
    matchConstPerImage,
    wOnes,
  };
}

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** The arena bytes [start, end) each layer plan's tables occupy (every alloc is 64-aligned). */
const regions = new WeakMap<LayerPlan, { start: number; end: number }>();

/** Plans one layer, recording the arena region its allocations fill. */
function planned(arena: Arena, make: () => LayerPlan): LayerPlan {
  const start = Math.ceil(arena.top / 64) * 64;
  const plan = make();
  regions.set(plan, { start, end: arena.top });
  return plan;
}

/** a copy of `o` with every `...Addr` number inside [start, end) moved by delta (nested objects too) */
function relocated<T extends object>(o: T, start: number, end: number, delta: number): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number' && k.endsWith('Addr') && v >= start && v < end) out[k] = v + delta;
    else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !Array.isArray(v)) out[k] = relocated(v as object, start, end, delta);
    else out[k] = v;
  }
  return out as T;
}

/**
 * A second copy of a layer plan's laid-out weights and tables, for another thread: the plan's
 * arena bytes copied to a new region, its addresses moved there. The same bytes as planning the
 * layer again (tested), at the cost of a memory copy: on a 16-core host the main thread spent
 * 3.8 s planning a copy per worker one after the other (bench/RESULTS.md, 2026-11-27).
 */
export function copyLayerPlan(arena: Arena, plan: LayerPlan): LayerPlan {
  const r = regions.get(plan);
  if (!r) throw new Error('cpu plan: copyLayerPlan needs a plan made by planModel');
  if (r.end <= r.start) return plan; // no tables: nothing to copy
  const dst = arena.alloc(r.end - r.start);
  arena.u8().copyWithin(dst, r.start, r.end);
  const copy = relocated(plan, r.start, r.end, dst - r.start);
  regions.set(copy, { start: dst, end: dst + (r.end - r.start) });
  return copy;
}

/** The arena region of a layer plan's tables (tests). */
export function planRegion(plan: LayerPlan): { start: number; end: number } | undefined {
  return regions.get(plan);
}

/** The model's plan with each layer copied by copyLayerPlan (shared copies come from `copies`). */
export function copyModelPlan(arena: Arena, plan: ModelPlan, copies: Map<LayerPlan, LayerPlan>): ModelPlan {
  const layers = plan.layers.map((lp) => {
    let c = copies.get(lp);
    if (!c) copies.set(lp, (c = copyLayerPlan(arena, lp)));
    return c;
  });
  return { ...plan, layers };
}

/**
 * Layouts of every layer of a model for one ADC row count (null: sense). Layers whose groups fit
 * in one block share the sense layout; the caller caches by key.
 */
export function planModel(arena: Arena, model: Model, R: number | null, reuse?: Map<string, LayerPlan>, scalarMinBits = SCALAR_MIN_BITS, csaMinBits = CSA_MIN_BITS): ModelPlan {
  const layers: LayerPlan[] = [];
  let maxMapBytes = 0;
  model.layers.forEach((l, i) => {
    let plan: LayerPlan;
    if (l.type === 'input') {
      const key = `${i}`;
      plan = reuse?.get(key) ?? planned(arena, () => planInput(arena, l));
      reuse?.set(key, plan);
    } else if (l.type === 'binary') {
      const per = l.fanIn / l.groups;
      const eff = R === null ? null : Math.min(R, per);
      const key = `${i}:${eff}`;
      plan = reuse?.get(key) ?? planned(arena, () => planBinary(arena, l, eff, scalarMinBits, csaMinBits));
      reuse?.set(key, plan);
    } else {
      const key = `${i}`;
      plan = reuse?.get(key) ?? planned(arena, () => planBinary(arena, l, null, scalarMinBits, csaMinBits));
      reuse?.set(key, plan);
    }
    maxMapBytes = Math.max(maxMapBytes, plan.outMapBytes);
    layers.push(plan);
  });
  const cls = model.layers[model.layers.length - 1] as ClassifierLayer;
  const first = model.layers[0] as InputLayer;
  return { layers, classes: cls.classes, inSize: first.inShape.channels * first.inShape.height * first.inShape.width, maxMapBytes };
}
