/**
 * A model named on the command line together with what its designs need: a split model and
 * the unsplit baseline its "baseline" field names (the ADC design runs the baseline), or an
 * unsplit model alone. Shared by the run command and sweeps so that both check the same things
 * with the same messages.
 */
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { loadDataset, takeFirst, type Dataset } from '../data/index.ts';
import { readTrace } from '../data/trace.ts';
import { loadModel } from './io.ts';
import { mapSize, type Model } from './types.ts';

export interface ModelPair {
  /** the file as given and the model in it */
  file: string;
  model: Model;
  /** the split model, or null when the file holds an unsplit model */
  split: Model | null;
  /** the unsplit model the ADC design runs: the split model's baseline, or the model itself */
  baseline: Model;
  baselineFile: string;
}

/**
 * Loads a model and, for a split model whose baseline is needed, its baseline (which must exist,
 * be unsplit and be trained on the same dataset).
 */
export function loadModelPair(file: string, opts: { needBaseline: boolean } = { needBaseline: true }): ModelPair {
  const model = loadModel(file);
  if (model.arraySize === null) return { file, model, split: null, baseline: model, baselineFile: file };
  if (!opts.needBaseline) return { file, model, split: model, baseline: model, baselineFile: file };
  const baselineFile = resolve(dirname(model.file!), model.baseline!);
  if (!existsSync(baselineFile)) {
    throw new InputError(
      `${file}: baseline: ${relative(process.cwd(), baselineFile) || baselineFile} not found (the ADC design runs the unsplit baseline; copy it next to the split model, or use --design split)`,
    );
  }
  const baseline = loadModel(baselineFile);
  if (baseline.arraySize !== null) throw new InputError(`${baselineFile}: arraySize: the baseline of a split model must be unsplit (null), found ${baseline.arraySize}`);
  if (baseline.dataset !== model.dataset) throw new InputError(`${baselineFile}: dataset: "${baseline.dataset}" differs from the split model's "${model.dataset}"`);
  return { file, model, split: model, baseline, baselineFile };
}

/**
 * The images a model is evaluated on: a trace file (--input) or its dataset's test set, cut to
 * the first --images. `cache` shares loaded datasets between models.
 */
export function loadModelInputs(model: Model, modelFile: string, opts: { input?: string; images?: number }, cache?: Map<string, Dataset>): { data: Dataset; input: string } {
  const key = opts.input ? `trace:${opts.input}` : model.dataset;
  let data = cache?.get(key);
  const input = opts.input ? `trace ${opts.input}` : `${model.dataset} test set`;
  if (!data) {
    data = opts.input ? readTrace(opts.input) : loadDataset(model.dataset, 'test');
    if (opts.images !== undefined) {
      if (opts.images > data.count) throw new InputError(`--images ${opts.images}: the ${input} has only ${data.count} images`);
      data = takeFirst(data, opts.images);
    }
    cache?.set(key, data);
  }
  if (data.name !== model.dataset) throw new InputError(`--input ${opts.input}: holds ${data.name} images; ${modelFile} was trained on ${model.dataset}`);
  if (mapSize(data.shape) !== mapSize(model.layers[0]!.inShape)) throw new InputError(`${modelFile}: input shape does not match the ${data.name} images`);
  return { data, input };
}
