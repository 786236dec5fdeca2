import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { initBackend, tf } from '../../src/train/backend.ts';
import { loadDataset, takeFirst } from '../../src/data/index.ts';
import { train, makeBatch, silentProgress } from '../../src/train/trainer.ts';
import { loadCheckpoint, type TrainConfig } from '../../src/train/checkpoint.ts';
import { forward, disposeNet } from '../../src/train/net.ts';
import { loadModel } from '../../src/model/io.ts';
import { evaluateReference, type ReferenceExtras } from '../../src/func/reference.ts';
import { mapSize } from '../../src/model/types.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const full = { train: loadDataset('mnist', 'train'), test: loadDataset('mnist', 'test') };

function config(over: Partial<TrainConfig>): TrainConfig {
  return {
    preset: 'tiny-mlp',
    dataset: 'mnist',
    arraySize: null,
    grouping: 'intra',
    epochs: 2,
    batchSize: 50,
    lr: 1e-2,
    lrFinal: 3e-3,
    seed: 3,
    backend: 'cpu',
    limitTrain: null,
    evalImages: null,
    initFrom: null,
    preprocess: { scale: 1, mean: null },
    out: null,
    ...over,
  };
}

const run = (dir: string, cfg: TrainConfig, extra: Partial<Parameters<typeof train>[0]> = {}) =>
  train({
    config: cfg,
    checkpointDir: dir,
    resume: false,
    command: 'test',
    progress: silentProgress,
    baselineModel: null,
    backendInfo: { name: 'cpu', adapter: 'tfjs-cpu' },
    data: { train: takeFirst(full.train, 1500), test: takeFirst(full.test, 300) },
    ...extra,
  });

/** Compares the exported model (reloaded from disk) with tfjs: predictions and every hidden layer's bits. */
async function crossCheck(res: Awaited<ReturnType<typeof run>>, file: string, pre: TrainConfig['preprocess'], images = 300) {
  const model = loadModel(file);
  const test = takeFirst(full.test, images);
  const extras: ReferenceExtras = {};
  const r = evaluateReference(model, test, { readout: { kind: 'sense' } }, extras);
  expect(Array.from(r.predictions)).toEqual(Array.from(res.tfjsPredictions!));
  expect(model.metrics.mismatches).toBe(0);
  expect(model.metrics.testAccuracy).toBeCloseTo(r.accuracy!, 12);
  // hidden layers bit by bit
  const collect: tf.Tensor2D[] = [];
  tf.tidy(() => {
    const x = makeBatch(test, Array.from({ length: test.count }, (_, i) => i), res.net.spec, pre);
    forward(res.net, x, { training: false, collect });
  });
  let bits = 0;
  let diff = 0;
  collect.forEach((t, i) => {
    const tfBits = t.dataSync();
    const eng = extras.layerOutputs![i]!;
    expect(eng.length).toBe(tfBits.length);
    for (let j = 0; j < eng.length; j++) {
      bits++;
      if ((tfBits[j]! > 0 ? 1 : 0) !== eng[j]) diff++;
    }
    t.dispose();
  });
  expect(diff / bits).toBeLessThan(1e-4);
  return model;
}

describe('training, export and the engine cross-check', () => {
  it('a tiny MLP baseline trains (loss falls), exports, reloads and the engine agrees with tfjs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archsim-train-'));
    const out = join(dir, 'tiny-baseline.json');
    const res = await run(join(dir, 'ck'), config({ out, epochs: 3, preprocess: { scale: 2, mean: [0.13] } }));
    expect(res.history).toHaveLength(3);
    expect(res.history[2]!.loss).toBeLessThan(res.history[0]!.loss);
    expect(res.history[2]!.testAccuracy!).toBeGreaterThan(0.6);
    const model = await crossCheck(res, out, { scale: 2, mean: [0.13] });
    expect(model.arraySize).toBeNull();
    expect(model.preprocess.scale).toBeCloseTo(2 / 255, 12);
    expect(model.training?.command).toBe('test');

    // a split model from the baseline checkpoint (reconstruct, retrain)
    const base = loadCheckpoint(join(dir, 'ck'));
    expect(base.epoch).toBe(3);
    const out2 = join(dir, 'tiny-split16.json');
    disposeNet(res.net);
    const res2 = await run(join(dir, 'ck16'), config({ out: out2, arraySize: 16, epochs: 1, initFrom: join(dir, 'ck'), preprocess: { scale: 2, mean: [0.13] } }), { baselineModel: out });
    expect(res2.net.spec.layers.map((l) => l.groups)).toEqual([1, 4, 4, 1]);
    const m2 = await crossCheck(res2, out2, { scale: 2, mean: [0.13] });
    expect(m2.arraySize).toBe(16);
    expect(m2.baseline).toBe('tiny-baseline.json');
    disposeNet(res2.net);
  }, 300_000);

  it('a tiny split CNN (IntraC groups, pooling) exports bit-exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archsim-train-'));
    const out = join(dir, 'tiny-cnn.json');
    const res = await run(join(dir, 'ck'), config({ preset: 'tiny-cnn', arraySize: 32, epochs: 1, out, batchSize: 25 }), {
      baselineModel: join(dir, 'none.json'),
      maxSteps: 6,
      data: { train: takeFirst(full.train, 300), test: takeFirst(full.test, 100) },
    });
    expect(res.net.spec.layers.map((l) => l.groups)).toEqual([1, 3, 28, 1]);
    const model = await crossCheck(res, out, { scale: 1, mean: null }, 100);
    expect(mapSize(model.layers[1]!.type === 'binary' ? model.layers[1].outShape : { channels: 0, height: 0, width: 0 })).toBe(16 * 7 * 7);
    disposeNet(res.net);
  }, 300_000);

  it('is deterministic for a seed and --resume continues exactly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'archsim-train-'));
    const a = await run(join(dir, 'a'), config({ epochs: 2 }), { maxSteps: 8 });
    disposeNet(a.net);
    const b1 = await run(join(dir, 'b'), config({ epochs: 1 }), { maxSteps: 8 });
    disposeNet(b1.net);
    // the schedule depends on the total epochs: resume the 1-epoch run as a 2-epoch run
    const b = await run(join(dir, 'b'), config({ epochs: 2 }), { maxSteps: 8, resume: true });
    disposeNet(b.net);
    const ca = loadCheckpoint(join(dir, 'a'));
    const cb = loadCheckpoint(join(dir, 'b'));
    expect(cb.epoch).toBe(2);
    expect(cb.history.map((h) => h.loss)).toEqual(ca.history.map((h) => h.loss));
    ca.values.forEach((v, i) => {
      expect(Buffer.from(cb.values[i]!.W.buffer).equals(Buffer.from(v.W.buffer))).toBe(true);
      expect(Array.from(cb.values[i]!.mean)).toEqual(Array.from(v.mean));
    });
  }, 300_000);
});
