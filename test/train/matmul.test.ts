import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/train/backend.ts';
import { groupedMatMulFast, groupedMatMulFastNoInputGrad, signPM } from '../../src/train/net.ts';
import { Rng } from '../../src/train/rng.ts';

beforeAll(async () => {
  await initBackend('cpu');
});
afterAll(() => tf.disposeVariables());

const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(b[i]!)));
};

describe('grouped matrix product without transpose flags (the wasm fast path)', () => {
  it('forward and both gradients equal tf.matMul on (G, M, K) @ (G, K, O)', () => {
    const rng = new Rng(7);
    for (const [G, M, K, O] of [[1, 5, 6, 3], [4, 3, 5, 7], [7, 2, 4, 2]] as const) {
      const f = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
      const a = tf.tensor3d(f(G * M * K), [G, M, K]);
      const b = tf.tensor3d(f(G * K * O), [G, K, O]);
      const r = tf.tensor3d(f(G * M * O), [G, M, O]);
      const loss = (mm: (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor3D) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(mm(x as tf.Tensor3D, y as tf.Tensor3D), r)) as tf.Scalar;
      const ref = tf.grads(loss((x, y) => tf.matMul(x, y)))([a, b]);
      const fast = tf.grads(loss(groupedMatMulFast))([a, b]);
      close(groupedMatMulFast(a, b).dataSync(), tf.matMul(a, b).dataSync());
      close(fast[0]!.dataSync(), ref[0]!.dataSync());
      close(fast[1]!.dataSync(), ref[1]!.dataSync());
      // first-layer variant: same product and weight gradient, no input gradient
      const noIn = tf.grads(loss(groupedMatMulFastNoInputGrad))([a, b]);
      close(noIn[1]!.dataSync(), ref[1]!.dataSync());
      expect(Array.from(noIn[0]!.dataSync()).every((v) => v === 0)).toBe(true);
    }
  });

  it('signPM: sign(0) = sign(-0) = +1', () => {
    expect(Array.from(signPM(tf.tensor1d([0, -0, 1e-30, -1e-30, 2, -2, 1, -1])).dataSync())).toEqual([1, 1, 1, -1, 1, -1, 1, -1]);
  });
});
