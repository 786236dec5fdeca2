/**
 * The fast CPU path beyond the shared suite: both worker threads on one batch give exactly the
 * single-thread result, shapes that exercise the kernels' long-slice paths (slices over 992 bits:
 * carry-save counts, and the chunked popcount loop when those are off),
 * ADC row blocks that are not multiples of 32, empty batches, bad read-outs, and a process that
 * exits by itself after dispose().
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/func/cpu/engine.ts';
import { addonPath, BUILT_ADDON_PATH, loadAddon } from '../../src/func/cpu/native.ts';
import { evaluateReference } from '../../src/func/reference.ts';
import type { EvalResult, Readout } from '../../src/func/types.ts';
import { mapSize } from '../../src/model/types.ts';
import { randomLabels, randomModel, randomPixels, type RandomModelSpec } from '../../src/model/random.ts';

function expectSame(got: EvalResult, want: EvalResult): void {
  expect(Array.from(got.predictions)).toEqual(Array.from(want.predictions));
  expect(got.predictionsDigest).toBe(want.predictionsDigest);
  expect(got.accuracy).toBe(want.accuracy);
  expect(got.correct).toBe(want.correct);
  expect(got.activity).toEqual(want.activity);
}

const convSpec: RandomModelSpec = {
  input: { channels: 3, height: 12, width: 11 },
  first: { kind: 'conv', out: 20, kernel: 3, stride: 1, padding: 1, pool: { size: 2, stride: 2 } },
  hidden: [
    { kind: 'conv', out: 24, kernel: 3, stride: 1, padding: 1, groups: 4, pool: { size: 2, stride: 2 } }, // K=180
    { kind: 'conv', out: 13, kernel: 3, stride: 2, padding: 1, groups: 3, pool: null }, // K=216
    { kind: 'dense', out: 30, groups: 2 }, // K=13*2*2=52
  ],
  classes: 10,
  seed: 11,
};

// slices wider than 31 x 32 bits (the kernels' chunk loop), a classifier over > 992 bits
const wideSpec: RandomModelSpec = {
  input: { channels: 1, height: 10, width: 10 },
  first: { kind: 'dense', out: 2100 },
  hidden: [
    { kind: 'dense', out: 45, groups: 1 }, // one slice of 2100 bits
    { kind: 'dense', out: 1030, groups: 3 }, // K=45
  ],
  classes: 9,
  seed: 12,
};

// conv groups over 896 bits (carry-save counts; the scalar kernel when selected) with padding classes, next to short ones
const longConvSpec: RandomModelSpec = {
  input: { channels: 3, height: 7, width: 6 },
  first: { kind: 'conv', out: 112, kernel: 3, stride: 1, padding: 1, pool: null },
  hidden: [
    { kind: 'conv', out: 17, kernel: 3, stride: 1, padding: 1, groups: 1, pool: { size: 2, stride: 2 } }, // K=1008
    { kind: 'conv', out: 112, kernel: 3, stride: 1, padding: 1, groups: 1, pool: null }, // K=153
    { kind: 'conv', out: 9, kernel: 3, stride: 2, padding: 1, groups: 1, pool: null }, // K=1008, stride 2
    { kind: 'dense', out: 12, groups: 3 },
  ],
  classes: 5,
  seed: 13,
};

function data(spec: RandomModelSpec, images: number) {
  const model = randomModel(spec);
  const size = mapSize(model.layers[0]!.inShape);
  return {
    model,
    inputs: { count: images, pixels: randomPixels(spec.seed + 1, images, size), labels: randomLabels(spec.seed + 2, images, spec.classes) },
  };
}

describe('cpu engine', () => {
  const one = createCpuEngine({ workers: 1, chunk: 8 });
  const two = createCpuEngine({ workers: 2, chunk: 8 });
  afterAll(async () => {
    await one.dispose();
    await two.dispose();
  });

  const readouts: Readout[] = [
    { kind: 'sense' },
    { kind: 'adc', rows: 50, bits: 3 }, // 50 rows: blocks cut inside words
    { kind: 'adc', rows: 37, bits: 6, clip: { 1: 20, 2: 30 } },
  ];
  for (const readout of readouts) {
    it(`two workers give the one-worker result on a batch split across both, ${JSON.stringify(readout)}`, async () => {
      const { model, inputs } = data(convSpec, 70);
      const a = await one.evaluate(model, inputs, { readout });
      const b = await two.evaluate(model, inputs, { readout });
      expect(one.lastShards).toEqual([70]);
      expect(two.lastShards).toEqual([35, 35]);
      // work stealing may move pieces between the threads, never lose or repeat one
      expect(two.lastImagesPerThread.length).toBe(2);
      expect(two.lastImagesPerThread.reduce((x, y) => x + y, 0)).toBe(70);
      expectSame(b, a);
      expectSame(a, evaluateReference(model, inputs, { readout }));
    });
  }

  for (const readout of [{ kind: 'sense' }, { kind: 'adc', rows: 1500, bits: 4 }, { kind: 'adc', rows: 700, bits: 11 }] as Readout[]) {
    it(`slices over 992 bits and a wide classifier, ${JSON.stringify(readout)}`, async () => {
      const { model, inputs } = data(wideSpec, 13);
      const want = evaluateReference(model, inputs, { readout });
      expectSame(await one.evaluate(model, inputs, { readout }), want);
      expectSame(await two.evaluate(model, inputs, { readout }), want);
    });
  }

  for (const readout of [{ kind: 'sense' }, { kind: 'adc', rows: 300, bits: 5 }] as Readout[]) {
    it(`conv groups over 896 bits with padding, ${JSON.stringify(readout)}`, async () => {
      const { model, inputs } = data(longConvSpec, 6);
      const want = evaluateReference(model, inputs, { readout });
      expectSame(await one.evaluate(model, inputs, { readout }), want);
      expectSame(await two.evaluate(model, inputs, { readout }), want);
    });
  }

  it('the scalar kernel on every sense layer gives the same results', async () => {
    const allScalar = createCpuEngine({ workers: 1, scalarMinBits: 1, kernels: 'wasm' });
    try {
      for (const spec of [convSpec, longConvSpec, wideSpec]) {
        const { model, inputs } = data(spec, 7);
        const readout: Readout = { kind: 'sense' };
        expectSame(await allScalar.evaluate(model, inputs, { readout }), evaluateReference(model, inputs, { readout }));
      }
    } finally {
      await allScalar.dispose();
    }
  });

  it('threads reading one copy of the laid-out weights, or a copy each, give the same results', async () => {
    const oneCopy = createCpuEngine({ workers: 2, chunk: 4, sharedPlan: true });
    const copies = createCpuEngine({ workers: 2, chunk: 4 });
    try {
      for (const readout of [{ kind: 'sense' }, { kind: 'adc', rows: 50, bits: 3 }] as Readout[]) {
        const { model, inputs } = data(convSpec, 8);
        const want = evaluateReference(model, inputs, { readout });
        expectSame(await oneCopy.evaluate(model, inputs, { readout }), want);
        expectSame(await copies.evaluate(model, inputs, { readout }), want);
        // the batch was shared between two threads (each with its own copy)
        expect(copies.lastShards.length).toBe(2);
      }
    } finally {
      await oneCopy.dispose();
      await copies.dispose();
    }
  });

  it('carry-save counts on every SIMD slice and on none give the same results', async () => {
    // csaMinBits 0: every slice length (4 steps of 32 bits: the half block alone; 8, 12, ..., 68)
    const allCsa = createCpuEngine({ workers: 1, csaMinBits: 0, kernels: 'wasm' });
    const noCsa = createCpuEngine({ workers: 1, csaMinBits: Infinity, kernels: 'wasm' });
    try {
      const readouts: Readout[] = [{ kind: 'sense' }, { kind: 'adc', rows: 50, bits: 3 }, { kind: 'adc', rows: 300, bits: 5 }, { kind: 'adc', rows: 1500, bits: 4, clip: { 1: 900 } }];
      for (const spec of [convSpec, longConvSpec, wideSpec])
        for (const readout of readouts) {
          const { model, inputs } = data(spec, 6);
          const want = evaluateReference(model, inputs, { readout });
          expectSame(await allCsa.evaluate(model, inputs, { readout }), want);
          expectSame(await noCsa.evaluate(model, inputs, { readout }), want);
        }
    } finally {
      await allCsa.dispose();
      await noCsa.dispose();
    }
  });

  it('the native GEMMs (portable C and AVX-512) give the wasm kernels\' results on long, wide and conv shapes', async (ctx) => {
    const { addon } = loadAddon();
    if (!addon) {
      if (process.env.ARCHSIM_REQUIRE_NATIVE === '1') throw new Error('native addon not built and ARCHSIM_REQUIRE_NATIVE=1');
      return ctx.skip();
    }
    const engines = [createCpuEngine({ workers: 1, kernels: 'native-generic' }), ...(addon.avx512 ? [createCpuEngine({ workers: 2, chunk: 4, kernels: 'native' })] : [])];
    const wasm = createCpuEngine({ workers: 1, kernels: 'wasm' });
    try {
      expect(engines.map((e) => e.kernelIsa)).toEqual(addon.avx512 ? ['generic', 'avx512'] : ['generic']);
      expect(wasm.kernelIsa).toBe('wasm');
      const readouts: Readout[] = [{ kind: 'sense' }, { kind: 'adc', rows: 50, bits: 3 }, { kind: 'adc', rows: 37, bits: 6, clip: { 1: 20, 2: 30 } }, { kind: 'adc', rows: 1500, bits: 4, clip: { 1: 900 } }];
      for (const spec of [convSpec, longConvSpec, wideSpec])
        for (const readout of readouts) {
          const { model, inputs } = data(spec, 9);
          const want = await wasm.evaluate(model, inputs, { readout });
          expectSame(want, evaluateReference(model, inputs, { readout }));
          for (const e of engines) expectSame(await e.evaluate(model, inputs, { readout }), want);
        }
    } finally {
      for (const e of [...engines, wasm]) await e.dispose();
    }
  });

  it('the native addon rejects calls that would reach outside the memory', (ctx) => {
    const { addon } = loadAddon();
    if (!addon) return ctx.skip();
    const mem = new Uint8Array(new SharedArrayBuffer(1 << 16));
    // X, W, V, Nt8, S, steps32, nb, cls, corr, nv, thrA, thrU, out, mode, adcS, adcL1, scratch, Np, Vv, nmask, csa, used32
    const ok = [1024, 2048, 4, 1, 1, 4, 1, 4096, 5000, 6000, 7000, 8000, 9000, 0, 0, 0, 10000, 8, 4, 11000, 0, 4];
    expect(() => addon.generic.gemm(mem, ...ok)).not.toThrow();
    const far = [...ok];
    far[1] = (1 << 16) - 64; // weights run past the end
    expect(() => addon.generic.gemm(mem, ...far)).toThrow(RangeError);
    const neg = [...ok];
    neg[12] = -1;
    expect(() => addon.generic.gemmS1(mem, ...neg)).toThrow(/negative/);
    expect(() => addon.generic.gemm(mem, 1, 2)).toThrow(TypeError);
    const used = [...ok];
    used[21] = 5; // more used steps than the slice has
    expect(() => addon.generic.gemmAdc(mem, ...used)).toThrow(/used32/);
    // gather(map, X, P, pw, stride, pad, H, W, psb, runs, nRuns, vecB): a run of 8 bits from bit 4 of a 1-byte pixel
    new Int32Array(mem.buffer, 20000, 5).set([0, 0, 4, 8, 0]);
    expect(() => addon.generic.gather(mem, 1024, 2048, 1, 1, 1, 0, 1, 1, 1, 20000, 1, 16)).toThrow(/run reaches outside/);
    new Int32Array(mem.buffer, 20000, 5).set([0, 0, 0, 8, 0]);
    mem[1024] = 0b1011;
    expect(addon.generic.gather(mem, 1024, 2048, 1, 1, 1, 0, 1, 1, 1, 20000, 1, 16)).toBe(3);
    expect(mem[2048]).toBe(0b1011);
  });

  it('ARCHSIM_CPU_KERNELS must name a known kernel set', () => {
    const old = process.env.ARCHSIM_CPU_KERNELS;
    process.env.ARCHSIM_CPU_KERNELS = 'avx9000';
    try {
      expect(() => createCpuEngine({ workers: 1 })).toThrow(/ARCHSIM_CPU_KERNELS: 'avx9000' is not one of auto, wasm, native, native-generic/);
    } finally {
      if (old === undefined) delete process.env.ARCHSIM_CPU_KERNELS;
      else process.env.ARCHSIM_CPU_KERNELS = old;
    }
  });

  it('ARCHSIM_NATIVE_ADDON names the addon file; one that cannot be loaded is an error, not a fallback to wasm', async (ctx) => {
    const old = process.env.ARCHSIM_NATIVE_ADDON;
    const dir = mkdtempSync(join(tmpdir(), 'archsim-addon-'));
    try {
      process.env.ARCHSIM_NATIVE_ADDON = join(dir, 'missing.node');
      expect(() => createCpuEngine({ workers: 1 })).toThrow(/ARCHSIM_NATIVE_ADDON: the native addon .*missing\.node could not be loaded/);
      expect(() => createCpuEngine({ workers: 1, kernels: 'native-generic' })).toThrow(/ARCHSIM_NATIVE_ADDON/);
      const w = createCpuEngine({ workers: 1, kernels: 'wasm' }); // never loads the addon
      expect(w.kernelIsa).toBe('wasm');
      await w.dispose();
      delete process.env.ARCHSIM_NATIVE_ADDON;
      if (!loadAddon().addon) {
        if (process.env.ARCHSIM_REQUIRE_NATIVE === '1') throw new Error('native addon not built and ARCHSIM_REQUIRE_NATIVE=1');
        return ctx.skip();
      }
      // a copy elsewhere, named by the variable (relative to the working directory), is the one loaded,
      // and a 2-worker evaluation with it equals the reference
      const copy = join(dir, 'kernels.node');
      copyFileSync(BUILT_ADDON_PATH, copy);
      process.env.ARCHSIM_NATIVE_ADDON = relative(process.cwd(), copy);
      expect(addonPath()).toBe(copy);
      const e = createCpuEngine({ workers: 2, chunk: 4, kernels: 'native-generic' });
      try {
        expect(e.kernelIsa).toBe('generic');
        const { model, inputs } = data(convSpec, 9);
        const readout: Readout = { kind: 'adc', rows: 50, bits: 3 };
        expectSame(await e.evaluate(model, inputs, { readout }), evaluateReference(model, inputs, { readout }));
      } finally {
        await e.dispose();
      }
    } finally {
      if (old === undefined) delete process.env.ARCHSIM_NATIVE_ADDON;
      else process.env.ARCHSIM_NATIVE_ADDON = old;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an empty batch', async () => {
    const { model } = data(convSpec, 0);
    const inputs = { count: 0, pixels: new Uint8Array(0), labels: new Uint8Array(0) };
    const want = evaluateReference(model, inputs, { readout: { kind: 'sense' } });
    expectSame(await two.evaluate(model, inputs, { readout: { kind: 'sense' } }), want);
  });

  it('rejects a bad read-out', async () => {
    const { model, inputs } = data(convSpec, 2);
    await expect(one.evaluate(model, inputs, { readout: { kind: 'adc', rows: 0, bits: 4 } })).rejects.toThrow(/row block size/);
  });

  it('interleaved models and read-outs reuse their weight layouts exactly', async () => {
    const c = data(convSpec, 9);
    const w = data(wideSpec, 5);
    const r1: Readout = { kind: 'adc', rows: 50, bits: 3 };
    for (const [d, r] of [[c, r1], [w, { kind: 'sense' }], [c, { kind: 'sense' }], [w, r1], [c, r1]] as const) {
      expectSame(await two.evaluate(d.model, d.inputs, { readout: r }), evaluateReference(d.model, d.inputs, { readout: r }));
    }
  });
});

describe('cpu engine: dense first layer over nonzero pixels (dotMask)', () => {
  it('blank, saturated, sparse and dense images (more than 128 and 256 nonzero pixels) equal the reference', async () => {
    const spec: RandomModelSpec = { input: { channels: 1, height: 20, width: 20 }, first: { kind: 'dense', out: 70 }, hidden: [{ kind: 'dense', out: 40, groups: 2 }], classes: 6, seed: 21 };
    const model = randomModel(spec);
    const K = 400;
    const n = 6;
    const pixels = randomPixels(22, n, K);
    pixels.fill(0, 0, K); // blank
    pixels.fill(255, K, 2 * K); // every pixel 255: sums far past 16 bits
    for (let i = 2 * K; i < 3 * K; i++) pixels[i] = i % 7 === 0 ? 1 + (i % 255) : 0; // sparse
    for (let i = 3 * K; i < 4 * K; i++) pixels[i] = i % 3 === 0 ? 0 : 200 + (i % 56); // 267 nonzero
    const inputs = { count: n, pixels, labels: randomLabels(23, n, 6) };
    for (const workers of [1, 2]) {
      const e = createCpuEngine({ workers, chunk: 4 });
      try {
        for (const readout of [{ kind: 'sense' }, { kind: 'adc', rows: 9, bits: 2 }] as Readout[]) expectSame(await e.evaluate(model, inputs, { readout }), evaluateReference(model, inputs, { readout }));
      } finally {
        await e.dispose();
      }
    }
  });
});

describe('cpu engine: first-layer outputs reused across read-outs', () => {
  it('from the third evaluation of the same model and pixels on, the first layer is reused (kept at the second), results equal the reference; other pixels do not', async () => {
    const e = createCpuEngine({ workers: 2, chunk: 8 });
    try {
      const { model, inputs } = data(convSpec, 21);
      const rs: Readout[] = [{ kind: 'adc', rows: 50, bits: 3 }, { kind: 'sense' }, { kind: 'adc', rows: 37, bits: 6, clip: { 1: 20, 2: 30 } }, { kind: 'adc', rows: 50, bits: 3 }];
      for (const [i, r] of rs.entries()) {
        expectSame(await e.evaluate(model, inputs, { readout: r }), evaluateReference(model, inputs, { readout: r }));
        // first evaluation: only the batch's key is remembered; second: its maps are kept
        expect(e.firstLayerReuses).toBe(Math.max(0, i - 1));
      }
      // the same pixel values in another buffer still match (keyed by content); changed pixels do not
      const copy = { ...inputs, pixels: inputs.pixels.slice() };
      await e.evaluate(model, copy, { readout: rs[1]! });
      expect(e.firstLayerReuses).toBe(3);
      copy.pixels[5] = (copy.pixels[5]! + 1) & 255;
      for (const r of [rs[0]!, rs[1]!, rs[2]!]) expectSame(await e.evaluate(model, copy, { readout: r }), evaluateReference(model, copy, { readout: r }));
      expect(e.firstLayerReuses).toBe(4);
      // a prefix of the batch is another batch
      const part = { count: 11, pixels: inputs.pixels.subarray(0, 11 * mapSize(model.layers[0]!.inShape)), labels: inputs.labels!.subarray(0, 11) };
      expectSame(await e.evaluate(model, part, { readout: rs[2]! }), evaluateReference(model, part, { readout: rs[2]! }));
      expect(e.firstLayerReuses).toBe(4);
    } finally {
      await e.dispose();
    }
  });
});

describe('cpu engine process lifetime', () => {
  it('a process that used two workers exits by itself after dispose()', () => {
    const engineUrl = new URL('../../src/func/cpu/engine.ts', import.meta.url).href;
    const helperUrl = new URL('../../src/model/random.ts', import.meta.url).href;
    const script = `
      const { createCpuEngine } = await import(${JSON.stringify(engineUrl)});
      const { randomModel, randomPixels } = await import(${JSON.stringify(helperUrl)});
      const model = randomModel(${JSON.stringify(convSpec)});
      const e = createCpuEngine({ workers: 2 });
      const r = await e.evaluate(model, { count: 20, pixels: randomPixels(1, 20, 3 * 12 * 11), labels: null }, { readout: { kind: 'sense' } });
      await e.dispose();
      console.log('done', r.predictions.length, e.lastShards.join(','));
    `;
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.error).toBeUndefined();
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('done 20 10,10');
    expect(res.status).toBe(0);
  }, 90_000);
});

describe('per-thread copies of the laid-out weights', () => {
  it('a copied layer plan has the bytes and the table offsets of planning the layer again', async () => {
    const { Arena, planModel, copyModelPlan, planRegion } = await import('../../src/func/cpu/plan.ts');
    const model = randomModel(convSpec);
    for (const R of [null, 16, 100]) {
      const arena = new Arena();
      const first = planModel(arena, model, R, new Map());
      const again = planModel(arena, model, R, new Map());
      const copy = copyModelPlan(arena, first, new Map());
      const u8 = arena.u8();
      copy.layers.forEach((c, i) => {
        const a = again.layers[i]!;
        const ra = planRegion(a)!;
        const rc = planRegion(c)!;
        expect(rc.end - rc.start).toBe(ra.end - ra.start);
        expect(Buffer.compare(u8.subarray(rc.start, rc.end), u8.subarray(ra.start, ra.end))).toBe(0);
        // every address points at the same offset in its own region; everything else is equal
        const offsets = (o: object, start: number): unknown =>
          Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' && k.endsWith('Addr') && v >= start ? v - start : v && typeof v === 'object' ? offsets(v, start) : v]));
        expect(offsets(c, rc.start)).toEqual(offsets(a, ra.start));
        expect(rc.start).not.toBe(planRegion(first.layers[i]!)!.start);
      });
    }
  });
});
