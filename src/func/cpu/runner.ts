/**
 * Runs a contiguous range of images through a planned model with the wasm kernels. The same code
 * runs on the main thread (one worker) and inside worker threads; everything it reads and writes
 * lives in the shared memory: pixels, the model plan's tables, the worker's own scratch region
 * and the classifier dots of its images.
 */
import type { LayerActivity } from '../types.ts';
import { emptyActivity } from '../common.ts';
import type { Kernels } from './kernels.ts';
import type { BinaryPlan, InputPlan, ModelPlan } from './plan.ts';

export interface ShardJob {
  plan: ModelPlan;
  /** per layer: ADC step s (0 = sense) and L - 1 */
  adc: { s: number; L1: number }[];
  pixAddr: number;
  /** first image index and number of images of this shard */
  first: number;
  count: number;
  /** i32 dots, (image index) x classes, for the whole batch */
  dotsAddr: number;
  scratchAddr: number;
  chunk: number;
  /**
   * The first layer's output maps of the whole batch (image i at firstAddr + i * outMapBytes):
   * 'store' computes them and keeps a copy there; 'load' takes them from there instead of
   * evaluating the first layer (whose output does not depend on the read-out), and leaves that
   * layer's activity to the caller; 'none' (or absent) computes them.
   */
  firstLayer?: { mode: 'none' | 'store' | 'load'; addr: number };
  /**
   * Work sharing between threads: the batch is planned as one shard per thread, each cut into
   * pieces of `piece` images claimed through an i32 counter per shard (at `counters` + 4 * shard,
   * zero at the start, Atomics.add). A thread claims its own shard's pieces first, in order, then
   * the pieces left in the other shards (work stealing): a thread slowed by other processes, or a
   * worker still starting, does not hold back the batch. Every image is evaluated exactly once and
   * its results do not depend on which thread did it. Absent: evaluate [first, first + count).
   */
  share?: { counters: number; piece: number; shards: { first: number; count: number }[]; self: number };
}

/** What one thread did: the activity counts of the images it evaluated, and how many. */
export interface ShardResult {
  activity: LayerActivity[];
  images: number;
}

export interface ScratchLayout {
  mapA: number;
  mapB: number;
  X: number;
  pre: number;
  F: number;
  clsZero: number;
  scr: number;
  bytes: number;
}

const r4 = (n: number) => Math.ceil(n / 4) * 4;
const a64 = (n: number) => Math.ceil(n / 64) * 64 + 64;

/** Offsets (relative to a worker's scratch base) and total size of the scratch region. */
export function scratchLayout(plan: ModelPlan, chunk: number): ScratchLayout {
  const Bp = r4(chunk);
  let X = 0;
  let pre = 0;
  let F = 0;
  for (const l of plan.layers) {
    if (l.kind === 'input') {
      F = Math.max(F, l.dense ? 8 * l.K + 256 : r4(l.P) * l.Kp * 2);
      pre = Math.max(pre, (l.dense ? Bp : r4(l.P)) * l.Np);
    } else {
      const V = l.conv ? r4(l.P) : Bp;
      X = Math.max(X, V * l.vecB);
      pre = Math.max(pre, l.kind === 'classifier' ? V * l.Np * 4 : V * l.Np * l.G);
    }
  }
  const sizes = { mapA: chunk * plan.maxMapBytes, mapB: chunk * plan.maxMapBytes, X, pre, F, clsZero: Bp, scr: 384 };
  let off = 0;
  const out = {} as ScratchLayout;
  for (const [k, v] of Object.entries(sizes)) {
    (out as unknown as Record<string, number>)[k] = off;
    off += a64(v);
  }
  out.bytes = off;
  return out;
}

function runInput(k: Kernels, u8: Uint8Array, L: InputPlan, job: ShardJob, c0: number, B: number, mapOut: number, sl: ScratchLayout & { base: number }, act: LayerActivity): void {
  const base = sl.base;
  const F = base + sl.F;
  const pre = base + sl.pre;
  k.zero(mapOut, B * L.outMapBytes);
  let nz = 0;
  let ones = 0;
  if (L.dense) {
    // per image: the list of its nonzero pixels (mask row offset, value) at F, Σx, then dotMask
    const list = new Int32Array(u8.buffer, F, 2 * L.K);
    const acc = F + 8 * L.K;
    const rowB = L.Np;
    for (let b = 0; b < B; b++) {
      const px = job.pixAddr + (c0 + b) * job.plan.inSize;
      let nl = 0;
      let sum = 0;
      for (let i = 0; i < L.K; i++) {
        const x = u8[px + i]!;
        if (x === 0) continue;
        list[2 * nl] = i * rowB;
        list[2 * nl + 1] = x;
        nl++;
        sum += x;
      }
      nz += nl;
      k.dotMask(F, nl, sum, L.wAddr, L.Np, L.thaAddr, L.thuAddr, pre + b * L.Np, acc);
    }
    ones = k.poolMajority(pre, mapOut, L.N, 1, L.Np, B, 1, B, 1, 0, 0, L.flipAddr, L.outMapBytes);
  } else {
    const Pp = r4(L.P);
    for (let b = 0; b < B; b++) {
      k.zero(F, Pp * L.Kp * 2);
      nz += k.gather8(job.pixAddr + (c0 + b) * job.plan.inSize, F, L.C, L.H, L.W, L.k, L.stride, L.pad, L.ph, L.pw, 0, L.Kp);
      k.dot16(F, L.wAddr, Pp, L.Nt, L.Kp, L.thaAddr, L.thuAddr, pre, L.Np);
      ones += k.poolMajority(pre, mapOut + b * L.outMapBytes, L.N, 1, L.Np, L.ph, L.pw, L.oh, L.ow, L.pool.size, L.pool.stride, L.flipAddr, L.outPsb);
    }
  }
  act.vectors += B * L.P;
  act.drivenRows += B * L.drivenPerImage;
  act.activeInputs += nz;
  act.macs += B * L.drivenPerImage * L.N;
  act.outputs += B * L.OP * L.N;
  act.onesOut += ones;
}

function runBinary(
  k: Kernels,
  u8: Uint8Array,
  stats: BigInt64Array,
  L: BinaryPlan,
  adc: { s: number; L1: number },
  B: number,
  mapIn: number,
  mapOut: number,
  dotsOut: Int32Array | null,
  sl: ScratchLayout & { base: number },
  act: LayerActivity,
): void {
  const base = sl.base;
  const X = base + sl.X;
  const pre = base + sl.pre;
  const scr = base + sl.scr;
  const statIdx = scr / 8 + 32; // scratch + 256
  stats[statIdx] = 0n;
  stats[statIdx + 1] = 0n;
  let onesIn = 0;
  let ones = 0;
  const isCls = L.kind === 'classifier';
  const gemm = adc.s > 0 ? k.gemmAdc : k.gemm;
  if (!isCls) k.zero(mapOut, B * L.outMapBytes);
  let padV = 0;
  const s1 = adc.s === 0 && L.s1 ? L.s1 : null;
  if (L.conv) {
    const Pp = r4(L.P);
    padV = B * (Pp - L.P);
    for (let b = 0; b < B; b++) {
      k.zero(X, Pp * L.vecB);
      onesIn += k.gather(mapIn + b * L.inMapBytes, X, L.P, L.pw, L.stride, L.pad, L.inH, L.inW, L.inPsb, L.runsAddr, L.nRuns, L.vecB);
      if (L.scalar) k.gemmScalar(X, L.wAddr, Pp, L.Np / 2, L.S, 2 * L.steps, L.clsAddr, L.s1!.aAddr, L.s1!.uAddr, pre, 0, 0, scr, L.Np);
      else if (s1) k.gemmS1(X, L.wAddr, Pp, L.Nt, L.S, 4 * L.steps, 1, L.clsAddr, 0, 0, s1.aAddr, s1.uAddr, pre, 0, 0, 0, scr, L.Np, L.P, L.nmaskAddr, L.csa ? 1 : 0, L.steps32Used);
      else gemm(X, L.wAddr, Pp, L.Nt, L.S, 4 * L.steps, L.nb, L.clsAddr, L.corrAddr, L.nvAddr, L.thaAddr, L.thuAddr, pre, 0, adc.s, adc.L1, scr, L.Np, L.P, L.nmaskAddr, L.csa ? 1 : 0, L.steps32Used);
      ones += k.poolMajority(pre, mapOut + b * L.outMapBytes, L.N, L.G, L.Np, L.ph, L.pw, L.oh, L.ow, L.pool.size, L.pool.stride, L.flipAddr, L.outPsb);
    }
  } else {
    const Bp = r4(B);
    padV = Bp - B;
    k.zero(X, Bp * L.vecB);
    for (let b = 0; b < B; b++) onesIn += k.gather(mapIn + b * L.inMapBytes, X + b * L.vecB, 1, 1, 1, 0, L.inH, L.inW, L.inPsb, L.runsAddr, L.nRuns, L.vecB);
    if (L.scalar) k.gemmScalar(X, L.wAddr, Bp, L.Np / 2, L.S, 2 * L.steps, base + sl.clsZero, isCls ? 0 : L.s1!.aAddr, isCls ? 0 : L.s1!.uAddr, pre, isCls ? 1 : 0, L.K, scr, L.Np);
    else if (s1) k.gemmS1(X, L.wAddr, Bp, L.Nt, L.S, 4 * L.steps, 1, base + sl.clsZero, 0, 0, s1.aAddr, s1.uAddr, pre, 0, 0, 0, scr, L.Np, B, L.nmaskAddr, L.csa ? 1 : 0, L.steps32Used);
    else gemm(X, L.wAddr, Bp, L.Nt, L.S, 4 * L.steps, L.nb, base + sl.clsZero, L.corrAddr, L.nvAddr, L.thaAddr, L.thuAddr, pre, isCls ? 1 : 0, adc.s, adc.L1, scr, L.Np, B, L.nmaskAddr, L.csa ? 1 : 0, L.steps32Used);
    if (isCls) {
      const d = new Int32Array(u8.buffer, pre, Bp * L.Np);
      for (let b = 0; b < B; b++) for (let c = 0; c < L.N; c++) dotsOut![b * L.N + c] = d[b * L.Np + c]!;
    } else {
      ones = k.poolMajority(pre, mapOut, L.N, L.G, L.Np, B, 1, B, 1, 0, 0, L.flipAddr, L.outMapBytes);
    }
  }
  // Σm over real pairs from the raw mismatch sum over all pairs: padded neurons (zero weights)
  // mismatch every 1 of x, padded vectors (zero x) every 1 of w
  const raw = Number(stats[statIdx]!) - (L.Np - L.N) * onesIn - padV * L.wOnes;
  const matches = B * L.matchConstPerImage - raw;
  const sats = Number(stats[statIdx + 1]!);
  act.vectors += B * L.P;
  act.drivenRows += B * L.drivenPerImage;
  act.activeInputs += onesIn;
  act.matches += matches;
  act.macs += B * L.drivenPerImage * L.N;
  if (isCls) {
    act.outputs += B;
    return;
  }
  act.conversions += B * L.P * L.readoutBlocks * L.N;
  act.saturations += sats;
  if (L.G > 1) act.majorityOps += B * L.OP * L.N;
  act.outputs += B * L.OP * L.N;
  act.onesOut += ones;
}

/**
 * Evaluates images [first, first + count) of the job, or with `share` the pieces this thread
 * claims; returns the activity counts of the images it evaluated.
 */
export function runShard(k: Kernels, memory: WebAssembly.Memory, job: ShardJob): ShardResult {
  const act = job.plan.layers.map((_, i) => emptyActivity(i));
  const sh = job.share;
  if (!sh) {
    runRange(k, memory, job, job.first, job.count, act);
    return { activity: act, images: job.count };
  }
  const counters = new Int32Array(memory.buffer, sh.counters, sh.shards.length);
  let images = 0;
  for (let j = 0; j < sh.shards.length; j++) {
    const s = (sh.self + j) % sh.shards.length;
    const { first, count } = sh.shards[s]!;
    const pieces = Math.ceil(count / sh.piece);
    for (let p = Atomics.add(counters, s, 1); p < pieces; p = Atomics.add(counters, s, 1)) {
      const f = first + p * sh.piece;
      const n = Math.min(sh.piece, first + count - f);
      runRange(k, memory, job, f, n, act);
      images += n;
    }
  }
  return { activity: act, images };
}

/** Evaluates images [first, first + count) in chunks, adding their activity to `act`. */
function runRange(k: Kernels, memory: WebAssembly.Memory, job: ShardJob, first0: number, count: number, act: LayerActivity[]): void {
  const u8 = new Uint8Array(memory.buffer);
  const stats = new BigInt64Array(memory.buffer);
  const { plan } = job;
  const lay = scratchLayout(plan, job.chunk);
  const sl = { ...lay, base: job.scratchAddr };
  const classes = plan.classes;
  const end = first0 + count;
  for (let c0 = first0; c0 < end; c0 += job.chunk) {
    const B = Math.min(job.chunk, end - c0);
    let mapIn = job.scratchAddr + lay.mapA;
    let mapOut = job.scratchAddr + lay.mapB;
    const first = plan.layers[0] as InputPlan;
    const fl = job.firstLayer;
    const kept = fl && fl.mode !== 'none' ? fl.addr + c0 * first.outMapBytes : 0;
    // Buffer#copy (memmove) rather than copyWithin, which is slow on shared memory
    if (fl?.mode === 'load') Buffer.from(u8.buffer, kept, B * first.outMapBytes).copy(u8, mapIn);
    else {
      runInput(k, u8, first, job, c0, B, mapIn, sl, act[0]!);
      if (fl?.mode === 'store') Buffer.from(u8.buffer, mapIn, B * first.outMapBytes).copy(u8, kept);
    }
    for (let i = 1; i < plan.layers.length; i++) {
      const L = plan.layers[i] as BinaryPlan;
      const dots = L.kind === 'classifier' ? new Int32Array(memory.buffer, job.dotsAddr + c0 * classes * 4, B * classes) : null;
      runBinary(k, u8, stats, L, job.adc[i]!, B, mapIn, mapOut, dots, sl, act[i]!);
      const t = mapIn;
      mapIn = mapOut;
      mapOut = t;
    }
  }
}
