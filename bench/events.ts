/**
 * Event-engine throughput (issue 6, target 3: >= 5 M events/s on the CIFAR-10 VGG timing run).
 * One run prints JSON lines:
 *  - the synthetic queue workload ("hold model": 10k pending events, each handled event schedules
 *    one more at a pseudo-random delay of 1-1000 ticks), through the Engine the chip model uses,
 *    with its calendar queue and with the plain binary heap it replaced;
 *  - the CIFAR-10 VGG timing run on arch-configs/tile64.json, ADC and split designs (synthetic
 *    seed-shape models; timing does not depend on weights), after one warm-up run, with both
 *    queues, R rounds interleaved (the runs must be identical): fastest and median rates, every
 *    round's time, and the share of the machine's CPU time the hypervisor stole meanwhile.
 * A plain binary heap of numbers is measured in the same run, so results on a shared machine can be
 * read as ratios (vsPlainHeap).
 * Usage: node --import tsx/esm bench/events.ts [--images N (32)] [--rounds R (5)]
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadArch } from '../src/arch/index.ts';
import { mapModel } from '../src/map/index.ts';
import { simulateChip, Engine, Priority } from '../src/sim/index.ts';
import { syntheticModel } from '../src/model/synthetic.ts';
import { cpuTicks, stealShare, ticksBetween } from './_steal.ts';

const root = process.env.ARCHSIM_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const argImages = process.argv.indexOf('--images');
const images = argImages > 0 ? Number(process.argv[argImages + 1]) : 32;
const argRounds = process.argv.indexOf('--rounds');
const rounds = argRounds > 0 ? Number(process.argv[argRounds + 1]) : 5;
if (!(Number.isInteger(images) && images > 0) || !(Number.isInteger(rounds) && rounds > 0)) {
  console.error('bench/events: --images and --rounds take positive integers');
  process.exit(2);
}

function holdModel(pending: number, total: number, queue: 'calendar' | 'heap' = 'calendar'): { events: number; ms: number } {
  const eng = new Engine(queue);
  let x = 12345;
  let left = total;
  const k = eng.on('hold', (a) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    if (--left > 0) eng.at(eng.now + 1 + (x % 1000), Priority.start, k, a, 0, 0);
  });
  for (let i = 0; i < pending; i++) eng.at(i, Priority.start, k, i, 0, 0);
  left -= pending;
  const t0 = performance.now();
  const events = eng.run();
  return { events, ms: performance.now() - t0 };
}

/** Baseline in the same run: a plain binary heap of numbers (time only, no payload, no ties). */
function plainHeap(pending: number, total: number): { ops: number; ms: number } {
  const h = new Float64Array(pending + 1);
  let n = 0;
  const push = (t: number) => {
    let i = n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= t) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = t;
  };
  const pop = () => {
    const top = h[0]!;
    const last = h[--n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && h[c + 1]! < h[c]!) c++;
      if (last <= h[c]!) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
    return top;
  };
  for (let i = 0; i < pending; i++) push(i);
  let x = 12345;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const t = pop();
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    push(t + 1 + (x % 1000));
  }
  return { ops: total, ms: performance.now() - t0 };
}

plainHeap(10000, 200000); // warm-up
const ph = plainHeap(10000, 4000000);
const plainRate = (ph.ops / ph.ms) * 1000;
console.log(JSON.stringify({ bench: 'events', workload: 'plain-binary-heap-baseline', pending: 10000, pushPops: ph.ops, ms: +ph.ms.toFixed(1), pushPopsPerSec: Math.round(plainRate) }));

for (const queue of ['calendar', 'heap'] as const) {
  holdModel(10000, 200000, queue); // warm-up
  const h = holdModel(10000, 4000000, queue);
  console.log(JSON.stringify({ bench: 'events', workload: 'synthetic-hold', queue, pending: 10000, events: h.events, ms: +h.ms.toFixed(1), eventsPerSec: Math.round((h.events / h.ms) * 1000), vsPlainHeap: +((h.events / h.ms) * 1000 / plainRate).toFixed(3) }));
}

const arch = loadArch(join(root, 'arch-configs/tile64.json'));
for (const design of ['adc', 'split'] as const) {
  const model = syntheticModel('cifar10-vgg', design === 'adc' ? null : arch.tile.array.rows);
  const m = mapModel(arch, model, design);
  if (!m.ok) throw new Error(m.reason);
  simulateChip(arch, m, { images: 4 }); // warm-up
  simulateChip(arch, m, { images: 4 });
  // `rounds` runs per queue, interleaved (the machine is shared: the fastest run is the least
  // disturbed, the median says how much the neighbours took); the binary-heap engine is the
  // same-run baseline of the calendar queue
  const times: Record<'calendar' | 'heap', number[]> = { calendar: [], heap: [] };
  let r = simulateChip(arch, m, { images: 1 });
  let rHeap = r;
  const k0 = cpuTicks();
  for (let k = 0; k < rounds; k++) {
    for (const q of ['calendar', 'heap'] as const) {
      const t0 = performance.now();
      const x = simulateChip(arch, m, { images, eventQueue: q });
      times[q].push(performance.now() - t0);
      if (q === 'calendar') r = x;
      else rHeap = x;
    }
  }
  const steal = stealShare([ticksBetween(k0, cpuTicks())]);
  const best = { calendar: Math.min(...times.calendar), heap: Math.min(...times.heap) };
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  if (rHeap.events !== r.events || JSON.stringify(rHeap.imageTimes) !== JSON.stringify(r.imageTimes) || rHeap.makespanNs !== r.makespanNs) throw new Error('calendar and heap queues gave different runs');
  const rate = (r.events / best.calendar) * 1000;
  const heapRate = (r.events / best.heap) * 1000;
  console.log(JSON.stringify({ bench: 'events', workload: 'cifar10-vgg-timing', arch: arch.name, design, images, events: r.events, queue: 'calendar', ms: +best.calendar.toFixed(1), eventsPerSec: Math.round(rate), vsHeapEngine: +(rate / heapRate).toFixed(3), heapEngineEventsPerSec: Math.round(heapRate), vsPlainHeap: +(rate / plainRate).toFixed(3), rounds, medianEventsPerSec: Math.round((r.events / median(times.calendar)) * 1000), heapMedianEventsPerSec: Math.round((r.events / median(times.heap)) * 1000), simulatedImagesPerSec: +((images / best.calendar) * 1000).toFixed(1), calendarRoundsMs: times.calendar.map((t) => +t.toFixed(1)), heapRoundsMs: times.heap.map((t) => +t.toFixed(1)), stealShare: steal === null ? null : +steal.toFixed(4), chipThroughputIps: Math.round(r.throughputIps) }));
}
