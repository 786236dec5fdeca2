/**
 * CPU time the hypervisor took from this virtual machine ("steal" in Linux /proc/stat): the
 * shared 2-core CI machines are VMs whose vCPUs lose time to other tenants, more so when both
 * are busy, so that a benchmark's wall-clock rates and its 1- vs 2-thread ratios move with it.
 * Benchmarks record the share of the machine's CPU time stolen while they ran, to tell such
 * runs apart. Tick resolution: USER_HZ (100 per second per CPU).
 */
import { readFileSync } from 'node:fs';

export interface CpuTicks {
  /** ticks stolen by the hypervisor, all CPUs */
  steal: number;
  /** all ticks (user, nice, system, idle, iowait, irq, softirq, steal), all CPUs */
  total: number;
}

/** The machine's CPU tick counters now, or null where /proc/stat is not readable (not Linux). */
export function cpuTicks(): CpuTicks | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (f[0] === undefined || !line.startsWith('cpu ') || f.length < 8 || f.some((x) => !Number.isFinite(x))) return null;
    return { steal: f[7]!, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Ticks elapsed between two readings (null when either is). */
export function ticksBetween(a: CpuTicks | null, b: CpuTicks | null): CpuTicks | null {
  return a && b ? { steal: b.steal - a.steal, total: b.total - a.total } : null;
}

/** Stolen share of the machine's CPU time over summed intervals: 0..1, null when unknown or no tick elapsed. */
export function stealShare(intervals: (CpuTicks | null)[]): number | null {
  let steal = 0;
  let total = 0;
  for (const t of intervals) {
    if (!t) return null;
    steal += t.steal;
    total += t.total;
  }
  return total > 0 ? steal / total : null;
}
