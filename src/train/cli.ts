/**
 * `archsim train`: trains a baseline or split BNN preset with tfjs, checkpoints every epoch,
 * resumes, exports the model file and cross-checks it with archsim's reference engine.
 *
 *   archsim train --preset mnist-mlp --baseline --out models/mnist-mlp-baseline.json \
 *     --checkpoint-dir runs/mnist-baseline
 *   archsim train --preset mnist-mlp --array-size 256 --init-from runs/mnist-baseline \
 *     --out models/mnist-mlp-split256.json --checkpoint-dir runs/mnist-split256
 *   archsim train --resume runs/mnist-baseline            (continue after an interruption)
 */
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { InputError } from '../errors.ts';
import { interactive } from '../cli/progress.ts';
import { parseDatasetName } from '../data/index.ts';
import type { TrainBackend } from './backend.ts';
import { checkpointFiles, loadCheckpoint, resumeConfig, type TrainConfig } from './checkpoint.ts';
import { PRESET_DEFAULTS, PRESETS, parsePreset, type Grouping } from './spec.ts';
import type { ProgressSink } from './trainer.ts';

function int(name: string, min = 1) {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, found "${v}"`);
    return Number(v);
  };
}
function num(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number, found "${v}"`);
    return n;
  };
}
function rate(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError(`${name} must be a rate in [0, 1), found "${v}"`);
    return n;
  };
}

export interface TrainCliOptions {
  preset?: string;
  dataset?: string;
  arraySize?: number;
  baseline?: boolean;
  grouping: Grouping;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  lrFinal?: number;
  seed: number;
  backend: TrainBackend;
  out?: string;
  checkpointDir?: string;
  resume?: string | boolean;
  initFrom?: string;
  baselineModel?: string;
  limitTrain?: number;
  images?: number;
  mean?: boolean;
  scale: number;
  dropoutIn: number;
  dropoutHidden: number;
  bnStats?: number;
  maxSteps?: number;
}

/** A progress bar on a TTY (unless CI is set); plain periodic lines otherwise. */
export async function makeProgress(): Promise<ProgressSink> {
  const tty = interactive();
  if (tty) {
    const { SingleBar, Presets } = await import('cli-progress');
    const bar = new SingleBar(
      { format: '{label} [{bar}] {percentage}% | loss {loss} | acc {acc} | {ips} img/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
      Presets.shades_classic,
    );
    let active = false;
    return {
      start(total, label) {
        bar.start(total, 0, { label, loss: '-', acc: '-', ips: '-' });
        active = true;
      },
      update(done, i) {
        bar.update(done, { loss: i.loss.toFixed(4), acc: (100 * i.acc).toFixed(2) + '%', ips: i.ips.toFixed(1) });
      },
      stop() {
        if (active) bar.stop();
        active = false;
      },
      log(line) {
        process.stdout.write(line + '\n');
      },
    };
  }
  let last = 0;
  let label = '';
  let total = 0;
  return {
    start(t, l) {
      total = t;
      label = l;
      last = Date.now();
    },
    update(done, i) {
      if (Date.now() - last < 60_000 && done < total) return;
      last = Date.now();
      process.stdout.write(`${new Date().toISOString()} ${label} ${done}/${total} loss ${i.loss.toFixed(4)} acc ${(100 * i.acc).toFixed(2)}% ${i.ips.toFixed(1)} img/s\n`);
    },
    stop() {},
    log(line) {
      process.stdout.write(line + '\n');
    },
  };
}

/** Resolves CLI options into a TrainConfig (validated; no side effects). */
export function resolveConfig(o: TrainCliOptions): { config: TrainConfig; checkpointDir: string; resume: boolean; baselineModel: string | null } {
  if (typeof o.resume === 'string') {
    const ck = loadCheckpoint(o.resume);
    // a split run remembers its baseline model file; --baseline-model replaces it
    const config = resumeConfig(ck.config, { epochs: o.epochs, out: o.out, evalImages: o.images, bnStats: o.bnStats, baselineModel: o.baselineModel });
    return { config, checkpointDir: o.resume, resume: true, baselineModel: config.baselineModel ?? null };
  }
  if (!o.preset) throw new InputError(`--preset: required (one of ${PRESETS.join(', ')}), unless --resume DIR`);
  const preset = parsePreset(o.preset);
  const d = PRESET_DEFAULTS[preset];
  const dataset = parseDatasetName(o.dataset ?? d.dataset);
  if (o.baseline && o.arraySize !== undefined) throw new InputError('--baseline and --array-size: choose one (the unsplit baseline, or the split model for an array size)');
  if (!o.baseline && o.arraySize === undefined) throw new InputError('--baseline or --array-size N: say which network to train (unsplit, or split for arrays of N rows)');
  if (o.initFrom && o.baseline) throw new InputError('--init-from: only for split models (--array-size N), which start from their baseline checkpoint');
  if (o.mean && preset.startsWith('cifar')) throw new InputError('--mean: per-channel mean subtraction does not fold exactly into a conv first layer (zero padding); use it with the MLP presets only');
  const arraySize = o.arraySize ?? null;
  let baselineModel = o.baselineModel ?? null;
  if (o.initFrom) {
    const base = loadCheckpoint(o.initFrom, '--init-from');
    if (base.spec.arraySize !== null) throw new InputError(`--init-from: ${o.initFrom} is a split model (array size ${base.spec.arraySize}); give the unsplit baseline's checkpoint`);
    if (!baselineModel && base.config.out) baselineModel = base.config.out;
  }
  const checkpointDir = o.checkpointDir ?? `runs/${preset}-${dataset}-${arraySize === null ? 'baseline' : `split${arraySize}`}-s${o.seed}`;
  if (o.resume === true) {
    if (!existsSync(checkpointFiles(checkpointDir).json)) throw new InputError(`--resume: no checkpoint in ${checkpointDir}`);
    return { ...resolveConfig({ ...o, resume: checkpointDir }), baselineModel };
  }
  if (existsSync(checkpointFiles(checkpointDir).json)) {
    throw new InputError(`--checkpoint-dir: ${checkpointDir} already holds a checkpoint; continue it with --resume ${checkpointDir}, or choose another --checkpoint-dir`);
  }
  const epochs = o.epochs ?? (o.initFrom ? d.retrainEpochs : d.epochs);
  const lr = o.lr ?? (o.initFrom ? d.lr / 3 : d.lr);
  const config: TrainConfig = {
    preset,
    dataset,
    arraySize,
    grouping: o.grouping,
    epochs,
    batchSize: o.batchSize ?? d.batchSize,
    lr,
    lrFinal: o.lrFinal ?? (o.lr !== undefined ? lr / 100 : o.initFrom ? d.lrFinal / 3 : d.lrFinal),
    seed: o.seed,
    backend: o.backend,
    limitTrain: o.limitTrain ?? null,
    evalImages: o.images ?? null,
    initFrom: o.initFrom ?? null,
    preprocess: { scale: o.scale, mean: o.mean ? (dataset === 'cifar10' ? [0.4914, 0.4822, 0.4465] : dataset === 'mnist' ? [0.1307] : [0.286]) : null },
    dropout: { input: o.dropoutIn, hidden: o.dropoutHidden },
    bnStats: o.bnStats ?? 0,
    out: o.out ?? null,
    baselineModel,
  };
  return { config, checkpointDir, resume: false, baselineModel };
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a baseline or split BNN with tfjs, checkpoint every epoch, export an archsim model and check it with the engine')
    .addOption(new Option('--preset <name>', 'network preset').choices([...PRESETS]))
    .option('--dataset <name>', 'mnist | fashion-mnist | cifar10 (default: the preset\'s)')
    .option('--array-size <n>', 'train the split network for arrays of N rows (seed group rules)', int('--array-size'))
    .option('--baseline', 'train the unsplit baseline network')
    .addOption(new Option('--grouping <kind>', 'conv split: the seed\'s IntraC contiguous cut, or groups of whole channels').choices(['intra', 'channel']).default('intra'))
    .option('--epochs <n>', 'total epochs (default: preset; with --resume sets the run\'s new total, at least its completed epochs; the exponential LR schedule of the remaining epochs follows it)', int('--epochs'))
    .option('--batch-size <n>', 'images per step (default: preset)', int('--batch-size'))
    .option('--lr <x>', 'initial learning rate (default: preset)', num('--lr'))
    .option('--lr-final <x>', 'learning rate of the last epoch (exponential schedule)', num('--lr-final'))
    .option('--seed <n>', 'seed of initialisation and shuffling', int('--seed', 0), 1)
    .addOption(new Option('--backend <name>', 'tfjs backend: webgpu (Dawn: a GPU, else llvmpipe), wasm (XNNPACK SIMD; fastest on a CPU-only machine) or the pure-JS cpu').choices(['webgpu', 'wasm', 'cpu']).default('webgpu'))
    .option('--out <file>', 'model file to export at the end (archsim-model JSON + weights sidecar)')
    .option('--force', 'replace an existing --out model file')
    .option('--checkpoint-dir <dir>', 'checkpoint and train.jsonl folder (default runs/<preset>-<dataset>-<variant>-s<seed>)')
    .option('--resume [dir]', 'continue the run in DIR (or --checkpoint-dir) from its last completed epoch')
    .option('--init-from <dir>', 'split models: start from this baseline checkpoint (reconstruct, then retrain)')
    .option('--baseline-model <file>', 'split models: the baseline model file recorded in the export (default: the --init-from run\'s --out)')
    .option('--limit-train <n>', 'train on the first N training images only (quick runs)', int('--limit-train'))
    .option('--images <n>', 'evaluate on the first N test images (default: all)', int('--images'))
    .option('--mean', 'MLP presets: subtract the per-channel dataset mean after /255 (folds exactly into the first layer)')
    .option('--dropout-in <p>', 'training-only dropout rate on the first layer\'s input pixels (0 <= p < 1)', rate('--dropout-in'), 0)
    .option('--dropout-hidden <p>', 'training-only dropout rate on the binary inputs of every later layer (0 <= p < 1)', rate('--dropout-hidden'), 0)
    .option('--scale <x>', 'global input scale after /255', num('--scale'), 1)
    .option('--bn-stats <n>', 'after every epoch, re-estimate batch-norm population statistics from the first N training images (precise BN) instead of keeping the running averages; with --resume of a finished run, re-exports with them (default: 0, running averages)', int('--bn-stats', 0))
    .addOption(new Option('--max-steps <n>', 'stop each epoch after N steps (smoke tests)').argParser(int('--max-steps')).hideHelp())
    .action(async (o: TrainCliOptions) => {
      const r = resolveConfig(o);
      if (r.config.out && existsSync(r.config.out) && !(o as { force?: boolean }).force) {
        throw new InputError(`--out ${r.config.out}: model file exists (choose another path, or add --force to replace it)`);
      }
      // tfjs loads only when training runs: other commands start without it
      const { initBackend, shutdownBackend } = await import('./backend.ts');
      const { silentProgress, train } = await import('./trainer.ts');
      const info = await initBackend(r.config.backend);
      const progress = await makeProgress();
      const command = ['archsim', 'train', ...process.argv.slice(process.argv.indexOf('train') + 1)].join(' ');
      try {
        const res = await train({
          config: r.config,
          checkpointDir: resolve(r.checkpointDir),
          resume: r.resume,
          command,
          progress: progress ?? silentProgress,
          baselineModel: r.baselineModel,
          backendInfo: { name: info.backend, adapter: info.adapter },
          maxSteps: o.maxSteps,
        });
        if (res.model === null && !r.config.out) progress.log('no --out given: checkpoint written, nothing exported');
      } finally {
        shutdownBackend();
      }
    });
}
