import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { cpuTicks, stealShare, ticksBetween } from '../../bench/_steal.ts';

describe('bench/_steal: hypervisor steal share for benchmark records', () => {
  it('reads the machine tick counters where /proc/stat exists, and they only grow', () => {
    const a = cpuTicks();
    if (!existsSync('/proc/stat')) {
      expect(a).toBeNull();
      return;
    }
    expect(a).not.toBeNull();
    expect(a!.total).toBeGreaterThan(0);
    expect(a!.steal).toBeGreaterThanOrEqual(0);
    expect(a!.steal).toBeLessThanOrEqual(a!.total);
    let x = 0;
    const until = Date.now() + 50;
    while (Date.now() < until) x++;
    const d = ticksBetween(a, cpuTicks())!;
    expect(x).toBeGreaterThan(0);
    expect(d.total).toBeGreaterThanOrEqual(0);
    expect(d.steal).toBeGreaterThanOrEqual(0);
    expect(d.steal).toBeLessThanOrEqual(d.total);
  });

  it('sums intervals into one share, and is unknown when any interval is', () => {
    expect(stealShare([{ steal: 1, total: 10 }, { steal: 3, total: 30 }])).toBe(0.1);
    expect(stealShare([{ steal: 0, total: 0 }])).toBeNull();
    expect(stealShare([{ steal: 1, total: 10 }, null])).toBeNull();
    expect(ticksBetween(null, { steal: 1, total: 2 })).toBeNull();
    expect(ticksBetween({ steal: 1, total: 10 }, { steal: 4, total: 30 })).toEqual({ steal: 3, total: 20 });
  });
});
