/**
 * tfjs backend selection for training: 'webgpu' (Dawn through the npm package `webgpu`) or the
 * pure-JS 'cpu' backend.
 *
 * GPU acquisition: first the platform default adapter (Vulkan/Metal/D3D12: a real GPU), then
 * Mesa llvmpipe through OpenGL ES (`create(['backend=opengles'])` with
 * `requestAdapter({featureLevel: 'compatibility'})`; EGL_PLATFORM=surfaceless must be set
 * before `webgpu` is imported, in the main thread). tfjs-backend-webgpu calls
 * `navigator.gpu.requestAdapter()` itself, so we install a `navigator.gpu` whose
 * requestAdapter returns the adapter we found.
 *
 * TODO(lead): switch to src/gpu's shared device acquisition once it exists, so that training and
 * the simulator use one code path (and one `archsim doctor` story).
 */
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors.ts';
import { dawnInstance } from '../gpu/runtime.ts';
import { patchWasmKernels } from './wasm-kernels.ts';

export type TrainBackend = 'webgpu' | 'wasm' | 'cpu';

export interface BackendInfo {
  backend: TrainBackend;
  /** adapter description for webgpu, 'tfjs-cpu' otherwise */
  adapter: string;
  software: boolean;
}

let gpuRef: unknown = null;

async function findAdapter(): Promise<{ gpu: any; adapter: any; desc: string; software: boolean }> {
  if (!process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const mod: any = await import('webgpu');
  Object.assign(globalThis, mod.globals);
  const tries: { opts: string[]; req: Record<string, unknown> }[] = [];
  if (process.env.ARCHSIM_WEBGPU !== 'opengles') tries.push({ opts: [], req: {} });
  tries.push({ opts: ['backend=opengles'], req: { featureLevel: 'compatibility' } });
  for (const t of tries) {
    let gpu: any;
    try {
      // the simulator's instances, kept for the process (a collected instance crashes dawn.node)
      gpu = await dawnInstance(t.opts);
    } catch {
      continue;
    }
    const adapter = await gpu.requestAdapter(t.req).catch(() => null);
    if (!adapter) continue;
    const info = adapter.info ?? {};
    const desc = [info.vendor, info.architecture, info.device, info.description].filter((s: string) => s).join(' ') || 'unknown adapter';
    const software = /llvmpipe|swiftshader|lavapipe|software/i.test(desc) || info.adapterType === 'cpu';
    // a software Vulkan adapter from the default path: prefer the GL ES path, which is the tested one
    if (t.opts.length === 0 && software) continue;
    return { gpu, adapter, desc, software };
  }
  throw new InputError('--backend webgpu: no WebGPU adapter found (neither a GPU driver nor Mesa llvmpipe through OpenGL ES). Install the Debian packages libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri mesa-vulkan-drivers, or use --backend cpu');
}

/** Selects and initialises a tfjs backend. Deterministic settings; quiet. */
export async function initBackend(name: TrainBackend): Promise<BackendInfo> {
  tf.env().set('PROD', true); // no "install tfjs-node" banner, no debug checks
  if (name === 'cpu') {
    await tf.setBackend('cpu');
    await tf.ready();
    return { backend: 'cpu', adapter: 'tfjs-cpu', software: true };
  }
  if (name === 'wasm') {
    // XNNPACK through WebAssembly SIMD: on a CPU-only machine its matrix products are several
    // times faster than llvmpipe's (measured: 16.5 vs 2.5 GFLOP/s on a 2048x2048 product).
    await import('@tensorflow/tfjs-backend-wasm');
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new InputError('--backend wasm: tfjs could not start its WebAssembly backend; use --backend cpu');
    await tf.ready();
    patchWasmKernels();
    return { backend: 'wasm', adapter: 'tfjs-wasm (XNNPACK, SIMD)', software: true };
  }
  if (name !== 'webgpu') throw new InputError(`--backend: "${name}" is not a training backend; use webgpu, wasm or cpu`);
  const { gpu, adapter, desc, software } = await findAdapter();
  gpuRef = gpu;
  const wrapped = {
    requestAdapter: async () => adapter,
    getPreferredCanvasFormat: () => 'rgba8unorm',
  };
  (globalThis as any).navigator = { ...((globalThis as any).navigator ?? {}), gpu: wrapped };
  await import('@tensorflow/tfjs-backend-webgpu');
  const ok = await tf.setBackend('webgpu');
  if (!ok) throw new InputError('--backend webgpu: tfjs could not start its WebGPU backend on the adapter found; use --backend cpu');
  await tf.ready();
  return { backend: 'webgpu', adapter: desc, software };
}

/** Releases tensors and the GPU reference so the process can exit. */
export function shutdownBackend(): void {
  try {
    tf.disposeVariables();
    tf.engine().reset();
  } catch {
    /* ignore */
  }
  gpuRef = null;
}

export { tf };
