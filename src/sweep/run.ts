/**
 * `archsim sweep`: evaluates the cross product of --vary values for one or more models.
 *
 * - Every point's architecture is built and validated before any work starts (bad input exits 2
 *   before the GPU is touched); a point that does not fit is a result line with ok: false.
 * - The functional pass runs on the calling thread, which owns the engine (and the GPU): each
 *   distinct (model, read-out, inputs) is evaluated once and reused by every point that needs it,
 *   so weights are uploaded once per model. Timing and cost run in worker threads.
 * - Results are appended one line per point as they finish; rerunning skips identities already
 *   in the file; --shard I/N runs a deterministic 1/N of the points (see store.ts, space.ts).
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { InputError } from '../errors.ts';
import { loadArch, loadArchFromJson, setByPath } from '../arch/load.ts';
import type { ArchSpec } from '../arch/spec.ts';
import { loadModel } from '../model/io.ts';
import { loadModelInputs, loadModelPair } from '../model/pair.ts';
import type { Model } from '../model/types.ts';
import { evaluateDesign, readoutFor, type DesignResult } from '../sim/evaluate.ts';
import { mapModel } from '../map/place.ts';
import type { Dataset } from '../data/index.ts';
import type { Engine, EvalResult, LayerActivity } from '../func/types.ts';
import { canonicalReadout, emptyActivity } from '../func/common.ts';
import { functionalPass, NO_PROGRESS, type Progress } from '../cli/job.ts';
import { VERSION } from '../version.ts';
import { enumeratePoints, parseShard, parseVary, shardPoints, type PointSpec } from './space.ts';
import { pointIdentity, ResultStore, type ResultLine } from './store.ts';

export interface SweepOptions {
  arch: string;
  models: string[];
  vary: string[];
  out: string;
  workers: number;
  images?: number;
  input?: string;
  shard?: string;
  seed: number;
}

interface ModelEntry {
  file: string;
  split: Model | null;
  baseline: Model;
  baselineFile: string;
  data: Dataset;
  input: string;
}

interface PreparedPoint {
  spec: PointSpec;
  arch: ArchSpec;
  archJson: Record<string, unknown>;
  model: ModelEntry;
  id: string;
}

function loadEntry(file: string, opts: SweepOptions, datasets: Map<string, Dataset>): ModelEntry {
  const pair = loadModelPair(file);
  const { data, input } = loadModelInputs(pair.model, file, opts, datasets);
  return { file, split: pair.split, baseline: pair.baseline, baselineFile: pair.baselineFile, data, input };
}

/** Reads and validates everything; returns the points this shard must still run. */
export function prepareSweep(opts: SweepOptions): { points: PreparedPoint[]; total: number; shardTotal: number } {
  if (!opts.models.length) throw new InputError('--model: at least one model file is required');
  const base = loadArch(opts.arch);
  const baseJson = base.json as Record<string, unknown>;
  const varies = opts.vary.map(parseVary);
  const shard = opts.shard ? parseShard(opts.shard) : null;
  const datasets = new Map<string, Dataset>();
  const entries = new Map<string, ModelEntry>();
  for (const f of opts.models) entries.set(f, loadEntry(f, opts, datasets));
  const all = enumeratePoints(opts.models, varies);
  const mine = shardPoints(all, shard);
  const points: PreparedPoint[] = [];
  for (const spec of mine) {
    const json = structuredClone(baseJson);
    for (const [k, v] of Object.entries(spec.params)) setByPath(json, k, v);
    let arch: ArchSpec;
    try {
      arch = loadArchFromJson(json, opts.arch);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`point ${spec.index} (${Object.entries(spec.params).map(([k, v]) => `${k}=${v}`).join(', ')}): ${e.message}`);
      throw e;
    }
    const entry = entries.get(spec.model)!;
    const id = pointIdentity({ json: arch.json, tech: arch.tech.rows }, `${entry.split?.digest ?? ''}:${entry.baseline.digest}`, entry.data.count, opts.seed);
    points.push({ spec, arch, archJson: json, model: entry, id });
  }
  return { points, total: all.length, shardTotal: mine.length };
}

/** What a result line keeps of a design (everything the report needs, no bulky internals). */
export function designSummary(r: DesignResult, fr: EvalResult | null): Record<string, unknown> {
  if (!r.ok) return { ok: false, reason: r.reason };
  return {
    ok: true,
    accuracy: fr?.accuracy ?? null,
    predictionsDigest: fr?.predictionsDigest ?? null,
    latencyNs: r.latencyNs,
    throughputIps: r.throughputIps,
    energyPj: r.energyPj,
    areaUm2: r.areaUm2,
    adcCount: r.adcCount,
    adcBits: r.adcBits,
    adcEnergyShare: r.adcEnergyShare,
    adcAreaShare: r.adcAreaShare,
    topsPerW: r.topsPerW,
    topsPerMm2: r.topsPerMm2,
    energyBreakdownPj: r.energyBreakdownPj,
    areaBreakdownUm2: r.areaBreakdownUm2,
    layers: r.layers.map((l) => ({ layer: l.layer, name: l.name, arrays: l.arrays, tiles: l.tiles, energyPj: l.energyPj, latencyNs: l.timing?.spanNs ?? 0 })),
  };
}

interface Task {
  archJson: Record<string, unknown>;
  archFile: string;
  modelFile: string;
  design: 'adc' | 'split';
  activity: LayerActivity[];
  images: number;
}

/** Timing + cost of one design of one point (runs in a worker thread or inline). */
export function evaluateTask(t: Task, models: Map<string, Model>): DesignResult {
  const arch = loadArchFromJson(t.archJson, t.archFile);
  let model = models.get(t.modelFile);
  if (!model) {
    model = loadModel(t.modelFile);
    models.set(t.modelFile, model);
  }
  try {
    return evaluateDesign({ arch, model, design: t.design, activity: t.activity, images: t.images });
  } catch (e) {
    // a split group larger than the point's arrays: infeasible point, not a crash
    if (e instanceof InputError) return { ok: false, reason: e.message, design: t.design, arch: arch.name, model: model.name, readout: readoutFor(arch, t.design), mapping: {} };
    throw e;
  }
}

class Pool {
  private workers: { w: Worker; busy: boolean }[] = [];
  private queue: { task: Task; resolve: (r: DesignResult) => void; reject: (e: Error) => void }[] = [];
  private inflight = new Map<Worker, { resolve: (r: DesignResult) => void; reject: (e: Error) => void }>();
  constructor(n: number) {
    for (let i = 0; i < n; i++) {
      const w = new Worker(new URL('./worker-boot.mjs', import.meta.url), { execArgv: [] });
      w.on('message', (m: { ok: true; result: DesignResult } | { ok: false; error: string; input: boolean }) => {
        const p = this.inflight.get(w)!;
        this.inflight.delete(w);
        this.workers.find((x) => x.w === w)!.busy = false;
        if (m.ok) p.resolve(m.result);
        else p.reject(m.input ? new InputError(m.error) : new Error(m.error));
        this.pump();
      });
      w.on('error', (e) => {
        const p = this.inflight.get(w);
        if (p) p.reject(e);
      });
      this.workers.push({ w, busy: false });
    }
  }
  run(task: Task): Promise<DesignResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, resolve, reject });
      this.pump();
    });
  }
  private pump(): void {
    for (const slot of this.workers) {
      if (slot.busy || !this.queue.length) continue;
      const job = this.queue.shift()!;
      slot.busy = true;
      this.inflight.set(slot.w, job);
      slot.w.postMessage(job.task);
    }
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((x) => x.w.terminate()));
  }
}

export interface SweepProgress {
  start(total: number, done: number): void;
  point(failed: boolean): void;
  stop(): void;
}

export async function runSweep(opts: SweepOptions, engine: Engine, progress: SweepProgress, stageProgress: Progress = NO_PROGRESS): Promise<{ ran: number; skipped: number; failed: number; repairedBytes: number }> {
  const { points } = prepareSweep(opts);
  const store = new ResultStore(opts.out);
  const todo = points.filter((p) => !store.has(p.id));
  progress.start(points.length, points.length - todo.length);
  const pool = opts.workers > 1 ? new Pool(opts.workers) : null;
  const inlineModels = new Map<string, Model>();
  const functional = new Map<string, Promise<EvalResult>>();
  let failed = 0;
  const inflight = new Set<Promise<void>>();
  const limit = Math.max(1, opts.workers) * 2;
  try {
    for (const p of todo) {
      const designs: Partial<Record<'adc' | 'split', { result: DesignResult; fr: EvalResult | null }>> = {};
      // functional passes for this point (cached per model, read-out and inputs), on this thread
      const tasks: { design: 'adc' | 'split'; model: Model; file: string; fr: EvalResult | null }[] = [];
      for (const design of ['adc', 'split'] as const) {
        const model = design === 'adc' ? p.model.baseline : p.model.split;
        if (!model) continue;
        const file = design === 'adc' ? p.model.baselineFile : p.model.file;
        let fits = false;
        try {
          fits = mapModel(p.arch, model, design).ok;
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
        }
        let fr: EvalResult | null = null;
        if (fits) {
          // ADCs exact on every block give identical passes whatever their bit count
          const readout = canonicalReadout(readoutFor(p.arch, design));
          const key = `${model.digest}|${JSON.stringify(readout)}|${p.model.input}|${p.model.data.count}`;
          let f = functional.get(key);
          if (!f) {
            f = functionalPass(engine, model, p.model.data, readout, stageProgress, `functional pass ${model.name} ${JSON.stringify(readout)}`);
            functional.set(key, f);
          }
          fr = await f;
        }
        tasks.push({ design, model, file, fr });
      }
      const work = (async () => {
        for (const t of tasks) {
          const task: Task = { archJson: p.archJson, archFile: resolve(opts.arch), modelFile: t.file, design: t.design, activity: t.fr ? t.fr.activity : t.model.layers.map((_, i) => emptyActivity(i)), images: p.model.data.count };
          const result = pool ? await pool.run(task) : evaluateTask(task, inlineModels);
          designs[t.design] = { result, fr: t.fr };
        }
        const a = designs.adc;
        const s = designs.split;
        const both = a?.result.ok && s?.result.ok;
        const ratio = (f: (r: Extract<DesignResult, { ok: true }>) => number) => (both ? f(s!.result as never) / f(a!.result as never) : null);
        const line: ResultLine = {
          id: p.id,
          index: p.spec.index,
          archsimVersion: VERSION,
          model: p.spec.model,
          params: p.spec.params,
          arch: p.arch.name,
          images: p.model.data.count,
          input: p.model.input,
          seed: opts.seed,
          ok: Object.values(designs).some((d) => d!.result.ok),
          ratios: { energy: ratio((r) => r.energyPj), latency: ratio((r) => r.latencyNs), throughput: ratio((r) => r.throughputIps), area: ratio((r) => r.areaUm2) },
          designs: Object.fromEntries(Object.entries(designs).map(([k, v]) => [k, designSummary(v!.result, v!.fr)])),
        };
        store.append(line);
        const bad = !line.ok;
        if (bad) failed++;
        progress.point(bad);
      })();
      inflight.add(work);
      work.finally(() => inflight.delete(work)).catch(() => {});
      if (inflight.size >= limit) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  } finally {
    progress.stop();
    store.close();
    await pool?.close();
  }
  return { ran: todo.length, skipped: points.length - todo.length, failed, repairedBytes: store.repairedBytes };
}
