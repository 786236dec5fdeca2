/**
 * The inputs of bench/e2e.ts's seed-width CIFAR-10 run for a machine without the dataset (the lent
 * GPU machines): the seed-width VGG split for 256-row arrays and its baseline, with random
 * weights (syntheticModel, seeds 2 and 1, as bench/e2e.ts), and a trace of N random CIFAR-10-shaped
 * images with random labels (the work per image does not depend on the values; accuracy is chance).
 *
 *   npx tsx scripts/synthetic-e2e-inputs.ts DIR [N (10000)]
 * writes DIR/cifar10-vgg-baseline.json, DIR/cifar10-vgg-split256.json (+ weight sidecars) and
 * DIR/cifar10-random.msgpack; then: archsim --arch arch-configs/tile64.json
 * --model DIR/cifar10-vgg-split256.json --input DIR/cifar10-random.msgpack --design both
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeTrace } from '../src/data/trace.ts';
import { DATASET_SHAPES } from '../src/data/types.ts';
import { saveModel } from '../src/model/io.ts';
import { randomLabels, randomPixels } from '../src/model/random.ts';
import { syntheticModel } from '../src/model/synthetic.ts';
import { mapSize } from '../src/model/types.ts';

const dir = process.argv[2];
const n = Number(process.argv[3] ?? 10000);
if (!dir || !Number.isInteger(n) || n < 1) {
  console.error('usage: synthetic-e2e-inputs.ts DIR [N]');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
saveModel({ ...syntheticModel('cifar10-vgg', null, 1), dataset: 'cifar10', baseline: null }, join(dir, 'cifar10-vgg-baseline.json'));
saveModel({ ...syntheticModel('cifar10-vgg', 256, 2), dataset: 'cifar10', baseline: 'cifar10-vgg-baseline.json' }, join(dir, 'cifar10-vgg-split256.json'));
const shape = DATASET_SHAPES.cifar10;
writeTrace(
  join(dir, 'cifar10-random.msgpack'),
  { name: 'cifar10', split: 'test', shape, classes: 10, count: n, pixels: randomPixels(7, n, mapSize(shape)), labels: randomLabels(8, n, 10) },
  { source: `scripts/synthetic-e2e-inputs.ts: ${n} random images (seed 7), random labels (seed 8)` },
);
console.log(JSON.stringify({ dir, images: n }));
