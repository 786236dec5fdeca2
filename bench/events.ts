/**
 * Event-engine throughput (issue 6, target 3: >= 5 M events/s on the CIFAR-10 VGG timing run).
 * One run prints JSON lines:
 *  - a plain binary heap of numbers (the same-run baseline: results on a shared machine read as
 *    ratios, vsPlainHeap);
 *  - the synthetic queue workload ("hold model": 10k pending events, each handled event schedules
 *    one more at a pseudo-random delay of 1-1000 ticks), through the Engine the chip model uses,
 *    with its calendar queue and with the plain binary heap it replaced;
 *  - the CIFAR-10 VGG timing run on arch-configs/tile64.json, ADC and split designs (synthetic
 *    seed-shape models; timing does not depend on weights), with both queues: fastest and median
 *    rates, every round's time, and the share of the machine's CPU time the hypervisor stole
 *    meanwhile.
 * Each engine runs in processes of its own (P per queue and workload, alternating calendar and heap,
 * R rounds each after one warm-up): an engine that has also run the other queue in the same process
 * calls it through polymorphic call sites, which costs about 9 % more instructions per event than
 * `archsim`, which only ever runs the calendar queue. The runs must be identical across queues.
 * Usage: node --import tsx/esm bench/events.ts [--images N (32)] [--rounds R (5)] [--processes P (2)]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { simulateChip, Engine, Priority } from '../src/sim/index.ts';
import { vggTimingRun } from './_vgg-timing.ts';
import { cpuTicks, stealShare, ticksBetween } from './_steal.ts';

const root = process.env.ARCHSIM_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..');
const argOf = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const images = argOf('--images', 32);
const rounds = argOf('--rounds', 5);
const processes = argOf('--processes', 2);
if (![images, rounds, processes].every((v) => Number.isInteger(v) && v > 0)) {
  console.error('bench/events: --images, --rounds and --processes take positive integers');
  process.exit(2);
}

type Queue = 'calendar' | 'heap';
type Workload = 'hold' | 'adc' | 'split';

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

/** One process's share: `rounds` timed runs of one workload with one queue, after a warm-up. */
function child(workload: Workload, queue: Queue): void {
  if (workload === 'hold') {
    holdModel(10000, 200000, queue); // warm-up
    const times: number[] = [];
    let events = 0;
    for (let k = 0; k < rounds; k++) {
      const h = holdModel(10000, 4000000, queue);
      times.push(h.ms);
      events = h.events;
    }
    console.log(JSON.stringify({ times, events, digest: String(events) }));
    return;
  }
  const { arch, mapping: m } = vggTimingRun(root, workload);
  simulateChip(arch, m, { images: 4, eventQueue: queue }); // warm-up
  simulateChip(arch, m, { images: 4, eventQueue: queue });
  const times: number[] = [];
  let r: ReturnType<typeof simulateChip> | undefined;
  for (let k = 0; k < rounds; k++) {
    const t0 = performance.now();
    r = simulateChip(arch, m, { images, eventQueue: queue });
    times.push(performance.now() - t0);
  }
  r = r!;
  console.log(JSON.stringify({ times, events: r.events, digest: JSON.stringify([r.events, r.imageTimes, r.makespanNs]), throughputIps: r.throughputIps }));
}

const childAt = process.argv.indexOf('--child');
if (childAt > 0) {
  child(process.argv[childAt + 1] as Workload, process.argv[childAt + 2] as Queue);
  process.exit(0);
}

interface ChildResult {
  times: number[];
  events: number;
  digest: string;
  throughputIps?: number;
}
const runChild = (workload: Workload, queue: Queue): ChildResult =>
  JSON.parse(
    execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, '--child', workload, queue, '--images', String(images), '--rounds', String(rounds)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ARCHSIM_ROOT: root },
    }),
  ) as ChildResult;
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;

plainHeap(10000, 200000); // warm-up
const ph = plainHeap(10000, 4000000);
const plainRate = (ph.ops / ph.ms) * 1000;
console.log(JSON.stringify({ bench: 'events', workload: 'plain-binary-heap-baseline', pending: 10000, pushPops: ph.ops, ms: +ph.ms.toFixed(1), pushPopsPerSec: Math.round(plainRate) }));

for (const workload of ['hold', 'adc', 'split'] as const) {
  const times: Record<Queue, number[]> = { calendar: [], heap: [] };
  const processMedians: Record<Queue, number[]> = { calendar: [], heap: [] };
  const got: Partial<Record<Queue, ChildResult>> = {};
  const k0 = cpuTicks();
  for (let p = 0; p < processes; p++) {
    for (const q of ['calendar', 'heap'] as const) {
      const c = runChild(workload, q);
      if (got[q] && got[q]!.digest !== c.digest) throw new Error(`bench/events: ${workload} ${q}: two processes gave different runs`);
      got[q] = c;
      times[q].push(...c.times);
      processMedians[q].push(Math.round((c.events / median(c.times)) * 1000));
    }
  }
  const steal = stealShare([ticksBetween(k0, cpuTicks())]);
  if (got.calendar!.digest !== got.heap!.digest) throw new Error(`bench/events: ${workload}: calendar and heap queues gave different runs`);
  const events = got.calendar!.events;
  const rate = (q: Queue) => (events / Math.min(...times[q])) * 1000;
  const medianRate = (q: Queue) => (events / median(times[q])) * 1000;
  const common = {
    events,
    queue: 'calendar',
    eventsPerSec: Math.round(rate('calendar')),
    medianEventsPerSec: Math.round(medianRate('calendar')),
    processMedianEventsPerSec: processMedians.calendar,
    vsHeapEngine: +(rate('calendar') / rate('heap')).toFixed(3),
    medianVsHeapEngine: +(medianRate('calendar') / medianRate('heap')).toFixed(3),
    heapEngineEventsPerSec: Math.round(rate('heap')),
    heapMedianEventsPerSec: Math.round(medianRate('heap')),
    heapProcessMedianEventsPerSec: processMedians.heap,
    vsPlainHeap: +(rate('calendar') / plainRate).toFixed(3),
    processes,
    rounds,
    calendarRoundsMs: times.calendar.map((t) => +t.toFixed(1)),
    heapRoundsMs: times.heap.map((t) => +t.toFixed(1)),
    stealShare: steal === null ? null : +steal.toFixed(4),
  };
  if (workload === 'hold') console.log(JSON.stringify({ bench: 'events', workload: 'synthetic-hold', pending: 10000, ...common }));
  else {
    const ms = Math.min(...times.calendar);
    console.log(JSON.stringify({ bench: 'events', workload: 'cifar10-vgg-timing', arch: 'tile64', design: workload, images, ...common, ms: +ms.toFixed(1), simulatedImagesPerSec: +((images / ms) * 1000).toFixed(1), chipThroughputIps: Math.round(got.calendar!.throughputIps!) }));
  }
}
