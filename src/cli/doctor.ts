/**
 * `archsim doctor`: what this machine offers archsim — the GPU adapter Dawn finds (backend,
 * description, limits, features) and whether it passes the bit-exact self-check
 * (src/func/selfcheck.ts), whether the fast CPU path can run and which kernels it takes (the native
 * ones after the same self-check), and which backend `--backend auto` would take. Exits 0 even
 * without a GPU, saying how to get one.
 */
import { availableParallelism, cpus } from 'node:os';
import type { Command } from 'commander';
import { GPU_HINT } from '../func/select.ts';
import { selfCheck, summariseFailures, type SelfCheckResult } from '../func/selfcheck.ts';
import { addonPath, loadAddon } from '../func/cpu/native.ts';
import { VERSION } from '../version.ts';

/** A module using one SIMD instruction (i8x16.popcnt): validates only where SIMD exists. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

export function cpuInfo() {
  const wasm = typeof WebAssembly === 'object';
  let simd = false;
  try {
    simd = wasm && WebAssembly.validate(SIMD_PROBE);
  } catch {
    simd = false;
  }
  const { addon, error } = loadAddon();
  return {
    available: wasm,
    wasm,
    simd,
    threads: availableParallelism(),
    model: cpus()[0]?.model ?? 'unknown',
    /** the native crossbar kernels (npm run build:native): which build 'auto' takes, or why none */
    native: addon ? { built: true, avx512: !!addon.avx512, path: addonPath() } : { built: false, avx512: false, path: addonPath(), error },
  };
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show the GPU adapter, its limits and features, and the CPU fast path; say which backend auto takes')
    .option('--json', 'print JSON instead of text')
    .action(async (opts: { json?: boolean }) => {
      const { probeGpu, releaseGpu } = await import('../gpu/runtime.ts');
      const gpu = await probeGpu();
      // the WGSL path against the reference on this adapter (what run/sweep/eval check before using it)
      let check: SelfCheckResult | null = null;
      let checkError: string | null = null;
      if (gpu.adapter) {
        const { createGpuEngine } = await import('../gpu/engine.ts');
        try {
          const engine = await createGpuEngine();
          if (engine) {
            try {
              check = await selfCheck(engine);
            } finally {
              await engine.dispose();
            }
          }
        } catch (e) {
          checkError = (e as Error)?.message ?? String(e);
        }
      }
      await releaseGpu();
      const cpu = cpuInfo();
      // the native kernels against the reference (what run/sweep/eval check before using them)
      let cpuCheck: SelfCheckResult | null = null;
      let cpuCheckError: string | null = null;
      let cpuKernels = 'wasm';
      try {
        const { createCpuEngine } = await import('../func/cpu/engine.ts');
        const engine = createCpuEngine({ workers: 1 });
        cpuKernels = engine.kernelIsa;
        try {
          if (cpuKernels !== 'wasm') cpuCheck = await selfCheck(engine);
        } finally {
          await engine.dispose();
        }
      } catch (e) {
        cpuCheckError = (e as Error)?.message ?? String(e);
      }
      const cpuSelfCheck = cpuCheck ? { kernels: cpuKernels, ok: cpuCheck.ok, comparisons: cpuCheck.comparisons, seconds: cpuCheck.seconds, failures: cpuCheck.failures } : cpuCheckError ? { kernels: cpuKernels, ok: false, error: cpuCheckError } : null;
      const adapter = gpu.adapter;
      const trusted = check?.ok === true;
      const backend = adapter && !adapter.isSoftware && trusted ? 'gpu' : 'cpu';
      const why = adapter
        ? adapter.isSoftware
          ? `the only adapter is a software one (${adapter.description || adapter.device}); the CPU fast path is faster`
          : trusted
            ? `hardware adapter ${adapter.description || adapter.device}, bit-exact self-check passed`
            : `hardware adapter ${adapter.description || adapter.device} failed the bit-exact self-check; the CPU fast path is used`
        : 'no GPU adapter found';
      const gpuSelfCheck = check ? { ok: check.ok, comparisons: check.comparisons, seconds: check.seconds, failures: check.failures } : checkError ? { ok: false, error: checkError } : null;
      const doc = { archsimVersion: VERSION, node: process.version, backend, backendReason: why, adapter, gpuSelfCheck, gpuAttempts: gpu.attempts, cpu, cpuSelfCheck, hint: adapter ? null : GPU_HINT };
      if (opts.json) {
        process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
        return;
      }
      const lines: string[] = [];
      lines.push(`archsim ${VERSION} on Node.js ${process.version}`);
      lines.push(`backend (--backend auto): ${backend} — ${why}`);
      if (adapter) {
        lines.push(`GPU adapter: ${adapter.description || adapter.device || '(no description)'}`);
        lines.push(`  backend ${adapter.backend}, vendor ${adapter.vendor || '-'}, architecture ${adapter.architecture || '-'}, ${adapter.isSoftware ? 'software' : 'hardware'}`);
        lines.push(`  features: ${adapter.features.length ? adapter.features.join(', ') : '(none)'}`);
        lines.push(
          `  bit-exact self-check: ${
            check ? (check.ok ? `passed (${check.comparisons} comparisons with the reference engine, ${check.seconds.toFixed(2)} s)` : `FAILED: ${summariseFailures(check)}`) : `could not run: ${checkError ?? 'no engine on this adapter'}`
          }`,
        );
        const L = adapter.limits as Record<string, number>;
        for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage']) {
          if (L[k] !== undefined) lines.push(`  ${k}: ${L[k]}`);
        }
      } else {
        lines.push(`GPU adapter: none`);
        lines.push(`  ${GPU_HINT}`);
      }
      for (const a of gpu.attempts) lines.push(`  tried ${a.backend}: ${a.result}`);
      lines.push(`CPU fast path: ${cpu.available ? 'available' : 'unavailable'} (WebAssembly${cpu.simd ? ' with SIMD' : ''}, ${cpu.threads} threads, ${cpu.model})`);
      const nat = cpu.native;
      lines.push(
        `  native crossbar kernels: ${
          !nat.built ? 'not built (npm run build:native; needs gcc): the WebAssembly kernels run' : nat.avx512 ? 'built, AVX-512 VPOPCNTDQ: used by --backend cpu/auto' : 'built, but this CPU lacks AVX-512 VPOPCNTDQ: the WebAssembly kernels run'
        }`,
      );
      if (cpuCheck || cpuCheckError) {
        lines.push(
          `  native kernels' bit-exact self-check: ${
            cpuCheck
              ? cpuCheck.ok
                ? `passed (${cpuCheck.comparisons} comparisons with the reference engine, ${cpuCheck.seconds.toFixed(2)} s)`
                : `FAILED: ${summariseFailures(cpuCheck)}; --backend cpu/auto take the WebAssembly kernels`
              : `could not run: ${cpuCheckError}`
          }`,
        );
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}
