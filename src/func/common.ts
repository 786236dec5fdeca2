/**
 * Pieces of NUMERICS.md shared by every backend: thresholds, the ADC step, the classifier's
 * float64 scores and argmax, the predictions digest. Backends differ only in how they compute
 * dots; everything decided from a dot lives here once.
 */
import { createHash } from 'node:crypto';
import type { ClassifierLayer, Thresholds } from '../model/types.ts';
import type { EvalResult, LayerActivity, Readout } from './types.ts';

/** Threshold bit of (neuron, group) index i: d=+1: dot >= T; d=-1: dot <= T; d=0: constant T. */
export function thresholdBit(dot: number, th: Thresholds, i: number): number {
  const d = th.d[i]!;
  const t = th.t[i]!;
  if (d === 1) return dot >= t ? 1 : 0;
  if (d === -1) return dot <= t ? 1 : 0;
  return t;
}

/** ADC levels L = 2^b and integer step s = ceil((R+1)/L) (or ceil((clip+1)/L) for a clipping ADC). */
export function adcStep(readout: Extract<Readout, { kind: 'adc' }>, layerIndex: number): { L: number; s: number } {
  const L = 2 ** readout.bits;
  const range = readout.clip?.[layerIndex] ?? readout.rows;
  return { L, s: Math.ceil((range + 1) / L) };
}

/**
 * The plainest read-out with the same results as r. An ADC with L - 1 >= R levels has step 1 on
 * every block (a clip range is at most R) and can never saturate (m <= R), so q = m: every such
 * ADC gives the same predictions and activity counts; it is returned as the fewest exact bits,
 * without clip. Other read-outs are returned unchanged. Sweeps key functional passes by it.
 */
export function canonicalReadout(r: Readout): Readout {
  if (r.kind !== 'adc' || 2 ** r.bits - 1 < r.rows) return r;
  let bits = 1;
  while (2 ** bits - 1 < r.rows) bits++;
  return { kind: 'adc', rows: r.rows, bits };
}

/** Checks a readout; returns a message or null. */
export function readoutProblem(r: Readout): string | null {
  if (r.kind === 'sense') return null;
  if (!Number.isInteger(r.rows) || r.rows < 1) return `ADC row block size must be a positive integer, found ${r.rows}`;
  if (!Number.isInteger(r.bits) || r.bits < 1 || r.bits > 16) return `ADC bits must be an integer from 1 to 16, found ${r.bits}`;
  for (const [k, v] of Object.entries(r.clip ?? {})) {
    if (!Number.isInteger(v) || v < 1 || v > r.rows) return `ADC clip range of layer ${k} must be an integer from 1 to ${r.rows}, found ${v}`;
  }
  return null;
}

/** score = gamma*(dot + bias - mean)/sqrt(var + eps) + beta, float64 (NUMERICS.md). */
export function classifierScore(l: ClassifierLayer, c: number, dot: number): number {
  return (l.gamma[c]! * (dot + l.bias[c]! - l.mean[c]!)) / Math.sqrt(l.variance[c]! + l.epsilon) + l.beta[c]!;
}

/** argmax with ties to the lowest index. */
export function argmaxScores(scores: ArrayLike<number>): number {
  let best = 0;
  for (let c = 1; c < scores.length; c++) if (scores[c]! > scores[best]!) best = c;
  return best;
}

/** Predictions from classifier dots (images x classes). */
export function predictFromDots(l: ClassifierLayer, dots: Int32Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  const scores = new Float64Array(l.classes);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < l.classes; c++) scores[c] = classifierScore(l, c, dots[n * l.classes + c]!);
    out[n] = argmaxScores(scores);
  }
  return out;
}

export function emptyActivity(layer: number): LayerActivity {
  return {
    layer,
    vectors: 0,
    blocksPerVector: 0,
    drivenRows: 0,
    activeInputs: 0,
    matches: 0,
    conversions: 0,
    saturations: 0,
    majorityOps: 0,
    onesOut: 0,
    outputs: 0,
    macs: 0,
  };
}

/** Adds b's counts into a (same layer). */
export function addActivity(a: LayerActivity, b: LayerActivity): void {
  for (const k of ['vectors', 'drivenRows', 'activeInputs', 'matches', 'conversions', 'saturations', 'majorityOps', 'onesOut', 'outputs', 'macs'] as const) {
    a[k] += b[k];
  }
  a.blocksPerVector = Math.max(a.blocksPerVector, b.blocksPerVector);
}

export function predictionsDigest(predictions: Uint8Array): string {
  return createHash('sha256').update(predictions).digest('hex');
}

export function finishResult(predictions: Uint8Array, labels: Uint8Array | null, activity: LayerActivity[]): EvalResult {
  let correct: number | null = null;
  if (labels) {
    correct = 0;
    for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
  }
  return {
    predictions,
    accuracy: correct === null ? null : predictions.length ? correct / predictions.length : 0,
    correct,
    predictionsDigest: predictionsDigest(predictions),
    activity,
  };
}
