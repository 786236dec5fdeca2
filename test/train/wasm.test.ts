import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/train/backend.ts';
import { groupedConvXnn, groupedMatMul, signPM } from '../../src/train/net.ts';
import { Rng } from '../../src/train/rng.ts';

// The wasm backend (XNNPACK) takes the transpose-free grouped product by default; its forward and
// gradients must equal tf.matMul's (which the wasm backend runs through its slow generic loop).
beforeAll(async () => {
  await initBackend('wasm');
});

describe('wasm backend fast path', () => {
  it('grouped product and gradients equal tf.matMul; sign(0) = +1', () => {
    expect(tf.getBackend()).toBe('wasm');
    const rng = new Rng(3);
    for (const [G, M, K, O] of [[1, 6, 9, 5], [4, 3, 8, 6]] as const) {
      const f = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
      const a = tf.tensor3d(f(G * M * K), [G, M, K]);
      const b = tf.tensor3d(f(G * K * O), [G, K, O]);
      const r = tf.tensor3d(f(G * M * O), [G, M, O]);
      const loss = (mm: (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x as tf.Tensor3D, y as tf.Tensor3D), r)) as tf.Scalar;
      const ref = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
      const fast = tf.grads(loss((x, y) => groupedMatMul(x, y)))([a, b]);
      for (const [u, v] of [[groupedMatMul(a, b), tf.matMul(a, b)], [fast[0]!, ref[0]!], [fast[1]!, ref[1]!]] as const) {
        const du = u.dataSync();
        const dv = v.dataSync();
        for (let i = 0; i < dv.length; i++) expect(Math.abs(du[i]! - dv[i]!)).toBeLessThan(1e-4);
      }
    }
    expect(Array.from(signPM(tf.tensor1d([0, -0, 1e-30, -1e-30, 3, -3])).dataSync())).toEqual([1, 1, 1, -1, 1, -1]);
  });

  it('Slice override: contiguous and strided slices equal the stock results', () => {
    const x = tf.tensor3d(Float32Array.from({ length: 4 * 3 * 5 }, (_, i) => i), [4, 3, 5]);
    const ref = x.arraySync() as number[][][];
    expect(tf.slice(x, [2, 0, 0], [1, 3, 5]).arraySync()).toEqual([ref[2]]);
    expect(tf.slice(x, [1, 1, 0], [2, 2, 5]).arraySync()).toEqual([ref[1]!.slice(1, 3), ref[2]!.slice(1, 3)]);
    expect(tf.slice(x, [0, 0, 1], [4, 3, 2]).arraySync()).toEqual(ref.map((r) => r.map((c) => c.slice(1, 3))));
    expect(Array.from(tf.slice(tf.tensor1d([1, 2, 3, 4], 'int32'), [1], [2]).dataSync())).toEqual([2, 3]);
  });
});

describe('wasm kernel overrides and the XNNPACK conv path', () => {
  const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

  it('Slice on 4-D maps (patch extraction), SplitV, Transpose and Identity equal plain index arithmetic', () => {
    const [N, H, W, C] = [2, 5, 4, 3];
    const x = tf.tensor4d(iota(N * H * W * C), [N, H, W, C]);
    const at = (n: number, h: number, w: number, c: number) => ((n * H + h) * W + w) * C + c;
    const s = tf.slice(x, [0, 1, 2, 0], [2, 3, 2, 3]).dataSync();
    const want: number[] = [];
    for (let n = 0; n < 2; n++) for (let h = 1; h < 4; h++) for (let w = 2; w < 4; w++) for (let c = 0; c < 3; c++) want.push(at(n, h, w, c));
    expect(Array.from(s)).toEqual(want);
    expect(Array.from(tf.slice(x, [1, 0, 0, 1], [1, -1, -1, 2]).dataSync())).toEqual(
      Array.from({ length: H * W * 2 }, (_, i) => at(1, Math.floor(i / (2 * W)), Math.floor(i / 2) % W, 1 + (i % 2))),
    );
    // concat's gradient is SplitV
    const parts = tf.split(x, [1, 2, 1], 2);
    expect(parts.map((p) => p.shape)).toEqual([[N, H, 1, C], [N, H, 2, C], [N, H, 1, C]]);
    expect(Array.from(parts[1]!.dataSync())).toEqual(Array.from(tf.slice(x, [0, 0, 1, 0], [N, H, 2, C]).dataSync()));
    const perms = [[0, 3, 1, 2], [1, 2, 3, 0], [2, 3, 0, 1], [0, 2, 1, 3], [3, 2, 1, 0], [1, 0, 3, 2]];
    for (const perm of perms) {
      const t = tf.transpose(x, perm);
      const d = t.dataSync();
      const sh = t.shape;
      for (let i = 0; i < d.length; i++) {
        const o = [0, 0, 0, 0];
        let r = i;
        for (let a = 3; a >= 0; a--) {
          o[a] = r % sh[a]!;
          r = Math.floor(r / sh[a]!);
        }
        const src = [0, 0, 0, 0];
        perm.forEach((p, a) => (src[p] = o[a]!));
        expect(d[i]).toBe(at(src[0]!, src[1]!, src[2]!, src[3]!));
      }
    }
    const y = tf.clone(x);
    x.dispose();
    expect(y.dataSync()[7]).toBe(7);
    y.dispose();
  });

  it('grouped conv (XNNPACK forward, tap products for dW, rotated conv for dx) equals direct loops', () => {
    const rng = new Rng(11);
    for (const { N, H, W, C, O, k, pad, G, inputGrad } of [
      { N: 2, H: 5, W: 4, C: 3, O: 2, k: 3, pad: 1, G: 1, inputGrad: true },
      { N: 1, H: 6, W: 5, C: 4, O: 3, k: 3, pad: 1, G: 3, inputGrad: true }, // 12 rows per group: groups cut through channels
      { N: 2, H: 5, W: 5, C: 2, O: 2, k: 3, pad: 0, G: 2, inputGrad: true },
      { N: 1, H: 4, W: 4, C: 3, O: 2, k: 3, pad: 1, G: 1, inputGrad: false },
    ]) {
      const K = C * k * k;
      const per = K / G;
      const Ho = H + 2 * pad - k + 1;
      const Wo = W + 2 * pad - k + 1;
      const f = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
      const xv = f(N * H * W * C);
      const wv = f(G * per * O);
      const rv = f(G * N * Ho * Wo * O);
      const xt = tf.tensor4d(xv, [N, H, W, C]);
      const wt = tf.tensor3d(wv, [G, per, O]);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(groupedConvXnn(a as tf.Tensor4D, b as tf.Tensor3D, k, pad, inputGrad), tf.tensor4d(rv, [G * N, Ho, Wo, O]))) as tf.Scalar;
      const out = groupedConvXnn(xt, wt, k, pad, inputGrad).dataSync();
      const [dx, dw] = tf.grads(loss)([xt, wt]).map((t) => t.dataSync());
      const X = (n: number, y: number, x: number, c: number) => (y < 0 || x < 0 || y >= H || x >= W ? 0 : xv[((n * H + y) * W + x) * C + c]!);
      const wantOut = new Float64Array(G * N * Ho * Wo * O);
      const wantDw = new Float64Array(G * per * O);
      const wantDx = new Float64Array(N * H * W * C);
      for (let g = 0; g < G; g++)
        for (let n = 0; n < N; n++)
          for (let y = 0; y < Ho; y++)
            for (let x = 0; x < Wo; x++)
              for (let o = 0; o < O; o++) {
                const oi = (((g * N + n) * Ho + y) * Wo + x) * O + o;
                for (let j = 0; j < per; j++) {
                  const row = g * per + j;
                  const c = Math.floor(row / (k * k));
                  const kh = Math.floor(row / k) % k;
                  const kw = row % k;
                  const wi = (g * per + j) * O + o;
                  const xin = X(n, y + kh - pad, x + kw - pad, c);
                  wantOut[oi]! += wv[wi]! * xin;
                  wantDw[wi]! += rv[oi]! * xin;
                  const yy = y + kh - pad;
                  const xx = x + kw - pad;
                  if (yy >= 0 && xx >= 0 && yy < H && xx < W) wantDx[((n * H + yy) * W + xx) * C + c]! += rv[oi]! * wv[wi]!;
                }
              }
      const close = (got: ArrayLike<number>, want: ArrayLike<number>) => {
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4);
      };
      close(out, wantOut);
      close(dw!, wantDw);
      close(dx!, inputGrad ? wantDx : new Float64Array(wantDx.length));
    }
  });
});
