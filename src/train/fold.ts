/**
 * Folding bias and batch norm into integer thresholds with direction (NUMERICS.md), in float64
 * from the exported float32 parameters.
 *
 * Hidden layers: y = gamma*(dot + b - mu)/sqrt(var + eps) + beta, output +1 iff y >= 0, so
 * t = mu - b - beta*sqrt(var + eps)/gamma; gamma > 0: bit = (dot >= ceil(t)) (d = +1);
 * gamma < 0: bit = (dot <= floor(t)) (d = -1); gamma = 0: the constant bit (beta >= 0) (d = 0).
 *
 * The first layer sees the integer dot D = sum w_i x_i over raw uint8 pixels, while training saw
 * x' = s*(x/255 - m_c): its pre-BN sum is a = alpha*D + kappa with alpha = s/255 > 0 and
 * kappa = b - s*sum_i w_i m_c(i), so t = (mu - kappa - beta*sqrt(var + eps)/gamma) / alpha.
 * (With alpha = 1 and kappa = b this is the hidden-layer formula, computed in the same order.)
 *
 * T is clamped to [-(maxAbsDot + 1), maxAbsDot + 1]: beyond that range the bit is constant in the
 * dot anyway, and the value must fit an int32.
 */
export interface BnParams {
  bias: number;
  gamma: number;
  beta: number;
  mean: number;
  variance: number;
  epsilon: number;
}

export interface Folded {
  t: number;
  d: 1 | -1 | 0;
}

export function foldThreshold(p: BnParams, maxAbsDot: number, affine?: { alpha: number; kappa: number }): Folded {
  const g = p.gamma;
  if (g === 0) return { t: p.beta >= 0 ? 1 : 0, d: 0 };
  if (!Number.isFinite(g)) throw new Error(`cannot fold batch norm: gamma is ${g}`);
  const sd = Math.sqrt(p.variance + p.epsilon);
  let t: number;
  if (!affine) t = p.mean - p.bias - (p.beta * sd) / g;
  else t = (p.mean - affine.kappa - (p.beta * sd) / g) / affine.alpha;
  const lim = maxAbsDot + 1;
  if (Number.isNaN(t)) throw new Error(`cannot fold batch norm: threshold is NaN (gamma ${g}, variance ${p.variance})`);
  if (g > 0) return { t: clamp(Math.ceil(t), lim), d: 1 };
  return { t: clamp(Math.floor(t), lim), d: -1 };
}

function clamp(t: number, lim: number): number {
  return t > lim ? lim : t < -lim ? -lim : t;
}

/** The float computation the threshold replaces (for tests): y >= 0 with sign(0) = +1. */
export function floatBit(dot: number, p: BnParams, affine?: { alpha: number; kappa: number }): number {
  const a = affine ? affine.alpha * dot + affine.kappa : dot + p.bias;
  const y = (p.gamma * (a - p.mean)) / Math.sqrt(p.variance + p.epsilon) + p.beta;
  return y >= 0 ? 1 : 0;
}

export function thresholdBitOf(dot: number, f: Folded): number {
  if (f.d === 1) return dot >= f.t ? 1 : 0;
  if (f.d === -1) return dot <= f.t ? 1 : 0;
  return f.t;
}
