/**
 * Network specs: the layer list of a training network, the presets, and the seed's split rules.
 *
 * Binary weights of every layer are stored in "field layout" (G, K/G, O): K is the layer's
 * flattened receptive field in archsim's order ((c, y, x) for dense layers, (c, kh, kw) for conv
 * layers), cut into G contiguous groups; O the output neurons/channels. Group g of neuron o is
 * exactly the model file's weight row o*G + g.
 */
import { InputError } from '../errors.ts';
import type { DatasetName, MapShape } from '../model/types.ts';

export type Grouping = 'intra' | 'channel';

export interface LayerSpec {
  type: 'input' | 'binary' | 'classifier';
  kind: 'dense' | 'conv';
  inShape: MapShape;
  /** neurons (dense) or channels (conv); classes for the classifier */
  out: number;
  kernel: number; // conv only (else 0)
  padding: number; // conv only (else 0)
  /** 2x2 stride-2 max-pool on the pre-BN sums (conv only) */
  pool: boolean;
  /** K: flattened inputs per neuron */
  fanIn: number;
  groups: number;
  grouping: Grouping;
  /** output map shape (after pooling) */
  outShape: MapShape;
}

export interface NetSpec {
  preset: string;
  dataset: DatasetName;
  input: MapShape;
  classes: number;
  /** null: unsplit baseline */
  arraySize: number | null;
  grouping: Grouping;
  layers: LayerSpec[];
}

export const PRESETS = ['mnist-mlp', 'cifar-vgg', 'cifar-vgg-small', 'tiny-mlp', 'tiny-cnn'] as const;
export type PresetName = (typeof PRESETS)[number];

export interface PresetDefaults {
  dataset: DatasetName;
  epochs: number;
  batchSize: number;
  lr: number;
  lrFinal: number;
  /** epochs of retraining when a split model starts from its baseline (--init-from) */
  retrainEpochs: number;
}

export const PRESET_DEFAULTS: Record<PresetName, PresetDefaults> = {
  'mnist-mlp': { dataset: 'mnist', epochs: 20, batchSize: 100, lr: 3e-3, lrFinal: 3e-5, retrainEpochs: 4 },
  'cifar-vgg': { dataset: 'cifar10', epochs: 150, batchSize: 100, lr: 3e-3, lrFinal: 3e-6, retrainEpochs: 20 },
  'cifar-vgg-small': { dataset: 'cifar10', epochs: 16, batchSize: 100, lr: 3e-3, lrFinal: 3e-5, retrainEpochs: 4 },
  'tiny-mlp': { dataset: 'mnist', epochs: 1, batchSize: 50, lr: 1e-2, lrFinal: 1e-2, retrainEpochs: 1 },
  'tiny-cnn': { dataset: 'mnist', epochs: 1, batchSize: 50, lr: 1e-2, lrFinal: 1e-2, retrainEpochs: 1 },
};

/**
 * The seed's group count: G = ceil(K / arraySize), increased until it divides K ('intra').
 * For FC layers with K a multiple of arraySize this is K / arraySize, as in the seed.
 * 'channel' (conv only): the smallest G dividing Cin whose groups of whole channels fit the array.
 */
export function splitGroups(K: number, arraySize: number, grouping: Grouping = 'intra', conv?: { inChannels: number; kernel: number }): number {
  if (!Number.isInteger(arraySize) || arraySize < 1) throw new InputError(`--array-size: ${arraySize} is not a positive integer`);
  if (grouping === 'channel' && conv) {
    const k2 = conv.kernel * conv.kernel;
    if (k2 > arraySize) throw new InputError(`--grouping channel: one channel's ${conv.kernel}x${conv.kernel} kernel (${k2} inputs) does not fit an array of ${arraySize} rows; use --grouping intra`);
    for (let G = 1; G <= conv.inChannels; G++) {
      if (conv.inChannels % G === 0 && (conv.inChannels / G) * k2 <= arraySize) return G;
    }
  }
  let G = Math.ceil(K / arraySize);
  while (K % G !== 0) G++;
  return G;
}

function convShape(s: MapShape, out: number, k: number, pad: number, pool: boolean): MapShape {
  let h = s.height + 2 * pad - k + 1;
  let w = s.width + 2 * pad - k + 1;
  if (pool) {
    h = Math.floor((h - 2) / 2) + 1;
    w = Math.floor((w - 2) / 2) + 1;
  }
  return { channels: out, height: h, width: w };
}

const size = (s: MapShape) => s.channels * s.height * s.width;

interface Builder {
  add(type: LayerSpec['type'], kind: LayerSpec['kind'], out: number, conv?: { k: number; pad: number; pool: boolean }): void;
  layers: LayerSpec[];
}

function builder(input: MapShape, arraySize: number | null, grouping: Grouping): Builder {
  let shape = input;
  const layers: LayerSpec[] = [];
  return {
    layers,
    add(type, kind, out, conv) {
      const k = conv?.k ?? 0;
      const pad = conv?.pad ?? 0;
      const pool = conv?.pool ?? false;
      const fanIn = kind === 'conv' ? shape.channels * k * k : size(shape);
      const outShape = kind === 'conv' ? convShape(shape, out, k, pad, pool) : { channels: out, height: 1, width: 1 };
      let groups = 1;
      let g: Grouping = 'intra';
      if (type === 'binary' && arraySize !== null) {
        g = kind === 'conv' ? grouping : 'intra';
        groups = splitGroups(fanIn, arraySize, g, kind === 'conv' ? { inChannels: shape.channels, kernel: k } : undefined);
        if (g === 'channel' && kind === 'conv' && (fanIn / groups) % (k * k) !== 0) g = 'intra';
      }
      layers.push({ type, kind, inShape: shape, out, kernel: k, padding: pad, pool, fanIn, groups, grouping: g, outShape });
      shape = outShape;
    },
  };
}

export interface BuildOptions {
  preset: PresetName;
  dataset: DatasetName;
  arraySize: number | null;
  grouping?: Grouping;
}

const INPUTS: Record<DatasetName, MapShape> = {
  mnist: { channels: 1, height: 28, width: 28 },
  'fashion-mnist': { channels: 1, height: 28, width: 28 },
  cifar10: { channels: 3, height: 32, width: 32 },
};

/** VGG widths: [conv block 1, 2, 3, fc]. */
export const VGG_WIDTHS: Record<'cifar-vgg' | 'cifar-vgg-small', [number, number, number, number]> = {
  'cifar-vgg': [128, 256, 512, 1024],
  'cifar-vgg-small': [16, 32, 64, 128],
};

export function buildSpec(o: BuildOptions): NetSpec {
  const grouping = o.grouping ?? 'intra';
  const input = INPUTS[o.dataset];
  const b = builder(input, o.arraySize, grouping);
  const isCifar = o.dataset === 'cifar10';
  switch (o.preset) {
    case 'mnist-mlp':
    case 'tiny-mlp': {
      const w = o.preset === 'mnist-mlp' ? 2048 : 64;
      b.add('input', 'dense', w);
      b.add('binary', 'dense', w);
      b.add('binary', 'dense', w);
      b.add('classifier', 'dense', 10);
      break;
    }
    case 'cifar-vgg':
    case 'cifar-vgg-small': {
      if (!isCifar) throw new InputError(`--preset ${o.preset}: needs --dataset cifar10`);
      const [c1, c2, c3, f] = VGG_WIDTHS[o.preset];
      const conv = (pool: boolean) => ({ k: 3, pad: 1, pool });
      b.add('input', 'conv', c1, conv(false));
      b.add('binary', 'conv', c1, conv(true));
      b.add('binary', 'conv', c2, conv(false));
      b.add('binary', 'conv', c2, conv(true));
      b.add('binary', 'conv', c3, conv(false));
      b.add('binary', 'conv', c3, conv(true));
      b.add('binary', 'dense', f);
      b.add('binary', 'dense', f);
      b.add('classifier', 'dense', 10);
      break;
    }
    case 'tiny-cnn': {
      const conv = (pool: boolean) => ({ k: 3, pad: 1, pool });
      b.add('input', 'conv', 8, conv(true));
      b.add('binary', 'conv', 16, conv(true));
      b.add('binary', 'dense', 64);
      b.add('classifier', 'dense', 10);
      break;
    }
  }
  return { preset: o.preset, dataset: o.dataset, input, classes: 10, arraySize: o.arraySize, grouping, layers: b.layers };
}

export function parsePreset(s: string): PresetName {
  if ((PRESETS as readonly string[]).includes(s)) return s as PresetName;
  throw new InputError(`--preset: unknown preset "${s}"; expected one of ${PRESETS.join(', ')}`);
}

export function describeSpec(spec: NetSpec): string {
  return spec.layers
    .map((l) => {
      const core = l.kind === 'conv' ? `${l.out}C${l.kernel}${l.pool ? '-MP2' : ''}` : `FC${l.out}`;
      return l.groups > 1 ? `${core}/G${l.groups}` : core;
    })
    .join(' ');
}
