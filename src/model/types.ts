/**
 * The in-memory model: what `archsim --model FILE` evaluates.
 *
 * The file format (src/model/schema.ts, docs in docs/model-format.md) is parsed once into
 * these immutable specs. Every engine (GPU, CPU fast, CPU reference) evaluates exactly
 * this structure following ../shared/NUMERICS.md.
 *
 * Conventions (binding, see NUMERICS.md):
 * - Activations are bits: +1 -> 1, -1 -> 0. A feature map of one image is stored in
 *   channel-major (c, y, x) order, packed little-endian into u32 words, LSB first,
 *   and a batch stores each image's map starting on a word boundary.
 * - A dense layer after a conv layer reads the map flattened in (c, y, x) order.
 * - A conv receptive field is flattened in (c, kh, kw) order; group g of G covers
 *   elements [g*K/G, (g+1)*K/G) of it (the seed's IntraC rule).
 * - Weight rows: row (o, g) is at index o*G + g; each row holds K/G bits and starts on a
 *   word boundary, so it takes wordsPerRow = ceil((K/G)/32) words.
 * - Thresholds: per (o, g) at index o*G + g, an integer T and a direction d:
 *   d = +1: bit = (dot >= T); d = -1: bit = (dot <= T); d = 0: constant bit T (0 or 1).
 */

export type DatasetName = 'mnist' | 'fashion-mnist' | 'cifar10';

export const MODEL_FORMAT = 'archsim-model';
export const MODEL_VERSION = 1;

/** Shape of an activation tensor of one image, channel-major. */
export interface MapShape {
  channels: number;
  height: number;
  width: number;
}

export function mapSize(s: MapShape): number {
  return s.channels * s.height * s.width;
}

/** Integer thresholds with direction per (neuron, group), index o*G + g. */
export interface Thresholds {
  /** T per (o, g); for d = 0 it is the constant bit (0 or 1). */
  t: Int32Array;
  /** +1, -1 or 0 (constant) per (o, g). */
  d: Int8Array;
}

export interface PoolSpec {
  size: number;
  stride: number;
}

/**
 * The first layer: binary weights over raw uint8 pixels (0..255), integer dot over the valid
 * (non-padded) inputs, then the threshold. Not split (G = 1). Runs on the digital unit by default.
 * kind 'dense': input is the whole image flattened in (c, y, x) order.
 * kind 'conv': kernel/stride/padding as for BinaryConv.
 */
export interface InputLayer {
  type: 'input';
  kind: 'dense' | 'conv';
  inShape: MapShape;
  outShape: MapShape; // dense: {channels: out, height: 1, width: 1}
  kernel: number; // dense: 0
  stride: number; // dense: 0
  padding: number; // dense: 0
  pool: PoolSpec | null;
  /** number of inputs per neuron: dense: mapSize(inShape); conv: inChannels*k*k */
  fanIn: number;
  weights: Uint32Array; // rows of ceil(fanIn/32) words, bit 1 = +1
  thresholds: Thresholds; // G = 1
}

/** A hidden binary layer, possibly split into G groups, possibly followed by max-pooling. */
export interface BinaryLayer {
  type: 'binary';
  kind: 'dense' | 'conv';
  inShape: MapShape;
  /** after pooling */
  outShape: MapShape;
  kernel: number; // dense: 0
  stride: number;
  padding: number;
  pool: PoolSpec | null;
  /** K: flattened inputs per neuron (dense: mapSize(inShape); conv: Cin*k*k) */
  fanIn: number;
  /** G: groups; 1 for an unsplit layer. Must divide fanIn. */
  groups: number;
  /** 'intra' (seed IntraC contiguous cut of the (c,kh,kw) field) or 'channel' (only when cuts fall on channel boundaries: same arithmetic, recorded for the report) */
  grouping: 'intra' | 'channel';
  outChannels: number;
  weights: Uint32Array; // (outChannels*G) rows of ceil((fanIn/G)/32) words
  thresholds: Thresholds;
}

/**
 * The classifier: binary weights, binary input, integer dot over all K inputs (not split),
 * then per class: score = gamma*(dot + bias - mean)/sqrt(var + eps) + beta in float64,
 * argmax with ties to the lowest index.
 */
export interface ClassifierLayer {
  type: 'classifier';
  inShape: MapShape;
  fanIn: number;
  classes: number;
  weights: Uint32Array; // classes rows of ceil(fanIn/32) words
  bias: Float64Array;
  gamma: Float64Array;
  beta: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  epsilon: number;
}

export type Layer = InputLayer | BinaryLayer | ClassifierLayer;

export interface Preprocess {
  /** what training did to the raw pixels (documentation; the engine uses raw uint8) */
  scale: number;
  mean: number[] | null;
}

export interface ModelMetrics {
  /** accuracy (0..1) on the full test set measured by archsim's engine */
  testAccuracy?: number;
  /** accuracy measured by tfjs on the float model */
  tfjsTestAccuracy?: number;
  /** images where engine and tfjs disagree (float ties) */
  mismatches?: number;
  testImages?: number;
  [k: string]: unknown;
}

export interface Model {
  name: string;
  dataset: DatasetName;
  /** array size the split was made for; null for an unsplit model */
  arraySize: number | null;
  /** relative path (from the model file's folder) of the baseline model; split models only */
  baseline: string | null;
  preprocess: Preprocess;
  layers: Layer[];
  metrics: ModelMetrics;
  training: Record<string, unknown> | null;
  /** absolute path of the file it was loaded from, if any */
  file?: string;
  /** sha256 of the model JSON file's bytes (identity of the model in sweeps) */
  digest?: string;
}

export function wordsFor(bits: number): number {
  return (bits + 31) >>> 5;
}
