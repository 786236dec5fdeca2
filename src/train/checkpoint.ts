/**
 * Training checkpoints: `<dir>/checkpoint.json` (metadata: spec, config, completed epochs, RNG
 * state, Adam step, per-epoch log, and the tensor table) and `<dir>/checkpoint.bin` (every tensor
 * as little-endian float32, concatenated in table order; its sha256 is in the JSON). Both are
 * written atomically each epoch; a half-written pair is detected by the hash.
 *
 * Tensors: per layer i the parameters `l{i}.{W,b,gamma,beta,mean,variance}` (shapes in spec.ts /
 * net.ts), then the Adam moments `adam.m1.{j}` / `adam.m2.{j}` of trainable variable j (order of
 * trainableVariables()). Checkpoint directories are git-ignored (/checkpoints/, /runs/).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { sha256Hex } from '../model/io.ts';
import { writeFilesAtomic } from '../util/fsx.ts';
import { PARAM_KEYS, type ParamKey } from './params.ts';
import type { NetSpec } from './spec.ts';

export const CKPT_FORMAT = 'archsim-train-checkpoint';
export const CKPT_VERSION = 1;

export interface EpochLog {
  epoch: number;
  lr: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy: number | null;
  testImages: number;
  images: number;
  seconds: number;
  imagesPerSecond: number;
}

export interface TrainConfig {
  preset: string;
  dataset: string;
  arraySize: number | null;
  grouping: 'intra' | 'channel';
  epochs: number;
  batchSize: number;
  lr: number;
  lrFinal: number;
  seed: number;
  backend: 'webgpu' | 'wasm' | 'cpu';
  limitTrain: number | null;
  evalImages: number | null;
  initFrom: string | null;
  /** x' = scale * (x/255 - mean[c]) */
  preprocess: { scale: number; mean: number[] | null };
  /** training-only dropout rates on the inputs of the first layer and of every later layer (absent in older checkpoints: 0) */
  dropout?: { input: number; hidden: number };
  out: string | null;
  /** split models: the baseline model file recorded in the export (absent in older checkpoints) */
  baselineModel?: string | null;
  /**
   * Batch-norm population statistics: 0 (or absent) keeps the running averages of training
   * (momentum 0.9); N > 0 re-estimates them after every epoch from the first N training images
   * (precise BN: the mean of the per-batch means and variances, without dropout).
   */
  bnStats?: number;
}

/** The settings a resumed run may change (`--epochs`, `--out`, `--images`, `--bn-stats`, `--baseline-model`); the rest is the checkpoint's recipe. */
export interface ResumeOverrides {
  epochs?: number;
  out?: string | null;
  evalImages?: number | null;
  bnStats?: number;
  baselineModel?: string | null;
}

/**
 * The configuration of a resumed run: the checkpoint's, with the overrides given. The epoch
 * count is at least the epochs already completed (the LR schedule of the remaining epochs
 * follows the new total).
 */
export function resumeConfig(saved: TrainConfig, o: ResumeOverrides, completedEpochs = 0): TrainConfig {
  return {
    ...saved,
    epochs: Math.max(o.epochs ?? saved.epochs, completedEpochs),
    out: o.out ?? saved.out,
    evalImages: o.evalImages ?? saved.evalImages,
    bnStats: o.bnStats ?? saved.bnStats ?? 0,
    baselineModel: o.baselineModel ?? saved.baselineModel ?? null,
  };
}

export interface CheckpointState {
  spec: NetSpec;
  config: TrainConfig;
  /** epochs completed */
  epoch: number;
  rngState: number[] | null;
  adamT: number;
  history: EpochLog[];
  backend: { name: string; adapter: string };
  command: string;
  values: Record<ParamKey, Float32Array>[];
  adam: { m1: Float32Array[]; m2: Float32Array[] } | null;
}

interface TensorEntry {
  name: string;
  length: number;
}

export function checkpointFiles(dir: string): { json: string; bin: string } {
  return { json: join(dir, 'checkpoint.json'), bin: join(dir, 'checkpoint.bin') };
}

export function saveCheckpoint(dir: string, st: CheckpointState): void {
  const table: TensorEntry[] = [];
  const arrays: Float32Array[] = [];
  const push = (name: string, a: Float32Array) => {
    table.push({ name, length: a.length });
    arrays.push(a);
  };
  st.values.forEach((v, i) => PARAM_KEYS.forEach((k) => push(`l${i}.${k}`, v[k])));
  if (st.adam) {
    st.adam.m1.forEach((a, j) => push(`adam.m1.${j}`, a));
    st.adam.m2.forEach((a, j) => push(`adam.m2.${j}`, a));
  }
  const total = arrays.reduce((s, a) => s + a.length, 0);
  const bin = new Float32Array(total);
  let off = 0;
  for (const a of arrays) {
    bin.set(a, off);
    off += a.length;
  }
  const bytes = new Uint8Array(bin.buffer);
  const meta = {
    format: CKPT_FORMAT,
    version: CKPT_VERSION,
    spec: st.spec,
    config: st.config,
    epoch: st.epoch,
    rngState: st.rngState,
    adamT: st.adamT,
    history: st.history,
    backend: st.backend,
    command: st.command,
    savedAt: new Date().toISOString(),
    tensors: table,
    binSha256: sha256Hex(bytes),
  };
  const f = checkpointFiles(dir);
  writeFilesAtomic([
    { path: f.bin, data: bytes },
    { path: f.json, data: JSON.stringify(meta, null, 1) + '\n' },
  ]);
}

/** Loads a checkpoint from its directory (or its checkpoint.json path). */
export function loadCheckpoint(where: string, option = '--resume'): CheckpointState {
  const dir = existsSync(where) && statSync(where).isFile() ? where.replace(/checkpoint\.json$/, '') : where;
  const f = checkpointFiles(dir);
  if (!existsSync(f.json)) throw new InputError(`${option}: ${f.json} not found (expected a checkpoint directory written by archsim train --checkpoint-dir)`);
  let meta: any;
  try {
    meta = JSON.parse(readFileSync(f.json, 'utf8'));
  } catch (e) {
    throw new InputError(`${f.json}: not valid JSON (${(e as Error).message})`);
  }
  if (meta.format !== CKPT_FORMAT || meta.version !== CKPT_VERSION) throw new InputError(`${f.json}: not an archsim training checkpoint (format ${meta.format}, version ${meta.version})`);
  if (!existsSync(f.bin)) throw new InputError(`${f.bin}: not found; the checkpoint is incomplete`);
  const bytes = new Uint8Array(readFileSync(f.bin));
  if (sha256Hex(bytes) !== meta.binSha256) throw new InputError(`${f.bin}: sha256 does not match ${f.json} (interrupted write or mixed checkpoints); restore a consistent pair`);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const byName = new Map<string, Float32Array>();
  let off = 0;
  for (const t of meta.tensors as TensorEntry[]) {
    byName.set(t.name, all.slice(off, off + t.length));
    off += t.length;
  }
  const spec = meta.spec as NetSpec;
  const values = spec.layers.map((_, i) => {
    const r = {} as Record<ParamKey, Float32Array>;
    for (const k of PARAM_KEYS) {
      const a = byName.get(`l${i}.${k}`);
      if (!a) throw new InputError(`${f.json}: tensor l${i}.${k} missing`);
      r[k] = a;
    }
    return r;
  });
  let adam: CheckpointState['adam'] = null;
  if (byName.has('adam.m1.0')) {
    const m1: Float32Array[] = [];
    const m2: Float32Array[] = [];
    for (let j = 0; byName.has(`adam.m1.${j}`); j++) {
      m1.push(byName.get(`adam.m1.${j}`)!);
      m2.push(byName.get(`adam.m2.${j}`)!);
    }
    adam = { m1, m2 };
  }
  return {
    spec,
    config: meta.config,
    epoch: meta.epoch,
    rngState: meta.rngState,
    adamT: meta.adamT,
    history: meta.history,
    backend: meta.backend,
    command: meta.command,
    values,
    adam,
  };
}
