/**
 * The CPU reference engine: the oracle every other backend is tested against.
 *
 * Written for clarity, not speed: one image at a time, one output position at a time, receptive
 * fields gathered into 32-bit words per group, XNOR and a SWAR popcount per word. It follows
 * ../shared/NUMERICS.md line by line; where it and NUMERICS.md disagree, this file is wrong.
 */
import type { BinaryLayer, ClassifierLayer, InputLayer, Model } from '../model/types.ts';
import { mapSize, wordsFor } from '../model/types.ts';
import type { Engine, EvalOptions, EvalResult, InputBatch, LayerActivity, Readout } from './types.ts';
import { adcStep, argmaxScores, classifierScore, emptyActivity, finishResult, thresholdBit } from './common.ts';

/** SWAR popcount of a 32-bit word. */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  v = (v + (v >>> 4)) & 0x0f0f0f0f;
  return Math.imul(v, 0x01010101) >>> 24;
}

/** Mask of bits [lo, hi) that fall into word w (bit positions relative to the vector). */
function rangeMask(w: number, lo: number, hi: number): number {
  const start = Math.max(lo - w * 32, 0);
  const end = Math.min(hi - w * 32, 32);
  if (end <= start) return 0;
  const width = end - start;
  const ones = width === 32 ? 0xffffffff : (1 << width) - 1;
  return (ones << start) >>> 0;
}

/**
 * A receptive field gathered for one output position, as 0/1 values with a validity flag per
 * element, in (c, kh, kw) order for conv layers and (c, y, x) order for dense layers.
 */
interface Field {
  bits: Uint8Array;
  valid: Uint8Array;
}

function gatherField(
  map: Uint8Array,
  layer: { kind: 'dense' | 'conv'; inShape: { channels: number; height: number; width: number }; kernel: number; stride: number; padding: number },
  oy: number,
  ox: number,
  field: Field,
): void {
  if (layer.kind === 'dense') {
    field.bits.set(map);
    field.valid.fill(1);
    return;
  }
  const { channels: C, height: H, width: W } = layer.inShape;
  const k = layer.kernel;
  let e = 0;
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < k; kh++) {
      for (let kw = 0; kw < k; kw++, e++) {
        const y = oy * layer.stride - layer.padding + kh;
        const x = ox * layer.stride - layer.padding + kw;
        if (y >= 0 && y < H && x >= 0 && x < W) {
          field.bits[e] = map[(c * H + y) * W + x]!;
          field.valid[e] = 1;
        } else {
          field.bits[e] = 0;
          field.valid[e] = 0;
        }
      }
    }
  }
}

/** Packs elements [lo, lo + n) of a 0/1 array into words, LSB first. */
function packSlice(src: Uint8Array, lo: number, n: number, out: Uint32Array): void {
  out.fill(0);
  for (let i = 0; i < n; i++) if (src[lo + i]) out[i >>> 5] = (out[i >>> 5]! | (1 << (i & 31))) >>> 0;
}

/** Pre-pool output positions of a layer (conv: output map; dense: 1x1). */
function preShape(layer: InputLayer | BinaryLayer): { h: number; w: number } {
  if (layer.kind === 'dense') return { h: 1, w: 1 };
  const h = Math.floor((layer.inShape.height + 2 * layer.padding - layer.kernel) / layer.stride) + 1;
  const w = Math.floor((layer.inShape.width + 2 * layer.padding - layer.kernel) / layer.stride) + 1;
  return { h, w };
}

/**
 * Pools per-position threshold bits of one (neuron, group): OR for d = +1, AND for d = -1
 * (NUMERICS.md: max-pooling of the dots before the threshold), constant for d = 0.
 */
function poolBits(pre: Uint8Array, pw: number, layer: InputLayer | BinaryLayer, d: number, out: Uint8Array): void {
  const pool = layer.pool;
  if (!pool) {
    out.set(pre);
    return;
  }
  const oh = layer.outShape.height;
  const ow = layer.outShape.width;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let acc = d === -1 ? 1 : 0;
      for (let dy = 0; dy < pool.size; dy++) {
        for (let dx = 0; dx < pool.size; dx++) {
          const b = pre[(y * pool.stride + dy) * pw + (x * pool.stride + dx)]!;
          acc = d === -1 ? acc & b : acc | b;
        }
      }
      out[y * ow + x] = acc;
    }
  }
}

function runInputLayer(layer: InputLayer, pixels: Uint8Array, act: LayerActivity): Uint8Array {
  const { h: ph, w: pw } = preShape(layer);
  const K = layer.fanIn;
  const N = layer.outShape.channels;
  const wpr = wordsFor(K);
  const P = ph * pw;
  const out = new Uint8Array(mapSize(layer.outShape));
  const pre = new Uint8Array(N * P);
  // gather raw pixels for each position (conv) or take the whole image (dense)
  const vals = new Int32Array(K);
  const valid = new Uint8Array(K);
  const { channels: C, height: H, width: W } = layer.inShape;
  for (let oy = 0; oy < ph; oy++) {
    for (let ox = 0; ox < pw; ox++) {
      if (layer.kind === 'dense') {
        for (let i = 0; i < K; i++) {
          vals[i] = pixels[i]!;
          valid[i] = 1;
        }
      } else {
        let e = 0;
        for (let c = 0; c < C; c++)
          for (let kh = 0; kh < layer.kernel; kh++)
            for (let kw = 0; kw < layer.kernel; kw++, e++) {
              const y = oy * layer.stride - layer.padding + kh;
              const x = ox * layer.stride - layer.padding + kw;
              const ok = y >= 0 && y < H && x >= 0 && x < W;
              valid[e] = ok ? 1 : 0;
              vals[e] = ok ? pixels[(c * H + y) * W + x]! : 0;
            }
      }
      let nValid = 0;
      let nonzero = 0;
      for (let i = 0; i < K; i++) {
        if (valid[i]) {
          nValid++;
          if (vals[i]) nonzero++;
        }
      }
      act.vectors += 1;
      act.drivenRows += nValid;
      act.activeInputs += nonzero;
      act.macs += nValid * N;
      for (let o = 0; o < N; o++) {
        let dot = 0;
        for (let i = 0; i < K; i++) {
          if (!valid[i]) continue;
          const wbit = (layer.weights[o * wpr + (i >>> 5)]! >>> (i & 31)) & 1;
          dot += wbit ? vals[i]! : -vals[i]!;
        }
        pre[o * P + oy * pw + ox] = thresholdBit(dot, layer.thresholds, o);
      }
    }
  }
  const tmp = new Uint8Array(layer.outShape.height * layer.outShape.width);
  for (let o = 0; o < N; o++) {
    poolBits(pre.subarray(o * P, (o + 1) * P), pw, layer, layer.thresholds.d[o]!, tmp);
    out.set(tmp, o * tmp.length);
  }
  countOutputs(out, act);
  return out;
}

function countOutputs(out: Uint8Array, act: LayerActivity): void {
  act.outputs += out.length;
  for (let i = 0; i < out.length; i++) act.onesOut += out[i]!;
}

/** Row blocks of one group for a readout: [start, end) offsets within the group's slice. */
export function groupBlocks(per: number, readout: Readout): [number, number][] {
  if (readout.kind === 'sense') return [[0, per]];
  const blocks: [number, number][] = [];
  for (let lo = 0; lo < per; lo += readout.rows) blocks.push([lo, Math.min(lo + readout.rows, per)]);
  return blocks;
}

function runBinaryLayer(layer: BinaryLayer, layerIndex: number, map: Uint8Array, readout: Readout, act: LayerActivity): Uint8Array {
  const { h: ph, w: pw } = preShape(layer);
  const P = ph * pw;
  const K = layer.fanIn;
  const G = layer.groups;
  const per = K / G;
  const N = layer.outChannels;
  const wpr = wordsFor(per);
  const blocks = groupBlocks(per, readout);
  const adc = readout.kind === 'adc' ? adcStep(readout, layerIndex) : null;
  act.blocksPerVector = G * blocks.length;

  const field: Field = { bits: new Uint8Array(K), valid: new Uint8Array(K) };
  const xw = new Uint32Array(wpr);
  const vw = new Uint32Array(wpr);
  // threshold bits before pooling, per (o, g, position)
  const pre = new Uint8Array(N * G * P);
  for (let oy = 0; oy < ph; oy++) {
    for (let ox = 0; ox < pw; ox++) {
      const pos = oy * pw + ox;
      gatherField(map, layer, oy, ox, field);
      act.vectors += 1;
      for (let g = 0; g < G; g++) {
        packSlice(field.bits, g * per, per, xw);
        packSlice(field.valid, g * per, per, vw);
        // input-side counts, per block (independent of the weights)
        for (const [lo, hi] of blocks) {
          for (let w = 0; w < wpr; w++) {
            const m = rangeMask(w, lo, hi);
            act.drivenRows += popcount32(vw[w]! & m);
            act.activeInputs += popcount32(xw[w]! & vw[w]! & m);
            act.macs += popcount32(vw[w]! & m) * N;
          }
        }
        for (let o = 0; o < N; o++) {
          const row = (o * G + g) * wpr;
          let dot = 0;
          for (const [lo, hi] of blocks) {
            let m = 0;
            let n = 0;
            for (let w = 0; w < wpr; w++) {
              const mask = rangeMask(w, lo, hi) & vw[w]!;
              const xnor = ~(xw[w]! ^ layer.weights[row + w]!);
              m += popcount32(xnor & mask);
              n += popcount32(mask);
            }
            act.matches += m;
            act.conversions += 1;
            if (adc) {
              // b-bit ADC: q = min(floor((2m + s) / (2s)), L - 1), reconstructed m^ = q*s
              const q = Math.min(Math.floor((2 * m + adc.s) / (2 * adc.s)), adc.L - 1);
              if (m > (adc.L - 1) * adc.s) act.saturations += 1;
              dot += 2 * q * adc.s - n;
            } else {
              dot += 2 * m - n;
            }
          }
          pre[(o * G + g) * P + pos] = thresholdBit(dot, layer.thresholds, o * G + g);
        }
      }
    }
  }
  // pooling per (o, g), then majority over g
  const OP = layer.outShape.height * layer.outShape.width;
  const pooled = new Uint8Array(OP);
  const ones = new Int32Array(OP);
  const out = new Uint8Array(N * OP);
  for (let o = 0; o < N; o++) {
    ones.fill(0);
    for (let g = 0; g < G; g++) {
      const idx = o * G + g;
      poolBits(pre.subarray(idx * P, (idx + 1) * P), pw, layer, layer.thresholds.d[idx]!, pooled);
      for (let q = 0; q < OP; q++) ones[q]! += pooled[q]!;
    }
    // majority with ties to +1: 2*ones >= G
    for (let q = 0; q < OP; q++) out[o * OP + q] = 2 * ones[q]! >= G ? 1 : 0;
  }
  if (G > 1) act.majorityOps += N * OP;
  countOutputs(out, act);
  return out;
}

function runClassifier(layer: ClassifierLayer, map: Uint8Array, act: LayerActivity, dots: Int32Array): void {
  const K = layer.fanIn;
  const wpr = wordsFor(K);
  const xw = new Uint32Array(wpr);
  packSlice(map, 0, K, xw);
  const tail = rangeMask(wpr - 1, 0, K);
  act.vectors += 1;
  act.drivenRows += K;
  let onesIn = 0;
  for (let w = 0; w < wpr; w++) onesIn += popcount32(xw[w]! & (w === wpr - 1 ? tail : 0xffffffff));
  act.activeInputs += onesIn;
  act.macs += K * layer.classes;
  for (let c = 0; c < layer.classes; c++) {
    let m = 0;
    for (let w = 0; w < wpr; w++) {
      const mask = w === wpr - 1 ? tail : 0xffffffff;
      m += popcount32(~(xw[w]! ^ layer.weights[c * wpr + w]!) & mask);
    }
    act.matches += m;
    dots[c] = 2 * m - K;
  }
  act.outputs += 1;
}

export interface ReferenceExtras {
  /** per layer (excluding the classifier): every image's output map as 0/1, concatenated */
  layerOutputs?: Uint8Array[];
  /** images x classes integer dots of the classifier */
  classifierDots?: Int32Array;
}

/** Evaluates a model image by image. `extras` collects intermediate results for tests. */
export function evaluateReference(model: Model, inputs: InputBatch, opts: EvalOptions, extras?: ReferenceExtras): EvalResult {
  const layers = model.layers;
  const classifier = layers[layers.length - 1] as ClassifierLayer;
  const activity = layers.map((_, i) => emptyActivity(i));
  const inSize = mapSize(layers[0]!.inShape);
  const predictions = new Uint8Array(inputs.count);
  const dots = new Int32Array(classifier.classes);
  const scores = new Float64Array(classifier.classes);
  if (extras) {
    extras.layerOutputs = layers.slice(0, -1).map((l) => new Uint8Array(inputs.count * mapSize((l as BinaryLayer).outShape)));
    extras.classifierDots = new Int32Array(inputs.count * classifier.classes);
  }
  for (let n = 0; n < inputs.count; n++) {
    const pixels = inputs.pixels.subarray(n * inSize, (n + 1) * inSize);
    let map = runInputLayer(layers[0] as InputLayer, pixels, activity[0]!);
    if (extras) extras.layerOutputs![0]!.set(map, n * map.length);
    for (let i = 1; i < layers.length - 1; i++) {
      map = runBinaryLayer(layers[i] as BinaryLayer, i, map, opts.readout, activity[i]!);
      if (extras) extras.layerOutputs![i]!.set(map, n * map.length);
    }
    runClassifier(classifier, map, activity[layers.length - 1]!, dots);
    if (extras) extras.classifierDots!.set(dots, n * classifier.classes);
    for (let c = 0; c < classifier.classes; c++) scores[c] = classifierScore(classifier, c, dots[c]!);
    predictions[n] = argmaxScores(scores);
  }
  activity[0]!.blocksPerVector = 1;
  activity[layers.length - 1]!.blocksPerVector = 1;
  return finishResult(predictions, inputs.labels, activity);
}

export function createReferenceEngine(): Engine {
  return {
    name: 'reference',
    async evaluate(model, inputs, opts) {
      return evaluateReference(model, inputs, opts);
    },
    dispose() {},
  };
}

