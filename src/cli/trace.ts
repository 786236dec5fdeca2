/**
 * `archsim trace --model FILE [--images N] --out FILE`: writes the first N test images of the
 * model's dataset (as the engine consumes them) and their labels to a checksummed msgpack trace,
 * which `--input FILE` reads instead of the dataset.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { loadModel } from '../model/io.ts';
import { loadDataset, takeFirst } from '../data/index.ts';
import { writeTrace } from '../data/trace.ts';
import { intOption } from './options.ts';

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description("write a model's test inputs and labels to a checksummed msgpack trace file (read back with --input)")
    .requiredOption('--model <file>', 'model file: its dataset is the source')
    .option('--images <n>', 'the first N test images (default: all)', intOption('--images'))
    .requiredOption('--out <file>', 'trace file to write (.msgpack)')
    .option('--force', 'overwrite an existing trace file')
    .action((opts: { model: string; images?: number; out: string; force?: boolean }) => {
      const model = loadModel(opts.model);
      if (existsSync(opts.out) && !opts.force) throw new InputError(`--out ${opts.out}: file exists (add --force to overwrite it)`);
      let ds = loadDataset(model.dataset, 'test');
      if (opts.images !== undefined) ds = takeFirst(ds, opts.images);
      writeTrace(opts.out, ds, { source: `${model.dataset} test set, first ${ds.count} images` });
      process.stdout.write(`${opts.out}: ${ds.count} ${model.dataset} test images\n`);
    });
}
