import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig, type TrainCliOptions } from '../../src/train/cli.ts';
import { resumeConfig, saveCheckpoint } from '../../src/train/checkpoint.ts';
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

  it('resumeConfig: the checkpoint recipe with the overrides given; the epoch count never below the completed epochs', () => {
    const saved = resolveConfig({ ...base, preset: 'tiny-mlp', baseline: true, checkpointDir: join(dir, 'ck2'), out: 'models/a.json', epochs: 4 }).config;
    expect(saved.bnStats).toBe(0);
    const same = resumeConfig(saved, {}, 2);
    expect(same).toEqual({ ...saved, bnStats: 0, baselineModel: null });
    const r = resumeConfig(saved, { epochs: 1, out: 'models/b.json', bnStats: 500, evalImages: 100 }, 3);
    expect(r.epochs).toBe(3); // 1 asked, 3 completed
    expect(r.out).toBe('models/b.json');
    expect(r.bnStats).toBe(500);
    expect(r.evalImages).toBe(100);
    // the recipe itself is the checkpoint's
    expect({ ...r, epochs: saved.epochs, out: saved.out, bnStats: 0, evalImages: saved.evalImages, baselineModel: saved.baselineModel ?? null }).toEqual({ ...saved, baselineModel: saved.baselineModel ?? null, bnStats: 0 });
    // a saved --bn-stats survives a resume that does not name it
    expect(resumeConfig({ ...saved, bnStats: 10000 }, { epochs: 6 }).bnStats).toBe(10000);
  });
});
