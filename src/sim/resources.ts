/**
 * Resources: FIFO servers with occupancy. A request at the current time `t` for `dur` ticks starts
 * at max(t, freeAt) and holds the resource until start + dur. Requests are made from event handlers
 * in non-decreasing time (or, for resources owned by one in-order stream, in that stream's order),
 * so "next free time" is exactly a FIFO queue. A resource with several ports takes the port that
 * frees first (lowest index on ties).
 * Per resource: busy time, stall (queueing) time, and uses; each belongs to a named kind.
 *
 * The per-port figures (free time, busy, stall, uses) sit side by side in one Float64Array, so that
 * an acquire, which runs several times per simulated event, touches one typed array.
 */
const FREE = 0;
const BUSY = 1;
const STALL = 2;
const USES = 3;

export class Resources {
  /** port id p: free time, busy, stall, uses at st[4p .. 4p + 3] */
  private st: Float64Array;
  kind: Int32Array;
  /** ports per resource (>= 1); ports are consecutive ids starting at the resource id */
  ports: Int32Array;
  names: string[] = [];
  kindNames: string[] = [];
  private kindIds = new Map<string, number>();
  /** optional trace sink: (resource, start, end, label) */
  trace: ((id: number, start: number, end: number, label: number) => void) | null = null;
  count = 0;

  constructor(cap = 4096) {
    this.st = new Float64Array(4 * cap);
    this.kind = new Int32Array(cap);
    this.ports = new Int32Array(cap);
  }

  private ensure(n: number): void {
    if (n <= this.kind.length) return;
    let cap = this.kind.length;
    while (cap < n) cap *= 2;
    const g = <T extends Float64Array | Int32Array>(a: T, C: new (n: number) => T, len: number): T => {
      const b = new C(len);
      b.set(a);
      return b;
    };
    this.st = g(this.st, Float64Array, 4 * cap);
    this.kind = g(this.kind, Int32Array, cap);
    this.ports = g(this.ports, Int32Array, cap);
  }

  /** Adds a resource with `ports` ports; returns the id of its first port. */
  add(kind: string, name: string, ports = 1): number {
    let k = this.kindIds.get(kind);
    if (k === undefined) {
      k = this.kindNames.length;
      this.kindNames.push(kind);
      this.kindIds.set(kind, k);
    }
    const id = this.count;
    this.ensure(id + ports);
    for (let p = 0; p < ports; p++) {
      this.kind[id + p] = k;
      this.ports[id + p] = p === 0 ? ports : 0;
      this.names.push(ports > 1 ? `${name}.p${p}` : name);
    }
    this.count += ports;
    return id;
  }

  /** Acquires resource `id` (any of its ports) at time t for dur ticks; returns the start time. */
  acquire(id: number, t: number, dur: number, label = -1): number {
    const st = this.st;
    let o = id << 2;
    const np = this.ports[id]!;
    if (np > 1) {
      let best = st[o]!;
      for (let p = 1; p < np; p++) {
        const f = st[(id + p) << 2]!;
        if (f < best) {
          best = f;
          o = (id + p) << 2;
        }
      }
    }
    const f = st[o]!;
    const start = f > t ? f : t;
    st[o] = start + dur;
    st[o + BUSY] += dur;
    st[o + STALL] += start - t;
    st[o + USES] += 1;
    if (this.trace !== null && dur > 0) this.trace(o >> 2, start, start + dur, label);
    return start;
  }

  /** Extends the hold of a resource to at least `until` (e.g. an array waiting for its ADC without S&H). */
  holdUntil(id: number, until: number): void {
    const o = id << 2;
    const f = this.st[o + FREE]!;
    if (f < until) {
      this.st[o + BUSY] += until - f;
      this.st[o + FREE] = until;
    }
  }

  freeTime(id: number): number {
    return this.st[(id << 2) + FREE]!;
  }
  /** ticks port `id` was busy */
  busy(id: number): number {
    return this.st[(id << 2) + BUSY]!;
  }
  /** ticks requests waited for port `id` */
  stall(id: number): number {
    return this.st[(id << 2) + STALL]!;
  }
  /** requests port `id` served */
  uses(id: number): number {
    return this.st[(id << 2) + USES]!;
  }
}
