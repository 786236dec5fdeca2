import { describe, expect, it } from 'vitest';
import { floatBit, foldThreshold, thresholdBitOf, type BnParams } from '../../src/train/fold.ts';
import { Rng } from '../../src/train/rng.ts';

const K = 64; // dots range over [-K, K]

function checkAll(p: BnParams, affine?: { alpha: number; kappa: number }, maxAbs = K) {
  const f = foldThreshold(p, maxAbs, affine);
  for (let dot = -maxAbs; dot <= maxAbs; dot++) {
    if (thresholdBitOf(dot, f) !== floatBit(dot, p, affine)) throw new Error(`dot ${dot}: folded ${JSON.stringify(f)} disagrees with float for ${JSON.stringify(p)}`);
  }
  return f;
}

describe('batch-norm folding into integer thresholds (NUMERICS.md)', () => {
  it('matches the float computation for random parameters, both signs of gamma', () => {
    const rng = new Rng(7);
    let neg = 0;
    for (let i = 0; i < 2000; i++) {
      const p: BnParams = {
        bias: rng.uniform(-3, 3),
        gamma: rng.uniform(-2, 2),
        beta: rng.uniform(-2, 2),
        mean: rng.uniform(-20, 20),
        variance: rng.uniform(0, 50),
        epsilon: 1e-4,
      };
      const f = checkAll(p);
      if (f.d === -1) neg++;
    }
    expect(neg).toBeGreaterThan(500);
  });

  it('gamma = 0 gives a constant bit from beta (sign(0) = +1)', () => {
    expect(checkAll({ bias: 1, gamma: 0, beta: 0.5, mean: 3, variance: 2, epsilon: 1e-4 })).toEqual({ t: 1, d: 0 });
    expect(checkAll({ bias: 1, gamma: 0, beta: -0.5, mean: 3, variance: 2, epsilon: 1e-4 })).toEqual({ t: 0, d: 0 });
    expect(checkAll({ bias: 1, gamma: 0, beta: 0, mean: 3, variance: 2, epsilon: 1e-4 })).toEqual({ t: 1, d: 0 });
  });

  it('exact ties (y = 0 at an integer dot) go to +1 for both directions', () => {
    // sd = 2 exactly, gamma = +-0.5, beta = +-1: t = mean - bias - beta*sd/gamma is an exact integer
    for (const gamma of [0.5, -0.5])
      for (const beta of [1, -1, 0]) {
        const p = { bias: 2, gamma, beta, mean: 7, variance: 4, epsilon: 0 };
        const f = checkAll(p);
        const t = 7 - 2 - (beta * 2) / gamma;
        expect(f.t).toBe(t);
        expect(floatBit(t, p)).toBe(1); // y is exactly 0 there
        expect(thresholdBitOf(t, f)).toBe(1);
        expect(thresholdBitOf(t + (gamma > 0 ? -1 : 1), f)).toBe(0);
      }
  });

  it('folds the first layer over raw pixels (a = alpha*dot + kappa), and clamps far thresholds', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 300; i++) {
      const p: BnParams = { bias: 0, gamma: rng.uniform(-1, 1), beta: rng.uniform(-1, 1), mean: rng.uniform(-5, 5), variance: rng.uniform(0.1, 9), epsilon: 1e-4 };
      checkAll(p, { alpha: 1 / 255, kappa: rng.uniform(-2, 2) }, 255 * 8);
    }
    const far = foldThreshold({ bias: 0, gamma: 1e-30, beta: 1, mean: 0, variance: 1, epsilon: 0 }, K);
    expect(far).toEqual({ t: -(K + 1), d: 1 }); // always +1
    checkAll({ bias: 0, gamma: 1e-30, beta: 1, mean: 0, variance: 1, epsilon: 0 });
  });
});
