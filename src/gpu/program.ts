/// <reference types="@webgpu/types" />
/**
 * Program objects, tfjs-backend-webgpu style: one object per shader in `shaders/*.wgsl`, holding
 * the data that defines a compiled pipeline (source file, entry point, bindings, workgroup size
 * through WGSL `override` constants) and the dispatch shape. Compiled pipelines are cached per
 * device by a key covering everything that changes the pipeline.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What each binding of group 0 is, in binding order. */
export type BindingKind = 'uniform' | 'read-only-storage' | 'storage';

export interface ProgramSpec {
  /** shader file name in shaders/, e.g. 'binary_dots.wgsl' */
  shader: string;
  entryPoint?: string;
  bindings: BindingKind[];
  /** WGSL `override` constants (workgroup size, tile sizes) */
  overrides: Record<string, number>;
  /** invocations per workgroup (product of the workgroup size the overrides set) */
  workgroupInvocations: number;
}

const SHADER_DIR = fileURLToPath(new URL('../../shaders/', import.meta.url));
const sources = new Map<string, string>();

const INCLUDE = /^\/\/ #include "([\w./-]+)"[ \t]*$/gm;

/**
 * WGSL source of a shader file (read once), with each line `// #include "lib/x.wgsl"` replaced
 * by that file (paths relative to shaders/; every file at most once per shader; WGSL has no
 * includes of its own, and module-scope declarations may come in any order).
 */
export function shaderSource(file: string): string {
  let s = sources.get(file);
  if (s === undefined) {
    const seen = new Set<string>([file]);
    const expand = (name: string, from: string): string => {
      let text: string;
      try {
        text = readFileSync(SHADER_DIR + name, 'utf8');
      } catch {
        throw new Error(`shader ${from}: cannot read ${SHADER_DIR + name}`);
      }
      return text.replace(INCLUDE, (_m, inc: string) => {
        if (seen.has(inc)) return `// (${inc} already included)`;
        seen.add(inc);
        return expand(inc, name);
      });
    };
    s = expand(file, file);
    sources.set(file, s);
  }
  return s;
}

export function programKey(p: ProgramSpec): string {
  const o = Object.keys(p.overrides)
    .sort()
    .map((k) => `${k}=${p.overrides[k]}`)
    .join(',');
  return `${p.shader}:${p.entryPoint ?? 'main'}:${p.bindings.join('/')}:${o}`;
}

export interface CompiledProgram {
  spec: ProgramSpec;
  key: string;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

const caches = new WeakMap<GPUDevice, Map<string, CompiledProgram>>();
const modules = new WeakMap<GPUDevice, Map<string, GPUShaderModule>>();

function shaderModule(device: GPUDevice, file: string): GPUShaderModule {
  let mods = modules.get(device);
  if (!mods) modules.set(device, (mods = new Map()));
  let module = mods.get(file);
  if (!module) {
    module = device.createShaderModule({ code: shaderSource(file), label: file });
    mods.set(file, module);
  }
  return module;
}

function bindGroupLayout(device: GPUDevice, spec: ProgramSpec, key: string): GPUBindGroupLayout {
  return device.createBindGroupLayout({
    label: key,
    entries: spec.bindings.map((kind, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: kind } })),
  });
}

/** The pipeline descriptor of a program (its shader module shared per device) and its bind group layout. */
function pipelineDescriptor(device: GPUDevice, spec: ProgramSpec, key: string): { descriptor: GPUComputePipelineDescriptor; layout: GPUBindGroupLayout } {
  const layout = bindGroupLayout(device, spec, key);
  return {
    layout,
    descriptor: {
      label: key,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module: shaderModule(device, spec.shader), entryPoint: spec.entryPoint ?? 'main', constants: spec.overrides },
    },
  };
}

/** Caches a compiled program for the device. */
function remember(device: GPUDevice, compiled: CompiledProgram): CompiledProgram {
  let cache = caches.get(device);
  if (!cache) caches.set(device, (cache = new Map()));
  cache.set(compiled.key, compiled);
  return compiled;
}

const pendingCompiles = new WeakMap<GPUDevice, Map<string, Promise<CompiledProgram>>>();

/**
 * `compile` without blocking: the driver compiles the pipeline on Dawn's worker threads, so that
 * the engine's pipelines compile in parallel (on an NVIDIA H200 the nine took 1.2 s one after the
 * other, bench/RESULTS.md). Rejects with the adapter's message when the shader is refused.
 */
export function compileAsync(device: GPUDevice, spec: ProgramSpec): Promise<CompiledProgram> {
  const key = programKey(spec);
  const hit = caches.get(device)?.get(key);
  if (hit) return Promise.resolve(hit);
  let pending = pendingCompiles.get(device);
  if (!pending) pendingCompiles.set(device, (pending = new Map()));
  let p = pending.get(key);
  if (!p) {
    const { descriptor, layout } = pipelineDescriptor(device, spec, key);
    p = device
      .createComputePipelineAsync(descriptor)
      .then((pipeline) => remember(device, { spec, key, pipeline, layout }))
      .finally(() => pending!.delete(key));
    pending.set(key, p);
  }
  return p;
}

/** Compiled pipeline for a program on a device, from the cache when it was compiled before. */
export function compile(device: GPUDevice, spec: ProgramSpec): CompiledProgram {
  const key = programKey(spec);
  const hit = caches.get(device)?.get(key);
  if (hit) return hit;
  const { descriptor, layout } = pipelineDescriptor(device, spec, key);
  return remember(device, { spec, key, pipeline: device.createComputePipeline(descriptor), layout });
}

/** Storage buffers a program binds (checked against maxStorageBuffersPerShaderStage). */
export function storageBindings(spec: ProgramSpec): number {
  return spec.bindings.filter((b) => b !== 'uniform').length;
}

/**
 * Workgroup grid for `total` workgroups: x up to the per-dimension limit, the rest in y. Shaders
 * linearise with `wid.y * nwg.x + wid.x` and skip ids >= total.
 */
export function grid(total: number, maxPerDim: number): [number, number] {
  if (total <= maxPerDim) return [Math.max(total, 1), 1];
  const y = Math.ceil(total / maxPerDim);
  if (y > maxPerDim) throw new Error(`dispatch of ${total} workgroups exceeds ${maxPerDim}^2`);
  return [Math.ceil(total / y), y];
}
