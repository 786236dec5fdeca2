/**
 * Model pairs for end-to-end tests: an MNIST-shaped unsplit baseline and a split model (random
 * weights, deterministic), saved as real model files with the split model naming its baseline.
 */
import { join } from 'node:path';
import { saveModel } from '../../src/model/io.ts';
import type { Model } from '../../src/model/types.ts';
import { randomModel } from '../../src/model/random.ts';

export function makeMnistPair(dir: string, seed = 11): { baseline: string; split: string } {
  const input = { channels: 1, height: 28, width: 28 };
  const base = randomModel({ input, first: { kind: 'dense', out: 128 }, hidden: [{ kind: 'dense', out: 128, groups: 1 }, { kind: 'dense', out: 96, groups: 1 }], classes: 10, seed });
  const split = randomModel({ input, first: { kind: 'dense', out: 128 }, hidden: [{ kind: 'dense', out: 128, groups: 2 }, { kind: 'dense', out: 96, groups: 2 }], classes: 10, seed: seed + 1 });
  const b: Model = { ...base, name: 'fixture-mlp-baseline', dataset: 'mnist', arraySize: null, baseline: null };
  const s: Model = { ...split, name: 'fixture-mlp-split64', dataset: 'mnist', arraySize: 64, baseline: 'fixture-baseline.json' };
  const bp = join(dir, 'fixture-baseline.json');
  const sp = join(dir, 'fixture-split64.json');
  saveModel(b, bp);
  saveModel(s, sp);
  return { baseline: bp, split: sp };
}
