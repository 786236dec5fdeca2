import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/train/backend.ts';
import { createNet, hiddenForward, BN_EPSILON, type ParamKey } from '../../src/train/net.ts';
import { splitGroups, buildSpec, type LayerSpec, type NetSpec } from '../../src/train/spec.ts';
import { Rng } from '../../src/train/rng.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

function randomValues(l: LayerSpec, rng: Rng): Record<ParamKey, Float32Array> {
  const m = l.groups * l.out;
  const f = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => rng.uniform(lo, hi));
  return { W: f(l.fanIn * l.out, -1, 1), b: f(m, -1, 1), gamma: f(m, -1.5, 1.5), beta: f(m, -1, 1), mean: f(m, -3, 3), variance: f(m, 0.5, 8) };
}

const sgn = (v: number) => (v >= 0 ? 1 : -1);
const bn = (a: number, v: Record<ParamKey, Float32Array>, i: number) => (v.gamma[i]! * (a - v.mean[i]!)) / Math.sqrt(v.variance[i]! + BN_EPSILON) + v.beta[i]!;

function spec1(layer: LayerSpec): NetSpec {
  return { preset: 'test', dataset: 'mnist', input: layer.inShape, classes: 10, arraySize: 8, grouping: 'intra', layers: [layer] };
}

describe('split layers', () => {
  it('group counts follow the seed table', () => {
    // MNIST FC 2048 -> 2048
    expect([512, 256, 128].map((a) => splitGroups(2048, a))).toEqual([4, 8, 16]);
    // CIFAR conv 128->x (K = 1152), 256->x (2304), 512->512 (4608), FC 8192, FC 1024
    expect([512, 256, 128].map((a) => splitGroups(1152, a))).toEqual([3, 6, 9]);
    expect([512, 256, 128].map((a) => splitGroups(2304, a))).toEqual([6, 9, 18]);
    expect([512, 256, 128].map((a) => splitGroups(4608, a))).toEqual([9, 18, 36]);
    expect([512, 256, 128].map((a) => splitGroups(8192, a))).toEqual([16, 32, 64]);
    expect([512, 256, 128].map((a) => splitGroups(1024, a))).toEqual([2, 4, 8]);
    // channel grouping: whole channels per group
    expect(splitGroups(1152, 256, 'channel', { inChannels: 128, kernel: 3 })).toBe(8);
    const vgg = buildSpec({ preset: 'cifar-vgg', dataset: 'cifar10', arraySize: 256 });
    expect(vgg.layers.map((l) => l.groups)).toEqual([1, 6, 6, 9, 9, 18, 32, 4, 1]);
  });

  it('split dense forward = per-group dense + bias + BN + sign, then majority with ties to +1', () => {
    const rng = new Rng(11);
    for (const G of [2, 3, 4]) {
      const K = 12 * G;
      const O = 5;
      const N = 7;
      const layer: LayerSpec = { type: 'binary', kind: 'dense', inShape: { channels: K, height: 1, width: 1 }, out: O, kernel: 0, padding: 0, pool: false, fanIn: K, groups: G, grouping: 'intra', outShape: { channels: O, height: 1, width: 1 } };
      const v = randomValues(layer, rng);
      const net = createNet(spec1(layer), [v]);
      const x = Float32Array.from({ length: N * K }, () => (rng.next() < 0.5 ? -1 : 1));
      const out = tf.tidy(() => hiddenForward(layer, net.params[0]!, tf.tensor2d(x, [N, K]), 0, { training: false })).dataSync();
      const per = K / G;
      let ties = 0;
      for (let n = 0; n < N; n++)
        for (let o = 0; o < O; o++) {
          let votes = 0;
          for (let g = 0; g < G; g++) {
            let dot = 0;
            for (let j = 0; j < per; j++) dot += x[n * K + g * per + j]! * sgn(v.W[(g * per + j) * O + o]!);
            votes += sgn(bn(dot + v.b[g * O + o]!, v, g * O + o));
          }
          if (votes === 0) ties++;
          expect(out[n * O + o]).toBe(sgn(votes));
        }
      if (G === 2 || G === 4) expect(ties).toBeGreaterThan(0);
    }
  });

  it('split conv forward (patch matrix + grouped matmul, pooling on pre-BN sums) = hand-built per-group conv', () => {
    const rng = new Rng(5);
    const C = 3, H = 6, W = 6, O = 4, k = 3, N = 2;
    const K = C * k * k; // 27
    for (const G of [3, 9]) {
      const layer: LayerSpec = { type: 'binary', kind: 'conv', inShape: { channels: C, height: H, width: W }, out: O, kernel: k, padding: 1, pool: true, fanIn: K, groups: G, grouping: 'intra', outShape: { channels: O, height: 3, width: 3 } };
      const v = randomValues(layer, rng);
      const net = createNet(spec1(layer), [v]);
      // input in (n, c, y, x); tfjs gets NHWC
      const x = Float32Array.from({ length: N * C * H * W }, () => (rng.next() < 0.5 ? -1 : 1));
      const nhwc = new Float32Array(x.length);
      for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) nhwc[(n * H * W + p) * C + c] = x[(n * C + c) * H * W + p]!;
      const out = tf.tidy(() => hiddenForward(layer, net.params[0]!, tf.tensor4d(nhwc, [N, H, W, C]), 0, { training: false })).dataSync(); // (N, 3, 3, O)
      const per = K / G;
      for (let n = 0; n < N; n++)
        for (let o = 0; o < O; o++)
          for (let py = 0; py < 3; py++)
            for (let px = 0; px < 3; px++) {
              let votes = 0;
              for (let g = 0; g < G; g++) {
                let best = -Infinity;
                for (let dy = 0; dy < 2; dy++)
                  for (let dx = 0; dx < 2; dx++) {
                    const oy = 2 * py + dy, ox = 2 * px + dx;
                    let dot = 0;
                    for (let j = 0; j < per; j++) {
                      const e = g * per + j; // (c, kh, kw) field index
                      const c = Math.floor(e / 9), kh = Math.floor((e % 9) / 3), kw = e % 3;
                      const y = oy - 1 + kh, xx = ox - 1 + kw;
                      if (y < 0 || y >= H || xx < 0 || xx >= W) continue; // padding is not an input
                      dot += x[((n * C + c) * H + y) * W + xx]! * sgn(v.W[e * O + o]!);
                    }
                    best = Math.max(best, dot);
                  }
                votes += sgn(bn(best + v.b[g * O + o]!, v, g * O + o));
              }
              expect(out[((n * 3 + py) * 3 + px) * O + o]).toBe(sgn(votes));
            }
    }
  });

  it('gradients reach every group (majority merge copies the gradient)', () => {
    const rng = new Rng(9);
    const G = 4, K = 32, O = 6, N = 16;
    const layer: LayerSpec = { type: 'binary', kind: 'dense', inShape: { channels: K, height: 1, width: 1 }, out: O, kernel: 0, padding: 0, pool: false, fanIn: K, groups: G, grouping: 'intra', outShape: { channels: O, height: 1, width: 1 } };
    const net = createNet(spec1(layer), [randomValues(layer, rng)]);
    const x = tf.tensor2d(Float32Array.from({ length: N * K }, () => (rng.next() < 0.5 ? -1 : 1)), [N, K]);
    const r = tf.tensor2d(Float32Array.from({ length: N * O }, () => rng.uniform(-1, 1)), [N, O]);
    const p = net.params[0]!;
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(hiddenForward(layer, p, x, 0, { training: true, moments: [] }), r)) as tf.Scalar, [p.W, p.gamma, p.beta]);
    const gW = grads[p.W.name]!.dataSync(); // (G, K/G, O)
    const gGamma = grads[p.gamma.name]!.dataSync(); // (G, O)
    const per = K / G;
    for (let g = 0; g < G; g++) {
      let s = 0;
      for (let i = g * per * O; i < (g + 1) * per * O; i++) s += Math.abs(gW[i]!);
      expect(s).toBeGreaterThan(0);
      let sg = 0;
      for (let o = 0; o < O; o++) sg += Math.abs(gGamma[g * O + o]!);
      expect(sg).toBeGreaterThan(0);
    }
  });
});
