/**
 * Export of a trained network to archsim's model (src/model/types.ts, saved with saveModel):
 * binarised bit-packed weights (bit 1 = +1; row (o, g) at index o*G + g, ceil((K/G)/32) words
 * per row, padding bits 0), batch norm and bias folded into integer thresholds with direction
 * (fold.ts, NUMERICS.md), the first layer folded over raw uint8 pixels, the classifier's bias and
 * BN as float64 arrays.
 *
 * Preprocessing recorded in the model: training fed x' = s*(x/255 - m_c) to the first layer; the
 * model file states it over raw pixels as `preprocess = {scale: s/255, mean: 255*m_c or null}`,
 * i.e. x' = scale*(x - mean[c]).
 */
import type { BinaryLayer, ClassifierLayer, DatasetName, InputLayer, Layer, Model, ModelMetrics } from '../model/types.ts';
import { wordsFor } from '../model/types.ts';
import { foldThreshold } from './fold.ts';
import { BN_EPSILON, type ParamKey } from './net.ts';
import type { LayerSpec, NetSpec } from './spec.ts';

/** Packs the signs of W (G, per, O) into rows (o, g) at index o*G + g. */
export function packWeights(l: LayerSpec, W: Float32Array): Uint32Array {
  const G = l.groups;
  const per = l.fanIn / G;
  const O = l.out;
  const wpr = wordsFor(per);
  const out = new Uint32Array(O * G * wpr);
  for (let g = 0; g < G; g++) {
    for (let j = 0; j < per; j++) {
      const base = (g * per + j) * O;
      const word = j >>> 5;
      const bit = 1 << (j & 31);
      for (let o = 0; o < O; o++) {
        if (W[base + o]! >= 0) {
          const r = (o * G + g) * wpr + word;
          out[r] = (out[r]! | bit) >>> 0;
        }
      }
    }
  }
  return out;
}

export interface TrainPreprocess {
  /** global scale s after /255 */
  scale: number;
  /** per-channel mean in [0, 1] units subtracted after /255, or null (dense first layers only) */
  mean: number[] | null;
}

function thresholds(l: LayerSpec, v: Record<ParamKey, Float32Array>, maxAbsDot: number, kappaOf?: (o: number) => number, alpha?: number) {
  const G = l.groups;
  const O = l.out;
  const t = new Int32Array(O * G);
  const d = new Int8Array(O * G);
  for (let g = 0; g < G; g++) {
    for (let o = 0; o < O; o++) {
      const pi = g * O + o;
      const f = foldThreshold(
        { bias: v.b[pi]!, gamma: v.gamma[pi]!, beta: v.beta[pi]!, mean: v.mean[pi]!, variance: v.variance[pi]!, epsilon: BN_EPSILON },
        maxAbsDot,
        kappaOf ? { alpha: alpha!, kappa: kappaOf(o) } : undefined,
      );
      t[o * G + g] = f.t;
      d[o * G + g] = f.d;
    }
  }
  return { t, d };
}

export interface ExportMeta {
  name: string;
  dataset: DatasetName;
  baseline: string | null;
  metrics: ModelMetrics;
  training: Record<string, unknown> | null;
}

/** Builds the archsim model from trained float32 parameters. */
export function buildExportModel(spec: NetSpec, values: Record<ParamKey, Float32Array>[], pre: TrainPreprocess, meta: ExportMeta): Model {
  const layers: Layer[] = spec.layers.map((l, i) => {
    const v = values[i]!;
    const weights = packWeights(l, v.W);
    const conv = l.kind === 'conv';
    const pool = l.pool ? { size: 2, stride: 2 } : null;
    if (l.type === 'input') {
      const alpha = pre.scale / 255;
      let kappaOf: (o: number) => number;
      if (pre.mean) {
        if (conv) throw new Error('per-channel mean subtraction does not fold exactly into a conv first layer (padding); use it with dense first layers only');
        const hw = l.inShape.height * l.inShape.width;
        const mean = pre.mean;
        kappaOf = (o) => {
          let s = 0;
          for (let k = 0; k < l.fanIn; k++) s += (v.W[k * l.out + o]! >= 0 ? 1 : -1) * mean[Math.floor(k / hw)]!;
          return v.b[o]! - pre.scale * s;
        };
      } else kappaOf = (o) => v.b[o]!;
      const il: InputLayer = {
        type: 'input',
        kind: l.kind,
        inShape: l.inShape,
        outShape: l.outShape,
        kernel: conv ? l.kernel : 0,
        stride: conv ? 1 : 0,
        padding: conv ? l.padding : 0,
        pool,
        fanIn: l.fanIn,
        weights,
        thresholds: thresholds(l, v, 255 * l.fanIn, kappaOf, alpha),
      };
      return il;
    }
    if (l.type === 'binary') {
      const bl: BinaryLayer = {
        type: 'binary',
        kind: l.kind,
        inShape: l.inShape,
        outShape: l.outShape,
        kernel: conv ? l.kernel : 0,
        stride: conv ? 1 : 0,
        padding: conv ? l.padding : 0,
        pool,
        fanIn: l.fanIn,
        groups: l.groups,
        grouping: l.grouping,
        outChannels: l.out,
        weights,
        thresholds: thresholds(l, v, l.fanIn / l.groups),
      };
      return bl;
    }
    const f64 = (a: Float32Array) => Float64Array.from(a);
    const cl: ClassifierLayer = {
      type: 'classifier',
      inShape: l.inShape,
      fanIn: l.fanIn,
      classes: l.out,
      weights,
      bias: f64(v.b),
      gamma: f64(v.gamma),
      beta: f64(v.beta),
      mean: f64(v.mean),
      variance: f64(v.variance),
      epsilon: BN_EPSILON,
    };
    return cl;
  });
  return {
    name: meta.name,
    dataset: meta.dataset,
    arraySize: spec.arraySize,
    baseline: meta.baseline,
    preprocess: { scale: pre.scale / 255, mean: pre.mean ? pre.mean.map((m) => m * 255) : null },
    layers,
    metrics: meta.metrics,
    training: meta.training,
  };
}
