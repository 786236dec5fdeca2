/**
 * Types of the functional pass: the design a model is read out with, the inputs, and the
 * predictions and activity counts it returns. Backends (src/func/reference.ts, the fast CPU
 * path, the GPU path) all implement `Engine` and must agree bit for bit.
 */
import type { Model } from '../model/types.ts';

/**
 * How array columns are read out.
 * - 'sense': 1-bit sense amp per column on the whole group's dot (the split design; on an
 *   unsplit layer this is an ideal 1-bit read-out of the full dot).
 * - 'adc': the group's inputs are cut into row blocks of `rows`; each block's popcount is
 *   quantised by a `bits`-bit ADC (NUMERICS.md), summed digitally, then thresholded.
 *   `clip` (optional, per binary layer index into model.layers) replaces the full range
 *   (R+1 levels) by a calibrated range of `clip[layer]` matches: step s = ceil((clip+1)/L).
 */
export type Readout =
  | { kind: 'sense' }
  | { kind: 'adc'; rows: number; bits: number; clip?: Record<number, number> };

/** Inputs of the functional pass: raw uint8 pixels in (c, y, x) order per image. */
export interface InputBatch {
  count: number;
  /** count * mapSize(model input) bytes */
  pixels: Uint8Array;
  /** labels (0..classes-1), or null when unknown */
  labels: Uint8Array | null;
}

/**
 * Exact integer activity counts of one layer (NUMERICS.md). All are sums over the images
 * evaluated; stored as JS numbers (exact below 2^53).
 * A "vector" is one input vector applied to the layer: one per image for dense layers,
 * one per (image, pre-pool output position) for conv layers.
 */
export interface LayerActivity {
  /** model.layers index */
  layer: number;
  /** input vectors applied (images x pre-pool output positions) */
  vectors: number;
  /** row blocks per vector for this readout (split/sense: G; adc: sum over groups of ceil((K/G)/R)) */
  blocksPerVector: number;
  /** sum over (vector, block) of valid (driven) rows n_j */
  drivenRows: number;
  /** sum over (vector, block) of +1 inputs among the driven rows */
  activeInputs: number;
  /** sum over (vector, block, neuron) of matching cells m = popcount(XNOR) over valid inputs */
  matches: number;
  /** sense or ADC conversions: vectors x blocks x neurons */
  conversions: number;
  /** ADC conversions with m > (L-1)*s (0 for sense) */
  saturations: number;
  /** majority merges: images x post-pool positions x neurons, when G > 1 (else 0) */
  majorityOps: number;
  /** output bits that are +1 (images x post-pool positions x neurons counted where the bit is 1) */
  onesOut: number;
  /** output bits produced: images x post-pool positions x neurons */
  outputs: number;
  /**
   * multiply-accumulates: binary layers: bit-MACs on driven rows (sum over vectors and blocks of
   * n_j x neurons); input layer and classifier: MACs over valid inputs on the digital unit.
   */
  macs: number;
}

export interface EvalResult {
  predictions: Uint8Array;
  /** correct / count, or null without labels */
  accuracy: number | null;
  correct: number | null;
  /** lowercase hex sha256 of predictions (one byte each) */
  predictionsDigest: string;
  /** one entry per model layer (input, binary, classifier) */
  activity: LayerActivity[];
}

export interface EvalOptions {
  readout: Readout;
}

export interface Engine {
  readonly name: 'reference' | 'cpu' | 'gpu';
  evaluate(model: Model, inputs: InputBatch, opts: EvalOptions): Promise<EvalResult>;
  dispose(): Promise<void> | void;
}
