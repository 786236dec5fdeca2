/**
 * Known-answer self-check of an evaluation engine against the reference engine (the oracle), for
 * the paths CI cannot run: a hardware GPU and its driver, and the native CPU kernels compiled by
 * the machine's own gcc. A subset of the shared backend cases
 * (src/func/cases.ts) covering every kernel of the WGSL path — dense and conv input layers, dense
 * and conv binary layers with groups, padding, stride and both pooling directions, fields of
 * several words per group, sense and ADC read-outs, a classifier wider than one word — evaluated
 * by both; predictions and every layer's activity counts must agree exactly.
 *
 * Why: on an NVIDIA H200 (Vulkan, driver 580.159) one WGSL kernel kept loop-local arrays across
 * iterations and every model came out wrong, while the software GPU that CI tests on was right
 * (bench/RESULTS.md, 2026-11-27). `selectEngine` runs this check before a GPU engine, or a CPU engine on
 * native kernels, is used.
 */
import { CASES, buildCase, type Case } from './cases.ts';
import { evaluateReference } from './reference.ts';
import type { Engine, EvalResult, InputBatch, Readout } from './types.ts';
import { mapSize, type Model } from '../model/types.ts';
import { randomLabels, randomPixels } from '../model/random.ts';

/** The cases the self-check runs (names in CASES): about 0.1-0.3 s of reference work. */
export const SELF_CHECK_CASES = [
  'conv first layer with pool, stride 2 no padding, 5x5 kernel',
  'dense, 37-class classifier',
  'conv, fields over 128 inputs (K=144, 360), pad 1, pool, groups',
  'random shapes, seed 1',
  'random shapes, seed 2',
  'random shapes, seed 3',
  'random shapes, seed 5',
  'random shapes, seed 6',
  'random shapes, seed 8',
];

/** What differs between two results of the same evaluation. */
export interface ResultDiff {
  ok: boolean;
  /** images whose predicted class differs */
  predictions: number;
  /** first model layer whose activity counts differ, or null */
  firstLayer: number | null;
  /** per layer index: field -> [expected, got] for the activity counts that differ */
  layers: Record<string, Record<string, [number, number]>>;
}

export function diffResults(want: EvalResult, got: EvalResult): ResultDiff {
  let predictions = 0;
  for (let i = 0; i < want.predictions.length; i++) if (want.predictions[i] !== got.predictions[i]) predictions++;
  if (got.predictions.length !== want.predictions.length) predictions += Math.abs(got.predictions.length - want.predictions.length);
  const layers: ResultDiff['layers'] = {};
  want.activity.forEach((w, l) => {
    const g = got.activity[l] as unknown as Record<string, number> | undefined;
    for (const [k, v] of Object.entries(w)) {
      if (g?.[k] !== v) (layers[l] ??= {})[k] = [v as number, g?.[k] as number];
    }
  });
  const firstLayer = Object.keys(layers).map(Number).sort((a, b) => a - b)[0] ?? null;
  return { ok: predictions === 0 && firstLayer === null, predictions, firstLayer, layers };
}

/** One-line description of a difference (the first layer that differs and how). */
export function describeDiff(d: ResultDiff, images: number): string {
  const parts = [`${d.predictions} of ${images} predictions differ`];
  if (d.firstLayer !== null) {
    const f = d.layers[d.firstLayer]!;
    const fields = Object.entries(f).map(([k, [w, g]]) => `${k} ${g} (expected ${w})`);
    parts.push(`layer ${d.firstLayer} first differs: ${fields.join(', ')}`);
  }
  return parts.join('; ');
}

export interface SelfCheckFailure {
  case: string;
  readout: Readout;
  /** describeDiff's line, or the error the engine threw */
  detail: string;
}

export interface SelfCheckResult {
  ok: boolean;
  /** (case, read-out) comparisons made */
  comparisons: number;
  failures: SelfCheckFailure[];
  seconds: number;
}

export interface CheckJob {
  name: string;
  model: Model;
  inputs: InputBatch;
  readouts: Readout[];
}

/** The random model, images and labels of a shared case. */
export function caseJob(c: Case): CheckJob {
  const model = buildCase(c);
  const size = mapSize(model.layers[0]!.inShape);
  return {
    name: c.name,
    model,
    inputs: { count: c.images, pixels: randomPixels(c.spec.seed + 100, c.images, size), labels: randomLabels(c.spec.seed + 200, c.images, c.spec.classes) },
    readouts: c.readouts,
  };
}

/** Evaluates each job with the engine and the reference; every difference is a failure. */
export async function checkEngine(engine: Engine, jobs: CheckJob[]): Promise<SelfCheckResult> {
  const t0 = performance.now();
  const failures: SelfCheckFailure[] = [];
  let comparisons = 0;
  for (const j of jobs) {
    for (const readout of j.readouts) {
      comparisons++;
      const want = evaluateReference(j.model, j.inputs, { readout });
      let got: EvalResult;
      try {
        got = await engine.evaluate(j.model, j.inputs, { readout });
      } catch (e) {
        failures.push({ case: j.name, readout, detail: `evaluation failed: ${(e as Error)?.message ?? String(e)}` });
        continue;
      }
      const d = diffResults(want, got);
      if (!d.ok) failures.push({ case: j.name, readout, detail: describeDiff(d, j.inputs.count) });
    }
  }
  return { ok: failures.length === 0, comparisons, failures, seconds: (performance.now() - t0) / 1000 };
}

/** The self-check: SELF_CHECK_CASES against the reference. */
export function selfCheck(engine: Engine): Promise<SelfCheckResult> {
  const jobs = SELF_CHECK_CASES.map((name) => {
    const c = CASES.find((x) => x.name === name);
    if (!c) throw new Error(`self-check: no shared case named "${name}"`);
    return caseJob(c);
  });
  return checkEngine(engine, jobs);
}

/** One line for the user: the first failure and how many there were. */
export function summariseFailures(r: SelfCheckResult): string {
  const f = r.failures[0];
  if (!f) return `all ${r.comparisons} comparisons matched`;
  return `${r.failures.length} of ${r.comparisons} comparisons with the reference engine differ; first: "${f.case}" with ${JSON.stringify(f.readout)}: ${f.detail}`;
}
