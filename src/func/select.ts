/**
 * Backend selection for every command that evaluates (`--backend auto|gpu|cpu|reference`).
 *
 * auto: a hardware GPU when Dawn finds one; otherwise the fast CPU path (on a software adapter
 *       such as llvmpipe the CPU path is faster, so auto does not take it).
 * gpu:  the WGSL path on whatever adapter exists, software included; an error when there is none.
 * cpu:  the fast CPU path (worker threads; native AVX-512 kernels where built and supported,
 *       else WebAssembly: src/func/cpu/native.ts).
 * reference: the plain TypeScript oracle (slow; for checking).
 * Modules are imported lazily so that nothing touches the GPU before inputs are validated.
 */
import { InputError } from '../errors.ts';
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

export async function selectEngine(choice: BackendChoice, opts: { workers?: number } = {}): Promise<SelectedEngine> {
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
    const { createGpuEngine } = await import('../gpu/engine.ts');
    const engine = await createGpuEngine();
    if (!engine) throw new InputError(`--backend gpu: ${GPU_HINT}`);
    return { engine, backend: 'gpu', reason: `gpu (${ctx.info.description || ctx.info.device || ctx.info.backend}), as requested` };
  }
  if (ctx && !ctx.info.isSoftware) {
    const { createGpuEngine } = await import('../gpu/engine.ts');
    const engine = await createGpuEngine();
    if (engine) return { engine, backend: 'gpu', reason: `gpu (hardware adapter: ${ctx.info.description || ctx.info.device})` };
  }
  const { releaseGpu } = await import('../gpu/runtime.ts');
  await releaseGpu();
  return cpu(ctx ? `cpu fast path (the only adapter is a software one, ${ctx.info.description || ctx.info.device}, which is slower)` : 'cpu fast path (no GPU adapter found)');
}
