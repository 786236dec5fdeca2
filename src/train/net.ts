/**
 * The trainable binary network in tfjs: parameters, straight-through estimators and the forward
 * pass (training mode with batch statistics, eval mode with running statistics).
 *
 * Per layer (spec.ts): binary weights W in field layout (G, K/G, O) (real-valued "latent"
 * weights, clipped to [-1, 1], binarised with sign(0) = +1 in the forward pass), bias b, batch
 * norm gamma, beta and running mean/variance, all of shape (G, O) (one per group and neuron; G = 1
 * for unsplit layers, the input layer and the classifier).
 *
 * Hidden layer: a = dot + b -> [max-pool 2x2 on a, per group] -> BN -> sign (STE gated by
 * HardTanh: gradient passes where |BN output| <= 1) -> [G > 1: majority merge
 * sign(sum of the G signs), sign(0) = +1, whose backward copies the gradient to every group].
 * Classifier: a = dot + b -> BN -> scores. Loss: squared hinge (margin 1) on +-1 one-hot targets,
 * averaged over batch and classes (BinaryNet / the seed).
 *
 * Layout: tfjs tensors are NHWC; archsim's maps are (c, y, x). Dense layers after a conv
 * transpose NHWC -> NCHW before flattening, so their K axis is archsim's (c, y, x) order. Conv
 * receptive fields are flattened in (c, kh, kw) order. Unsplit convs use tf.conv2d with the
 * field-layout weights reshaped to (kh, kw, C, O); split convs build the patch matrix from k*k
 * shifted slices of the zero-padded input and run one batched matmul over the G groups (no masked
 * full convolutions). Zero padding contributes 0 to a +-1 dot, as the engine's "padding is not an
 * input" rule requires.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerSpec, NetSpec } from './spec.ts';
import { Rng } from './rng.ts';

export const BN_EPSILON = 1e-4;
export const BN_MOMENTUM = 0.9;

export interface LayerParams {
  W: tf.Variable; // (G, K/G, O)
  b: tf.Variable; // (G, O)
  gamma: tf.Variable;
  beta: tf.Variable;
  mean: tf.Variable; // running, not trainable
  variance: tf.Variable;
}

export interface Net {
  spec: NetSpec;
  params: LayerParams[];
}

/** Names and order of every variable (checkpoints, exports). */
import { PARAM_KEYS, type ParamKey } from './params.ts';
export { PARAM_KEYS, type ParamKey };
export const TRAINABLE_KEYS: ParamKey[] = ['W', 'b', 'gamma', 'beta'];

export function paramShape(l: LayerSpec, key: ParamKey): number[] {
  return key === 'W' ? [l.groups, l.fanIn / l.groups, l.out] : [l.groups, l.out];
}

/** Initial values: W uniform(-1, 1) (BinaryNet H = 1), b = 0, gamma = 1, beta = 0, mean 0, var 1. */
export function initialValues(spec: NetSpec, seed: number): Record<ParamKey, Float32Array>[] {
  const rng = new Rng(seed);
  return spec.layers.map((l) => {
    const n = l.fanIn * l.out;
    const W = new Float32Array(n);
    for (let i = 0; i < n; i++) W[i] = rng.uniform(-1, 1);
    const m = l.groups * l.out;
    return { W, b: new Float32Array(m), gamma: new Float32Array(m).fill(1), beta: new Float32Array(m), mean: new Float32Array(m), variance: new Float32Array(m).fill(1) };
  });
}

export function createNet(spec: NetSpec, values: Record<ParamKey, Float32Array>[]): Net {
  const params = spec.layers.map((l, i) => {
    const v = values[i]!;
    const mk = (k: ParamKey) => tf.variable(tf.tensor(v[k], paramShape(l, k), 'float32'), TRAINABLE_KEYS.includes(k), `l${i}_${k}_${Math.random().toString(36).slice(2, 8)}`);
    return { W: mk('W'), b: mk('b'), gamma: mk('gamma'), beta: mk('beta'), mean: mk('mean'), variance: mk('variance') };
  });
  return { spec, params };
}

export function disposeNet(net: Net): void {
  for (const p of net.params) for (const k of PARAM_KEYS) p[k].dispose();
}

export async function readParams(net: Net): Promise<Record<ParamKey, Float32Array>[]> {
  const out: Record<ParamKey, Float32Array>[] = [];
  for (const p of net.params) {
    const r = {} as Record<ParamKey, Float32Array>;
    for (const k of PARAM_KEYS) r[k] = (await p[k].data()) as Float32Array;
    out.push(r);
  }
  return out;
}

export function trainableVariables(net: Net): tf.Variable[] {
  return net.params.flatMap((p) => TRAINABLE_KEYS.map((k) => p[k]));
}

// ------------------------------------------------------------------ straight-through estimators

/**
 * +1 where x >= 0, else -1 (sign(0) = +1, also for -0): -step(-x, -1), as step(v, a) is 1 for
 * v > 0 and a otherwise. Three float kernels instead of greaterEqual + cast + mul + sub, whose
 * bool intermediate is slow on the wasm backend (binarising the 14M latent weights every step).
 */
export function signPM(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.step(tf.neg(x), -1)));
}

/** sign with the HardTanh-gated straight-through gradient: dL/dx = dL/dy * (|x| <= 1). */
export const signSTE: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x: any, save: any) => {
  save([x]);
  return {
    value: signPM(x),
    gradFunc: (dy: any, saved: any) => tf.mul(dy, tf.cast(tf.lessEqual(tf.abs(saved[0]), 1), 'float32')),
  };
}) as any;

/** sign with an identity straight-through gradient (binary weights: latent weights are clipped to [-1, 1]; the majority merge). */
export const signIdentity: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x: any) => ({
  value: signPM(x),
  gradFunc: (dy: any) => dy,
})) as any;

// ------------------------------------------------------------------ matrix products

/**
 * Grouped product (G, M, K) @ (G, K, O) -> (G, M, O) written as G plain 2-D products, forward
 * and backward, none with a transpose flag: dA_g = (B_g @ dY_g^T)^T and dB_g = A_g^T @ dY_g with
 * the small operands transposed explicitly.
 *
 * Why: tfjs-backend-wasm sends only untransposed, unbatched products to XNNPACK; a transposed
 * operand or a batch dimension > 1 takes a naive loop that is 10-15x slower (measured on
 * 100x2048 @ 2048x2048: 45 ms through XNNPACK, 630 ms with transposeB, 880 ms with transposeA,
 * 740 ms batched over 4 groups). tf.matMul's own gradient uses both flags, so the backward pass
 * of the seed MLP ran at ~1 GFLOP/s and made training ~8x slower than its matrix products allow.
 * XNNPACK packs the right operand on every new tensor, so the large (K, O) weight matrix is kept
 * as a left operand in the backward products.
 */
function makeGroupedMatMulFast(inputGrad: boolean): (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D {
  return tf.customGrad((a: any, b: any, save: any) => {
    save([a, b]);
    return {
      value: perGroup(a, b, (ag, bg) => tf.matMul(ag, bg)),
      gradFunc: (dy: any, saved: any) => {
        const [sa, sb] = saved as tf.Tensor3D[];
        const da = inputGrad ? perGroup(dy, sb!, (dg, bg) => tf.transpose(tf.matMul(bg, tf.transpose(dg))) as tf.Tensor2D) : tf.zerosLike(sa!);
        const db = perGroup(sa!, dy, (ag, dg) => tf.matMul(tf.transpose(ag), dg));
        return [da, db];
      },
    };
  }) as any;
}
export const groupedMatMulFast = makeGroupedMatMulFast(true);
/** The same product for a first layer, whose input (the images) needs no gradient: dA is zero. */
export const groupedMatMulFastNoInputGrad = makeGroupedMatMulFast(false);

/** Applies f to the G pairs of 2-D slices of x (G, ., .) and y (G, ., .) and stacks the results. */
function perGroup(x: tf.Tensor3D, y: tf.Tensor3D, f: (xg: tf.Tensor2D, yg: tf.Tensor2D) => tf.Tensor2D): tf.Tensor3D {
  const G = x.shape[0];
  const two = (t: tf.Tensor3D, g: number): tf.Tensor2D => {
    const s2: [number, number] = [t.shape[1], t.shape[2]];
    return G === 1 ? tf.reshape(t, s2) : tf.reshape(tf.slice(t, [g, 0, 0], [1, s2[0], s2[1]]), s2);
  };
  const parts: tf.Tensor[] = [];
  for (let g = 0; g < G; g++) {
    const r = f(two(x, g), two(y, g));
    parts.push(tf.reshape(r, [1, r.shape[0], r.shape[1]]));
  }
  return (G === 1 ? parts[0]! : tf.concat(parts, 0)) as tf.Tensor3D;
}

/**
 * Stride-1 conv for the wasm backend: x (N, H, W, Cs) NHWC, w (Cs*k*k, O) in (c, kh, kw) row
 * order -> (N, Ho, Wo, O). Forward and input gradient are XNNPACK convolutions (the input
 * gradient is the conv of dy with the rotated, channel-swapped filter); the filter gradient is
 * one product per kernel tap, dW[c, kh, kw, :] = (dy^T @ x_shift(kh, kw))^T, with dy transposed
 * once. Why: tfjs-wasm has no Conv2DBackpropFilter, and the patch-matrix route spent most of its
 * time transposing the (N*Ho*Wo, Cs*k*k) patch matrix (measured with --cpu-prof, bench/RESULTS.md).
 */
function makeConvXnn(inputGrad: boolean, k: number, pad: number): (x: tf.Tensor4D, w: tf.Tensor2D) => tf.Tensor4D {
  return tf.customGrad((x: any, w: any, save: any) => {
    save([x, w]);
    const [, , , cs] = (x as tf.Tensor4D).shape;
    const O = (w as tf.Tensor2D).shape[1];
    const filt = tf.transpose(tf.reshape(w, [cs, k, k, O]), [1, 2, 0, 3]) as tf.Tensor4D; // (kh, kw, c, O)
    return {
      value: tf.conv2d(x, filt, 1, pad),
      gradFunc: (dy: any, saved: any) => {
        const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor2D];
        const [n, h, wd] = sx.shape;
        const [, ho, wo] = (dy as tf.Tensor4D).shape;
        const M = n * ho * wo;
        const xp = pad > 0 ? tf.pad(sx, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : sx;
        const dyT = tf.transpose(tf.reshape(dy, [M, O])) as tf.Tensor2D; // (O, M)
        const taps: tf.Tensor[] = [];
        for (let kh = 0; kh < k; kh++)
          for (let kw = 0; kw < k; kw++) {
            const xs = tf.reshape(tf.slice(xp, [0, kh, kw, 0], [n, ho, wo, cs]), [M, cs]);
            taps.push(tf.reshape(tf.matMul(dyT, xs), [1, O, cs]));
          }
        // (k*k, O, cs) -> (cs, k*k, O) = (c, kh, kw) rows
        const dw = tf.reshape(tf.transpose(tf.concat(taps, 0), [2, 0, 1]), [cs * k * k, O]);
        let dx: tf.Tensor;
        if (inputGrad) {
          const fw = tf.transpose(tf.reshape(sw, [cs, k, k, O]), [1, 2, 0, 3]);
          const rot = tf.transpose(tf.reverse(fw, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // (kh, kw, O, c)
          dx = tf.conv2d(dy, rot, 1, k - 1 - pad);
          if (dx.shape[1] !== h || dx.shape[2] !== wd) throw new Error(`convXnn: input gradient shape ${dx.shape} != ${sx.shape}`);
        } else dx = tf.zerosLike(sx);
        return [dx, dw];
      },
    };
  }) as any;
}
const convXnnCache = new Map<string, (x: tf.Tensor4D, w: tf.Tensor2D) => tf.Tensor4D>();
export function convXnn(x: tf.Tensor4D, w: tf.Tensor2D, k: number, pad: number, inputGrad: boolean): tf.Tensor4D {
  const key = `${inputGrad}:${k}:${pad}`;
  let f = convXnnCache.get(key);
  if (!f) convXnnCache.set(key, (f = makeConvXnn(inputGrad, k, pad)));
  return f(x, w);
}

/**
 * Split conv on the wasm backend: group g owns rows [g*per, (g+1)*per) of the (c, kh, kw)
 * receptive field, i.e. whole taps of channels [c0, c1); its weights are zero-padded to those
 * channels' full k*k taps and convolved with that channel slice of x. Returns (G*N, Ho, Wo, O).
 */
export function groupedConvXnn(x: tf.Tensor4D, Wb: tf.Tensor3D, k: number, pad: number, inputGrad: boolean): tf.Tensor4D {
  const [G, per, O] = Wb.shape;
  const c = x.shape[3];
  const k2 = k * k;
  if (G === 1) return convXnn(x, tf.reshape(Wb, [per, O]) as tf.Tensor2D, k, pad, inputGrad);
  const outs: tf.Tensor4D[] = [];
  for (let g = 0; g < G; g++) {
    const r0 = g * per;
    const c0 = Math.floor(r0 / k2);
    const c1 = Math.ceil((r0 + per) / k2);
    const wg = tf.reshape(tf.slice(Wb, [g, 0, 0], [1, per, O]), [per, O]);
    const wpad = tf.pad(wg, [[r0 - c0 * k2, c1 * k2 - r0 - per], [0, 0]]) as tf.Tensor2D;
    const xg = c0 === 0 && c1 === c ? x : (tf.slice(x, [0, 0, 0, c0], [-1, -1, -1, c1 - c0]) as tf.Tensor4D);
    outs.push(convXnn(xg, wpad, k, pad, inputGrad));
  }
  return tf.concat(outs, 0);
}

/** Whether products go through groupedMatMulFast (the wasm backend) or tf.matMul (elsewhere). */
let fastMatMul: boolean | null = null;
export function setFastMatMul(on: boolean | null): void {
  fastMatMul = on;
}
function useFast(): boolean {
  return fastMatMul ?? tf.getBackend() === 'wasm';
}

/** (G, M, K) @ (G, K, O) */
export function groupedMatMul(a: tf.Tensor3D, b: tf.Tensor3D, inputGrad = true): tf.Tensor3D {
  if (useFast()) return inputGrad ? groupedMatMulFast(a, b) : groupedMatMulFastNoInputGrad(a, b);
  if (a.shape[0] === 1) return tf.reshape(tf.matMul(tf.reshape(a, a.shape.slice(1) as [number, number]), tf.reshape(b, b.shape.slice(1) as [number, number])), [1, a.shape[1], b.shape[2]]) as tf.Tensor3D;
  return tf.matMul(a, b);
}

// ------------------------------------------------------------------ forward

export interface ForwardOptions {
  training: boolean;
  /** training: collects each layer's batch (mean, variance), shape (G, O), kept out of tidy */
  moments?: { mean: tf.Tensor; variance: tf.Tensor }[];
  /** collects every hidden layer's output (+-1) flattened per image in archsim's (c, y, x) order, kept out of tidy (tests) */
  collect?: tf.Tensor2D[];
  /** training only: dropout rates on the first layer's input and on every later layer's input; seed of this step's masks */
  dropout?: { input: number; hidden: number; seed: number };
}

/** NHWC -> flattened (c, y, x) */
export function flattenCHW(x: tf.Tensor): tf.Tensor2D {
  if (x.rank === 2) return x as tf.Tensor2D;
  const n = x.shape[0]!;
  return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n, -1]) as tf.Tensor2D;
}

/**
 * Batch norm over `a` of shape (G, M, O) (M = samples x positions): training uses the batch
 * moments over axis 1, eval the running ones.
 */
function batchNorm(a: tf.Tensor3D, p: LayerParams, li: number, o: ForwardOptions): tf.Tensor3D {
  const G = a.shape[0];
  const O = a.shape[2];
  let mean: tf.Tensor;
  let variance: tf.Tensor;
  if (o.training) {
    if (useFast()) {
      // tfjs-wasm reduces a non-last axis by transposing first; a product with a row of 1/M is an
      // XNNPACK GEMM instead
      const M = a.shape[1];
      const w = tf.fill([G, 1, M], 1 / M) as tf.Tensor3D;
      mean = groupedMatMul(w, a, false);
      variance = groupedMatMul(w, tf.square(tf.sub(a, mean)) as tf.Tensor3D, false);
    } else {
      const m = tf.moments(a, [1], true);
      mean = m.mean;
      variance = m.variance;
    }
    if (o.moments) o.moments[li] = { mean: tf.keep(tf.reshape(mean, [G, O])), variance: tf.keep(tf.reshape(variance, [G, O])) };
  } else {
    mean = tf.reshape(p.mean, [G, 1, O]);
    variance = tf.reshape(p.variance, [G, 1, O]);
  }
  const inv = tf.rsqrt(tf.add(variance, BN_EPSILON));
  return tf.add(tf.mul(tf.mul(tf.sub(a, mean), inv), tf.reshape(p.gamma, [G, 1, O])), tf.reshape(p.beta, [G, 1, O])) as tf.Tensor3D;
}

/** Patch matrix of a stride-1 conv: (N*Ho*Wo, C*k*k) in (c, kh, kw) order. x is NHWC. */
export function patches(x: tf.Tensor4D, k: number, pad: number): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  const ho = h + 2 * pad - k + 1;
  const wo = w + 2 * pad - k + 1;
  const xp = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x;
  const slices: tf.Tensor[] = [];
  for (let kh = 0; kh < k; kh++) for (let kw = 0; kw < k; kw++) slices.push(tf.reshape(tf.slice(xp, [0, kh, kw, 0], [n, ho, wo, c]), [1, n * ho * wo, c]));
  // Stacked on a leading axis (k*k, M, c): whole-block copies (a concat on the channel axis copies
  // c values at a time, slow on the wasm backend), then one transpose to (M, c, k*k), i.e. the
  // (c, kh, kw) column order. (tf.stack's gradient, Unpack, is very slow on the cpu backend.)
  const cat = tf.concat(slices, 0);
  return tf.reshape(tf.transpose(cat, [1, 2, 0]), [n * ho * wo, c * k * k]) as tf.Tensor2D;
}

/**
 * Pre-BN sums a = dot + b of one layer, as (G, M, O) with M = N * (post-pool positions), and
 * the post-pool spatial shape. x: (N, K) for dense, NHWC for conv.
 */
function preActivation(l: LayerSpec, p: LayerParams, x: tf.Tensor, first = false): { a: tf.Tensor3D; n: number; ho: number; wo: number } {
  const G = l.groups;
  const per = l.fanIn / G;
  const O = l.out;
  const Wb = signIdentity(p.W); // (G, per, O)
  const bias = tf.reshape(p.b, [G, 1, O]);
  if (l.kind === 'dense') {
    const x2 = flattenCHW(x);
    const n = x2.shape[0];
    let dots: tf.Tensor3D;
    if (G === 1) dots = groupedMatMul(tf.reshape(x2, [1, n, per]), Wb as tf.Tensor3D, !first);
    else dots = groupedMatMul(tf.transpose(tf.reshape(x2, [n, G, per]), [1, 0, 2]) as tf.Tensor3D, Wb as tf.Tensor3D, !first);
    return { a: tf.add(dots, bias) as tf.Tensor3D, n, ho: 1, wo: 1 };
  }
  const x4 = x as tf.Tensor4D;
  const [n, h, w, c] = x4.shape;
  const k = l.kernel;
  let ho = h + 2 * l.padding - k + 1;
  let wo = w + 2 * l.padding - k + 1;
  let a: tf.Tensor4D; // (G*N, Ho, Wo, O)
  if (useFast()) {
    a = groupedConvXnn(x4, Wb as tf.Tensor3D, k, l.padding, !first);
  } else if (G === 1) {
    const filt = tf.transpose(tf.reshape(Wb, [c, k, k, O]), [1, 2, 0, 3]) as tf.Tensor4D;
    a = tf.conv2d(x4, filt, 1, l.padding === 0 ? 'valid' : l.padding) as tf.Tensor4D;
  } else {
    const P = patches(x4, k, l.padding); // (N*Ho*Wo, K)
    const grouped = tf.transpose(tf.reshape(P, [n * ho * wo, G, per]), [1, 0, 2]) as tf.Tensor3D; // (G, M, per)
    a = tf.reshape(groupedMatMul(grouped, Wb as tf.Tensor3D), [G * n, ho, wo, O]) as tf.Tensor4D;
  }
  // bias before pooling (max(dot) + b = max(dot + b)); pooling per group on the pre-BN sums
  if (l.pool) {
    a = tf.maxPool(a, 2, 2, 'valid');
    ho = a.shape[1];
    wo = a.shape[2];
  }
  return { a: tf.add(tf.reshape(a, [G, n * ho * wo, O]), bias) as tf.Tensor3D, n, ho, wo };
}

/**
 * One hidden layer (input or binary): x -> +-1 output, NHWC for conv layers, (N, O) for dense.
 * Layer index li only names the slot for collected moments; inputIsData (the network's first
 * layer) skips the gradient with respect to x.
 */
export function hiddenForward(l: LayerSpec, p: LayerParams, x: tf.Tensor, li: number, o: ForwardOptions, inputIsData = false): tf.Tensor {
  const { a, n, ho, wo } = preActivation(l, p, x, inputIsData);
  const y = batchNorm(a, p, li, o); // (G, M, O)
  let s = signSTE(y); // (G, M, O)
  if (l.groups > 1) s = signIdentity(tf.sum(s, 0)); // majority, tie -> +1
  else s = tf.reshape(s, [n * ho * wo, l.out]);
  return l.kind === 'conv' ? tf.reshape(s, [n, ho, wo, l.out]) : tf.reshape(s, [n, l.out]);
}

/** Forward pass. x: (N, K) for a dense first layer, NHWC for a conv one. Returns scores (N, classes). */
export function forward(net: Net, x: tf.Tensor, o: ForwardOptions): tf.Tensor2D {
  let h = x;
  const L = net.spec.layers;
  for (let i = 0; i < L.length; i++) {
    const l = L[i]!;
    const p = net.params[i]!;
    const rate = o.training && o.dropout ? (i === 0 ? o.dropout.input : o.dropout.hidden) : 0;
    if (rate > 0) h = tf.dropout(h, rate, undefined, o.dropout!.seed * 64 + i);
    if (l.type === 'classifier') {
      const { a, n } = preActivation(l, p, h);
      return tf.reshape(batchNorm(a, p, i, o), [n, l.out]) as tf.Tensor2D;
    }
    h = hiddenForward(l, p, h, i, o, i === 0);
    if (o.collect) o.collect.push(tf.keep(flattenCHW(h)));
  }
  throw new Error('network has no classifier');
}

/** Squared hinge loss (margin 1) on +-1 one-hot targets, mean over batch and classes. */
export function squaredHinge(scores: tf.Tensor2D, labels: tf.Tensor1D, classes: number): tf.Scalar {
  return tf.tidy(() => {
    const t = tf.sub(tf.mul(tf.oneHot(labels, classes).toFloat(), 2), 1);
    return tf.mean(tf.square(tf.relu(tf.sub(1, tf.mul(t, scores))))) as tf.Scalar;
  });
}

/** Updates running BN statistics from the collected batch moments (momentum BN_MOMENTUM). */
export function updateRunningStats(net: Net, moments: { mean: tf.Tensor; variance: tf.Tensor }[]): void {
  tf.tidy(() => {
    net.params.forEach((p, i) => {
      const m = moments[i];
      if (!m) return;
      p.mean.assign(tf.add(tf.mul(p.mean, BN_MOMENTUM), tf.mul(m.mean, 1 - BN_MOMENTUM)));
      p.variance.assign(tf.add(tf.mul(p.variance, BN_MOMENTUM), tf.mul(m.variance, 1 - BN_MOMENTUM)));
    });
  });
  for (const m of moments) {
    if (!m) continue;
    m.mean.dispose();
    m.variance.dispose();
  }
}
