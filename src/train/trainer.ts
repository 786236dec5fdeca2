/**
 * The training loop: seeded init, seeded per-epoch shuffle, Adam with an exponential learning
 * rate schedule, a checkpoint and a JSON-lines log record per epoch, --resume, --init-from
 * (a split model reconstructed from its baseline), then export and the engine cross-check.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, relative, resolve, join } from 'node:path';
import { InputError } from '../errors.ts';
import { loadDataset } from '../data/index.ts';
import { takeFirst, type Dataset } from '../data/types.ts';
import { checkedCpuEngine } from '../func/select.ts';
import { saveModel } from '../model/io.ts';
import type { Model } from '../model/types.ts';
import { Adam } from './adam.ts';
import { loadCheckpoint, resumeConfig, saveCheckpoint, type CheckpointState, type EpochLog, type TrainConfig } from './checkpoint.ts';
import { buildExportModel } from './export.ts';
import { createNet, disposeNet, forward, initialValues, readParams, squaredHinge, TRAINABLE_KEYS, updateRunningStats, type Net, type ParamKey } from './net.ts';
import { epochRng } from './rng.ts';
import { buildSpec, describeSpec, type NetSpec, type PresetName } from './spec.ts';

export interface ProgressSink {
  start(total: number, label: string): void;
  update(done: number, info: { loss: number; acc: number; ips: number }): void;
  stop(): void;
  log(line: string): void;
}

export const silentProgress: ProgressSink = { start() {}, update() {}, stop() {}, log() {} };

/** Batch of images as the network's input tensor: (N, K) for dense first layers, NHWC for conv. */
export function makeBatch(ds: Dataset, idx: ArrayLike<number>, spec: NetSpec, pre: TrainConfig['preprocess']): tf.Tensor {
  const { channels: C, height: H, width: W } = ds.shape;
  const size = C * H * W;
  const n = idx.length;
  const out = new Float32Array(n * size);
  const first = spec.layers[0]!;
  const s = pre.scale / 255;
  const mean = pre.mean;
  for (let b = 0; b < n; b++) {
    const src = idx[b]! * size;
    const dst = b * size;
    if (first.kind === 'dense') {
      for (let i = 0; i < size; i++) {
        const c = Math.floor(i / (H * W));
        out[dst + i] = mean ? pre.scale * (ds.pixels[src + i]! / 255 - mean[c]!) : ds.pixels[src + i]! * s;
      }
    } else {
      // (c, y, x) -> (y, x, c)
      for (let c = 0; c < C; c++)
        for (let p = 0; p < H * W; p++) out[dst + p * C + c] = ds.pixels[src + c * H * W + p]! * s;
    }
  }
  return first.kind === 'dense' ? tf.tensor2d(out, [n, size]) : tf.tensor4d(out, [n, H, W, C]);
}

/** tfjs predictions (eval mode: running BN statistics), argmax with ties to the lowest index. */
export async function predictTfjs(net: Net, ds: Dataset, pre: TrainConfig['preprocess'], batch = 500): Promise<Uint8Array> {
  const preds = new Uint8Array(ds.count);
  for (let s = 0; s < ds.count; s += batch) {
    const n = Math.min(batch, ds.count - s);
    const idx = Array.from({ length: n }, (_, i) => s + i);
    const p = tf.tidy(() => {
      const x = makeBatch(ds, idx, net.spec, pre);
      return tf.argMax(forward(net, x, { training: false }), 1);
    });
    preds.set(new Uint8Array(await p.data()), s);
    p.dispose();
  }
  return preds;
}

/**
 * Precise batch norm: replaces every layer's running mean and variance with the mean of its
 * per-batch statistics over the first `images` training images, computed in training mode (each
 * layer normalised by its batch, as during training) without dropout. The running averages of
 * training (momentum 0.9) reflect only the last few batches, so the folded thresholds - and the
 * test accuracy - move by points from one step to the next; these do not. Deterministic.
 */
export async function estimateBnStats(net: Net, ds: Dataset, pre: TrainConfig['preprocess'], images: number, batch: number): Promise<void> {
  const n = Math.min(images, ds.count);
  const L = net.spec.layers.length;
  const sums: ({ mean: tf.Tensor; variance: tf.Tensor } | null)[] = Array.from({ length: L }, () => null);
  let batches = 0;
  for (let s = 0; s + batch <= n || (batches === 0 && s < n); s += batch) {
    const m = Math.min(batch, n - s);
    const idx = Array.from({ length: m }, (_, i) => s + i);
    const moments: { mean: tf.Tensor; variance: tf.Tensor }[] = [];
    tf.tidy(() => {
      forward(net, makeBatch(ds, idx, net.spec, pre), { training: true, moments });
    });
    for (let i = 0; i < L; i++) {
      const mo = moments[i];
      if (!mo) continue;
      const prev = sums[i];
      sums[i] = prev ? { mean: tf.add(prev.mean, mo.mean), variance: tf.add(prev.variance, mo.variance) } : { mean: tf.clone(mo.mean), variance: tf.clone(mo.variance) };
      if (prev) tf.dispose([prev.mean, prev.variance]);
      tf.dispose([mo.mean, mo.variance]);
    }
    batches++;
  }
  tf.tidy(() => {
    net.params.forEach((p, i) => {
      const t = sums[i];
      if (!t) return;
      p.mean.assign(tf.reshape(tf.div(t.mean, batches), p.mean.shape));
      p.variance.assign(tf.reshape(tf.div(t.variance, batches), p.variance.shape));
    });
  });
  for (const t of sums) if (t) tf.dispose([t.mean, t.variance]);
}

export function accuracyOf(preds: Uint8Array, labels: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < preds.length; i++) if (preds[i] === labels[i]) c++;
  return preds.length ? c / preds.length : 0;
}

/** Learning rate of an epoch: exponential from lr to lrFinal over the run's epochs. */
export function lrAt(cfg: TrainConfig, epoch: number): number {
  if (cfg.epochs <= 1) return cfg.lr;
  return cfg.lr * Math.pow(cfg.lrFinal / cfg.lr, epoch / (cfg.epochs - 1));
}

/**
 * Reconstructs a split network's parameters from its unsplit baseline: each group's weights are
 * the baseline's slice of the receptive field; BN scale/shift are replicated; bias, running mean
 * and running variance are divided by G (a group sees about 1/G of the dot), then retraining
 * re-estimates them.
 */
export function reconstructFromBaseline(spec: NetSpec, base: CheckpointState): Record<ParamKey, Float32Array>[] {
  const bs = base.spec;
  if (bs.layers.length !== spec.layers.length) throw new InputError(`--init-from: baseline has ${bs.layers.length} layers, this network ${spec.layers.length} (different preset?)`);
  return spec.layers.map((l, i) => {
    const b = bs.layers[i]!;
    if (b.fanIn !== l.fanIn || b.out !== l.out || b.kind !== l.kind || b.groups !== 1) {
      throw new InputError(`--init-from: layer ${i} of the baseline (${b.kind} ${b.fanIn}->${b.out}, G=${b.groups}) does not match (${l.kind} ${l.fanIn}->${l.out}); the baseline must be the unsplit model of the same preset and dataset`);
    }
    const v = base.values[i]!;
    const G = l.groups;
    if (G === 1) return { W: v.W.slice(), b: v.b.slice(), gamma: v.gamma.slice(), beta: v.beta.slice(), mean: v.mean.slice(), variance: v.variance.slice() };
    const rep = (a: Float32Array, f: number) => {
      const out = new Float32Array(G * l.out);
      for (let g = 0; g < G; g++) for (let o = 0; o < l.out; o++) out[g * l.out + o] = a[o]! * f;
      return out;
    };
    // field layout (1, K, O) reshaped to (G, K/G, O) is exactly the contiguous cut
    return { W: v.W.slice(), b: rep(v.b, 1 / G), gamma: rep(v.gamma, 1), beta: rep(v.beta, 1), mean: rep(v.mean, 1 / G), variance: rep(v.variance, 1 / G) };
  });
}

export interface TrainRun {
  config: TrainConfig;
  checkpointDir: string;
  resume: boolean;
  command: string;
  progress: ProgressSink;
  /** path of the baseline model file (split models); relative path is stored */
  baselineModel: string | null;
  backendInfo: { name: string; adapter: string };
  /** stop after this many training steps per epoch (tests, benchmarks) */
  maxSteps?: number;
  /** datasets (tests inject small ones) */
  data?: { train: Dataset; test: Dataset };
  /** skip export */
  noExport?: boolean;
}

export interface TrainResult {
  history: EpochLog[];
  model: Model | null;
  net: Net;
  tfjsPredictions: Uint8Array | null;
  enginePredictions: Uint8Array | null;
  mismatches: number | null;
}

export async function train(run: TrainRun): Promise<TrainResult> {
  const P = run.progress;
  let state: CheckpointState | null = null;
  let cfg = run.config;
  if (run.resume) {
    state = loadCheckpoint(run.checkpointDir);
    // the run's recipe comes from the checkpoint; the epoch count (longer, or shorter down to the
    // completed epochs: the LR schedule of the remaining epochs follows it), the output file, the
    // evaluated images, --bn-stats and the baseline model file may change
    cfg = resumeConfig(state.config, run.config, state.epoch);
    P.log(`resuming ${run.checkpointDir} after epoch ${state.epoch} of ${cfg.epochs}`);
  }
  // a resumed run records the commands that made it, in order
  const command = state && state.command && !state.command.endsWith(run.command) ? `${state.command} && ${run.command}` : run.command;
  const spec = state ? state.spec : buildSpec({ preset: cfg.preset as PresetName, dataset: cfg.dataset as never, arraySize: cfg.arraySize, grouping: cfg.grouping });
  const data = run.data ?? { train: loadDataset(spec.dataset, 'train'), test: loadDataset(spec.dataset, 'test') };
  const trainSet = cfg.limitTrain ? takeFirst(data.train, cfg.limitTrain) : data.train;
  const testSet = cfg.evalImages ? takeFirst(data.test, cfg.evalImages) : data.test;
  P.log(`network ${spec.preset} on ${spec.dataset}: ${describeSpec(spec)}; ${trainSet.count} training images, ${testSet.count} test images; backend ${run.backendInfo.name} (${run.backendInfo.adapter})`);

  let values: Record<ParamKey, Float32Array>[];
  if (state) values = state.values;
  else if (cfg.initFrom) {
    const base = loadCheckpoint(cfg.initFrom, '--init-from');
    if (base.spec.dataset !== spec.dataset || base.spec.preset !== spec.preset) {
      throw new InputError(`--init-from: ${cfg.initFrom} is a ${base.spec.preset} on ${base.spec.dataset}, this run is ${spec.preset} on ${spec.dataset}`);
    }
    values = reconstructFromBaseline(spec, base);
    P.log(`initialised from baseline ${cfg.initFrom} (epoch ${base.epoch})`);
  } else values = initialValues(spec, cfg.seed);

  const net = createNet(spec, values);
  const slots = net.params.flatMap((p, i) => {
    const l = spec.layers[i]!;
    const glorot = 1 / Math.sqrt(1.5 / (l.fanIn / l.groups + l.out));
    return TRAINABLE_KEYS.map((k) => ({ v: p[k], lrScale: k === 'W' ? glorot : 1, clip: k === 'W' }));
  });
  const adam = new Adam(slots);
  if (state?.adam) adam.setState({ t: state.adamT, m1: state.adam.m1, m2: state.adam.m2 });
  const history: EpochLog[] = state ? [...state.history] : [];
  const startEpoch = state ? state.epoch : 0;
  const vars = slots.map((s) => s.v);
  const B = cfg.batchSize;
  const steps = Math.max(1, Math.min(Math.floor(trainSet.count / B), run.maxSteps ?? Infinity));
  mkdirSync(run.checkpointDir, { recursive: true });
  const logPath = join(run.checkpointDir, 'train.jsonl');

  let lastPreds: Uint8Array | null = null; // tfjs test predictions after the last epoch (reused by the export)
  for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
    const lr = lrAt(cfg, epoch);
    const perm = epochRng(cfg.seed, epoch).permutation(trainSet.count);
    const t0 = Date.now();
    let lossSum: tf.Tensor = tf.scalar(0);
    let correctSum: tf.Tensor = tf.scalar(0);
    let seen = 0;
    P.start(steps * B, `epoch ${epoch + 1}/${cfg.epochs}`);
    let shownLoss = 0;
    let shownAcc = 0;
    for (let s = 0; s < steps; s++) {
      const idx = perm.subarray(s * B, (s + 1) * B);
      const x = makeBatch(trainSet, idx, spec, cfg.preprocess);
      const labels = tf.tensor1d(Int32Array.from(idx, (j) => trainSet.labels[j]!), 'int32');
      const moments: { mean: tf.Tensor; variance: tf.Tensor }[] = [];
      let scoresKept: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const dropout = cfg.dropout && (cfg.dropout.input > 0 || cfg.dropout.hidden > 0) ? { ...cfg.dropout, seed: (cfg.seed * 1000 + epoch) * 100_000 + s } : undefined;
        const scores = forward(net, x, { training: true, moments, dropout });
        scoresKept = tf.keep(scores);
        return squaredHinge(scores, labels as tf.Tensor1D, spec.classes);
      }, vars);
      adam.apply(grads as Record<string, tf.Tensor>, lr);
      updateRunningStats(net, moments);
      const newLoss = tf.tidy(() => tf.add(lossSum, tf.mul(value, idx.length)));
      const newCorrect = tf.tidy(() => tf.add(correctSum, tf.sum(tf.cast(tf.equal(tf.argMax(scoresKept!, 1), labels), 'float32'))));
      lossSum.dispose();
      correctSum.dispose();
      lossSum = newLoss;
      correctSum = newCorrect;
      tf.dispose([x, labels, value, scoresKept!, ...Object.values(grads)]);
      seen += idx.length;
      if (s % 10 === 9 || s === steps - 1) {
        shownLoss = (await lossSum.data())[0]! / seen;
        shownAcc = (await correctSum.data())[0]! / seen;
        P.update(seen, { loss: shownLoss, acc: shownAcc, ips: seen / ((Date.now() - t0) / 1000) });
      }
    }
    P.stop();
    const loss = (await lossSum.data())[0]! / seen;
    const trainAccuracy = (await correctSum.data())[0]! / seen;
    lossSum.dispose();
    correctSum.dispose();
    const trainSeconds = (Date.now() - t0) / 1000;
    if (cfg.bnStats) await estimateBnStats(net, trainSet, cfg.preprocess, cfg.bnStats, B);
    const testPreds = testSet.count ? await predictTfjs(net, testSet, cfg.preprocess) : null;
    lastPreds = testPreds;
    const rec: EpochLog = {
      epoch: epoch + 1,
      lr,
      loss,
      trainAccuracy,
      testAccuracy: testPreds ? accuracyOf(testPreds, testSet.labels) : null,
      testImages: testSet.count,
      images: seen,
      seconds: trainSeconds,
      imagesPerSecond: seen / trainSeconds,
    };
    history.push(rec);
    appendFileSync(logPath, JSON.stringify({ ...rec, time: new Date().toISOString(), evalSeconds: (Date.now() - t0) / 1000 - trainSeconds }) + '\n');
    P.log(JSON.stringify(rec));
    const ast = await adam.readState();
    saveCheckpoint(run.checkpointDir, {
      spec,
      config: cfg,
      epoch: epoch + 1,
      rngState: epochRng(cfg.seed, epoch + 1).state(),
      adamT: ast.t,
      history,
      backend: run.backendInfo,
      command,
      values: await readParams(net),
      adam: { m1: ast.m1, m2: ast.m2 },
    });
  }
  adam.dispose();
  // a finished run re-exported with another --bn-stats: re-estimate (the checkpoint keeps its own)
  if (state && startEpoch >= cfg.epochs && cfg.bnStats && cfg.bnStats !== (state.config.bnStats ?? 0)) {
    await estimateBnStats(net, trainSet, cfg.preprocess, cfg.bnStats, B);
    P.log(`batch-norm statistics re-estimated from ${Math.min(cfg.bnStats, trainSet.count)} training images`);
    lastPreds = null;
  }

  if (run.noExport || !cfg.out) return { history, model: null, net, tfjsPredictions: null, enginePredictions: null, mismatches: null };
  const ex = await exportAndCheck(net, cfg, testSet, history, { ...run, command }, lastPreds ?? undefined);
  return { history, net, ...ex };
}

/** Exports the network, evaluates the exported model with the fast CPU engine and compares predictions with tfjs on every image. */
export async function exportAndCheck(
  net: Net,
  cfg: TrainConfig,
  testSet: Dataset,
  history: EpochLog[],
  run: Pick<TrainRun, 'command' | 'baselineModel' | 'backendInfo' | 'progress'>,
  /** tfjs predictions of this net on testSet when already computed (the last epoch's evaluation) */
  knownPredictions?: Uint8Array,
): Promise<{ model: Model; tfjsPredictions: Uint8Array; enginePredictions: Uint8Array; mismatches: number }> {
  const spec = net.spec;
  const out = resolve(cfg.out!);
  const tfjsPredictions = knownPredictions && knownPredictions.length === testSet.count ? knownPredictions : await predictTfjs(net, testSet, cfg.preprocess);
  const tfjsAcc = accuracyOf(tfjsPredictions, testSet.labels);
  let baseline: string | null = null;
  if (spec.arraySize !== null) {
    if (!run.baselineModel) throw new InputError('a split model must name its baseline model file: pass --baseline-model FILE (or --init-from a baseline checkpoint whose run exported a model)');
    baseline = relative(dirname(out), resolve(run.baselineModel));
  }
  const values = await readParams(net);
  const name = `${spec.preset}-${spec.dataset}-${spec.arraySize === null ? 'baseline' : `split${spec.arraySize}`}`;
  const last = history[history.length - 1];
  const model = buildExportModel(spec, values, cfg.preprocess, {
    name,
    dataset: spec.dataset,
    baseline,
    metrics: {},
    training: {
      command: run.command,
      recipe: {
        preset: spec.preset,
        network: describeSpec(spec),
        grouping: spec.grouping,
        loss: 'squared hinge (margin 1) on +-1 one-hot targets, mean over batch and classes',
        optimizer: 'Adam (beta1 0.9, beta2 0.999, eps 1e-8); binary weights: Glorot LR scale, clipped to [-1, 1]',
        lr: cfg.lr,
        lrFinal: cfg.lrFinal,
        schedule: 'exponential decay per epoch from lr to lrFinal',
        batchSize: cfg.batchSize,
        seed: cfg.seed,
        ste: 'sign(0) = +1; HardTanh-gated straight-through gradient; majority merge copies the gradient to every group',
        batchNorm: {
          epsilon: 1e-4,
          momentum: 0.9,
          populationStats: cfg.bnStats ? `re-estimated after training from the first ${cfg.bnStats} training images (mean of per-batch means and variances, no dropout)` : 'running averages of training (momentum 0.9)',
        },
        preprocess: cfg.preprocess,
        limitTrain: cfg.limitTrain,
        dropout: cfg.dropout ?? { input: 0, hidden: 0 },
        initFrom: cfg.initFrom,
      },
      epochs: history.length,
      backend: run.backendInfo,
      log: history,
      final: last ?? null,
    },
  });
  // One worker: training runs one process per core. The CPU engine is held bit-exact with the
  // reference oracle by the shared backend suite (test/func), and its native kernels, compiled on
  // this machine, by the self-check before use.
  const { engine, note } = await checkedCpuEngine({ workers: 1 });
  run.progress.log(`exported; evaluating ${testSet.count} test images with archsim's fast CPU engine (${note})`);
  const t0 = Date.now();
  let res;
  try {
    res = await engine.evaluate(model, { count: testSet.count, pixels: testSet.pixels, labels: testSet.labels }, { readout: { kind: 'sense' } });
  } finally {
    await engine.dispose();
  }
  let mismatches = 0;
  for (let i = 0; i < testSet.count; i++) if (res.predictions[i] !== tfjsPredictions[i]) mismatches++;
  model.metrics = {
    testAccuracy: res.accuracy ?? undefined,
    tfjsTestAccuracy: tfjsAcc,
    mismatches,
    testImages: testSet.count,
    engine: 'cpu',
    predictionsDigest: res.predictionsDigest,
  };
  const budget = Math.floor(testSet.count * 0.0001);
  run.progress.log(
    `engine accuracy ${(100 * (res.accuracy ?? 0)).toFixed(2)}%, tfjs ${(100 * tfjsAcc).toFixed(2)}%, ${mismatches} prediction mismatches (float ties; budget ${budget}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (mismatches > budget) run.progress.log(`WARNING: ${mismatches} mismatches exceed the budget of 0.01% (${budget})`);
  if (!existsSync(dirname(out))) mkdirSync(dirname(out), { recursive: true });
  saveModel(model, out);
  run.progress.log(`wrote ${out}`);
  return { model, tfjsPredictions, enginePredictions: res.predictions, mismatches };
}

export { disposeNet };
