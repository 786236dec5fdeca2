/** adcDivider: binary_reg.wgsl's ADC quantiser divides by multiplying; exact on the whole range. */
import { describe, expect, it } from 'vitest';
import { adcDivider } from '../../src/gpu/engine.ts';

describe('adcDivider', () => {
  it('gives floor(x / d) for every x up to the bound, in u32 arithmetic, for every divisor an ADC can have', () => {
    for (const xMax of [0, 1, 7, 100, 1023, 3 * 1024, 3 * 4096]) {
      for (let d = 1; d <= 2 * 1024 + 2; d += d < 64 ? 1 : 37) {
        const { mul, shift } = adcDivider(d, xMax);
        expect(mul).toBeGreaterThan(0);
        expect(xMax * mul).toBeLessThanOrEqual(0xffffffff);
        for (let x = 0; x <= xMax; x++) {
          // what the shader computes: a u32 product, then a right shift
          const q = Math.imul(x, mul) >>> 0 >>> shift;
          if (q !== Math.floor(x / d)) throw new Error(`d=${d} xMax=${xMax} x=${x}: ${q} != ${Math.floor(x / d)}`);
        }
      }
    }
  });
  it('returns mul 0 (the shader divides) when no 32-bit multiply is exact on the range', () => {
    expect(adcDivider(3, 2 ** 31)).toEqual({ mul: 0, shift: 0 });
    expect(() => adcDivider(0, 10)).toThrow(/positive integer divisor/);
  });
});
