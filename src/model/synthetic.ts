/**
 * Synthetic models and activity counts of the seed shapes, for testing the chip model without
 * trained weights: the MNIST MLP 784-2048-2048-2048-10 and the CIFAR-10 VGG
 * 128C3-128C3-MP2-256C3-256C3-MP2-512C3-512C3-MP2-FC1024-FC1024-FC10, baseline (G = 1) or split
 * for an array size with the seed's group rule (FC: K / arraySize; conv "IntraC": ceil(K / arraySize)
 * increased until it divides K). Weights and thresholds are random (deterministic per seed).
 */
import type { LayerActivity } from '../func/types.ts';
import { mapSize, wordsFor, type BinaryLayer, type ClassifierLayer, type InputLayer, type Layer, type MapShape, type Model } from './types.ts';
import { mulberry32 as rng } from '../util/rng.ts';


/** The seed's group count for a layer with K inputs on arrays of `arraySize` rows. */
export function seedGroups(kind: 'dense' | 'conv', K: number, arraySize: number): number {
  if (K <= arraySize) return 1;
  if (kind === 'dense') {
    const g = Math.ceil(K / arraySize);
    if (K % g === 0) return g;
  }
  let g = Math.ceil(K / arraySize);
  while (K % g !== 0) g++;
  return g;
}

type LayerSpec = { kind: 'dense' | 'conv'; out: number; pool?: boolean };

export const SEED_SHAPES = {
  'mnist-mlp': {
    dataset: 'mnist' as const,
    input: { channels: 1, height: 28, width: 28 },
    layers: [{ kind: 'dense', out: 2048 }, { kind: 'dense', out: 2048 }, { kind: 'dense', out: 2048 }] as LayerSpec[],
    classes: 10,
  },
  'cifar10-vgg': {
    dataset: 'cifar10' as const,
    input: { channels: 3, height: 32, width: 32 },
    layers: [
      { kind: 'conv', out: 128 },
      { kind: 'conv', out: 128, pool: true },
      { kind: 'conv', out: 256 },
      { kind: 'conv', out: 256, pool: true },
      { kind: 'conv', out: 512 },
      { kind: 'conv', out: 512, pool: true },
      { kind: 'dense', out: 1024 },
      { kind: 'dense', out: 1024 },
    ] as LayerSpec[],
    classes: 10,
  },
};

export type SeedShape = keyof typeof SEED_SHAPES;

function randomRows(r: () => number, rows: number, bits: number): Uint32Array {
  const wpr = wordsFor(bits);
  const w = new Uint32Array(rows * wpr);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < wpr; k++) {
      const n = Math.min(32, bits - k * 32);
      const v = (r() * 4294967296) >>> 0;
      w[i * wpr + k] = n === 32 ? v : (v & ((1 << n) - 1)) >>> 0;
    }
  }
  return w;
}

/**
 * A synthetic seed-shaped model. `arraySize` null: baseline (every layer G = 1); a number: split
 * with the seed rule (first layer and classifier never split).
 */
export function syntheticModel(shape: SeedShape, arraySize: number | null, seed = 1): Model {
  const s = SEED_SHAPES[shape];
  const r = rng(seed);
  let inShape: MapShape = { ...s.input };
  const layers: Layer[] = [];
  s.layers.forEach((L, i) => {
    const conv = L.kind === 'conv';
    const k = conv ? 3 : 0;
    const fanIn = conv ? inShape.channels * 9 : mapSize(inShape);
    let outShape: MapShape = conv ? { channels: L.out, height: inShape.height, width: inShape.width } : { channels: L.out, height: 1, width: 1 };
    const pool = L.pool ? { size: 2, stride: 2 } : null;
    if (pool) outShape = { channels: L.out, height: outShape.height / 2, width: outShape.width / 2 };
    const G = i === 0 || arraySize === null ? 1 : seedGroups(L.kind, fanIn, arraySize);
    const rows = L.out * G;
    const per = fanIn / G;
    const t = new Int32Array(rows);
    const d = new Int8Array(rows).fill(1);
    for (let q = 0; q < rows; q++) t[q] = Math.round((r() * 2 - 1) * Math.sqrt(per) * (i === 0 ? 60 : 1));
    const common = { kind: L.kind, inShape, outShape, kernel: k, stride: conv ? 1 : 0, padding: conv ? 1 : 0, pool, fanIn, weights: randomRows(r, rows, per), thresholds: { t, d } };
    if (i === 0) layers.push({ type: 'input', ...common } as InputLayer);
    else layers.push({ type: 'binary', ...common, groups: G, grouping: 'intra', outChannels: L.out } as BinaryLayer);
    inShape = outShape;
  });
  const K = mapSize(inShape);
  const C = s.classes;
  const f = (lo: number, hi: number) => Float64Array.from({ length: C }, () => lo + r() * (hi - lo));
  const cls: ClassifierLayer = { type: 'classifier', inShape, fanIn: K, classes: C, weights: randomRows(r, C, K), bias: f(-1, 1), gamma: f(0.5, 2), beta: f(-1, 1), mean: f(-3, 3), variance: f(0.5, 4), epsilon: 1e-5 };
  layers.push(cls);
  return {
    name: `synthetic-${shape}-${arraySize === null ? 'baseline' : `split${arraySize}`}`,
    dataset: s.dataset,
    arraySize,
    baseline: arraySize === null ? null : `synthetic-${shape}-baseline.json`,
    preprocess: { scale: 1 / 255, mean: null },
    layers,
    metrics: {},
    training: null,
  };
}

/** Valid (non-padded) inputs of each pre-pool output position of a conv/dense layer, summed. */
function validInputsPerImage(l: InputLayer | BinaryLayer): { vectors: number; valid: number } {
  if (l.kind === 'dense') return { vectors: 1, valid: l.fanIn };
  const H = l.inShape.height;
  const W = l.inShape.width;
  const oh = Math.floor((H + 2 * l.padding - l.kernel) / l.stride) + 1;
  const ow = Math.floor((W + 2 * l.padding - l.kernel) / l.stride) + 1;
  const span = (o: number, n: number) => {
    let c = 0;
    for (let k = 0; k < l.kernel; k++) {
      const y = o * l.stride - l.padding + k;
      if (y >= 0 && y < n) c++;
    }
    return c;
  };
  let valid = 0;
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) valid += span(y, H) * span(x, W) * l.inShape.channels;
  return { vectors: oh * ow, valid };
}

/**
 * Synthetic activity counts for `images` images under a read-out, as the functional engine would
 * report them with inputs that are +1 with probability `pOne` and cells that match with probability
 * `pMatch` (counts are rounded expectations; structural counts are exact).
 */
export function syntheticActivity(
  model: Model,
  readout: { kind: 'sense' } | { kind: 'adc'; rows: number; bits: number },
  images: number,
  opts: { pOne?: number; pMatch?: number; pSat?: number } = {},
): LayerActivity[] {
  const pOne = opts.pOne ?? 0.5;
  const pMatch = opts.pMatch ?? 0.5;
  const pSat = opts.pSat ?? 0;
  return model.layers.map((l, i): LayerActivity => {
    if (l.type === 'classifier') {
      return {
        layer: i, vectors: images, blocksPerVector: 1, drivenRows: images * l.fanIn, activeInputs: Math.round(images * l.fanIn * pOne),
        matches: Math.round(images * l.fanIn * l.classes * pMatch), conversions: 0, saturations: 0, majorityOps: 0, onesOut: 0, outputs: images, macs: images * l.fanIn * l.classes,
      };
    }
    const { vectors, valid } = validInputsPerImage(l);
    const N = l.outShape.channels;
    const outs = images * l.outShape.height * l.outShape.width * N;
    if (l.type === 'input') {
      return {
        layer: i, vectors: images * vectors, blocksPerVector: 1, drivenRows: images * valid, activeInputs: Math.round(images * valid * 0.9),
        matches: 0, conversions: 0, saturations: 0, majorityOps: 0, onesOut: Math.round(outs / 2), outputs: outs, macs: images * valid * N,
      };
    }
    const G = l.groups;
    const per = l.fanIn / G;
    const blocks = readout.kind === 'sense' ? G : G * Math.ceil(per / readout.rows);
    const driven = images * valid;
    const conv = images * vectors * blocks * N;
    return {
      layer: i, vectors: images * vectors, blocksPerVector: blocks, drivenRows: driven, activeInputs: Math.round(driven * pOne),
      matches: Math.round(driven * N * pMatch), conversions: conv, saturations: readout.kind === 'adc' ? Math.round(conv * pSat) : 0,
      majorityOps: G > 1 ? outs : 0, onesOut: Math.round(outs / 2), outputs: outs, macs: driven * N,
    };
  });
}
