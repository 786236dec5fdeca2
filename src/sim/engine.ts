/**
 * The discrete-event engine: integer time in ticks (1 tick = 1 ps), events ordered by
 * (time, named priority, insertion sequence), so identical inputs always give identical runs.
 * Idle time is skipped (time jumps to the next event).
 *
 * The queue is a binary heap of slot indices over struct-of-arrays typed storage (no objects per
 * event): time and tie-break key in Float64Arrays (exact integers below 2^53), the event kind in a
 * Uint8Array and three Int32 payload words. Slots are recycled through a free list.
 */

/** Named priorities: at equal time, lower runs first. */
export const Priority = {
  /** data arriving (packet delivered, buffer write done) */
  arrive: 0,
  /** a unit finishing work */
  complete: 1,
  /** a unit starting work */
  start: 2,
  /** new images entering the chip */
  inject: 3,
} as const;
export type PriorityName = keyof typeof Priority;

const SEQ_RANGE = 2 ** 40; // insertion sequence numbers below 2^40; priority above
const PRIO_SLOTS = 4; // heap key = time * PRIO_SLOTS + priority (exact below 2^53: time < 2^51 ps)

export class EventQueue {
  // heap-ordered keys (time*4 + priority, insertion sequence) and the payload slot of each entry
  private hTime: Float64Array;
  private hTie: Float64Array;
  private hSlot: Int32Array;
  // payload per slot
  private kindArr: Uint8Array;
  private pa: Int32Array;
  private pb: Int32Array;
  private pc: Int32Array;
  private slotTime: Float64Array;
  private free: Int32Array;
  private freeTop = 0;
  private size = 0;
  private cap: number;
  private seq = 0;

  constructor(initial = 1024) {
    this.cap = initial;
    this.hTime = new Float64Array(initial);
    this.hTie = new Float64Array(initial);
    this.hSlot = new Int32Array(initial);
    this.kindArr = new Uint8Array(initial);
    this.pa = new Int32Array(initial);
    this.pb = new Int32Array(initial);
    this.pc = new Int32Array(initial);
    this.slotTime = new Float64Array(initial);
    this.free = new Int32Array(initial);
    for (let i = 0; i < initial; i++) this.free[i] = initial - 1 - i;
    this.freeTop = initial;
  }

  get length(): number {
    return this.size;
  }

  private grow(): void {
    const n = this.cap * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(n);
      b.set(a);
      return b;
    };
    this.hTime = g(this.hTime, Float64Array);
    this.hTie = g(this.hTie, Float64Array);
    this.hSlot = g(this.hSlot, Int32Array);
    this.kindArr = g(this.kindArr, Uint8Array);
    this.pa = g(this.pa, Int32Array);
    this.pb = g(this.pb, Int32Array);
    this.pc = g(this.pc, Int32Array);
    this.slotTime = g(this.slotTime, Float64Array);
    const f = new Int32Array(n);
    f.set(this.free.subarray(0, this.freeTop));
    for (let i = n - 1; i >= this.cap; i--) f[this.freeTop++] = i;
    this.free = f;
    this.cap = n;
  }

  /** Schedules an event; `time` must be an integer tick count. */
  push(time: number, priority: number, kind: number, a: number, b: number, c: number): void {
    if (this.freeTop === 0) this.grow();
    const s = this.free[--this.freeTop]!;
    this.kindArr[s] = kind;
    this.pa[s] = a;
    this.pb[s] = b;
    this.pc[s] = c;
    this.slotTime[s] = time;
    // primary key: time and priority in one exact integer; insertion sequence breaks equal keys
    const key = time * PRIO_SLOTS + priority;
    const seq = this.seq++;
    const HT = this.hTime;
    const HK = this.hTie;
    const HS = this.hSlot;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = HT[p]!;
      if (pk < key || (pk === key && HK[p]! < seq)) break;
      HT[i] = pk;
      HK[i] = HK[p]!;
      HS[i] = HS[p]!;
      i = p;
    }
    HT[i] = key;
    HK[i] = seq;
    HS[i] = s;
  }

  /** Removes the earliest event; returns its slot (valid until the next push), or -1 when empty. */
  pop(): number {
    if (this.size === 0) return -1;
    const HT = this.hTime;
    const HK = this.hTie;
    const HS = this.hSlot;
    const top = HS[0]!;
    const n = --this.size;
    if (n > 0) {
      const lt = HT[n]!;
      const lk = HK[n]!;
      const ls = HS[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        let ct = HT[c]!;
        const r = c + 1;
        if (r < n) {
          const rt = HT[r]!;
          if (rt < ct || (rt === ct && HK[r]! < HK[c]!)) {
            c = r;
            ct = rt;
          }
        }
        if (lt < ct || (lt === ct && lk < HK[c]!)) break;
        HT[i] = ct;
        HK[i] = HK[c]!;
        HS[i] = HS[c]!;
        i = c;
      }
      HT[i] = lt;
      HK[i] = lk;
      HS[i] = ls;
    }
    this.free[this.freeTop++] = top;
    return top;
  }

  timeOf(s: number): number {
    return this.slotTime[s]!;
  }
  /** time of the earliest event (Infinity when empty) */
  peekTime(): number {
    return this.size ? this.slotTime[this.hSlot[0]!]! : Infinity;
  }
  /** (priority, sequence) of the earliest event as one comparable number */
  peekTie(): number {
    return (this.hTime[0]! % PRIO_SLOTS) * SEQ_RANGE + this.hTie[0]!;
  }
  /** next insertion sequence number (shared with the engine's same-time FIFOs) */
  nextSeq(): number {
    return this.seq++;
  }
  kindOf(s: number): number {
    return this.kindArr[s]!;
  }
  a(s: number): number {
    return this.pa[s]!;
  }
  b(s: number): number {
    return this.pb[s]!;
  }
  c(s: number): number {
    return this.pc[s]!;
  }
}

export type Handler = (a: number, b: number, c: number) => void;

/** FIFO of events at the current time for one priority (ring buffer, grows by doubling). */
class NowFifo {
  tie = new Float64Array(256);
  kind = new Uint8Array(256);
  a = new Int32Array(256);
  b = new Int32Array(256);
  c = new Int32Array(256);
  head = 0;
  count = 0;
  mask = 255;
  push(tie: number, kind: number, a: number, b: number, c: number): void {
    if (this.count > this.mask) this.grow();
    const i = (this.head + this.count++) & this.mask;
    this.tie[i] = tie;
    this.kind[i] = kind;
    this.a[i] = a;
    this.b[i] = b;
    this.c[i] = c;
  }
  private grow(): void {
    const n = (this.mask + 1) * 2;
    const re = <T extends Float64Array | Int32Array | Uint8Array>(x: T, C: new (n: number) => T): T => {
      const y = new C(n);
      for (let k = 0; k < this.count; k++) y[k] = x[(this.head + k) & this.mask]!;
      return y;
    };
    this.tie = re(this.tie, Float64Array);
    this.kind = re(this.kind, Uint8Array);
    this.a = re(this.a, Int32Array);
    this.b = re(this.b, Int32Array);
    this.c = re(this.c, Int32Array);
    this.head = 0;
    this.mask = n - 1;
  }
}

const NPRIO = Object.keys(Priority).length;

/**
 * Runs handlers by event kind in (time, priority, sequence) order. Events scheduled for the current
 * time skip the heap: they go to one FIFO per priority (their sequence numbers are larger than any
 * pending event's, so FIFO order is sequence order); each step takes the smallest key among the
 * heap's top and the FIFO heads.
 */
export class Engine {
  readonly queue = new EventQueue();
  now = 0;
  events = 0;
  private handlers: Handler[] = [];
  private fifos: NowFifo[] = Array.from({ length: NPRIO }, () => new NowFifo());
  private fifoCount = 0;
  readonly kindNames: string[] = [];

  /** Registers a handler; returns its kind number. */
  on(name: string, h: Handler): number {
    if (this.handlers.length >= 255) throw new Error('too many event kinds');
    this.handlers.push(h);
    this.kindNames.push(name);
    return this.handlers.length - 1;
  }

  /** Schedules at absolute tick `time` (>= now) with a priority from `Priority`. */
  at(time: number, priority: number, kind: number, a = 0, b = 0, c = 0): void {
    if (time === this.now) {
      this.fifos[priority]!.push(priority * SEQ_RANGE + this.queue.nextSeq(), kind, a, b, c);
      this.fifoCount++;
      return;
    }
    if (time < this.now) throw new Error(`event ${this.kindNames[kind]} scheduled in the past (${time} < ${this.now})`);
    this.queue.push(time, priority, kind, a, b, c);
  }

  /** Runs until no event is left (or `limit` events). Returns events processed. */
  run(limit = Infinity): number {
    const q = this.queue;
    const hs = this.handlers;
    const fifos = this.fifos;
    let n = 0;
    while (n < limit) {
      if (this.fifoCount > 0) {
        let f: NowFifo | null = null;
        for (let p = 0; p < NPRIO; p++) {
          if (fifos[p]!.count > 0) {
            f = fifos[p]!;
            break;
          }
        }
        const i = f!.head;
        if (!(q.peekTime() === this.now && q.peekTie() < f!.tie[i]!)) {
          const k = f!.kind[i]!;
          const a = f!.a[i]!;
          const b = f!.b[i]!;
          const c = f!.c[i]!;
          f!.head = (i + 1) & f!.mask;
          f!.count--;
          this.fifoCount--;
          hs[k]!(a, b, c);
          n++;
          continue;
        }
      }
      const s = q.pop();
      if (s < 0) break;
      this.now = q.timeOf(s);
      hs[q.kindOf(s)]!(q.a(s), q.b(s), q.c(s));
      n++;
    }
    this.events += n;
    return n;
  }
}
