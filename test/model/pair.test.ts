import { mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { loadModelPair, loadModelInputs } from '../../src/model/pair.ts';
import { makeMnistPair } from '../helpers/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'archsim-pair-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const edit = (file: string, f: (j: Record<string, unknown>) => void) => {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  f(j);
  writeFileSync(file, JSON.stringify(j));
};

describe('model pairs (run and sweep share this loader)', () => {
  it('a split model brings its baseline; an unsplit model is its own baseline', () => {
    const { baseline, split } = makeMnistPair(mkdtempSync(join(dir, 'ok-')));
    const p = loadModelPair(split);
    expect(p.split?.arraySize).toBe(64);
    expect(p.baseline.arraySize).toBeNull();
    expect(p.baselineFile).toBe(baseline);
    const u = loadModelPair(baseline);
    expect(u.split).toBeNull();
    expect(u.baseline).toBe(u.model);
    // the split design alone does not need the baseline file
    unlinkSync(baseline.replace(/\.json$/, '.weights.msgpack'));
    expect(loadModelPair(split, { needBaseline: false }).baseline.arraySize).toBe(64);
  });

  it('a missing, split or other-dataset baseline is an InputError naming the file and the fix', () => {
    const d = mkdtempSync(join(dir, 'bad-'));
    const { baseline, split } = makeMnistPair(d);
    copyFileSync(baseline, join(d, 'keep.json'));
    unlinkSync(baseline);
    expect(() => loadModelPair(split)).toThrow(InputError);
    expect(() => loadModelPair(split)).toThrow(/baseline: .*fixture-baseline\.json not found .*copy it next to the split model, or use --design split/);
    copyFileSync(join(d, 'keep.json'), baseline);
    edit(baseline, (j) => (j.dataset = 'fashion-mnist'));
    expect(() => loadModelPair(split)).toThrow(/dataset: "fashion-mnist" differs from the split model's "mnist"/);
  });

  it('inputs: --images beyond the test set and a trace of another dataset are InputErrors', () => {
    const d = mkdtempSync(join(dir, 'in-'));
    const { split } = makeMnistPair(d);
    const m = loadModelPair(split).model;
    const { data, input } = loadModelInputs(m, split, { images: 7 });
    expect([data.count, input]).toEqual([7, 'mnist test set']);
    expect(() => loadModelInputs(m, split, { images: 10_001 })).toThrow(/--images 10001: the mnist test set has only 10000 images/);
    expect(() => loadModelInputs({ ...m, dataset: 'fashion-mnist' }, split, { input: 'traces/mnist-test-500.msgpack' })).toThrow(/--input traces\/mnist-test-500.msgpack: holds mnist images; .* was trained on fashion-mnist/);
  });
});
