import { describe, expect, it } from 'vitest';
import { Engine, EventQueue, HeapEventQueue, Priority, Resources } from '../../src/sim/index.ts';

describe('event queue', () => {
  it.each([
    ['calendar', () => new EventQueue(4)],
    ['heap', () => new HeapEventQueue(4)],
  ])('%s: orders by (time, priority, insertion) and grows', (_name, make) => {
    const q = make();
    const want: [number, number, number][] = [];
    let x = 7;
    for (let i = 0; i < 5000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const t = x % 97;
      const p = (x >>> 8) % 4;
      q.push(t, p, 0, i, 0, 0);
      want.push([t, p, i]);
    }
    want.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    const got: [number, number, number][] = [];
    for (;;) {
      const s = q.pop();
      if (s < 0) break;
      const i = q.a(s);
      got.push([q.timeOf(s), want.find((w) => w[2] === i)![1], i]);
    }
    expect(got).toEqual(want);
  });

  // the engine's use: pops interleaved with pushes never earlier than the last popped time; delays
  // from 0 (same bucket) through the 4.2 us window to far beyond it, equal keys, idle jumps
  it.each([1, 2, 3, 4, 5])('calendar queue pops in exactly the heap order (seed %i)', (seed) => {
    const cal = new EventQueue(8);
    const heap = new HeapEventQueue(8);
    let x = seed * 7919;
    const rnd = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 4) % n;
    };
    const delay = () => {
      const r = rnd(100);
      if (r < 30) return rnd(2000); // same or next bucket
      if (r < 60) return 1000 * rnd(50); // whole nanoseconds: equal keys
      if (r < 90) return rnd(4_000_000); // within the window
      if (r < 97) return 4_000_000 + rnd(20_000_000); // beyond it
      return 2 ** 40 + rnd(1000); // an idle jump far ahead
    };
    let now = 0;
    let id = 0;
    const push = () => {
      const t = now + delay();
      const p = rnd(4);
      cal.push(t, p, 0, id, 0, 0);
      heap.push(t, p, 0, id, 0, 0);
      id++;
    };
    for (let i = 0; i < 50; i++) push();
    let pops = 0;
    const diffs: string[] = [];
    while (heap.length > 0 && diffs.length < 5) {
      if (cal.length !== heap.length || cal.peekTime() !== heap.peekTime()) diffs.push(`pop ${pops}: length/peek ${cal.length}/${cal.peekTime()} vs ${heap.length}/${heap.peekTime()}`);
      const hs = heap.pop();
      const cs = cal.pop();
      if (cal.a(cs) !== heap.a(hs) || cal.timeOf(cs) !== heap.timeOf(hs)) diffs.push(`pop ${pops}: event ${cal.a(cs)}@${cal.timeOf(cs)} vs ${heap.a(hs)}@${heap.timeOf(hs)}`);
      now = heap.timeOf(hs);
      pops++;
      // one new event per pop and now and then a second (a few thousand pending), then drain
      const k = pops < 20_000 ? 1 + (rnd(8) === 0 ? 1 : 0) : rnd(2);
      for (let j = 0; j < k; j++) push();
    }
    expect(diffs).toEqual([]);
    expect(cal.pop()).toBe(-1);
    expect(pops).toBeGreaterThan(20_000);
  });

  // dense (delays of 1-100 ticks, 3000 pending: the 1024-tick start width puts hundreds in a
  // bucket) then sparse (delays up to 1e9 ticks: most beyond the window): the width shrinks, then
  // grows, and the order stays the heap's
  it('calendar queue adapts its bucket width to dense and sparse phases, in heap order', () => {
    const cal = new EventQueue();
    const heap = new HeapEventQueue();
    let x = 99;
    const rnd = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 4) % n;
    };
    let now = 0;
    let id = 0;
    let maxDelay = 100;
    const push = () => {
      const t = now + 1 + rnd(maxDelay);
      const p = rnd(4);
      cal.push(t, p, 0, id, 0, 0);
      heap.push(t, p, 0, id, 0, 0);
      id++;
    };
    for (let i = 0; i < 3000; i++) push();
    const widths: number[] = [];
    let bad = 0;
    for (let pop = 0; pop < 60_000; pop++) {
      if (pop === 30_000) {
        widths.push(cal.bucketWidth);
        maxDelay = 1e9;
      }
      const hs = heap.pop();
      const cs = cal.pop();
      if (cal.a(cs) !== heap.a(hs)) bad++;
      now = heap.timeOf(hs);
      push();
    }
    widths.push(cal.bucketWidth);
    expect(bad).toBe(0);
    expect(widths[0]).toBeLessThan(1024);
    expect(widths[1]).toBeGreaterThan(1024);
  });

  // bench/events.ts's hold model: 10,000 pending, delays of 1-1000 ticks, so about 20 events per
  // tick even at the narrowest width (1 tick); each bucket's list takes its tail appends at once,
  // events landing before the head or inside the list still go where the heap puts them
  it('calendar queue with many events per tick (tail appends, head and middle inserts) pops in heap order', () => {
    const cal = new EventQueue();
    const heap = new HeapEventQueue();
    let x = 4242;
    const rnd = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 4) % n;
    };
    let now = 0;
    let id = 0;
    const push = () => {
      const t = now + 1 + rnd(1000);
      const p = rnd(4);
      cal.push(t, p, 0, id, 0, 0);
      heap.push(t, p, 0, id, 0, 0);
      id++;
    };
    for (let i = 0; i < 10_000; i++) push();
    let bad = 0;
    for (let pop = 0; pop < 100_000; pop++) {
      const hs = heap.pop();
      const cs = cal.pop();
      if (cal.a(cs) !== heap.a(hs) || cal.timeOf(cs) !== heap.timeOf(hs)) bad++;
      now = heap.timeOf(hs);
      push();
    }
    expect(bad).toBe(0);
    expect(cal.bucketWidth).toBe(1);
  });
});

describe('engine', () => {
  it('runs same-time events by named priority, then insertion order, mixing heap and same-time FIFOs', () => {
    const e = new Engine();
    const log: string[] = [];
    const k = e.on('log', (a, b) => {
      log.push(`${e.now}:${a}`);
      if (b === 1) {
        // scheduled for "now" from inside a handler: after everything already queued at this priority
        e.at(e.now, Priority.start, k, a * 10, 0, 0);
        e.at(e.now, Priority.arrive, k, a * 100, 0, 0);
      }
    });
    e.at(5, Priority.start, k, 1, 1, 0);
    e.at(5, Priority.start, k, 2, 0, 0);
    e.at(5, Priority.inject, k, 3, 0, 0);
    e.at(5, Priority.arrive, k, 4, 0, 0);
    e.at(3, Priority.inject, k, 5, 0, 0);
    e.run();
    // t=3 first; at t=5: arrive(4), start(1) -> schedules start(10), arrive(100); arrive(100) beats
    // start(2) by priority; start(2) was inserted before start(10); inject(3) last
    expect(log).toEqual(['3:5', '5:4', '5:1', '5:100', '5:2', '5:10', '5:3']);
    expect(e.events).toBe(7);
  });
  it('skips idle time and refuses the past', () => {
    const e = new Engine();
    const seen: number[] = [];
    const k = e.on('t', () => seen.push(e.now));
    e.at(1_000_000_000, Priority.start, k, 0, 0, 0);
    e.at(7, Priority.start, k, 0, 0, 0);
    expect(e.run()).toBe(2);
    expect(seen).toEqual([7, 1_000_000_000]);
    expect(() => e.at(5, Priority.start, k, 0, 0, 0)).toThrow(/in the past/);
  });
});

describe('resources (timing rule: a FIFO unit starts a request when it is free)', () => {
  it('one cycle early waits, exactly on time starts at once', () => {
    const r = new Resources();
    const id = r.add('adc', 'adc0');
    expect(r.acquire(id, 0, 1000)).toBe(0); // busy until 1000
    expect(r.acquire(id, 999, 1000)).toBe(1000); // one tick early: waits 1
    expect(r.stall(id)).toBe(1);
    expect(r.acquire(id, 2000, 1000)).toBe(2000); // exactly when free: no wait
    expect(r.stall(id)).toBe(1);
    expect(r.busy(id)).toBe(3000);
  });
  it('a multi-port unit serves two requests at once and queues the third', () => {
    const r = new Resources();
    const id = r.add('buffer', 'buf', 2);
    expect(r.acquire(id, 0, 10)).toBe(0);
    expect(r.acquire(id, 0, 10)).toBe(0);
    expect(r.acquire(id, 0, 10)).toBe(10);
    expect(r.acquire(id, 19, 10)).toBe(19);
  });
});
