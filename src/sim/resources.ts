/**
 * Resources: FIFO servers with occupancy. A request at the current time `t` for `dur` ticks starts
 * at max(t, freeAt) and holds the resource until start + dur. Requests are made from event handlers
 * in non-decreasing time (or, for resources owned by one in-order stream, in that stream's order),
 * so "next free time" is exactly a FIFO queue. A resource with several ports takes the port that
 * frees first (lowest index on ties).
 * Per resource: busy time, stall (queueing) time, and uses; each belongs to a named kind.
 */
export class Resources {
  private freeAt: Float64Array;
  busy: Float64Array;
  stall: Float64Array;
  uses: Float64Array;
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
    this.freeAt = new Float64Array(cap);
    this.busy = new Float64Array(cap);
    this.stall = new Float64Array(cap);
    this.uses = new Float64Array(cap);
    this.kind = new Int32Array(cap);
    this.ports = new Int32Array(cap);
  }

  private ensure(n: number): void {
    if (n <= this.freeAt.length) return;
    let cap = this.freeAt.length;
    while (cap < n) cap *= 2;
    const g = <T extends Float64Array | Int32Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.freeAt = g(this.freeAt, Float64Array);
    this.busy = g(this.busy, Float64Array);
    this.stall = g(this.stall, Float64Array);
    this.uses = g(this.uses, Float64Array);
    this.kind = g(this.kind, Int32Array);
    this.ports = g(this.ports, Int32Array);
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
    const np = this.ports[id]!;
    let r = id;
    if (np > 1) {
      let best = this.freeAt[id]!;
      for (let p = 1; p < np; p++) {
        const f = this.freeAt[id + p]!;
        if (f < best) {
          best = f;
          r = id + p;
        }
      }
    }
    const f = this.freeAt[r]!;
    const start = f > t ? f : t;
    this.stall[r] += start - t;
    this.busy[r] += dur;
    this.uses[r] += 1;
    this.freeAt[r] = start + dur;
    if (this.trace !== null && dur > 0) this.trace(r, start, start + dur, label);
    return start;
  }

  /** Extends the hold of a resource to at least `until` (e.g. an array waiting for its ADC without S&H). */
  holdUntil(id: number, until: number): void {
    if (this.freeAt[id]! < until) {
      this.busy[id] += until - this.freeAt[id]!;
      this.freeAt[id] = until;
    }
  }

  freeTime(id: number): number {
    return this.freeAt[id]!;
  }
}
