/**
 * The engine self-check (src/func/selfcheck.ts) and its use in backend selection: a correct
 * engine passes; an engine that gets one count or one prediction wrong fails, and the message
 * names the case, the read-out and the first layer that differs; `--backend gpu` with a GPU that
 * fails is an EnvironmentError (exit 3), with one that passes the reason line says so; the same
 * for the CPU path's native kernels (auto falls back to the WebAssembly kernels).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCpuEngine, type CpuEngine } from '../../src/func/cpu/engine.ts';
import { loadAddon } from '../../src/func/cpu/native.ts';
import { createReferenceEngine } from '../../src/func/reference.ts';
import { selectEngine } from '../../src/func/select.ts';
import { CASES } from '../../src/func/cases.ts';
import { SELF_CHECK_CASES, selfCheck, summariseFailures, type SelfCheckResult } from '../../src/func/selfcheck.ts';
import type { Engine, EvalResult } from '../../src/func/types.ts';
import { EnvironmentError, InputError } from '../../src/errors.ts';
import { acquireGpu } from '../../src/gpu/runtime.ts';

/** An engine that returns the reference's results with one change. */
function faulty(change: (r: EvalResult) => void): Engine {
  const ref = createReferenceEngine();
  return {
    ...ref,
    evaluate: async (m, i, o) => {
      const r = await ref.evaluate(m, i, o);
      change(r);
      return r;
    },
  };
}

describe('self-check', () => {
  it('every named case exists, and the set covers conv and dense input layers, sense and ADC', () => {
    const cases = SELF_CHECK_CASES.map((n) => CASES.find((c) => c.name === n));
    expect(cases.every(Boolean)).toBe(true);
    expect(cases.some((c) => c!.spec.first.kind === 'conv')).toBe(true);
    expect(cases.some((c) => c!.spec.first.kind === 'dense')).toBe(true);
    expect(cases.some((c) => c!.readouts.some((r) => r.kind === 'adc'))).toBe(true);
    expect(cases.some((c) => c!.spec.classes > 32)).toBe(true);
  });

  it('passes on the reference engine and on the fast CPU path', async () => {
    const r = await selfCheck(createReferenceEngine());
    expect(r.ok).toBe(true);
    expect(r.comparisons).toBeGreaterThanOrEqual(SELF_CHECK_CASES.length * 2);
    expect(r.failures).toEqual([]);
    const cpu = createCpuEngine({ workers: 1, kernels: 'wasm' });
    try {
      const c = await selfCheck(cpu);
      expect(c.ok).toBe(true);
      expect(c.comparisons).toBe(r.comparisons);
    } finally {
      await cpu.dispose();
    }
  });

  it('fails on one wrong activity count, naming the layer and the field', async () => {
    const r = await selfCheck(
      faulty((res) => {
        res.activity[1]!.matches += 1;
      }),
    );
    expect(r.ok).toBe(false);
    expect(r.failures.length).toBe(r.comparisons);
    const m = r.failures[0]!.detail.match(/^0 of (\d+) predictions differ; layer 1 first differs: matches (\d+) \(expected (\d+)\)$/);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBe(CASES.find((c) => c.name === SELF_CHECK_CASES[0])!.images);
    expect(Number(m![2])).toBe(Number(m![3]) + 1);
    expect(summariseFailures(r)).toMatch(new RegExp(`^${r.comparisons} of ${r.comparisons} comparisons with the reference engine differ; first: "${SELF_CHECK_CASES[0]!.replace(/[()]/g, '\\$&')}"`));
  });

  it('fails on one wrong prediction', async () => {
    const r = await selfCheck(
      faulty((res) => {
        res.predictions[0] = res.predictions[0] === 0 ? 1 : 0;
      }),
    );
    expect(r.ok).toBe(false);
    expect(r.failures[0]!.detail).toMatch(/^1 of \d+ predictions differ$/);
  });

  it('reports an engine that throws as a failure, not a crash', async () => {
    const ref = createReferenceEngine();
    const r = await selfCheck({ ...ref, evaluate: async () => Promise.reject(new Error('device lost')) });
    expect(r.ok).toBe(false);
    expect(r.failures[0]!.detail).toBe('evaluation failed: device lost');
  });
});

describe('backend selection runs the GPU self-check', () => {
  const saved = process.env.ARCHSIM_GPU_SELFCHECK;
  afterEach(() => {
    if (saved === undefined) delete process.env.ARCHSIM_GPU_SELFCHECK;
    else process.env.ARCHSIM_GPU_SELFCHECK = saved;
  });
  const failing = async (): Promise<SelfCheckResult> => ({
    ok: false,
    comparisons: 3,
    failures: [{ case: 'dense, 37-class classifier', readout: { kind: 'sense' }, detail: 'layer 1 first differs: matches 9 (expected 8)' }],
    seconds: 0,
  });

  it('ARCHSIM_GPU_SELFCHECK takes 0 or 1 only', async (ctx) => {
    if (!(await acquireGpu())) return ctx.skip();
    process.env.ARCHSIM_GPU_SELFCHECK = 'no';
    await expect(selectEngine('gpu')).rejects.toThrow(InputError);
    await expect(selectEngine('gpu')).rejects.toThrow(/ARCHSIM_GPU_SELFCHECK=no: expected 0/);
  });

  it('a GPU that fails: --backend gpu is an EnvironmentError (exit 3) naming the difference, auto warns and takes the CPU path; one that passes says so', async (ctx) => {
    if (!(await acquireGpu())) return ctx.skip();
    delete process.env.ARCHSIM_GPU_SELFCHECK;
    const err = await selectEngine('gpu', { gpuCheck: failing }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/failed archsim's bit-exact self-check.*1 of 3 comparisons.*"dense, 37-class classifier".*matches 9 \(expected 8\).*--backend cpu/);
    const sel = await selectEngine('gpu');
    try {
      expect(sel.backend).toBe('gpu');
      expect(sel.reason).toMatch(/as requested; bit-exact self-check passed \(\d+ comparisons, [\d.]+ s\)$/);
    } finally {
      await sel.engine.dispose();
    }
    // auto with a GPU that fails: a warning on stderr, the CPU path, and the reason line says why
    const warnings: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => (warnings.push(String(chunk)), true)) as typeof process.stderr.write;
    let fell;
    try {
      fell = await selectEngine('auto', { gpuCheck: failing, autoTakesSoftware: true, workers: 1 });
    } finally {
      process.stderr.write = write;
    }
    try {
      expect(fell.backend).toBe('cpu');
      expect(fell.reason).toMatch(/^cpu fast path \(the GPU adapter .* failed the bit-exact self-check \(1 of 3 comparisons.*\)\)/);
      expect(warnings.join('')).toMatch(/^archsim: warning: the GPU adapter .* failed the bit-exact self-check .*; using the CPU path/);
    } finally {
      await fell.engine.dispose();
    }
    const took = await selectEngine('auto', { autoTakesSoftware: true });
    try {
      expect(took.backend).toBe('gpu');
      expect(took.reason).toMatch(/; bit-exact self-check passed/);
    } finally {
      await took.engine.dispose();
    }
    process.env.ARCHSIM_GPU_SELFCHECK = '0';
    const skipped = await selectEngine('gpu', { gpuCheck: failing });
    try {
      expect(skipped.reason).toMatch(/self-check skipped \(ARCHSIM_GPU_SELFCHECK=0\)$/);
    } finally {
      await skipped.engine.dispose();
    }
  }, 120_000);
});

describe('backend selection runs the native kernels\' self-check', () => {
  const saved = { check: process.env.ARCHSIM_CPU_SELFCHECK, kernels: process.env.ARCHSIM_CPU_KERNELS };
  afterEach(() => {
    for (const [k, v] of [['ARCHSIM_CPU_SELFCHECK', saved.check], ['ARCHSIM_CPU_KERNELS', saved.kernels]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const failing = async (): Promise<SelfCheckResult> => ({
    ok: false,
    comparisons: 24,
    failures: [{ case: 'random shapes, seed 2', readout: { kind: 'adc', rows: 64, bits: 3 }, detail: '2 of 40 predictions differ; layer 2 first differs: matches 1009 (expected 1011)' }],
    seconds: 0,
  });
  /** whether `auto` takes native kernels here (CI: it must, ARCHSIM_REQUIRE_NATIVE=1) */
  const nativeHere = (): boolean => {
    const { addon, error } = loadAddon();
    if (!addon && process.env.ARCHSIM_REQUIRE_NATIVE === '1') throw new Error(`native addon not loaded (${error}) and ARCHSIM_REQUIRE_NATIVE=1`);
    return !!addon?.avx512;
  };

  it('the self-check calls every native kernel', async (ctx) => {
    if (!nativeHere()) return ctx.skip();
    const set = loadAddon().addon!.avx512 as unknown as Record<string, (...a: unknown[]) => unknown>;
    const names = ['gemm', 'gemmAdc', 'gemmS1', 'gather', 'poolMajority', 'dotMask', 'dot16'];
    const calls: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    const orig = Object.fromEntries(names.map((n) => [n, set[n]!]));
    for (const n of names) set[n] = (...a: unknown[]) => (calls[n]!++, orig[n]!(...a));
    // one worker: the kernels run on this thread, through this module's addon object
    const engine = createCpuEngine({ workers: 1, kernels: 'native' });
    try {
      expect((await selfCheck(engine)).ok).toBe(true);
    } finally {
      await engine.dispose();
      for (const n of names) set[n] = orig[n]!;
    }
    expect(Object.entries(calls).filter(([, c]) => c === 0).map(([n]) => n)).toEqual([]);
  });

  it('ARCHSIM_CPU_SELFCHECK takes 0 or 1 only', async () => {
    process.env.ARCHSIM_CPU_SELFCHECK = 'yes';
    await expect(selectEngine('cpu')).rejects.toThrow(InputError);
    await expect(selectEngine('cpu')).rejects.toThrow(/ARCHSIM_CPU_SELFCHECK=yes: expected 0/);
  });

  it('native kernels that fail: auto warns and takes the WebAssembly kernels, ARCHSIM_CPU_KERNELS=native is an EnvironmentError (exit 3); ones that pass say so; WebAssembly kernels are not checked', async (ctx) => {
    if (!nativeHere()) return ctx.skip();
    delete process.env.ARCHSIM_CPU_SELFCHECK;
    delete process.env.ARCHSIM_CPU_KERNELS;
    const warnings: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => (warnings.push(String(chunk)), true)) as typeof process.stderr.write;
    let fell;
    try {
      fell = await selectEngine('cpu', { cpuCheck: failing, workers: 1 });
    } finally {
      process.stderr.write = write;
    }
    try {
      expect((fell.engine as CpuEngine).kernelIsa).toBe('wasm');
      expect(fell.reason).toBe('cpu (fast path), as requested; WebAssembly kernels (native AVX-512 kernels failed the bit-exact self-check)');
      expect(warnings.join('')).toMatch(/^archsim: warning: the native AVX-512 kernels \(.*archsim_kernels\.node\) failed archsim's bit-exact self-check: 1 of 24 comparisons .*"random shapes, seed 2".*matches 1009 \(expected 1011\); using the WebAssembly kernels/);
      // the engine it fell back to is the reference's equal
      expect((await selfCheck(fell.engine)).ok).toBe(true);
    } finally {
      await fell.engine.dispose();
    }
    process.env.ARCHSIM_CPU_KERNELS = 'native';
    const err = await selectEngine('cpu', { cpuCheck: failing, workers: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/^ARCHSIM_CPU_KERNELS=native: the native AVX-512 kernels .* failed archsim's bit-exact self-check: 1 of 24 .*Rebuild it \(npm run build:native\) or use ARCHSIM_CPU_KERNELS=wasm/);
    delete process.env.ARCHSIM_CPU_KERNELS;
    const ok = await selectEngine('cpu', { workers: 1 });
    try {
      expect((ok.engine as CpuEngine).kernelIsa).toBe('avx512');
      expect(ok.reason).toMatch(/^cpu \(fast path\), as requested; native AVX-512 kernels, bit-exact self-check passed \(24 comparisons, [\d.]+ s\)$/);
    } finally {
      await ok.engine.dispose();
    }
    process.env.ARCHSIM_CPU_SELFCHECK = '0';
    const skipped = await selectEngine('cpu', { cpuCheck: failing, workers: 1 });
    try {
      expect(skipped.reason).toMatch(/native AVX-512 kernels \(self-check skipped: ARCHSIM_CPU_SELFCHECK=0\)$/);
    } finally {
      await skipped.engine.dispose();
    }
    delete process.env.ARCHSIM_CPU_SELFCHECK;
    process.env.ARCHSIM_CPU_KERNELS = 'wasm';
    let called = 0;
    const wasm = await selectEngine('cpu', { cpuCheck: async (e) => (called++, failing()), workers: 1 });
    try {
      expect(called).toBe(0);
      expect(wasm.reason).toBe('cpu (fast path), as requested; WebAssembly kernels');
    } finally {
      await wasm.engine.dispose();
    }
  }, 120_000);
});
