/// <reference types="@webgpu/types" />
/**
 * GPU runtime: finds a Dawn adapter (npm package `webgpu`) and hands out one shared device per
 * process.
 *
 * Acquisition order (DESIGN.md section 5):
 * 1. the platform default backend (Vulkan / Metal / D3D12) - a hardware GPU when there is one;
 * 2. Mesa llvmpipe through OpenGL ES (`backend=opengles`, `featureLevel: 'compatibility'`), with
 *    `EGL_PLATFORM=surfaceless` set before `webgpu` is first imported (native code reads the
 *    main thread's environment only, so this module must run in the main thread).
 *
 * The device is created with the adapter's real limits (storage binding size, workgroup storage,
 * ...), not WebGPU's defaults. `GpuContext.release()` drops one lease; when the last lease goes
 * the device is destroyed, so the process can exit by itself. The Dawn instances themselves stay
 * alive until the process ends (see `dawnInstance`). Dawn prints probe warnings to stderr from native code; hiding them is the
 * CLI's business (see probeGpu for `archsim doctor`).
 */

/** Flags of the runtime. */
export interface AcquireOptions {
  /** Log adapter selection and uncaptured GPU errors to stderr. Default false. */
  debug?: boolean;
  /**
   * 'auto' (default): the platform default backend first, then llvmpipe through OpenGL ES.
   * 'software': go straight to the OpenGL ES path (llvmpipe on a machine without a GPU driver).
   */
  prefer?: 'auto' | 'software';
}

export interface GpuInfo {
  /** Dawn backend that produced the adapter: 'default' (Vulkan/Metal/D3D12) or 'opengles' */
  backend: 'default' | 'opengles';
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** a CPU rasteriser (llvmpipe, SwiftShader, lavapipe, softpipe, WARP) rather than a GPU */
  isSoftware: boolean;
  featureLevel: 'core' | 'compatibility';
  limits: Record<string, number>;
  features: string[];
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly info: GpuInfo;
  /** Errors reported by the device since the last call (validation, out of memory, internal). */
  takeErrors(): string[];
  /** Drops this lease; the last lease destroys the device. */
  release(): void;
}

type WebGpuModule = { create(options: string[]): GPU; globals: object };

let webgpuModule: WebGpuModule | null = null;

async function loadWebGpu(): Promise<WebGpuModule> {
  if (webgpuModule) return webgpuModule;
  // Must be in the environment before dawn.node is loaded (EGL reads it at initialisation).
  if (!process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
  const mod = (await import('webgpu')) as unknown as WebGpuModule;
  // GPUBufferUsage, GPUMapMode, GPUShaderStage, ... as globals, as in a browser.
  Object.assign(globalThis, mod.globals);
  webgpuModule = mod;
  return mod;
}

/**
 * Dawn instances, one per backend, kept for the life of the process. dawn.node's callbacks that
 * process an instance's events hold a raw pointer to it: an instance that is garbage-collected
 * while one is still scheduled leaves that callback locking freed memory, which showed up as a
 * main thread deadlocked in `InstanceBase::ProcessEvents` (a CI run that never finished) and, with
 * a forced GC between acquisitions, as an abort. An idle instance holds no event-loop handle, so
 * keeping it does not stop the process from exiting (test/gpu/exit.test.ts).
 */
const instances = new Map<string, GPU>();

/** The process's Dawn instance for a backend: `[]` (platform default) or `['backend=opengles']`. */
export async function dawnInstance(options: string[]): Promise<GPU> {
  const key = options.join(' ');
  let gpu = instances.get(key);
  if (!gpu) {
    const { create } = await loadWebGpu();
    gpu = create(options);
    instances.set(key, gpu);
  }
  return gpu;
}

const SOFTWARE_RE = /llvmpipe|softpipe|swiftshader|lavapipe|software|basic render|warp/i;

function limitsOf(a: GPUAdapter | GPUDevice): Record<string, number> {
  const out: Record<string, number> = {};
  // limits are getters on the prototype: for..in walks them
  for (const k in a.limits) {
    const v = (a.limits as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/** One backend tried while looking for an adapter (shown by `archsim doctor`). */
export interface GpuAttempt {
  backend: 'default' | 'opengles';
  /** 'adapter: <description>', 'no adapter' or 'error: <message>' */
  result: string;
}

/** What the last adapter search tried, in order. */
let lastAttempts: GpuAttempt[] = [];

interface Found {
  gpu: GPU;
  adapter: GPUAdapter;
  backend: GpuInfo['backend'];
  featureLevel: GpuInfo['featureLevel'];
}

async function findAdapter(prefer: 'auto' | 'software', debug: boolean): Promise<Found | null> {
  const attempts: GpuAttempt[] = [];
  lastAttempts = attempts;
  const note = (a: GpuAttempt) => {
    attempts.push(a);
    if (debug) process.stderr.write(`archsim gpu: ${a.backend}: ${a.result}\n`);
  };
  try {
    await loadWebGpu();
  } catch (e) {
    note({ backend: 'default', result: `error: cannot load the webgpu package: ${String(e)}` });
    return null;
  }
  const found = (gpu: GPU, adapter: GPUAdapter, backend: GpuInfo['backend'], featureLevel: GpuInfo['featureLevel']): Found => {
    const f = { gpu, adapter, backend, featureLevel };
    const d = describe(f);
    note({ backend, result: `adapter: ${d.description || d.device || '(no description)'}${d.isSoftware ? ' (software)' : ''}` });
    return f;
  };
  // extra Dawn flags (e.g. 'enable-dawn-features=toggle_a,toggle_b'), for trying a driver workaround
  const extra = (process.env.ARCHSIM_DAWN_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  if (prefer === 'auto') {
    try {
      const gpu = await dawnInstance(extra);
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (adapter) return found(gpu, adapter, 'default', 'core');
      note({ backend: 'default', result: 'no adapter' });
    } catch (e) {
      note({ backend: 'default', result: `error: ${String(e)}` });
    }
  }
  try {
    const gpu = await dawnInstance(['backend=opengles', ...extra]);
    const adapter = await gpu.requestAdapter({ featureLevel: 'compatibility' } as GPURequestAdapterOptions);
    if (adapter) return found(gpu, adapter, 'opengles', 'compatibility');
    note({ backend: 'opengles', result: 'no adapter' });
  } catch (e) {
    note({ backend: 'opengles', result: `error: ${String(e)}` });
  }
  return null;
}

function describe(found: Found): Omit<GpuInfo, 'limits' | 'features'> {
  const i = found.adapter.info;
  const vendor = i?.vendor ?? '';
  const architecture = i?.architecture ?? '';
  const device = i?.device ?? '';
  const description = i?.description ?? '';
  const fallback = Boolean((i as unknown as { isFallbackAdapter?: boolean })?.isFallbackAdapter);
  return {
    backend: found.backend,
    vendor,
    architecture,
    device,
    description,
    isSoftware: fallback || SOFTWARE_RE.test(`${vendor} ${architecture} ${device} ${description}`),
    featureLevel: found.featureLevel,
  };
}

interface Shared {
  gpu: GPU | null;
  device: GPUDevice;
  info: GpuInfo;
  errors: string[];
  leases: number;
  lost: boolean;
}

let shared: Shared | null = null;
let pending: Promise<Shared | null> | null = null;

async function createShared(opts: AcquireOptions): Promise<Shared | null> {
  const debug = opts.debug ?? false;
  const found = await findAdapter(opts.prefer ?? 'auto', debug);
  if (!found) return null;
  const adapterLimits = limitsOf(found.adapter);
  const requiredLimits: Record<string, number> = {};
  // Ask for everything the adapter offers (the defaults are far below llvmpipe's or a GPU's).
  for (const [k, v] of Object.entries(adapterLimits)) requiredLimits[k] = v;
  const requiredFeatures = [...found.adapter.features].filter((f) => f === 'timestamp-query' || f === 'shader-f16' || f === 'subgroups') as GPUFeatureName[];
  let device: GPUDevice;
  try {
    device = await found.adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'archsim' });
  } catch (e) {
    if (debug) process.stderr.write(`archsim gpu: requestDevice with the adapter's limits failed (${String(e)}); retrying with defaults\n`);
    device = await found.adapter.requestDevice({ label: 'archsim' });
  }
  const s: Shared = {
    gpu: found.gpu,
    device,
    info: { ...describe(found), limits: limitsOf(device), features: [...device.features].sort() },
    errors: [],
    leases: 0,
    lost: false,
  };
  device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
    const msg = ev.error?.message ?? String(ev.error);
    s.errors.push(msg);
    if (debug) process.stderr.write(`archsim gpu error: ${msg}\n`);
  };
  void device.lost.then((info) => {
    s.lost = true;
    if (info.reason !== 'destroyed') s.errors.push(`device lost: ${info.message}`);
  });
  if (debug) process.stderr.write(`archsim gpu: ${s.info.backend} adapter ${s.info.device || s.info.description}${s.info.isSoftware ? ' (software)' : ''}\n`);
  return s;
}

function lease(s: Shared): GpuContext {
  s.leases++;
  let released = false;
  return {
    device: s.device,
    info: s.info,
    takeErrors() {
      return s.errors.splice(0);
    },
    release() {
      if (released) return;
      released = true;
      s.leases--;
      if (s.leases <= 0 && shared === s) destroyShared();
    },
  };
}

function destroyShared(): void {
  const s = shared;
  shared = null;
  pending = null;
  if (!s) return;
  s.device.onuncapturederror = null;
  s.device.destroy();
  s.gpu = null;
}

/**
 * The process's shared GPU device, or null when no adapter is found. Each call takes a lease;
 * call `release()` on the result when done. The options of the first successful call win.
 */
export async function acquireGpu(opts: AcquireOptions = {}): Promise<GpuContext | null> {
  if (shared && !shared.lost) return lease(shared);
  if (shared?.lost) destroyShared();
  if (!pending) pending = createShared(opts);
  const p = pending;
  const s = await p;
  if (pending === p) pending = null;
  if (!s) return null;
  if (shared && shared !== s) {
    // a concurrent caller already installed one; keep the first
    return lease(shared);
  }
  shared = s;
  return lease(s);
}

/** Destroys the shared device now, whatever leases remain (engines using it stop working). */
export function releaseGpu(): void {
  destroyShared();
}

/** What `archsim doctor` prints: JSON-able, no GPU objects. */
export interface GpuProbe {
  /** the adapter found (with the device's limits and features), or null */
  adapter: GpuInfo | null;
  backend: GpuInfo['backend'] | null;
  limits: Record<string, number> | null;
  features: string[];
  /** backends tried, in order */
  attempts: GpuAttempt[];
  /** why there is no adapter, and how to get one */
  hint: string | null;
  error: string | null;
}

export const NO_ADAPTER_HINT =
  'No WebGPU adapter found. On Debian/Ubuntu without a GPU driver install Mesa\'s software rasteriser: ' +
  'apt-get install mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri';

/** Finds an adapter and describes it; releases the device again unless another lease holds it. */
export async function probeGpu(opts: AcquireOptions = {}): Promise<GpuProbe> {
  let ctx: GpuContext | null = null;
  try {
    ctx = await acquireGpu(opts);
  } catch (e) {
    return { adapter: null, backend: null, limits: null, features: [], attempts: [...lastAttempts], hint: NO_ADAPTER_HINT, error: String(e) };
  }
  if (!ctx) return { adapter: null, backend: null, limits: null, features: [], attempts: [...lastAttempts], hint: NO_ADAPTER_HINT, error: null };
  const i = ctx.info;
  const out: GpuProbe = {
    adapter: {
      backend: i.backend,
      vendor: i.vendor,
      architecture: i.architecture,
      device: i.device,
      description: i.description,
      isSoftware: i.isSoftware,
      featureLevel: i.featureLevel,
      limits: { ...i.limits },
      features: [...i.features],
    },
    backend: i.backend,
    limits: { ...i.limits },
    features: [...i.features],
    attempts: [...lastAttempts],
    hint: null,
    error: null,
  };
  ctx.release();
  return out;
}
