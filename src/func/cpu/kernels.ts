/**
 * The fast CPU path's WebAssembly kernels, emitted with the tiny assembler in wasm-asm.ts.
 *
 * Memory layouts (all addresses are byte offsets into the one shared memory):
 * - Binary feature maps: HWC, each pixel's channel bits packed LSB first into ceil(C/64) u64
 *   words (pixel stride `psb` bytes). The order of bits inside a group does not change a
 *   popcount, so engine weights are permuted once per model to this gather order (plan.ts).
 * - Gathered input vectors X: per vector S slices (a slice = one (group, ADC row block)), each
 *   `steps` v128 (128 bits, zero padded). Weights: "vertical" for the SIMD kernels (gemm*), word
 *   interleaved pairs of rows for the scalar one (gemmScalar); see each kernel.
 * - Padded (invalid) inputs are 0 in X; the kernel counts mismatches popcount(x ^ w) and
 *   subtracts a per (mask class, neuron, slice) correction popcount(w & ~valid), so
 *   m = nvalid - (mismatches - corr) exactly equals popcount(XNOR) over the valid inputs.
 *   Sums of m are not accumulated per pair: the kernels add up raw mismatches over all pairs
 *   (padding included) and runner.ts subtracts the padding's share and a per-layer constant.
 * - Node 20's V8 lowers i8x16.popcnt to a nibble-table pshufb sequence (no vpopcntb): 6 vector
 *   ALU ops (vpand, vpandn, vpsrlw, 2 vpshufb, vpaddb) plus 2 table loads per 128 bits, and it
 *   uses no AVX-512 (no vpternlog): a carry-save adder costs 5 ops. i64.popcnt is one x86
 *   popcnt per 64 bits (one port).
 */
import { Fn, assemble } from './wasm-asm.ts';

/** Maximum memory pages (64 KiB each): 512 MiB, so that bit addresses (byte address * 8) fit in 32 bits. */
export const MAX_PAGES = 8192;


/**
 * The binary crossbar kernel, in three variants: 'gemm' (sense), 'gemmAdc' (b-bit ADC per row
 * block), 'gemmS1' (sense with one slice per group: the split design's fast case).
 *
 * gemm*(X, W, V, Nt8, S, steps32, nb, cls, corr, nv, thrA, thrU, out, mode, adcS, adcL1, scratch, Np, Vv, nmask, csa[, used32])
 * (used32, the 32-bit steps per slice that hold bits, is read by the native kernels only; a
 * WebAssembly function ignores extra arguments)
 *
 * Weights are "vertical": one v128 holds 32 bits of the same slice for 4 neurons (one i32 lane
 * each); W[((t*S + s)*steps32 + k)*2 + h] covers neurons t*8 + 4h .. t*8 + 4h + 3, bits
 * [32k, 32k + 32) of slice s. A vector's 32 bits are broadcast (load32_splat) and XORed with
 * the weights, so a lane accumulates its own neuron's mismatches and the only reduction is two
 * pairwise widenings. Tiles: 4 vectors x 8 neurons. Counting, per slice:
 * - csa = 0: every XOR is popcounted per byte (i8x16.popcnt + i8x16.add; 8 vector ops per 128
 *   bit-MACs), all 8 accumulators of the tile in registers, in chunks of 31 steps.
 * - csa = 1 (long slices; plan.ts picks): Harley-Seal. One accumulator (vector, 4 neurons) at a
 *   time, the XORs of 8 consecutive steps go through 7 carry-save adders into bit-sliced
 *   counters ones, twos, fours; only the carry out of the fours (weight 8) is popcounted, once
 *   per 8 steps, into 16-bit lanes (slices up to 2^19 bits); a last half block of 4 steps goes
 *   through a half adder into the fours; at the slice's end raw = 8*top + 4*popcnt(fours) +
 *   2*popcnt(twos) + popcnt(ones). About 6.4 vector ops per 128 bit-MACs plus about 32 per
 *   slice, so it pays from about 1024 bits on. Counts are exact either way.
 *
 * For every vector v < V (a multiple of 4), neuron n < 8*Nt8, group g < S/nb: per slice
 * s = g*nb + b: m = nv[c*S+s] - (popcnt(X[v,s] ^ W[n,s]) - corr[(c*S+s)*Np+n]) with c = cls[v];
 * with the ADC m^ = min(floor((2m + s)/(2s)), L-1)*s, else m^ = m; dot += 2m^ - nv.
 * mode 0: out[(v*G + g)*Np + n] = (thrA*dot >= thrU) as a 0/1 byte (thresholds at [g*Np + n]);
 * mode 1 (G = 1): out[v*Np + n] = dot as i32.
 * gemmS1 folds the threshold: A*raw >= U with A = -2a at [g*Np + n] (passed as thrA) and
 * U = u - a*(nv + 2corr) at [(c*S + g)*Np + n] (passed as thrU); corr, nv, mode, adc unused.
 * Every variant adds the raw mismatch sum over all pairs (padding included; the caller turns it
 * into Σm) at scratch+256 (i64); the ADC variant adds the saturations of real pairs (v < Vv,
 * nmask[n] = -1) at scratch+264. The ADC division uses f32: with 2m + s < 2^24 the correctly
 * rounded quotient never crosses an integer, so floor() is exact.
 */
function gemm(variant: 'sense' | 'adc' | 's1'): Fn {
  const name = variant === 'sense' ? 'gemm' : variant === 'adc' ? 'gemmAdc' : 'gemmS1';
  const adc = variant === 'adc';
  const s1 = variant === 's1';
  const f = new Fn(name, Array(21).fill('i32'), []);
  const [X, W, V, Nt8, S, STEPS, NB, CLS, CORR, NV, THA, THU, OUT, MODE, ADCS, ADCL1, SCR, NP, VV, NMASK, CSA] = Array.from({ length: 21 }, (_, i) => i);
  const nt = f.local('i32');
  const v0 = f.local('i32');
  const g = f.local('i32');
  const b = f.local('i32');
  const s = f.local('i32');
  const G = f.local('i32');
  const rowB = f.local('i32');
  const vecB = f.local('i32');
  const pw = f.local('i32');
  const px = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  // per row bases live in scratch (SCR+320: U base (s1) or class*S; SCR+336: output base), not
  // in locals: the main loop needs every register
  const rbGet = (i: number) => f.get(SCR).mem('i32.load', 320 + 4 * i);
  const obGet = (i: number) => f.get(SCR).mem('i32.load', 336 + 4 * i);
  const c0 = f.local('i32');
  const cend = f.local('i32');
  const n0 = f.local('i32');
  const endp = f.local('i32');
  const tix = f.local('i32'); // g*Np*4
  const tmp = f.local('i32');
  const raws = f.local('i64');
  const sats = f.local('i64');
  const acc: number[] = [];
  for (let i = 0; i < 8; i++) acc.push(f.local('v128'));
  const xs = [f.local('v128'), f.local('v128'), f.local('v128'), f.local('v128')];
  const w0 = f.local('v128');
  const w1 = f.local('v128');
  const t1 = f.local('v128');
  const m = f.local('v128');
  const nvv = f.local('v128');
  const mask = f.local('v128');
  const sv = f.local('v128');
  const l1v = f.local('v128');
  const satv = f.local('v128');
  const f2s = f.local('v128');
  const av = [f.local('v128'), f.local('v128')];
  const bits = [f.local('v128'), f.local('v128')];
  const RAW = 0; // 8 x v128: raw[i*2 + h] (chunked path)
  const DOT = 128; // 8 x v128: group dots
  const zero = () => f.i32(0).op('i32x4.splat');
  const store0 = (off: number) => {
    f.get(SCR);
    zero();
    f.mem('v128.store', off, 0);
  };
  const addTo = (off: number, push: () => void) => {
    f.get(SCR).get(SCR).mem('v128.load', off, 0);
    push();
    f.op('i32x4.add').mem('v128.store', off, 0);
  };
  const flushLocal = (v: number, into: number) => {
    for (let k = 0; k < 4; k++) f.get(into).get(v).extractLane('i32x4.extract_lane', k).op('i64.extend_i32_u', 'i64.add').set(into);
    zero();
    f.set(v);
  };

  f.i64(0).set(raws).i64(0).set(sats);
  f.get(S).get(NB).op('i32.div_u').set(G);
  f.get(STEPS).i32(2).op('i32.shl').set(rowB);
  f.get(rowB).get(S).op('i32.mul').set(vecB);
  store0(272);
  if (adc) {
    f.get(ADCS).op('i32x4.splat').set(sv);
    f.get(ADCL1).op('i32x4.splat').set(l1v);
    f.get(ADCL1).get(ADCS).op('i32.mul', 'i32x4.splat').set(satv);
    f.get(ADCS).i32(1).op('i32.shl', 'i32x4.splat', 'f32x4.convert_i32x4_s').set(f2s);
    store0(288);
  }

  /** main loop over steps [c0, cend) (pw and px advanced), accumulators zeroed first */
  const mainLoop = () => {
    for (const a of acc) {
      zero();
      f.set(a);
    }
    f.get(pw).get(cend).get(c0).op('i32.sub').i32(5).op('i32.shl').op('i32.add').set(endp);
    f.loop();
    f.get(pw).mem('v128.load', 0, 0).set(w0);
    f.get(pw).mem('v128.load', 16, 0).set(w1);
    // one broadcast register for the 4 rows keeps the loop within the 15 xmm registers V8 uses
    for (let i = 0; i < 4; i++) {
      f.get(px[i]!).mem('v128.load32_splat', 0, 0).set(xs[0]!);
      f.get(acc[i * 2]!).get(xs[0]!).get(w0).op('v128.xor', 'i8x16.popcnt', 'i8x16.add').set(acc[i * 2]!);
      f.get(acc[i * 2 + 1]!).get(xs[0]!).get(w1).op('v128.xor', 'i8x16.popcnt', 'i8x16.add').set(acc[i * 2 + 1]!);
      f.get(px[i]!).i32(4).op('i32.add').set(px[i]!);
    }
    f.get(pw).i32(32).op('i32.add').tee(pw).get(endp).op('i32.lt_u').brIf(0);
    f.end();
  };
  const widen = () => f.op('i16x8.extadd_pairwise_i8x16_u', 'i32x4.extadd_pairwise_i16x8_u');

  // Harley-Seal count: per accumulator k = i*2 + h (row i, half h) one pass over the slice
  const ones = f.local('v128');
  const twos = f.local('v128');
  const fours = f.local('v128');
  const top = f.local('v128'); // i16 lanes: number of carries of weight 8
  const dA = f.local('v128');
  const dB = f.local('v128');
  const u = f.local('v128');
  const twosA = f.local('v128');
  const twosB = f.local('v128');
  const foursA = f.local('v128');
  const foursB = f.local('v128');
  const eights = f.local('v128');
  const k8 = f.local('i32');
  const qw = f.local('i32');
  const qx = f.local('i32');
  /** carry-save adder: hi = carry(a, b, c), a = a ^ b ^ c */
  const csa = (hi: number, a: number, b: number, c: number) => {
    f.get(a).get(b).op('v128.xor').set(u);
    f.get(a).get(b).op('v128.and').get(u).get(c).op('v128.and', 'v128.or').set(hi);
    f.get(u).get(c).op('v128.xor').set(a);
  };
  /** steps k, k + 1 (x bits broadcast, XOR weights) into ones; the carry (weight 2) into hi */
  const pair = (hi: number, k: number) => {
    f.get(qx).mem('v128.load32_splat', 4 * k, 0).get(qw).mem('v128.load', 32 * k, 0).op('v128.xor').set(dA);
    f.get(qx).mem('v128.load32_splat', 4 * k + 4, 0).get(qw).mem('v128.load', 32 * k + 32, 0).op('v128.xor').set(dB);
    csa(hi, ones, dA, dB);
  };
  /** steps k .. k + 3 into ones, twos; the carry (weight 4) into hi */
  const quad = (hi: number, k: number) => {
    pair(twosA, k);
    pair(twosB, k + 2);
    csa(hi, twos, twosA, twosB);
  };
  /** top += popcount(v) per i16 lane */
  const addTop = (v: number) => f.get(v).op('i8x16.popcnt', 'i16x8.extadd_pairwise_i8x16_u').get(top).op('i16x8.add').set(top);
  /**
   * Raw mismatches of the slice at pw / px into RAW, 8 steps (of 32 bits) per popcount: 7
   * carry-save adders and one i8x16.popcnt instead of 8 popcounts; a last half block of 4 steps
   * (steps32 is a multiple of 4) goes through a half adder into the fours.
   */
  const csaSlice = () => {
    f.for_(k8, () => f.i32(0), () => f.i32(8), 1, () => {
      for (const c of [ones, twos, fours, top]) {
        zero();
        f.set(c);
      }
      // qw = pw + 16h, qx = px[0] + i*vecB
      f.get(pw).get(k8).i32(1).op('i32.and').i32(4).op('i32.shl', 'i32.add').set(qw);
      f.get(px[0]!).get(k8).i32(1).op('i32.shr_u').get(vecB).op('i32.mul', 'i32.add').set(qx);
      f.get(qw).get(STEPS).i32(-8).op('i32.and').i32(5).op('i32.shl', 'i32.add').set(endp);
      f.block();
      f.get(qw).get(endp).op('i32.ge_u').brIf(0);
      f.loop();
      quad(foursA, 0);
      quad(foursB, 4);
      csa(eights, fours, foursA, foursB);
      addTop(eights);
      f.get(qx).i32(32).op('i32.add').set(qx);
      f.get(qw).i32(256).op('i32.add').tee(qw).get(endp).op('i32.lt_u').brIf(0);
      f.end();
      f.end();
      f.get(STEPS).i32(4).op('i32.and').if_();
      quad(foursA, 0);
      f.get(fours).get(foursA).op('v128.and').set(eights);
      f.get(fours).get(foursA).op('v128.xor').set(fours);
      addTop(eights);
      f.end();
      // raw = 8*top + 4*popcnt(fours) + 2*popcnt(twos) + popcnt(ones) (bytes <= 56)
      f.get(SCR).get(k8).i32(4).op('i32.shl', 'i32.add');
      f.get(fours).op('i8x16.popcnt').tee(u).get(u).op('i8x16.add').get(twos).op('i8x16.popcnt', 'i8x16.add').tee(u);
      f.get(u).op('i8x16.add').get(ones).op('i8x16.popcnt', 'i8x16.add');
      widen();
      f.get(top).op('i32x4.extadd_pairwise_i16x8_u').i32(3).op('i32x4.shl', 'i32x4.add');
      f.mem('v128.store', RAW, 0);
    });
  };

  /** per (row, half): 4 neurons at once; raw(k) pushes the raw mismatches of acc k */
  const post = (raw: (k: number) => void) => {
    for (let i = 0; i < 4; i++) {
      if (!s1) {
        f.get(NV);
        rbGet(i);
        f.get(s).op('i32.add').i32(2).op('i32.shl').op('i32.add').mem('i32.load').op('i32x4.splat').set(nvv);
        // corr row: CORR + ((c*S + s)*Np + n0)*4
        f.get(CORR);
        rbGet(i);
        f.get(s).op('i32.add').get(NP).op('i32.mul').get(n0).op('i32.add').i32(2).op('i32.shl').op('i32.add').set(tmp);
      }
      for (let h = 0; h < 2; h++) {
        const k = i * 2 + h;
        addTo(272, () => raw(k));
        if (s1) {
          raw(k);
          f.get(THA).get(tix).op('i32.add').get(n0).i32(2).op('i32.shl').op('i32.add').mem('v128.load', 16 * h, 0).op('i32x4.mul');
          rbGet(i);
          f.get(tix).op('i32.add').mem('v128.load', 16 * h, 0);
          f.op('i32x4.ge_s').set(bits[h]!);
          continue;
        }
        // m = nv - raw + corr
        f.get(nvv);
        raw(k);
        f.op('i32x4.sub').get(tmp).mem('v128.load', 16 * h, 0).op('i32x4.add').set(m);
        if (adc) {
          f.get(NMASK).get(n0).i32(2).op('i32.shl').op('i32.add').mem('v128.load', 16 * h, 0);
          f.i32(0).get(v0).i32(i).op('i32.add').get(VV).op('i32.lt_u', 'i32.sub', 'i32x4.splat', 'v128.and').set(mask);
          f.get(SCR).get(SCR).mem('v128.load', 288, 0).get(m).get(satv).op('i32x4.gt_s').get(mask).op('v128.and', 'i32x4.sub').mem('v128.store', 288, 0);
          f.get(m).get(m).op('i32x4.add').get(sv).op('i32x4.add', 'f32x4.convert_i32x4_s').get(f2s).op('f32x4.div', 'f32x4.floor', 'i32x4.trunc_sat_f32x4_s');
          f.get(l1v).op('i32x4.min_s').get(sv).op('i32x4.mul').set(m);
        }
        addTo(DOT + 16 * k, () => f.get(m).get(m).op('i32x4.add').get(nvv).op('i32x4.sub'));
      }
      if (s1) storeBits(i);
    }
  };

  f.for_(nt, () => f.i32(0), () => f.get(Nt8), 1, () => {
    f.get(nt).i32(3).op('i32.shl').set(n0);
    f.for_(v0, () => f.i32(0), () => f.get(V), 4, () => {
      for (let i = 0; i < 4; i++) {
        // class of the row's vector
        f.get(SCR);
        f.get(CLS).get(v0).op('i32.add').mem('i32.load8_u', i).get(S).op('i32.mul');
        if (s1) f.get(NP).op('i32.mul').get(n0).op('i32.add').i32(2).op('i32.shl').get(THU).op('i32.add');
        f.mem('i32.store', 320 + 4 * i);
        // output row base: mode 0: OUT + v*G*Np + n0; mode 1: OUT + (v*Np + n0)*4
        f.get(SCR);
        f.get(OUT).get(v0).i32(i).op('i32.add').get(G).op('i32.mul').get(NP).op('i32.mul').get(n0).op('i32.add');
        if (!s1) f.get(MODE).i32(1).op('i32.shl', 'i32.shl'); // x4 bytes in mode 1
        f.op('i32.add').mem('i32.store', 336 + 4 * i);
      }
      f.for_(g, () => f.i32(0), () => f.get(G), 1, () => {
        f.get(g).get(NP).op('i32.mul').i32(2).op('i32.shl').set(tix);
        if (!s1) for (let k = 0; k < 8; k++) store0(DOT + 16 * k);
        f.for_(b, () => f.i32(0), () => f.get(NB), 1, () => {
          f.get(g).get(NB).op('i32.mul').get(b).op('i32.add').set(s);
          f.get(W).get(nt).get(S).op('i32.mul').get(s).op('i32.add').get(STEPS).op('i32.mul').i32(5).op('i32.shl').op('i32.add').set(pw);
          f.get(X).get(v0).get(vecB).op('i32.mul').op('i32.add').get(s).get(rowB).op('i32.mul').op('i32.add').set(px[0]!);
          for (let i = 1; i < 4; i++) f.get(px[i - 1]!).get(vecB).op('i32.add').set(px[i]!);
          f.get(STEPS).i32(31).op('i32.le_u').get(CSA).op('i32.eqz', 'i32.and').if_();
          {
            // one chunk: raw counts stay in registers
            f.i32(0).set(c0);
            f.get(STEPS).set(cend);
            mainLoop();
            for (const a of acc) {
              f.get(a);
              widen();
              f.set(a);
            }
            post((k) => f.get(acc[k]!));
          }
          f.op('else');
          {
            f.get(CSA).if_();
            csaSlice();
            f.op('else');
            // chunks of at most 31 steps of 32 bits (a byte lane holds 31*8 = 248)
            for (let k = 0; k < 8; k++) store0(RAW + 16 * k);
            f.for_(c0, () => f.i32(0), () => f.get(STEPS), 31, () => {
              f.get(c0).i32(31).op('i32.add').tee(cend).get(STEPS).get(cend).get(STEPS).op('i32.lt_s').op('select').set(cend);
              mainLoop();
              for (let k = 0; k < 8; k++)
                addTo(RAW + 16 * k, () => {
                  f.get(acc[k]!);
                  widen();
                });
            });
            f.end();
            post((k) => f.get(SCR).mem('v128.load', RAW + 16 * k, 0));
          }
          f.end();
        });
        if (!s1) {
          // group outputs
          f.get(THA).get(tix).op('i32.add').get(n0).i32(2).op('i32.shl').op('i32.add').set(tmp);
          f.get(tmp).mem('v128.load', 0, 0).set(av[0]!);
          f.get(tmp).mem('v128.load', 16, 0).set(av[1]!);
          f.get(THU).get(tix).op('i32.add').get(n0).i32(2).op('i32.shl').op('i32.add').set(tmp);
          for (let i = 0; i < 4; i++) {
            f.get(MODE).if_();
            for (let h = 0; h < 2; h++) {
              obGet(i);
              f.get(SCR).mem('v128.load', DOT + 16 * (i * 2 + h), 0).mem('v128.store', 16 * h, 0);
            }
            f.op('else');
            for (let h = 0; h < 2; h++) {
              f.get(av[h]!).get(SCR).mem('v128.load', DOT + 16 * (i * 2 + h), 0).op('i32x4.mul');
              f.get(tmp).mem('v128.load', 16 * h, 0).op('i32x4.ge_s').set(bits[h]!);
            }
            storeBits(i);
            f.end();
          }
        }
      });
    });
    f.get(SCR).mem('v128.load', 272, 0).set(t1);
    flushLocal(t1, raws);
    store0(272);
    if (adc) {
      f.get(SCR).mem('v128.load', 288, 0).set(t1);
      flushLocal(t1, sats);
      store0(288);
    }
  });
  f.get(SCR).get(SCR).mem('i64.load', 256).get(raws).op('i64.add').mem('i64.store', 256);
  f.get(SCR).get(SCR).mem('i64.load', 264).get(sats).op('i64.add').mem('i64.store', 264);
  return f;

  /** out[ob_i + g*Np .. +8] = bits[0], bits[1] lanes as 0/1 bytes */
  function storeBits(i: number): void {
    obGet(i);
    f.get(tix).i32(2).op('i32.shr_u', 'i32.add');
    f.get(bits[0]!).get(bits[1]!).op('i16x8.narrow_i32x4_s').set(t1);
    f.get(t1).get(t1).op('i8x16.narrow_i16x8_s').i32(1).op('i8x16.splat', 'v128.and').extractLane('i64x2.extract_lane', 0);
    f.mem('i64.store', 0, 0);
  }
}

/**
 * gemmScalar(X, W2, V, Nt2, S, words, cls, A, U, out, mode, nvk, scratch, Np): sense read-out
 * with one long slice per group (over 896 bits), with i64.popcnt (one x86 popcnt per 64 bits:
 * for long rows this beats V8's SIMD popcount, which it lowers to a nibble-table sequence).
 * W2: tiles of 2 neurons, words interleaved: W2[((t*S + s)*words + k)*2 + j] (u64).
 * Tiles: 2 vectors x 2 neurons. mode 0: out[(v*S + g)*Np + n] = (A*raw >= U) as gemmS1;
 * mode 1 (classifier, G = 1, no padding): out[v*Np + n] = nvk - 2*raw (i32).
 * Adds the raw mismatch sum over all pairs at scratch+256 (i64).
 */
function gemmScalar(): Fn {
  const f = new Fn('gemmScalar', Array(14).fill('i32'), []);
  const [X, W, V, Nt2, S, WORDS, CLS, A, U, OUT, MODE, NVK, SCR, NP] = Array.from({ length: 14 }, (_, i) => i);
  const nt = f.local('i32');
  const v0 = f.local('i32');
  const g = f.local('i32');
  const rowB = f.local('i32');
  const vecB = f.local('i32');
  const px0 = f.local('i32');
  const px1 = f.local('i32');
  const pw = f.local('i32');
  const endp = f.local('i32');
  const n0 = f.local('i32');
  const raw = f.local('i32');
  const cl = f.local('i32');
  const vv = f.local('i32');
  const n = f.local('i32');
  const raws = f.local('i64');
  const a = [f.local('i64'), f.local('i64'), f.local('i64'), f.local('i64')];
  const x0 = f.local('i64');
  const x1 = f.local('i64');
  const w = f.local('i64');
  f.i64(0).set(raws);
  f.get(WORDS).i32(3).op('i32.shl').set(rowB);
  f.get(rowB).get(S).op('i32.mul').set(vecB);
  f.for_(nt, () => f.i32(0), () => f.get(Nt2), 1, () => {
    f.get(nt).i32(1).op('i32.shl').set(n0);
    f.for_(v0, () => f.i32(0), () => f.get(V), 2, () => {
      f.for_(g, () => f.i32(0), () => f.get(S), 1, () => {
        f.get(X).get(v0).get(vecB).op('i32.mul').op('i32.add').get(g).get(rowB).op('i32.mul').op('i32.add').set(px0);
        f.get(px0).get(vecB).op('i32.add').set(px1);
        f.get(W).get(nt).get(S).op('i32.mul').get(g).op('i32.add').get(WORDS).op('i32.mul').i32(4).op('i32.shl').op('i32.add').set(pw);
        f.get(px0).get(rowB).op('i32.add').set(endp);
        for (const r of a) f.i64(0).set(r);
        f.loop();
        f.get(px0).mem('i64.load', 0, 0).set(x0);
        f.get(px1).mem('i64.load', 0, 0).set(x1);
        for (let j = 0; j < 2; j++) {
          f.get(pw).mem('i64.load', 8 * j, 0).set(w);
          f.get(a[j]!).get(x0).get(w).op('i64.xor', 'i64.popcnt', 'i64.add').set(a[j]!);
          f.get(a[2 + j]!).get(x1).get(w).op('i64.xor', 'i64.popcnt', 'i64.add').set(a[2 + j]!);
        }
        f.get(px1).i32(8).op('i32.add').set(px1);
        f.get(pw).i32(16).op('i32.add').set(pw);
        f.get(px0).i32(8).op('i32.add').tee(px0).get(endp).op('i32.lt_u').brIf(0);
        f.end();
        for (let i = 0; i < 2; i++)
          for (let j = 0; j < 2; j++) {
            f.get(a[i * 2 + j]!).op('i32.wrap_i64').set(raw);
            f.get(raws).get(raw).op('i64.extend_i32_u', 'i64.add').set(raws);
            f.get(v0).i32(i).op('i32.add').set(vv);
            f.get(n0).i32(j).op('i32.add').set(n);
            f.get(MODE).if_();
            {
              f.get(OUT).get(vv).get(NP).op('i32.mul').get(n).op('i32.add').i32(2).op('i32.shl').op('i32.add');
              f.get(NVK).get(raw).i32(1).op('i32.shl', 'i32.sub').mem('i32.store', 0, 0);
            }
            f.op('else');
            {
              f.get(CLS).get(vv).op('i32.add').mem('i32.load8_u').get(S).op('i32.mul').get(g).op('i32.add').get(NP).op('i32.mul').get(n).op('i32.add').i32(2).op('i32.shl').set(cl);
              f.get(OUT).get(vv).get(S).op('i32.mul').get(g).op('i32.add').get(NP).op('i32.mul').get(n).op('i32.add').op('i32.add');
              f.get(A).get(g).get(NP).op('i32.mul').get(n).op('i32.add').i32(2).op('i32.shl').op('i32.add').mem('i32.load').get(raw).op('i32.mul');
              f.get(U).get(cl).op('i32.add').mem('i32.load');
              f.op('i32.ge_s').mem('i32.store8', 0, 0);
            }
            f.end();
          }
      });
    });
  });
  f.get(SCR).get(SCR).mem('i64.load', 256).get(raws).op('i64.add').mem('i64.store', 256);
  return f;
}

/**
 * gather(map, X, P, pw, stride, pad, H, W, psb, runs, nRuns, vecB) -> popcount of X written
 *
 * For each pre-pool position v = (oy, ox) (pw positions per row): for each run
 * (dy, dx, cLo, len, dstBit) as 5 i32 at runs: if (oy*stride - pad + dy, ox*stride - pad + dx)
 * is inside the H x W map, copies `len` bits starting at channel cLo of that pixel to bit dstBit
 * of vector v (X + v*vecB). X must be zero beforehand. Returns the number of 1 bits copied.
 */
function gather(): Fn {
  const f = new Fn('gather', Array(12).fill('i32'), ['i32']);
  const [MAP, X, P, PW, STR, PAD, H, Wd, PSB, RUNS, NR, VECB] = Array.from({ length: 12 }, (_, i) => i);
  const v = f.local('i32');
  const y0 = f.local('i32');
  const x0 = f.local('i32');
  const r = f.local('i32');
  const rp = f.local('i32');
  const y = f.local('i32');
  const x = f.local('i32');
  const src = f.local('i32'); // source bit address (absolute bits)
  const dst = f.local('i32'); // dest bit address
  const len = f.local('i32');
  const k = f.local('i32');
  const val = f.local('i64');
  const ones = f.local('i32');
  const da = f.local('i32');
  f.i32(0).set(ones);
  f.for_(v, () => f.i32(0), () => f.get(P), 1, () => {
    f.get(v).get(PW).op('i32.div_u').get(STR).op('i32.mul').get(PAD).op('i32.sub').set(y0);
    f.get(v).get(PW).op('i32.rem_u').get(STR).op('i32.mul').get(PAD).op('i32.sub').set(x0);
    f.for_(r, () => f.i32(0), () => f.get(NR), 1, () => {
      f.get(RUNS).get(r).i32(20).op('i32.mul').op('i32.add').set(rp);
      f.get(y0).get(rp).mem('i32.load', 0).op('i32.add').set(y);
      f.get(x0).get(rp).mem('i32.load', 4).op('i32.add').set(x);
      // valid: 0 <= y < H and 0 <= x < W (unsigned compare)
      f.get(y).get(H).op('i32.lt_u').get(x).get(Wd).op('i32.lt_u').op('i32.and').if_();
      {
        f.get(y).get(Wd).op('i32.mul').get(x).op('i32.add').get(PSB).op('i32.mul').get(MAP).op('i32.add').i32(3).op('i32.shl');
        f.get(rp).mem('i32.load', 8).op('i32.add').set(src);
        f.get(X).get(v).get(VECB).op('i32.mul').op('i32.add').i32(3).op('i32.shl').get(rp).mem('i32.load', 16).op('i32.add').set(dst);
        f.get(rp).mem('i32.load', 12).set(len);
        f.block().loop();
        f.get(len).i32(0).op('i32.le_s').brIf(1);
        // k = min(len, 56)
        f.get(len).i32(56).get(len).i32(56).op('i32.lt_s').op('select').set(k);
        f.get(src).i32(3).op('i32.shr_u').mem('i64.load', 0, 0);
        f.get(src).i32(7).op('i32.and').op('i64.extend_i32_u', 'i64.shr_u');
        f.i64(1).get(k).op('i64.extend_i32_u', 'i64.shl').i64(1).op('i64.sub', 'i64.and').set(val);
        f.get(ones).get(val).op('i64.popcnt', 'i32.wrap_i64', 'i32.add').set(ones);
        f.get(dst).i32(3).op('i32.shr_u').tee(da);
        f.get(da).mem('i64.load', 0, 0).get(val).get(dst).i32(7).op('i32.and').op('i64.extend_i32_u', 'i64.shl', 'i64.or');
        f.mem('i64.store', 0, 0);
        f.get(src).get(k).op('i32.add').set(src);
        f.get(dst).get(k).op('i32.add').set(dst);
        f.get(len).get(k).op('i32.sub').set(len);
        f.br(0);
        f.end().end();
      }
      f.end();
    });
  });
  f.get(ones);
  return f;
}

/**
 * poolMajority(pre, map, N, G, Np, ph, pw, oh, ow, psize, pstride, flip, psb) -> ones
 *
 * pre: 0/1 bytes pre[v*G*Np + g*Np + n] for pre-pool positions v = y*pw + x. For every output
 * position (y, x) < (oh, ow) and neuron n < N: per group the pooled bit (OR of the window where
 * flip[g*Np + n] = 0, AND where it is 1 (d = -1); psize 0 = no pooling), then the majority
 * 2*ones >= G, written as bit n of pixel (y*ow + x) of the HWC map (stride psb bytes), 16
 * neurons at a time. Returns the number of 1 bits written.
 */
function poolMajority(): Fn {
  const f = new Fn('poolMajority', Array(13).fill('i32'), ['i32']);
  const [PRE, MAP, N, G, NP, PH, PW, OH, OW, PS, PST, FLIP, PSB] = Array.from({ length: 13 }, (_, i) => i);
  void PH;
  const y = f.local('i32');
  const x = f.local('i32');
  const n0 = f.local('i32');
  const g = f.local('i32');
  const dy = f.local('i32');
  const dx = f.local('i32');
  const cnt = f.local('i32');
  const NG = f.local('i32');
  const base = f.local('i32');
  const bits = f.local('i32');
  const half = f.local('i32');
  const rem = f.local('i32');
  const lo = f.local('v128');
  const hi = f.local('v128');
  const acc = f.local('v128');
  const fl = f.local('v128');
  const hv = f.local('v128');
  f.i32(0).set(cnt);
  f.get(G).get(NP).op('i32.mul').set(NG);
  f.get(G).i32(1).op('i32.add').i32(1).op('i32.shr_u').set(half); // ceil(G/2)
  f.get(half).op('i16x8.splat').set(hv);
  f.for_(y, () => f.i32(0), () => f.get(OH), 1, () => {
    f.for_(x, () => f.i32(0), () => f.get(OW), 1, () => {
      f.for_(n0, () => f.i32(0), () => f.get(N), 16, () => {
        f.i32(0).op('i32x4.splat').set(lo);
        f.i32(0).op('i32x4.splat').set(hi);
        f.for_(g, () => f.i32(0), () => f.get(G), 1, () => {
          f.get(PS).op('i32.eqz').if_();
          {
            f.get(PRE).get(y).get(PW).op('i32.mul').get(x).op('i32.add').get(NG).op('i32.mul').op('i32.add').get(g).get(NP).op('i32.mul').op('i32.add').get(n0).op('i32.add').mem('v128.load', 0, 0).set(acc);
          }
          f.op('else');
          {
            f.get(FLIP).get(g).get(NP).op('i32.mul').op('i32.add').get(n0).op('i32.add').mem('v128.load', 0, 0).set(fl);
            f.i32(0).op('i32x4.splat').set(acc);
            f.for_(dy, () => f.i32(0), () => f.get(PS), 1, () => {
              f.get(PRE).get(y).get(PST).op('i32.mul').get(dy).op('i32.add').get(PW).op('i32.mul').get(x).get(PST).op('i32.mul').op('i32.add').get(NG).op('i32.mul').op('i32.add');
              f.get(g).get(NP).op('i32.mul').op('i32.add').get(n0).op('i32.add').set(base);
              f.for_(dx, () => f.i32(0), () => f.get(PS), 1, () => {
                f.get(acc).get(base).mem('v128.load', 0, 0).get(fl).op('v128.xor', 'v128.or').set(acc);
                f.get(base).get(NG).op('i32.add').set(base);
              });
            });
            f.get(acc).get(fl).op('v128.xor').set(acc);
          }
          f.end();
          f.get(lo).get(acc).op('i16x8.extend_low_i8x16_u', 'i16x8.add').set(lo);
          f.get(hi).get(acc).op('i16x8.extend_high_i8x16_u', 'i16x8.add').set(hi);
        });
        f.get(lo).get(hv).op('i16x8.ge_u').get(hi).get(hv).op('i16x8.ge_u').op('i8x16.narrow_i16x8_s', 'i8x16.bitmask').set(bits);
        // keep neurons < N
        f.get(N).get(n0).op('i32.sub').set(rem);
        f.get(rem).i32(16).op('i32.lt_s').if_();
        f.get(bits).i32(1).get(rem).op('i32.shl').i32(1).op('i32.sub', 'i32.and').set(bits);
        f.end();
        f.get(cnt).get(bits).op('i32.popcnt', 'i32.add').set(cnt);
        f.get(MAP).get(y).get(OW).op('i32.mul').get(x).op('i32.add').get(PSB).op('i32.mul').op('i32.add').get(n0).i32(3).op('i32.shr_u').op('i32.add');
        f.get(bits).mem('i32.store16', 0, 0);
      });
    });
  });
  f.get(cnt);
  return f;
}

/**
 * gather8(pix, F, C, H, W, k, stride, pad, ph, pw, dense, Kp) -> nonzero valid pixels
 * First layer im2col over uint8 pixels (c, y, x): per pre-pool position, K = C*k*k values in
 * (c, kh, kw) order as i16 (0 where padded), row stride Kp*2 bytes (F must be zero). dense = 1:
 * one row, the whole image (K = C*H*W).
 */
function gather8(): Fn {
  const f = new Fn('gather8', Array(12).fill('i32'), ['i32']);
  const [PIX, F, C, H, Wd, K, STR, PAD, PH, PWd, DENSE, KP] = Array.from({ length: 12 }, (_, i) => i);
  void PH;
  const v = f.local('i32');
  const P = f.local('i32');
  const c = f.local('i32');
  const kh = f.local('i32');
  const kw = f.local('i32');
  const y = f.local('i32');
  const x = f.local('i32');
  const e = f.local('i32');
  const val = f.local('i32');
  const nz = f.local('i32');
  const row = f.local('i32');
  f.i32(0).set(nz);
  f.get(DENSE).if_();
  {
    f.get(C).get(H).op('i32.mul').get(Wd).op('i32.mul').set(P);
    f.for_(e, () => f.i32(0), () => f.get(P), 1, () => {
      f.get(PIX).get(e).op('i32.add').mem('i32.load8_u').set(val);
      f.get(F).get(e).i32(1).op('i32.shl').op('i32.add').get(val).mem('i32.store16');
      f.get(nz).get(val).i32(0).op('i32.ne').op('i32.add').set(nz);
    });
  }
  f.op('else');
  {
    f.get(PH).get(PWd).op('i32.mul').set(P);
    f.for_(v, () => f.i32(0), () => f.get(P), 1, () => {
      f.get(F).get(v).get(KP).op('i32.mul').i32(1).op('i32.shl').op('i32.add').set(row);
      f.i32(0).set(e);
      f.for_(c, () => f.i32(0), () => f.get(C), 1, () => {
        f.for_(kh, () => f.i32(0), () => f.get(K), 1, () => {
          f.get(v).get(PWd).op('i32.div_u').get(STR).op('i32.mul').get(PAD).op('i32.sub').get(kh).op('i32.add').set(y);
          f.for_(kw, () => f.i32(0), () => f.get(K), 1, () => {
            f.get(v).get(PWd).op('i32.rem_u').get(STR).op('i32.mul').get(PAD).op('i32.sub').get(kw).op('i32.add').set(x);
            f.get(y).get(H).op('i32.lt_u').get(x).get(Wd).op('i32.lt_u').op('i32.and').if_();
            {
              f.get(PIX).get(c).get(H).op('i32.mul').get(y).op('i32.add').get(Wd).op('i32.mul').get(x).op('i32.add').op('i32.add').mem('i32.load8_u').set(val);
              f.get(row).get(e).i32(1).op('i32.shl').op('i32.add').get(val).mem('i32.store16');
              f.get(nz).get(val).i32(0).op('i32.ne').op('i32.add').set(nz);
            }
            f.end();
            f.get(e).i32(1).op('i32.add').set(e);
          });
        });
      });
    });
  }
  f.end();
  f.get(nz);
  return f;
}

/**
 * dot16(F, W, V, Nt8, Kp, thrA, thrU, out, Np)
 * First layer: rows v < V (a multiple of 4) of F (Kp i16 pixels, 0 where padded) against binary
 * weights as i16 ±1 (0 past K): the exact integer dot, thresholded, out[v*Np + n] = 0/1 byte
 * (thresholds at [n]). Weights in tiles of 8 neurons, pixel pairs: W[((t*Kp/2 + p)*2 + h)] is
 * a v128 of (w[2p], w[2p+1]) for neurons t*8 + 4h .. +3, so a broadcast pixel pair and one
 * i32x4.dot_i16x8_s add 2 MACs to 4 neurons at once; no horizontal sums. Tiles: 4 rows x 8.
 */
/**
 * Emits out[n0 .. n0 + 8) = (THA[n]·dot >= THU[n]) as 0/1 bytes (one i64 store) for 8 neurons:
 * `dot(h)` pushes the i32x4 dots of neurons n0 + 4h .. + 3, `addr()` the store address; b0, b1
 * are v128 scratch locals. Shared by the first-layer kernels.
 */
function thresholdBytes8(f: Fn, THA: number, THU: number, n0: number, dot: (h: number) => void, addr: () => void, b0: number, b1: number): void {
  for (let h = 0; h < 2; h++) {
    f.get(THA).get(n0).i32(2).op('i32.shl').op('i32.add').mem('v128.load', 16 * h, 0);
    dot(h);
    f.op('i32x4.mul');
    f.get(THU).get(n0).i32(2).op('i32.shl').op('i32.add').mem('v128.load', 16 * h, 0).op('i32x4.ge_s').set(h ? b1 : b0);
  }
  addr();
  f.get(b0).get(b1).op('i16x8.narrow_i32x4_s').set(b0);
  f.get(b0).get(b0).op('i8x16.narrow_i16x8_s').i32(1).op('i8x16.splat', 'v128.and').extractLane('i64x2.extract_lane', 0);
  f.mem('i64.store', 0, 0);
}

function dot16(): Fn {
  const f = new Fn('dot16', Array(9).fill('i32'), []);
  const [F, W, V, Nt8, KP, THA, THU, OUT, NP] = Array.from({ length: 9 }, (_, i) => i);
  const nt = f.local('i32');
  const v0 = f.local('i32');
  const px = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  const pw = f.local('i32');
  const endp = f.local('i32');
  const rowB = f.local('i32');
  const n0 = f.local('i32');
  const acc: number[] = [];
  for (let i = 0; i < 8; i++) acc.push(f.local('v128'));
  const x = f.local('v128');
  const w0 = f.local('v128');
  const w1 = f.local('v128');
  const b0 = f.local('v128');
  const b1 = f.local('v128');
  f.get(KP).i32(1).op('i32.shl').set(rowB);
  f.for_(nt, () => f.i32(0), () => f.get(Nt8), 1, () => {
    f.get(nt).i32(3).op('i32.shl').set(n0);
    f.for_(v0, () => f.i32(0), () => f.get(V), 4, () => {
      for (const a of acc) f.i32(0).op('i32x4.splat').set(a);
      f.get(F).get(v0).get(rowB).op('i32.mul').op('i32.add').set(px[0]!);
      for (let i = 1; i < 4; i++) f.get(px[i - 1]!).get(rowB).op('i32.add').set(px[i]!);
      // tile weights: W + nt*(Kp/2)*32 = W + nt*Kp*16
      f.get(W).get(nt).get(KP).op('i32.mul').i32(4).op('i32.shl').op('i32.add').set(pw);
      f.get(pw).get(KP).i32(4).op('i32.shl').op('i32.add').set(endp);
      f.block();
      f.get(pw).get(endp).op('i32.ge_u').brIf(0);
      f.loop();
      f.get(pw).mem('v128.load', 0, 0).set(w0);
      f.get(pw).mem('v128.load', 16, 0).set(w1);
      for (let i = 0; i < 4; i++) {
        f.get(px[i]!).mem('v128.load32_splat', 0, 0).set(x);
        f.get(acc[i * 2]!).get(x).get(w0).op('i32x4.dot_i16x8_s', 'i32x4.add').set(acc[i * 2]!);
        f.get(acc[i * 2 + 1]!).get(x).get(w1).op('i32x4.dot_i16x8_s', 'i32x4.add').set(acc[i * 2 + 1]!);
        f.get(px[i]!).i32(4).op('i32.add').set(px[i]!);
      }
      f.get(pw).i32(32).op('i32.add').tee(pw).get(endp).op('i32.lt_u').brIf(0);
      f.end();
      f.end();
      for (let i = 0; i < 4; i++) {
        thresholdBytes8(f, THA, THU, n0, (h) => f.get(acc[i * 2 + h]!), () => f.get(OUT).get(v0).i32(i).op('i32.add').get(NP).op('i32.mul').get(n0).op('i32.add').op('i32.add'), b0, b1);
      }
    });
  });
  return f;
}

/**
 * dotMask(LIST, NL, SUMX, W, NP, THA, THU, OUT, ACC)
 * Dense first layer of one image over its nonzero pixels only (MNIST: about a fifth of them).
 * With binary weights w = 2b - 1, dot = Σ w·x = 2·Σ_{b=1} x - Σ x, and Σ_{b=1} x adds x & mask
 * per pixel, where the weights are byte masks (0xff for +1): W + LIST[2i] is pixel i's mask
 * row (NP bytes, NP a multiple of 64), LIST[2i+1] its value (1..255), NL pixels, SUMX = Σ x.
 * (Byte masks: the seed MLP's 784 x 2048 masks fit a 2 MiB L2.)
 * Neurons go in blocks of 64 (eight i16x8 accumulators in registers), flushed into i32 at ACC
 * (256 bytes) every 128 pixels (128 · 255 < 2^15). Then out[n] = (THA[n]·dot >= THU[n]) as a 0/1
 * byte for n < NP, as dot16 writes it.
 */
function dotMask(): Fn {
  const f = new Fn('dotMask', Array(9).fill('i32'), []);
  const [LIST, NL, SUMX, W, NP, THA, THU, OUT, ACC] = Array.from({ length: 9 }, (_, i) => i);
  const blk = f.local('i32');
  const i = f.local('i32');
  const cnt = f.local('i32');
  const p = f.local('i32');
  const q = f.local('i32');
  const n0 = f.local('i32');
  const a: number[] = [];
  for (let j = 0; j < 8; j++) a.push(f.local('v128'));
  const xs = f.local('v128');
  const m = f.local('v128');
  const sx = f.local('v128');
  const b0 = f.local('v128');
  const b1 = f.local('v128');
  const flush = () => {
    for (let j = 0; j < 8; j++) {
      for (const [h, ext] of [[0, 'i32x4.extend_low_i16x8_u'], [1, 'i32x4.extend_high_i16x8_u']] as const) {
        f.get(ACC).get(ACC).mem('v128.load', 32 * j + 16 * h, 0).get(a[j]!).op(ext, 'i32x4.add').mem('v128.store', 32 * j + 16 * h, 0);
      }
      f.i32(0).op('i32x4.splat').set(a[j]!);
    }
  };
  f.get(SUMX).op('i32x4.splat').set(sx);
  f.for_(blk, () => f.i32(0), () => f.get(NP), 64, () => {
    for (let j = 0; j < 8; j++) f.i32(0).op('i32x4.splat').set(a[j]!);
    for (let j = 0; j < 16; j++) f.get(ACC).i32(0).op('i32x4.splat').mem('v128.store', 16 * j, 0);
    f.i32(0).set(cnt);
    f.for_(i, () => f.i32(0), () => f.get(NL), 1, () => {
      f.get(LIST).get(i).i32(3).op('i32.shl').op('i32.add').set(q);
      f.get(q).mem('i32.load', 4, 2).op('i8x16.splat').set(xs);
      f.get(W).get(q).mem('i32.load', 0, 2).op('i32.add').get(blk).op('i32.add').set(p);
      for (let j = 0; j < 4; j++) {
        f.get(xs).get(p).mem('v128.load', 16 * j, 0).op('v128.and').set(m);
        f.get(a[2 * j]!).get(m).op('i16x8.extend_low_i8x16_u', 'i16x8.add').set(a[2 * j]!);
        f.get(a[2 * j + 1]!).get(m).op('i16x8.extend_high_i8x16_u', 'i16x8.add').set(a[2 * j + 1]!);
      }
      f.get(cnt).i32(1).op('i32.add').tee(cnt).i32(128).op('i32.eq').if_();
      flush();
      f.i32(0).set(cnt);
      f.end();
    });
    flush();
    // dot = 2·acc - Σx, thresholded 8 neurons at a time
    for (let j = 0; j < 8; j++) {
      f.get(blk).i32(8 * j).op('i32.add').set(n0);
      thresholdBytes8(f, THA, THU, n0, (h) => f.get(ACC).mem('v128.load', 32 * j + 16 * h, 0).i32(1).op('i32x4.shl').get(sx).op('i32x4.sub'), () => f.get(OUT).get(n0).op('i32.add'), b0, b1);
    }
  });
  return f;
}

/**
 * zero(ptr, bytes): clears a region with 16-byte stores. TypedArray.fill on shared memory takes
 * V8's element-by-element path (about 25x slower than on an ordinary ArrayBuffer, measured), and
 * the runner clears its im2col buffers and maps once per image and layer.
 */
function zero(): Fn {
  const f = new Fn('zero', ['i32', 'i32'], []);
  const [P, N] = [0, 1];
  const i = f.local('i32');
  const end16 = f.local('i32');
  f.get(N).i32(-16).op('i32.and').set(end16);
  f.for_(i, () => f.i32(0), () => f.get(end16), 16, () => {
    f.get(P).get(i).op('i32.add').i32(0).op('i32x4.splat').mem('v128.store', 0, 0);
  });
  f.for_(i, () => f.get(end16), () => f.get(N), 1, () => {
    f.get(P).get(i).op('i32.add').i32(0).mem('i32.store8', 0, 0);
  });
  return f;
}

/** popcnt(ptr, words) -> ones in `words` u64 words */
function popcnt(): Fn {
  const f = new Fn('popcnt', ['i32', 'i32'], ['i32']);
  const i = f.local('i32');
  const c = f.local('i64');
  f.i64(0).set(c);
  f.for_(i, () => f.i32(0), () => f.get(1), 1, () => {
    f.get(c).get(0).get(i).i32(3).op('i32.shl').op('i32.add').mem('i64.load').op('i64.popcnt', 'i64.add').set(c);
  });
  f.get(c).op('i32.wrap_i64');
  return f;
}

let cached: Uint8Array<ArrayBuffer> | null = null;

/** The kernels module's bytes (built once per process). */
export function kernelBytes(): Uint8Array<ArrayBuffer> {
  if (!cached) cached = assemble([gemm('sense'), gemm('adc'), gemm('s1'), gemmScalar(), gather(), poolMajority(), gather8(), dot16(), dotMask(), popcnt(), zero()], MAX_PAGES);
  return cached;
}

export interface Kernels {
  gemm(...a: number[]): void;
  gemmAdc(...a: number[]): void;
  gemmS1(...a: number[]): void;
  gemmScalar(...a: number[]): void;
  gather(...a: number[]): number;
  poolMajority(...a: number[]): number;
  gather8(...a: number[]): number;
  dot16(...a: number[]): void;
  dotMask(...a: number[]): void;
  popcnt(ptr: number, words: number): number;
  zero(ptr: number, bytes: number): void;
}
