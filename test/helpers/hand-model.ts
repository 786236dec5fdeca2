/** Builds small hand-written models from bit strings, for hand-computed tests. */
import { buildModel } from '../../src/model/io.ts';
import type { Model } from '../../src/model/types.ts';

function b64(a: Uint32Array | Int32Array | Int8Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** "+-++" -> packed row (bit 1 = +1, element i at bit i) */
export function packSigns(rows: string[]): Uint32Array {
  const per = rows[0]!.length;
  const wpr = (per + 31) >>> 5;
  const out = new Uint32Array(rows.length * wpr);
  rows.forEach((s, r) => {
    if (s.length !== per) throw new Error('rows differ in length');
    for (let i = 0; i < per; i++) if (s[i] === '+') out[r * wpr + (i >>> 5)] |= 1 << (i & 31);
  });
  return out;
}

export function blob(a: Uint32Array | Int32Array | Int8Array, dtype: 'u32' | 'i32' | 'i8') {
  return { dtype, length: a.length, base64: b64(a) };
}

/**
 * A model whose first layer copies a K-pixel row image into K bits (pixel >= 1 -> +1), then
 * the given binary dense layer, then a 2-class classifier reading its first output.
 */
export function passThroughModel(K: number, hidden: { out: number; groups: number; rows: string[]; t: number[]; d: number[] }): Model {
  const N = hidden.out;
  const cls = packSigns(['+' + '-'.repeat(N - 1), '-' + '-'.repeat(N - 1)]);
  const json = {
    format: 'archsim-model',
    version: 1,
    name: 'hand',
    dataset: 'mnist',
    arraySize: hidden.groups > 1 ? 4 : null,
    baseline: hidden.groups > 1 ? 'b.json' : null,
    input: { channels: 1, height: 1, width: K },
    preprocess: { scale: 1, mean: null },
    metrics: {},
    training: null,
    layers: [
      {
        type: 'input',
        kind: 'conv',
        out: 1,
        kernel: 1,
        stride: 1,
        padding: 0,
        pool: null,
        weights: blob(packSigns(['+']), 'u32'),
        thresholds: { t: blob(Int32Array.of(1), 'i32'), d: blob(Int8Array.of(1), 'i8') },
      },
      {
        type: 'binary',
        kind: 'dense',
        out: N,
        groups: hidden.groups,
        pool: null,
        weights: blob(packSigns(hidden.rows), 'u32'),
        thresholds: { t: blob(Int32Array.from(hidden.t), 'i32'), d: blob(Int8Array.from(hidden.d), 'i8') },
      },
      {
        type: 'classifier',
        out: 2,
        weights: blob(cls, 'u32'),
        bias: [0, 0],
        gamma: [1, 1],
        beta: [0, 0],
        mean: [0, 0],
        variance: [1, 1],
        epsilon: 0,
      },
    ],
  };
  return buildModel(json, 'hand.json');
}

/** pixels for a sign string: '+' -> 255, '-' -> 0 */
export function signPixels(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => (ch === '+' ? 255 : 0));
}
