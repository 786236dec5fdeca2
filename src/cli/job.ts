/**
 * The main job: one chip, one split model and its baseline, both designs. Loads and validates
 * every input first, then runs the functional pass of each design (the split model with 1-bit
 * sense amps; the baseline with the chip's ADCs on row blocks), the timing pass and the cost
 * model, and assembles the run report (src/report/types.ts).
 */
import { relative } from 'node:path';
import { InputError } from '../errors.ts';
import { loadModelPair, loadModelInputs } from '../model/pair.ts';
import type { Model } from '../model/types.ts';
import { mapSize } from '../model/types.ts';
import { loadArch } from '../arch/load.ts';
import type { ArchSpec } from '../arch/spec.ts';
import { mapModel } from '../map/place.ts';
import { evaluateDesign, readoutFor, type DesignResult } from '../sim/evaluate.ts';
import type { Dataset } from '../data/index.ts';
import type { Engine, EvalResult, Readout } from '../func/types.ts';
import { addActivity, emptyActivity, finishResult } from '../func/common.ts';
import { VERSION } from '../version.ts';
import { REPORT_FORMAT, REPORT_VERSION, type DesignReport, type LayerReport, type RunReport } from '../report/types.ts';

export type DesignChoice = 'both' | 'adc' | 'split';

export interface JobInputs {
  arch: ArchSpec;
  archFile: string;
  /** the model named on the command line */
  model: Model;
  modelFile: string;
  /** model per design: the split model for 'split', the baseline for 'adc' */
  models: { adc?: Model; split?: Model };
  data: Dataset;
  input: string;
  designs: ('adc' | 'split')[];
}

/** Reads and checks everything a run needs, touching no GPU. Throws InputError on bad input. */
export function prepareJob(opts: { arch: string; model: string; design: DesignChoice; images?: number; input?: string; adcBits?: number }): JobInputs {
  const arch = loadArch(opts.arch);
  const designs: ('adc' | 'split')[] = opts.design === 'both' ? ['adc', 'split'] : [opts.design];
  const pair = loadModelPair(opts.model, { needBaseline: designs.includes('adc') });
  const model = pair.model;
  if (!pair.split && designs.includes('split')) {
    throw new InputError(
      `--model ${opts.model}: is an unsplit model (arraySize null); the split design needs a split model whose "baseline" names this one. Use --design adc, or pass the split model`,
    );
  }
  const models: JobInputs['models'] = {};
  if (designs.includes('split')) models.split = pair.split!;
  if (designs.includes('adc')) models.adc = pair.baseline;
  // a split model made for larger arrays than the chip has is bad input (mapModel throws InputError)
  for (const d of designs) mapModel(arch, models[d]!, d, { adcBits: opts.adcBits });
  const { data, input } = loadModelInputs(model, opts.model, opts);
  return { arch, archFile: opts.arch, model, modelFile: opts.model, models, data, input, designs };
}

export interface Progress {
  start(label: string, total: number): void;
  update(done: number): void;
  stop(): void;
}

export const NO_PROGRESS: Progress = { start() {}, update() {}, stop() {} };

/** Runs the functional pass in chunks (for progress), summing activity; identical to one call. */
export async function functionalPass(engine: Engine, model: Model, data: Dataset, readout: Readout, progress: Progress, label: string): Promise<EvalResult> {
  const size = mapSize(data.shape);
  const chunk = Math.max(500, Math.ceil(data.count / 20));
  const predictions = new Uint8Array(data.count);
  const activity = model.layers.map((_, i) => emptyActivity(i));
  progress.start(label, data.count);
  for (let lo = 0; lo < data.count; lo += chunk) {
    const n = Math.min(chunk, data.count - lo);
    const r = await engine.evaluate(model, { count: n, pixels: data.pixels.subarray(lo * size, (lo + n) * size), labels: null }, { readout });
    predictions.set(r.predictions, lo);
    r.activity.forEach((a, i) => addActivity(activity[i]!, a));
    progress.update(lo + n);
  }
  progress.stop();
  return finishResult(predictions, data.labels, activity);
}

function layerReports(r: Extract<DesignResult, { ok: true }>, model: Model): LayerReport[] {
  return r.layers.map((l) => {
    const ml = model.layers[l.layer];
    return {
      index: l.layer,
      name: l.name,
      kind: !ml ? 'shared' : ml.type === 'classifier' ? 'classifier' : `${ml.type} ${ml.kind}`,
      unit: l.unit,
      groups: l.groups,
      arrays: l.arrays,
      tiles: l.tiles,
      rowUtilisation: l.rowUtilisation,
      columnUtilisation: l.colUtilisation,
      latencyNs: l.timing ? l.timing.spanNs : 0,
      energyPj: l.energyPj,
      energyBreakdownPj: { ...l.energyBreakdownPj },
    };
  });
}

export function designReport(design: 'adc' | 'split', model: Model, modelFile: string, fr: EvalResult | null, r: DesignResult): DesignReport {
  const base = { design, model: { file: modelFile, name: model.name }, readout: r.readout as unknown as Record<string, unknown> };
  if (!r.ok) {
    return {
      ...base,
      ok: false,
      reason: r.reason,
      accuracy: null,
      predictionsDigest: '',
      latencyNs: 0,
      throughputIps: 0,
      energyPj: 0,
      areaUm2: 0,
      adcCount: 0,
      adcEnergyShare: 0,
      adcAreaShare: 0,
      topsPerW: 0,
      topsPerMm2: 0,
      energyBreakdownPj: {},
      areaBreakdownUm2: {},
      energyWithoutDigitalPj: 0,
      areaWithoutDigitalUm2: 0,
      layers: [],
      mapping: r.mapping,
    };
  }
  return {
    ...base,
    ok: true,
    accuracy: fr!.accuracy,
    predictionsDigest: fr!.predictionsDigest,
    latencyNs: r.latencyNs,
    meanLatencyNs: r.meanLatencyNs,
    throughputIps: r.throughputIps,
    energyPj: r.energyPj,
    dynamicEnergyPj: r.dynamicEnergyPj,
    leakageEnergyPj: r.leakageEnergyPj,
    areaUm2: r.areaUm2,
    adcCount: r.adcCount,
    adcBits: r.adcBits,
    adcModel: r.adcModel,
    adcEnergyShare: r.adcEnergyShare,
    adcAreaShare: r.adcAreaShare,
    senseAmpCount: r.senseAmpCount,
    replacement: r.replacement,
    topsPerW: r.topsPerW,
    topsPerMm2: r.topsPerMm2,
    opsPerImage: r.opsPerImage,
    energyBreakdownPj: { ...r.energyBreakdownPj },
    areaBreakdownUm2: { ...r.areaBreakdownUm2 },
    energyWithoutDigitalPj: r.withoutDigital.energyPj,
    areaWithoutDigitalUm2: r.withoutDigital.areaUm2,
    withoutDigital: r.withoutDigital,
    layers: layerReports(r, model),
    mapping: r.mapping,
    timing: { ...r.timing, components: r.timing.components },
    activity: fr!.activity,
  };
}

export interface JobOutput {
  report: RunReport;
  results: Partial<Record<'adc' | 'split', DesignResult>>;
}

/** Runs a prepared job on an engine. */
export async function runJob(job: JobInputs, engine: Engine, opts: { backend: string; seed: number; trace?: boolean; adcBits?: number; progress?: Progress; t0?: number }): Promise<JobOutput> {
  const t0 = opts.t0 ?? performance.now();
  const progress = opts.progress ?? NO_PROGRESS;
  const designs: RunReport['designs'] = {};
  const results: JobOutput['results'] = {};
  let techTable: Record<string, unknown>[] = [];
  for (const d of job.designs) {
    const model = job.models[d]!;
    const modelFile = d === 'split' || model === job.model ? job.modelFile : relative(process.cwd(), model.file!) || model.file!;
    const fits = mapModel(job.arch, model, d, { adcBits: opts.adcBits }).ok;
    const readout = readoutFor(job.arch, d, opts.adcBits ?? job.arch.tile.readout.adc.bits);
    const fr = fits ? await functionalPass(engine, model, job.data, readout, progress, `functional pass, ${d} design`) : null;
    const activity = fr ? fr.activity : model.layers.map((_, i) => emptyActivity(i));
    const r = evaluateDesign({ arch: job.arch, model, design: d, activity, images: job.data.count, adc: opts.adcBits !== undefined ? { bits: opts.adcBits } : undefined, trace: opts.trace });
    results[d] = r;
    designs[d] = designReport(d, model, modelFile, fr, r);
    if (r.ok && r.techTable.length > techTable.length) techTable = r.techTable as unknown as Record<string, unknown>[];
  }
  const a = designs.adc;
  const s = designs.split;
  const both = a?.ok && s?.ok;
  const div = (x: number, y: number) => (both && y !== 0 ? x / y : null);
  const report: RunReport = {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    archsimVersion: VERSION,
    arch: { name: job.arch.name, file: job.archFile },
    model: { file: job.modelFile, name: job.model.name, dataset: job.model.dataset, arraySize: job.model.arraySize, baseline: job.model.baseline },
    images: job.data.count,
    input: job.input,
    seed: opts.seed,
    backend: opts.backend,
    wallMs: 0,
    ratios: {
      energy: both ? div(s!.energyPj, a!.energyPj) : null,
      latency: both ? div(s!.latencyNs, a!.latencyNs) : null,
      throughput: both ? div(s!.throughputIps, a!.throughputIps) : null,
      area: both ? div(s!.areaUm2, a!.areaUm2) : null,
      accuracyDelta: both && s!.accuracy !== null && a!.accuracy !== null ? s!.accuracy - a!.accuracy : null,
    },
    designs,
    techTable,
  };
  report.wallMs = Math.round(performance.now() - t0);
  return { report, results };
}
