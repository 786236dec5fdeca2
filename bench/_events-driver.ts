/**
 * The CIFAR-10 VGG timing run of bench/events.ts on its own, for instruction counts
 * (bench/events-callgrind.sh): one warm-up run of 4 images, then R rounds of N images; prints the
 * events of one round as JSON.
 * Usage: node --import tsx/esm bench/_events-driver.ts [--design adc|split] [--images N] [--rounds R]
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { simulateChip } from '../src/sim/index.ts';
import { vggTimingRun } from './_vgg-timing.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const design = arg('--design', 'split');
const images = Number(arg('--images', '8'));
const rounds = Number(arg('--rounds', '2'));
if ((design !== 'adc' && design !== 'split') || !(Number.isInteger(images) && images > 0) || !(Number.isInteger(rounds) && rounds > 0)) {
  console.error('bench/events-driver: --design adc|split, --images and --rounds positive integers');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { arch, mapping: m } = vggTimingRun(root, design);
simulateChip(arch, m, { images: 4 });
let events = 0;
for (let r = 0; r < rounds; r++) events = simulateChip(arch, m, { images }).events;
console.log(JSON.stringify({ design, images, rounds, events }));
