import { describe, expect, it } from 'vitest';
import { Engine, EventQueue, Priority, Resources } from '../../src/sim/index.ts';

describe('event queue', () => {
  it('orders by (time, priority, insertion) and grows', () => {
    const q = new EventQueue(4);
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
});

describe('engine', () => {
  it('runs same-time events by named priority, then insertion order, mixing heap and same-time FIFOs', () => {
    const e = new Engine();
    const log: string[] = [];
    const k = e.on('log', (a, b) => {
      log.push(`${e.now}:${a}`);
      if (b === 1) {
        // scheduled for "now" from inside a handler: after everything already queued at this priority
        e.at(e.now, Priority.start, k, a * 10, 0);
        e.at(e.now, Priority.arrive, k, a * 100, 0);
      }
    });
    e.at(5, Priority.start, k, 1, 1);
    e.at(5, Priority.start, k, 2, 0);
    e.at(5, Priority.inject, k, 3, 0);
    e.at(5, Priority.arrive, k, 4, 0);
    e.at(3, Priority.inject, k, 5, 0);
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
    e.at(1_000_000_000, Priority.start, k);
    e.at(7, Priority.start, k);
    expect(e.run()).toBe(2);
    expect(seen).toEqual([7, 1_000_000_000]);
    expect(() => e.at(5, Priority.start, k)).toThrow(/in the past/);
  });
});

describe('resources (timing rule: a FIFO unit starts a request when it is free)', () => {
  it('one cycle early waits, exactly on time starts at once', () => {
    const r = new Resources();
    const id = r.add('adc', 'adc0');
    expect(r.acquire(id, 0, 1000)).toBe(0); // busy until 1000
    expect(r.acquire(id, 999, 1000)).toBe(1000); // one tick early: waits 1
    expect(r.stall[id]).toBe(1);
    expect(r.acquire(id, 2000, 1000)).toBe(2000); // exactly when free: no wait
    expect(r.stall[id]).toBe(1);
    expect(r.busy[id]).toBe(3000);
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
