/** Precise batch norm (--bn-stats): population statistics re-estimated from training images. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/train/backend.ts';
import { loadDataset, takeFirst } from '../../src/data/index.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimateBnStats, makeBatch, silentProgress, train as trainRun } from '../../src/train/trainer.ts';
import { loadModel } from '../../src/model/io.ts';
import { createNet, disposeNet, forward, initialValues, readParams, type Net } from '../../src/train/net.ts';
import { buildSpec } from '../../src/train/spec.ts';
import type { TrainConfig } from '../../src/train/checkpoint.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const train = takeFirst(loadDataset('mnist', 'train'), 120);
const B = 25;
const pre: TrainConfig['preprocess'] = { scale: 1, mean: null };

for (const preset of ['tiny-mlp', 'tiny-cnn'] as const) {
  const spec = buildSpec({ preset, dataset: 'mnist', arraySize: 32 });
  const fresh = (): Net => createNet(spec, initialValues(spec, 7));
  const idx = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);
  const scores = (net: Net, training: boolean, a: number, n: number) =>
    tf.tidy(() => forward(net, makeBatch(train, idx(a, n), spec, pre), { training }).dataSync());

  describe(`estimateBnStats (${preset}, split: ${spec.layers.map((l) => l.groups).join('/')})`, () => {
    it('from one batch: eval mode on that batch equals training mode (every layer gets its batch moments)', async () => {
      const net = fresh();
      const before = scores(net, false, 0, B);
      await estimateBnStats(net, train, pre, B, B);
      const evalScores = scores(net, false, 0, B);
      const trainScores = scores(net, true, 0, B);
      // the initial running statistics (0, 1) give other scores: the estimate changed them
      expect(Array.from(before)).not.toEqual(Array.from(evalScores));
      for (let i = 0; i < evalScores.length; i++) expect(evalScores[i]!).toBeCloseTo(trainScores[i]!, 3);
      disposeNet(net);
    });

    it("over several batches: the first layer's statistics are the mean of the per-batch ones; deterministic", async () => {
      const perBatch = [];
      for (let b = 0; b < 4; b++) {
        const net = fresh();
        const part = { ...train, pixels: train.pixels.subarray(b * B * 784), labels: train.labels.subarray(b * B), count: B };
        await estimateBnStats(net, part, pre, B, B);
        perBatch.push((await readParams(net))[0]!);
        disposeNet(net);
      }
      const runs = [];
      for (let r = 0; r < 2; r++) {
        const net = fresh();
        // 4B + 15 images at batch B: four full batches, the partial fifth is left out
        await estimateBnStats(net, train, pre, 4 * B + 15, B);
        runs.push(await readParams(net));
        disposeNet(net);
      }
      expect(runs[0]).toEqual(runs[1]);
      const got = runs[0]![0]!;
      for (const k of ['mean', 'variance'] as const) {
        for (let i = 0; i < got[k].length; i++) {
          const want = perBatch.reduce((s, v) => s + v[k][i]!, 0) / 4;
          expect(got[k][i]!).toBeCloseTo(want, 3);
        }
      }
      // weights, biases and BN affine parameters are untouched
      const net = fresh();
      const init = await readParams(net);
      disposeNet(net);
      for (const k of ['W', 'b', 'gamma', 'beta'] as const) runs[0]!.forEach((v, i) => expect(v[k]).toEqual(init[i]![k]));
    });
  });
}

describe('train --bn-stats', () => {
  it('a finished run resumed with --bn-stats re-estimates once, exports it in the recipe, and the engine agrees with tfjs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archsim-bn-'));
    const data = { train: takeFirst(loadDataset('mnist', 'train'), 400), test: takeFirst(loadDataset('mnist', 'test'), 200) };
    const config: TrainConfig = {
      preset: 'tiny-mlp', dataset: 'mnist', arraySize: null, grouping: 'intra', epochs: 1, batchSize: 50, lr: 1e-2, lrFinal: 1e-2, seed: 3,
      backend: 'cpu', limitTrain: null, evalImages: null, initFrom: null, preprocess: pre, out: null,
    };
    const base = { checkpointDir: join(dir, 'ck'), command: 'test', progress: silentProgress, baselineModel: null, backendInfo: { name: 'cpu', adapter: 'tfjs-cpu' }, data };
    const first = await trainRun({ ...base, config, resume: false, noExport: true });
    const before = (await readParams(first.net))[0]!;
    disposeNet(first.net);
    const out = join(dir, 'm.json');
    const again = await trainRun({ ...base, config: { ...config, out, bnStats: 300 }, resume: true });
    const after = (await readParams(again.net))[0]!;
    // the statistics changed, the weights did not (no epoch was trained)
    expect(after.W).toEqual(before.W);
    expect(after.mean).not.toEqual(before.mean);
    const model = loadModel(out);
    expect(JSON.stringify(model.training)).toContain('re-estimated after training from the first 300 training images');
    expect(model.metrics.mismatches).toBe(0);
    expect(Array.from(again.enginePredictions!)).toEqual(Array.from(again.tfjsPredictions!));
    disposeNet(again.net);
    rmSync(dir, { recursive: true, force: true });
  });
});
