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
 * Modules are imported lazily so that nothing touches the GPU before inputs are validated.
 */
import { EnvironmentError, InputError } from '../errors.ts';
import type { SelfCheckResult } from './selfcheck.ts';
import type { Engine } from './types.ts';

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

export async function selectEngine(choice: BackendChoice, opts: SelectOptions = {}): Promise<SelectedEngine> {
  if (choice === 'reference') {
    const { createReferenceEngine } = await import('./reference.ts');
    return { engine: createReferenceEngine(), backend: 'reference', reason: 'reference (plain TypeScript oracle), as requested' };
  }
  const cpu = async (reason: string): Promise<SelectedEngine> => {
    const { createCpuEngine } = await import('./cpu/engine.ts');
    const engine = createCpuEngine({ workers: opts.workers });
    const kernels = engine.kernelIsa === 'avx512' ? 'native AVX-512 kernels' : engine.kernelIsa === 'generic' ? 'native portable-C kernels' : 'WebAssembly kernels';
    return { engine, backend: 'cpu', reason: `${reason}; ${kernels}` };
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
