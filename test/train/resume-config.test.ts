import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig, type TrainCliOptions } from '../../src/train/cli.ts';
import { saveCheckpoint } from '../../src/train/checkpoint.ts';
import { initialValues } from '../../src/train/net.ts';
import { buildSpec } from '../../src/train/spec.ts';

const dir = mkdtempSync(join(tmpdir(), 'archsim-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base: TrainCliOptions = { grouping: 'intra', seed: 1, backend: 'cpu', scale: 1, dropoutIn: 0, dropoutHidden: 0 };

describe('resolving --resume', () => {
  it('a split run keeps its baseline model file and dropout; --baseline-model and --epochs replace theirs', () => {
    const fresh = resolveConfig({ ...base, preset: 'tiny-mlp', arraySize: 16, baselineModel: 'models/b.json', dropoutIn: 0.1, dropoutHidden: 0.2, checkpointDir: join(dir, 'ck'), out: 'models/s.json' });
    expect(fresh.baselineModel).toBe('models/b.json');
    const spec = buildSpec({ preset: 'tiny-mlp', dataset: 'mnist', arraySize: 16 });
    saveCheckpoint(join(dir, 'ck'), { spec, config: fresh.config, epoch: 1, rngState: null, adamT: 0, history: [], backend: { name: 'cpu', adapter: 'tfjs-cpu' }, command: 'test', values: initialValues(spec, 1), adam: null });
    const r = resolveConfig({ ...base, resume: join(dir, 'ck'), epochs: 3 });
    expect(r.resume).toBe(true);
    expect(r.baselineModel).toBe('models/b.json');
    expect(r.config.epochs).toBe(3);
    expect(r.config.dropout).toEqual({ input: 0.1, hidden: 0.2 });
    expect(resolveConfig({ ...base, resume: join(dir, 'ck'), baselineModel: 'other.json' }).baselineModel).toBe('other.json');
  });
});
