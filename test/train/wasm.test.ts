import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/train/backend.ts';
import { groupedMatMul, signPM } from '../../src/train/net.ts';
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
