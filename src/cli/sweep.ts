/**
 * `archsim sweep`, `archsim merge` and `archsim report` (the sweep's HTML report).
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { InputError } from '../errors.ts';
import { selectEngine, type BackendChoice } from '../func/select.ts';
import { runSweep, type SweepProgress } from '../sweep/run.ts';
import { mergeResults } from '../sweep/store.ts';
import { backendOption, intOption } from './options.ts';
import { barStream, interactive, makeProgress } from './progress.ts';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function sweepProgress(): SweepProgress {
  if (!interactive()) {
    return { start() {}, point() {}, stop() {} };
  }
  const bar = new cliProgress.SingleBar({ format: 'sweep [{bar}] {value}/{total} points | {failed} infeasible | {eta_formatted} left', hideCursor: true, stream: barStream() }, cliProgress.Presets.shades_classic);
  let failed = 0;
  let done = 0;
  return {
    start(total, already) {
      done = already;
      bar.start(total, done, { failed });
    },
    point(bad) {
      done++;
      if (bad) failed++;
      bar.update(done, { failed });
    },
    stop() {
      bar.stop();
    },
  };
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('evaluate a design space (cross product of --vary values) for one or more models; resumable and shardable')
    .requiredOption('--arch <file>', 'base architecture file')
    .requiredOption('--model <file>', 'model file (repeat for several; split models bring their baselines)', collect, [])
    .option('--vary <spec>', 'KEY=V1,V2,... or KEY=A..B (inclusive), KEY a dotted path in the architecture file; repeatable', collect, [])
    .requiredOption('--out <file>', 'results file (JSON lines); rerunning skips points already in it')
    .option('--workers <n>', 'worker threads for timing and cost (default: available cores)', intOption('--workers'))
    .option('--images <n>', 'the first N test images (default: all)', intOption('--images'))
    .option('--input <file>', 'read inputs from a trace file instead of the dataset')
    .option('--shard <I/N>', 'run shard I of N (I from 0 to N-1), e.g. $SLURM_ARRAY_TASK_ID/4')
    .option('--seed <n>', 'seed recorded with every point', intOption('--seed', 0), 1)
    .addOption(backendOption())
    .action(async (opts: { arch: string; model: string[]; vary: string[]; out: string; workers?: number; images?: number; input?: string; shard?: string; seed: number; backend: BackendChoice }) => {
      const workers = opts.workers ?? Math.max(1, availableParallelism());
      const sweepOpts = { arch: opts.arch, models: opts.model, vary: opts.vary, out: opts.out, workers, images: opts.images, input: opts.input, shard: opts.shard, seed: opts.seed };
      // validate everything before a backend (and the GPU) is touched
      const { prepareSweep } = await import('../sweep/run.ts');
      const prep = prepareSweep(sweepOpts);
      const sel = await selectEngine(opts.backend);
      const t0 = performance.now();
      try {
        const r = await runSweep(sweepOpts, sel.engine, sweepProgress(), makeProgress());
        process.stdout.write(
          `${opts.out}: ${r.ran} points run, ${r.skipped} already present, ${r.failed} infeasible` +
            `${opts.shard ? ` (shard ${opts.shard}: ${prep.shardTotal} of ${prep.total} points)` : ''}; ${sel.reason}; ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
        );
        if (r.repairedBytes) process.stdout.write(`(cut a torn last line of ${r.repairedBytes} bytes left by an interrupted run)\n`);
      } finally {
        await sel.engine.dispose();
        const { releaseGpu } = await import('../gpu/runtime.ts');
        await releaseGpu();
      }
    });

  program
    .command('merge')
    .description('combine sweep shard files into one results file (ordered as an unsharded run)')
    .argument('<files...>', 'shard result files')
    .requiredOption('--out <file>', 'merged results file')
    .action((files: string[], opts: { out: string }) => {
      if (files.includes(opts.out)) throw new InputError(`--out ${opts.out}: is also an input; write the merge to a new file`);
      const r = mergeResults(files, opts.out);
      process.stdout.write(`${opts.out}: ${r.points} points from ${files.length} files (${r.duplicates} duplicates dropped)\n`);
    });

  program
    .command('report')
    .description('draw a sweep results file: Pareto fronts, ADC vs split design per array size, a sortable table')
    .argument('<results>', 'sweep results file (JSON lines)')
    .requiredOption('--out <dir>', 'folder for report.html')
    .option('--force', 'replace an existing non-empty folder')
    .action(async (results: string, opts: { out: string; force?: boolean }) => {
      const { writeSweepReport } = await import('../report/sweep-html.ts');
      const files = await writeSweepReport(results, opts.out, { force: opts.force });
      process.stdout.write(`wrote ${files.join(', ')}\n`);
    });
}
