/**
 * Adam (Kingma & Ba) with a per-variable learning-rate scale, written out so its state (m, v, t)
 * goes into checkpoints and --resume continues exactly. BinaryNet's recipe: the binary weights'
 * learning rate is scaled by Glorot's factor 1/sqrt(1.5 / (fanIn + fanOut)) (the seed's
 * "per-layer Glorot learning-rate scaling") and the latent weights are clipped to [-1, 1] after
 * every step.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamSlot {
  v: tf.Variable;
  lrScale: number;
  clip: boolean;
  m1: tf.Variable;
  m2: tf.Variable;
}

export class Adam {
  readonly slots: AdamSlot[];
  t = 0;
  constructor(
    vars: { v: tf.Variable; lrScale: number; clip: boolean }[],
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    this.slots = vars.map((x) => ({ ...x, m1: tf.variable(tf.zerosLike(x.v), false), m2: tf.variable(tf.zerosLike(x.v), false) }));
  }

  /** One step with learning rate lr; grads keyed by variable name (tf.variableGrads output). */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const t = this.t;
    const c1 = 1 - this.beta1 ** t;
    const c2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      for (const s of this.slots) {
        const g = grads[s.v.name];
        if (!g) continue;
        const m1 = tf.add(tf.mul(s.m1, this.beta1), tf.mul(g, 1 - this.beta1));
        const m2 = tf.add(tf.mul(s.m2, this.beta2), tf.mul(tf.square(g), 1 - this.beta2));
        s.m1.assign(m1);
        s.m2.assign(m2);
        // lr * (m1 / c1) / (sqrt(m2 / c2) + eps), with the bias corrections folded into scalars
        const step = tf.div(tf.mul(m1, (lr * s.lrScale * Math.sqrt(c2)) / c1), tf.add(tf.sqrt(m2), this.eps * Math.sqrt(c2)));
        let nv = tf.sub(s.v, step);
        if (s.clip) nv = tf.clipByValue(nv, -1, 1);
        s.v.assign(nv);
      }
    });
  }

  async readState(): Promise<{ t: number; m1: Float32Array[]; m2: Float32Array[] }> {
    const m1: Float32Array[] = [];
    const m2: Float32Array[] = [];
    for (const s of this.slots) {
      m1.push((await s.m1.data()) as Float32Array);
      m2.push((await s.m2.data()) as Float32Array);
    }
    return { t: this.t, m1, m2 };
  }

  setState(st: { t: number; m1: Float32Array[]; m2: Float32Array[] }): void {
    this.t = st.t;
    this.slots.forEach((s, i) => {
      s.m1.assign(tf.tensor(st.m1[i]!, s.v.shape, 'float32'));
      s.m2.assign(tf.tensor(st.m2[i]!, s.v.shape, 'float32'));
    });
  }

  dispose(): void {
    for (const s of this.slots) {
      s.m1.dispose();
      s.m2.dispose();
    }
  }
}
