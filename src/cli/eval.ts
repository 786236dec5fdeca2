/**
 * `archsim eval --model FILE`: the functional pass alone — accuracy, predictions digest and
 * activity counts of one model on its test set, with a sense read-out or an ADC read-out.
 * Everything is read and validated before a backend is chosen (so before the GPU is touched).
 */
import { Option, type Command } from 'commander';
import { InputError } from '../errors.ts';
import { loadModel } from '../model/io.ts';
import { loadDataset, takeFirst } from '../data/index.ts';
import { readoutProblem } from '../func/common.ts';
import { selectEngine, type BackendChoice } from '../func/select.ts';
import type { Readout } from '../func/types.ts';
import { mapSize } from '../model/types.ts';
import { backendOption, intOption } from './options.ts';

export interface EvalCliOptions {
  model: string;
  images?: number;
  readout: 'sense' | 'adc';
  adcRows?: number;
  adcBits?: number;
  backend: BackendChoice;
  json?: boolean;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('run the functional pass of one model on its test set: accuracy, digest, activity counts')
    .requiredOption('--model <file>', 'model file (archsim-model JSON)')
    .option('--images <n>', 'evaluate the first N test images (default: all)', intOption('--images'))
    .addOption(new Option('--readout <kind>', 'column read-out: 1-bit sense amps or b-bit ADCs on row blocks').choices(['sense', 'adc']).default('sense'))
    .option('--adc-rows <R>', 'rows per ADC row block (with --readout adc)', intOption('--adc-rows'))
    .option('--adc-bits <b>', 'ADC resolution in bits, 1..16 (with --readout adc)', intOption('--adc-bits'))
    .addOption(backendOption())
    .option('--json', 'print JSON')
    .action(async (opts: EvalCliOptions) => {
      const model = loadModel(opts.model);
      let readout: Readout = { kind: 'sense' };
      if (opts.readout === 'adc') {
        if (opts.adcRows === undefined) throw new InputError('--adc-rows: required with --readout adc (e.g. --adc-rows 256)');
        if (opts.adcBits === undefined) throw new InputError('--adc-bits: required with --readout adc (e.g. --adc-bits 8)');
        readout = { kind: 'adc', rows: opts.adcRows, bits: opts.adcBits };
        const p = readoutProblem(readout);
        if (p) throw new InputError(`--adc-bits/--adc-rows: ${p}`);
      } else if (opts.adcRows !== undefined || opts.adcBits !== undefined) {
        throw new InputError('--adc-rows/--adc-bits: only meaningful with --readout adc');
      }
      let data = loadDataset(model.dataset, 'test');
      const want = mapSize(model.layers[0]!.inShape);
      if (want !== mapSize(data.shape)) throw new InputError(`${opts.model}: input shape does not match the ${model.dataset} test set`);
      if (opts.images !== undefined) data = takeFirst(data, opts.images);
      const sel = await selectEngine(opts.backend);
      const t0 = performance.now();
      try {
        const r = await sel.engine.evaluate(model, data, { readout });
        const ms = performance.now() - t0;
        const doc = {
          model: opts.model,
          name: model.name,
          dataset: model.dataset,
          images: data.count,
          readout,
          backend: sel.backend,
          wallMs: Math.round(ms),
          accuracy: r.accuracy,
          predictionsDigest: r.predictionsDigest,
          activity: r.activity,
        };
        if (opts.json) process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
        else {
          process.stdout.write(
            `${model.name} on ${data.count} ${model.dataset} test images, ${readout.kind === 'sense' ? 'sense read-out' : `ADC ${readout.bits} bits on ${readout.rows}-row blocks`}\n` +
              `accuracy ${(100 * (r.accuracy ?? 0)).toFixed(2)}%  digest ${r.predictionsDigest.slice(0, 16)}…\n` +
              `backend: ${sel.reason}; ${(ms / 1000).toFixed(2)} s\n`,
          );
        }
      } finally {
        await sel.engine.dispose();
        const { releaseGpu } = await import('../gpu/runtime.ts');
        await releaseGpu();
      }
    });
}
