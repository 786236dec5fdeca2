/**
 * Backend selection for every command that evaluates (`--backend auto|gpu|cpu|reference`).
 *
 * auto: a hardware GPU when Dawn finds one; otherwise the fast CPU path (on a software adapter
 *       such as llvmpipe the CPU path is faster, so auto does not take it).
 * gpu:  the WGSL path on whatever adapter exists, software included; an error when there is none.
 * cpu:  the fast CPU path (worker threads; native AVX-512 kernels where built and supported,
 *       else WebAssembly: src/func/cpu/native.ts).
 * reference: the plain TypeScript oracle (slow; for checking).
 * A GPU engine is used only after it passes the bit-exact self-check against the reference
 * (src/func/selfcheck.ts, a fraction of a second): CI has no hardware GPU, and a driver can
 * miscompile a kernel. On failure `gpu` is an error (exit 3) and `auto` takes the CPU path and
 * says why. ARCHSIM_GPU_SELFCHECK=0 skips the check (the reason line then says so).
 * Likewise the CPU path's native kernels: the addon is compiled on each machine by its own gcc
 * (npm run build:native), which CI cannot check, so a CPU engine on native kernels runs the same
 * self-check first. On failure, kernels chosen by ARCHSIM_CPU_KERNELS=native|native-generic are an
 * error (exit 3) and the default (auto) takes the WebAssembly kernels (the same bytes on every
 * machine, their semantics fixed by the WebAssembly spec) and says why. ARCHSIM_CPU_SELFCHECK=0
 * skips it.
 * Modules are imported lazily so that nothing touches the GPU before inputs are validated.
 */
import { EnvironmentError, InputError } from '../errors.ts';
import type { SelfCheckResult } from './selfcheck.ts';
import type { Engine } from './types.ts';
import type { CpuEngine } from './cpu/engine.ts';

export type BackendChoice = 'auto' | 'gpu' | 'cpu' | 'reference';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'gpu', 'cpu', 'reference'];

export interface SelectedEngine {
  engine: Engine;
  backend: 'gpu' | 'cpu' | 'reference';
  /** one line for the user: what was chosen and why */
  reason: string;
}

export const GPU_HINT =
  'no WebGPU adapter found. On Debian/Ubuntu without a GPU driver, install Mesa\'s software GPU: ' +
  'sudo apt-get install mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri';

export interface SelectOptions {
  workers?: number;
  /** the GPU engine's self-check (default: src/func/selfcheck.ts's; tests pass a failing one) */
  gpuCheck?: (engine: Engine) => Promise<SelfCheckResult>;
  /** the self-check of a CPU engine on native kernels (default: the same as the GPU's; tests pass a failing one) */
  cpuCheck?: (engine: Engine) => Promise<SelfCheckResult>;
  /** tests only: let `auto` take a software adapter as if it were a GPU (to reach its self-check) */
  autoTakesSoftware?: boolean;
}

/**
 * A GPU engine on the adapter, checked (unless ARCHSIM_GPU_SELFCHECK=0): the engine and the note
 * for the reason line, or what differed (summariseFailures; the engine disposed), or null when no engine.
 */
async function checkedGpuEngine(opts: SelectOptions): Promise<{ engine: Engine; note: string } | { failure: string } | null> {
  const v = process.env.ARCHSIM_GPU_SELFCHECK;
  if (v !== undefined && v !== '0' && v !== '1') throw new InputError(`ARCHSIM_GPU_SELFCHECK=${v}: expected 0 (skip the GPU self-check) or 1 (run it; the default)`);
  const { createGpuEngine } = await import('../gpu/engine.ts');
  const engine = await createGpuEngine();
  if (!engine) return null;
  if (v === '0') return { engine, note: 'self-check skipped (ARCHSIM_GPU_SELFCHECK=0)' };
  const { selfCheck, summariseFailures } = await import('./selfcheck.ts');
  const r = await (opts.gpuCheck ?? selfCheck)(engine);
  if (r.ok) return { engine, note: `bit-exact self-check passed (${r.comparisons} comparisons, ${r.seconds.toFixed(2)} s)` };
  await engine.dispose();
  return { failure: summariseFailures(r) };
}

const KERNEL_NAMES = { avx512: 'native AVX-512 kernels', generic: 'native portable-C kernels', wasm: 'WebAssembly kernels' } as const;

/**
 * The fast CPU path's engine, its native kernels checked (unless ARCHSIM_CPU_SELFCHECK=0), and the
 * note for the reason line (the kernels, and the check's outcome).
 */
export async function checkedCpuEngine(opts: SelectOptions): Promise<{ engine: CpuEngine; note: string }> {
  const v = process.env.ARCHSIM_CPU_SELFCHECK;
  if (v !== undefined && v !== '0' && v !== '1') throw new InputError(`ARCHSIM_CPU_SELFCHECK=${v}: expected 0 (skip the native kernels' self-check) or 1 (run it; the default)`);
  const { createCpuEngine } = await import('./cpu/engine.ts');
  const { kernelsFromEnv, addonPath } = await import('./cpu/native.ts');
  const engine = createCpuEngine({ workers: opts.workers });
  const isa = engine.kernelIsa;
  if (isa === 'wasm') return { engine, note: KERNEL_NAMES.wasm };
  if (v === '0') return { engine, note: `${KERNEL_NAMES[isa]} (self-check skipped: ARCHSIM_CPU_SELFCHECK=0)` };
  const { selfCheck, summariseFailures } = await import('./selfcheck.ts');
  const r = await (opts.cpuCheck ?? selfCheck)(engine);
  if (r.ok) return { engine, note: `${KERNEL_NAMES[isa]}, bit-exact self-check passed (${r.comparisons} comparisons, ${r.seconds.toFixed(2)} s)` };
  await engine.dispose();
  const failure = `the ${KERNEL_NAMES[isa]} (${addonPath()}) failed archsim's bit-exact self-check: ${summariseFailures(r)}`;
  const chosen = kernelsFromEnv();
  if (chosen === 'native' || chosen === 'native-generic') {
    throw new EnvironmentError(
      `ARCHSIM_CPU_KERNELS=${chosen}: ${failure}. Rebuild it (npm run build:native) or use ARCHSIM_CPU_KERNELS=wasm, and please report the compiler (gcc --version) and CPU (archsim doctor)`,
    );
  }
  process.stderr.write(`archsim: warning: ${failure}; using the WebAssembly kernels. Rebuild the addon (npm run build:native) and please report the compiler and CPU (archsim doctor).\n`);
  return { engine: createCpuEngine({ workers: opts.workers, kernels: 'wasm' }), note: `${KERNEL_NAMES.wasm} (${KERNEL_NAMES[isa]} failed the bit-exact self-check)` };
}

export async function selectEngine(choice: BackendChoice, opts: SelectOptions = {}): Promise<SelectedEngine> {
  if (choice === 'reference') {
    const { createReferenceEngine } = await import('./reference.ts');
    return { engine: createReferenceEngine(), backend: 'reference', reason: 'reference (plain TypeScript oracle), as requested' };
  }
  const cpu = async (reason: string): Promise<SelectedEngine> => {
    const c = await checkedCpuEngine(opts);
    return { engine: c.engine, backend: 'cpu', reason: `${reason}; ${c.note}` };
  };
  if (choice === 'cpu') return cpu('cpu (fast path), as requested');
  const { acquireGpu } = await import('../gpu/runtime.ts');
  const ctx = await acquireGpu();
  if (choice === 'gpu') {
    if (!ctx) throw new InputError(`--backend gpu: ${GPU_HINT}; or use --backend cpu`);
    const name = ctx.info.description || ctx.info.device || ctx.info.backend;
    const g = await checkedGpuEngine(opts);
    if (!g) throw new InputError(`--backend gpu: ${GPU_HINT}`);
    if ('failure' in g) {
      throw new EnvironmentError(
        `--backend gpu: the GPU adapter ${name} failed archsim's bit-exact self-check, so its results cannot be trusted: ${g.failure}. Use --backend cpu (same results as the reference), and please report the adapter and driver (archsim doctor)`,
      );
    }
    return { engine: g.engine, backend: 'gpu', reason: `gpu (${name}), as requested; ${g.note}` };
  }
  let failed = '';
  if (ctx && (!ctx.info.isSoftware || opts.autoTakesSoftware)) {
    const name = ctx.info.description || ctx.info.device;
    const g = await checkedGpuEngine(opts);
    if (g && 'engine' in g) return { engine: g.engine, backend: 'gpu', reason: `gpu (hardware adapter: ${name}); ${g.note}` };
    if (g) {
      failed = `the GPU adapter ${name} failed the bit-exact self-check (${g.failure})`;
      process.stderr.write(`archsim: warning: ${failed}; using the CPU path. Please report the adapter and driver (archsim doctor).\n`);
    }
  }
  const { releaseGpu } = await import('../gpu/runtime.ts');
  await releaseGpu();
  if (failed) return cpu(`cpu fast path (${failed})`);
  return cpu(ctx ? `cpu fast path (the only adapter is a software one, ${ctx.info.description || ctx.info.device}, which is slower)` : 'cpu fast path (no GPU adapter found)');
}
