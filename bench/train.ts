/**
 * Training throughput: images/s of a slice of training steps (forward, backward, Adam, BN running
 * stats; no evaluation) for the MNIST MLP and the reduced CIFAR-10 VGG, on the webgpu, wasm (the
 * trainer's choice on a CPU-only machine) and cpu backends in the same run. Prints one JSON line
 * per (backend, preset).
 *
 *   node --import tsx bench/train.ts [--steps N] [--batch N] [--presets mnist-mlp,cifar-vgg-small] [--backends webgpu,wasm,cpu] [--array-size N]
 *
 * Numbers on a machine that runs anything else at the same time are not comparable.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, shutdownBackend, type TrainBackend } from '../src/train/backend.ts';
import { Adam } from '../src/train/adam.ts';
import { buildSpec, PRESET_DEFAULTS, type PresetName } from '../src/train/spec.ts';
import { createNet, disposeNet, forward, initialValues, squaredHinge, TRAINABLE_KEYS, updateRunningStats } from '../src/train/net.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : def;
}
const presets = arg('presets', 'mnist-mlp,cifar-vgg-small').split(',') as PresetName[];
const backends = arg('backends', 'webgpu,wasm,cpu').split(',') as TrainBackend[];
const arraySize = process.argv.includes('--array-size') ? Number(arg('array-size', '0')) : null;

const adapters: Record<string, string> = {};
for (const backend of backends) {
  adapters[backend] = (await initBackend(backend)).adapter;
  for (const preset of presets) {
    const d = PRESET_DEFAULTS[preset];
    // the cpu backend's conv gradients are very slow: a smaller slice there
    const batch = Number(arg('batch', String(backend === 'cpu' && preset.startsWith('cifar') ? 10 : d.batchSize)));
    const steps = Number(arg('steps', backend === 'cpu' ? '2' : '4'));
    const spec = buildSpec({ preset, dataset: d.dataset, arraySize });
    const net = createNet(spec, initialValues(spec, 1));
    const slots = net.params.flatMap((p, i) => TRAINABLE_KEYS.map((k) => ({ v: p[k], lrScale: k === 'W' ? 1 / Math.sqrt(1.5 / (spec.layers[i]!.fanIn + spec.layers[i]!.out)) : 1, clip: k === 'W' })));
    const adam = new Adam(slots);
    const { channels: C, height: H, width: W } = spec.input;
    const x = spec.layers[0]!.kind === 'dense' ? tf.randomUniform([batch, C * H * W]) : tf.randomUniform([batch, H, W, C]);
    const labels = tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => i % 10), 'int32');
    const step = async () => {
      const moments: { mean: tf.Tensor; variance: tf.Tensor }[] = [];
      const { value, grads } = tf.variableGrads(() => squaredHinge(forward(net, x, { training: true, moments }), labels as tf.Tensor1D, 10), slots.map((s) => s.v));
      adam.apply(grads as Record<string, tf.Tensor>, 1e-3);
      updateRunningStats(net, moments);
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
    };
    await step(); // warm-up: shader compilation
    const t0 = performance.now();
    for (let s = 0; s < steps; s++) await step();
    const secs = (performance.now() - t0) / 1000;
    process.stdout.write(
      JSON.stringify({
        bench: 'train',
        backend,
        adapter: adapters[backend],
        preset,
        arraySize,
        batch,
        steps,
        seconds: +secs.toFixed(2),
        imagesPerSecond: +((steps * batch) / secs).toFixed(2),
        epochMinutes: +((d.dataset === 'cifar10' ? 50000 : 60000) / ((steps * batch) / secs) / 60).toFixed(1),
      }) + '\n',
    );
    adam.dispose();
    disposeNet(net);
    tf.dispose([x, labels]);
  }
}
shutdownBackend();
