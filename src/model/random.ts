/**
 * Random models and inputs for property tests. Shapes are derived the same way the model file
 * does (the JSON goes through buildModel), so every random model is also a valid model file.
 */
import { buildModel } from './io.ts';
import type { Model } from './types.ts';
import { mulberry32 } from '../util/rng.ts';

/** Deterministic PRNG (mulberry32). */
export const rng = mulberry32;

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function b64(a: Uint32Array | Int32Array | Int8Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function randomRows(r: () => number, rows: number, bits: number): Uint32Array {
  const wpr = (bits + 31) >>> 5;
  const w = new Uint32Array(rows * wpr);
  for (let i = 0; i < rows; i++)
    for (let b = 0; b < bits; b++) if (r() < 0.5) w[i * wpr + (b >>> 5)] |= 1 << (b & 31);
  return w;
}

/** Thresholds concentrated where random dots fall (so both outcomes and exact ties occur). */
function randomThresholds(r: () => number, n: number, per: number, scale: number): { t: Int32Array; d: Int8Array } {
  const t = new Int32Array(n);
  const d = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.05) {
      d[i] = 0;
      t[i] = r() < 0.5 ? 0 : 1;
    } else {
      d[i] = u < 0.55 ? 1 : -1;
      t[i] = Math.round((r() * 2 - 1) * Math.sqrt(per) * scale);
    }
  }
  return { t, d };
}

export interface RandomLayerSpec {
  kind: 'dense' | 'conv';
  out: number;
  groups?: number;
  kernel?: number;
  stride?: number;
  padding?: number;
  pool?: { size: number; stride: number } | null;
}

export interface RandomModelSpec {
  input: { channels: number; height: number; width: number };
  first: RandomLayerSpec;
  hidden: RandomLayerSpec[];
  classes: number;
  seed: number;
}

/** Builds a random model file document and parses it with buildModel. */
export function randomModel(spec: RandomModelSpec): Model {
  const r = rng(spec.seed);
  let shape = { ...spec.input };
  const layers: Record<string, unknown>[] = [];
  const all = [spec.first, ...spec.hidden];
  all.forEach((L, i) => {
    let fanIn: number;
    let next: { channels: number; height: number; width: number };
    if (L.kind === 'conv') {
      const k = L.kernel ?? 3;
      const s = L.stride ?? 1;
      const p = L.padding ?? 0;
      fanIn = shape.channels * k * k;
      let h = Math.floor((shape.height + 2 * p - k) / s) + 1;
      let w = Math.floor((shape.width + 2 * p - k) / s) + 1;
      if (L.pool) {
        h = Math.floor((h - L.pool.size) / L.pool.stride) + 1;
        w = Math.floor((w - L.pool.size) / L.pool.stride) + 1;
      }
      next = { channels: L.out, height: h, width: w };
    } else {
      fanIn = shape.channels * shape.height * shape.width;
      next = { channels: L.out, height: 1, width: 1 };
    }
    const G = i === 0 ? 1 : (L.groups ?? 1);
    const per = fanIn / G;
    if (!Number.isInteger(per)) throw new Error(`test spec: groups ${G} do not divide ${fanIn}`);
    const rows = L.out * G;
    const weights = randomRows(r, rows, per);
    const th = randomThresholds(r, rows, per, i === 0 ? 60 : 1);
    const o: Record<string, unknown> = { type: i === 0 ? 'input' : 'binary', kind: L.kind, out: L.out };
    if (i > 0) o.groups = G;
    if (L.kind === 'conv') {
      o.kernel = L.kernel ?? 3;
      o.stride = L.stride ?? 1;
      o.padding = L.padding ?? 0;
    }
    o.pool = L.pool ?? null;
    o.weights = { dtype: 'u32', length: weights.length, base64: b64(weights) };
    o.thresholds = {
      t: { dtype: 'i32', length: rows, base64: b64(th.t) },
      d: { dtype: 'i8', length: rows, base64: b64(th.d) },
    };
    layers.push(o);
    shape = next;
  });
  const K = shape.channels * shape.height * shape.width;
  const C = spec.classes;
  const cw = randomRows(r, C, K);
  const f = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + r() * (hi - lo));
  layers.push({
    type: 'classifier',
    out: C,
    weights: { dtype: 'u32', length: cw.length, base64: b64(cw) },
    bias: f(C, -1, 1),
    gamma: f(C, -2, 2),
    beta: f(C, -1, 1),
    mean: f(C, -3, 3),
    variance: f(C, 0.5, 4),
    epsilon: 1e-5,
  });
  const split = spec.hidden.some((h) => (h.groups ?? 1) > 1);
  const json = {
    format: 'archsim-model',
    version: 1,
    name: `random-${spec.seed}`,
    dataset: 'mnist',
    arraySize: split ? 64 : null,
    baseline: split ? 'baseline.json' : null,
    input: spec.input,
    preprocess: { scale: 1 / 255, mean: null },
    metrics: {},
    training: null,
    layers,
  };
  return buildModel(json, `random-${spec.seed}.json`);
}

export function randomPixels(seed: number, count: number, size: number): Uint8Array {
  const r = rng(seed);
  const p = new Uint8Array(count * size);
  for (let i = 0; i < p.length; i++) p[i] = r() < 0.3 ? 0 : Math.floor(r() * 256);
  return p;
}

export function randomLabels(seed: number, count: number, classes: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: count }, () => Math.floor(r() * classes));
}
