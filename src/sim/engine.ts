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

const grown = <T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T => {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
};

/**
 * Event payloads in struct-of-arrays slots (kind, three Int32 words, time) recycled through a free
 * list, and the insertion sequence shared by both queues; subclasses order the slots.
 */
abstract class SlotStore {
  protected kindArr: Uint8Array;
  protected pa: Int32Array;
  protected pb: Int32Array;
  protected pc: Int32Array;
  protected slotTime: Float64Array;
  private free: Int32Array;
  private freeTop: number;
  protected cap: number;
  protected seq = 0;

  constructor(initial: number) {
    this.cap = initial;
    this.kindArr = new Uint8Array(initial);
    this.pa = new Int32Array(initial);
    this.pb = new Int32Array(initial);
    this.pc = new Int32Array(initial);
    this.slotTime = new Float64Array(initial);
    this.free = new Int32Array(initial);
    for (let i = 0; i < initial; i++) this.free[i] = initial - 1 - i;
    this.freeTop = initial;
  }

  /** the subclass's own per-slot (or per-entry) arrays, grown to n */
  protected abstract growOrder(n: number): void;

  /** A free slot holding the event's payload. */
  protected alloc(time: number, kind: number, a: number, b: number, c: number): number {
    if (this.freeTop === 0) {
      const n = this.cap * 2;
      this.kindArr = grown(this.kindArr, n);
      this.pa = grown(this.pa, n);
      this.pb = grown(this.pb, n);
      this.pc = grown(this.pc, n);
      this.slotTime = grown(this.slotTime, n);
      this.growOrder(n);
      const f = new Int32Array(n);
      for (let i = n - 1; i >= this.cap; i--) f[this.freeTop++] = i;
      this.free = f;
      this.cap = n;
    }
    const s = this.free[--this.freeTop]!;
    this.kindArr[s] = kind;
    this.pa[s] = a;
    this.pb[s] = b;
    this.pc[s] = c;
    this.slotTime[s] = time;
    return s;
  }

  protected release(s: number): void {
    this.free[this.freeTop++] = s;
  }

  timeOf(s: number): number {
    return this.slotTime[s]!;
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

/**
 * The plain binary heap: the calendar queue's oracle in the tests and its baseline in
 * bench/events.ts. Any push order is allowed.
 */
export class HeapEventQueue extends SlotStore {
  // heap-ordered keys (time*4 + priority, insertion sequence) and the payload slot of each entry
  private hTime: Float64Array;
  private hTie: Float64Array;
  private hSlot: Int32Array;
  private size = 0;

  constructor(initial = 1024) {
    super(initial);
    this.hTime = new Float64Array(initial);
    this.hTie = new Float64Array(initial);
    this.hSlot = new Int32Array(initial);
  }

  get length(): number {
    return this.size;
  }

  protected growOrder(n: number): void {
    this.hTime = grown(this.hTime, n);
    this.hTie = grown(this.hTie, n);
    this.hSlot = grown(this.hSlot, n);
  }

  /** Schedules an event; `time` must be an integer tick count. */
  push(time: number, priority: number, kind: number, a: number, b: number, c: number): void {
    const s = this.alloc(time, kind, a, b, c);
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
    this.release(top);
    return top;
  }

  /** time of the earliest event (Infinity when empty) */
  peekTime(): number {
    return this.size ? this.slotTime[this.hSlot[0]!]! : Infinity;
  }
  /** (priority, sequence) of the earliest event as one comparable number */
  peekTie(): number {
    return (this.hTime[0]! % PRIO_SLOTS) * SEQ_RANGE + this.hTie[0]!;
  }
}

/**
 * Calendar queue (R. Brown, "Calendar queues", CACM 31(10), 1988), the engine's event queue: a ring
 * of NB buckets of w = 2^k ticks each, covering the next NB * w ticks from the current bucket, each
 * bucket a list sorted by (time, priority, insertion sequence) with a tail pointer: an event that
 * sorts after its bucket's others (as a push with the same time and priority as the last always
 * does) is appended at once, without a walk. Events further ahead wait in a binary heap and move
 * into the ring as the window reaches them. A bitmap of non-empty buckets
 * finds the next one 32 buckets at a time. The width adapts: when inserts walk long lists it
 * shrinks, when many events land beyond the window it grows, each time re-bucketing everything to
 * about three mean event separations near the head (Brown's rule). Pushes and pops are then O(1)
 * on average instead of O(log n) for a heap over thousands of pending events, and the order is
 * exactly the heap's (`HeapEventQueue`, the oracle in the tests), whatever the width.
 *
 * Contract (the engine's): a push's time is never earlier than the last popped event's time.
 */
const NB = 4096;
const RESIZE_CHECK = 4096; // pushes between width checks
const NB_MASK = NB - 1;

export class EventQueue extends SlotStore {
  // per slot: key (time * PRIO_SLOTS + priority), insertion sequence, next slot in its bucket
  private key: Float64Array;
  private seqOf: Float64Array;
  private next: Int32Array;
  // ring: head slot per bucket (-1 empty), non-empty bitmap, current bucket number, events in it
  private head = new Int32Array(NB).fill(-1);
  // last slot of each bucket's list (-1 empty): an event later than every one in its bucket (the
  // common case, and always so among equal keys, since its sequence is the largest) is appended
  private tail = new Int32Array(NB).fill(-1);
  private bits = new Uint32Array(NB / 32);
  private cb = 0;
  private inRing = 0;
  // far future: binary heap of slots by (key, seq)
  private far: Int32Array;
  private farN = 0;
  // the earliest event's slot and bucket number, or -1 when not known (found lazily)
  private minSlot = -1;
  private minBucket = 0;
  private count = 0;
  // bucket width (ticks, a power of two), the last popped time, and the width check's counters
  private w = 1024;
  private lastTime = 0;
  private pushes = 0;
  private walked = 0;
  private farPushes = 0;

  constructor(initial = 1024) {
    super(initial);
    this.key = new Float64Array(initial);
    this.seqOf = new Float64Array(initial);
    this.next = new Int32Array(initial);
    this.far = new Int32Array(initial);
  }

  get length(): number {
    return this.count;
  }

  /** the current bucket width in ticks (adapts to the pending events' spacing) */
  get bucketWidth(): number {
    return this.w;
  }

  protected growOrder(n: number): void {
    this.key = grown(this.key, n);
    this.seqOf = grown(this.seqOf, n);
    this.next = grown(this.next, n);
    this.far = grown(this.far, n);
  }

  /** Schedules an event; `time` must be an integer tick count, not before the last popped one. */
  push(time: number, priority: number, kind: number, a: number, b: number, c: number): void {
    const s = this.alloc(time, kind, a, b, c);
    this.key[s] = time * PRIO_SLOTS + priority;
    this.seqOf[s] = this.seq++;
    this.count++;
    const bucket = Math.floor(time / this.w);
    if (bucket - this.cb < NB) this.ringInsert(s, bucket);
    else {
      this.farPush(s);
      this.farPushes++;
    }
    // a known minimum stays valid unless this event comes first (equal keys: the older one first)
    if (this.minSlot >= 0 && this.key[s]! < this.key[this.minSlot]!) this.minSlot = -1;
    if (++this.pushes === RESIZE_CHECK) this.checkWidth();
  }

  /** Re-buckets when inserts walked long lists (width too coarse) or many went far (too fine). */
  private checkWidth(): void {
    const walk = this.walked / this.pushes;
    const far = this.farPushes / this.pushes;
    this.pushes = this.walked = this.farPushes = 0;
    if (walk > 8) this.rebuild(-1);
    else if (far > 0.25) this.rebuild(1);
  }

  /**
   * Re-buckets every pending event with a new width: about three mean separations between the
   * first (up to 256) pending event times, and at least a halving (dir -1) or doubling (dir +1).
   * Slots are re-inserted from the latest to the earliest, so each goes to its bucket's head.
   */
  private rebuild(dir: -1 | 1): void {
    const cur = Math.log2(this.w);
    if ((dir < 0 && cur === 0) || (dir > 0 && cur === 40)) return;
    const slots: number[] = [];
    for (let r = 0; r < NB; r++) for (let q = this.head[r]!; q >= 0; q = this.next[q]!) slots.push(q);
    for (let i = 0; i < this.farN; i++) slots.push(this.far[i]!);
    this.head.fill(-1);
    this.tail.fill(-1);
    this.bits.fill(0);
    this.inRing = 0;
    this.farN = 0;
    const K = this.key;
    const S = this.seqOf;
    slots.sort((x, y) => K[x]! - K[y]! || S[x]! - S[y]!);
    const m = Math.min(slots.length, 256);
    const sep = m > 1 ? (this.slotTime[slots[m - 1]!]! - this.slotTime[slots[0]!]!) / (m - 1) : this.w;
    let shift = Math.max(0, Math.min(40, Math.round(Math.log2(Math.max(1, 3 * sep)))));
    if (dir < 0) shift = Math.min(shift, cur - 1);
    else shift = Math.max(shift, cur + 1);
    this.w = 2 ** Math.max(0, Math.min(40, shift));
    this.cb = Math.floor(this.lastTime / this.w);
    for (let i = slots.length - 1; i >= 0; i--) {
      const q = slots[i]!;
      const b = Math.floor(this.slotTime[q]! / this.w);
      if (b - this.cb < NB) this.ringInsert(q, b);
      else this.farPush(q);
    }
    this.minSlot = -1;
  }

  private ringInsert(s: number, bucket: number): void {
    const r = bucket & NB_MASK;
    const k = this.key[s]!;
    const H = this.head;
    const K = this.key;
    const N = this.next;
    let p = H[r]!;
    // sorted by key, then sequence: a pushed event's sequence is the largest, so it goes after
    // equal keys; migrated far events arrive in (key, seq) order and are older than any ring event
    // of the same key only if pushed earlier, which the sequence compare settles
    if (p < 0) {
      N[s] = -1;
      H[r] = s;
      this.tail[r] = s;
      this.bits[r >> 5]! |= 1 << (r & 31);
      this.inRing++;
      return;
    }
    const t = this.tail[r]!;
    if (K[t]! < k || (K[t]! === k && this.seqOf[t]! < this.seqOf[s]!)) {
      N[s] = -1;
      N[t] = s;
      this.tail[r] = s;
    } else if (K[p]! > k || (K[p]! === k && this.seqOf[p]! > this.seqOf[s]!)) {
      N[s] = p;
      H[r] = s;
    } else {
      // strictly inside the list: it ends before the tail
      let q = N[p]!;
      let walk = 1;
      while (K[q]! < k || (K[q]! === k && this.seqOf[q]! < this.seqOf[s]!)) {
        p = q;
        q = N[q]!;
        walk++;
      }
      this.walked += walk;
      N[s] = q;
      N[p] = s;
    }
    this.inRing++;
  }

  private farLess(x: number, y: number): boolean {
    const kx = this.key[x]!;
    const ky = this.key[y]!;
    return kx < ky || (kx === ky && this.seqOf[x]! < this.seqOf[y]!);
  }

  private farPush(s: number): void {
    const F = this.far;
    let i = this.farN++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.farLess(s, F[p]!)) break;
      F[i] = F[p]!;
      i = p;
    }
    F[i] = s;
  }

  private farPop(): number {
    const F = this.far;
    const top = F[0]!;
    const n = --this.farN;
    if (n > 0) {
      const last = F[n]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && this.farLess(F[c + 1]!, F[c]!)) c++;
        if (!this.farLess(F[c]!, last)) break;
        F[i] = F[c]!;
        i = c;
      }
      F[i] = last;
    }
    return top;
  }

  /** Moves the window start to `bucket` and brings the far events it now covers into the ring. */
  private advance(bucket: number): void {
    this.cb = bucket;
    while (this.farN > 0) {
      const s = this.far[0]!;
      const b = Math.floor(this.slotTime[s]! / this.w);
      if (b - bucket >= NB) break;
      this.farPop();
      this.ringInsert(s, b);
    }
  }

  /**
   * Finds the earliest event (minSlot; minBucket, or -1 when it is the far heap's top); the queue
   * must not be empty. Leaves the window where it is: events may still be pushed at any time from
   * the last popped one on.
   */
  private findMin(): void {
    if (this.inRing === 0) {
      this.minSlot = this.far[0]!;
      this.minBucket = -1;
      return;
    }
    // first non-empty bucket at or after cb; every far event lies beyond the window
    let b = this.cb;
    const bits = this.bits;
    for (;;) {
      const r = b & NB_MASK;
      const word = bits[r >> 5]! >>> (r & 31);
      if (word !== 0) {
        b += 31 - Math.clz32(word & -word);
        break;
      }
      b += 32 - (r & 31);
    }
    this.minSlot = this.head[b & NB_MASK]!;
    this.minBucket = b;
  }

  /** Removes the earliest event; returns its slot (valid until the next push), or -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    if (this.minSlot < 0) this.findMin();
    const s = this.minSlot;
    let b = this.minBucket;
    if (b < 0) {
      // the window was empty: the far heap's top is next
      this.farPop();
      b = Math.floor(this.slotTime[s]! / this.w);
    } else {
      const r = b & NB_MASK;
      const nx = this.next[s]!;
      this.head[r] = nx;
      if (nx < 0) {
        this.bits[r >> 5]! &= ~(1 << (r & 31));
        this.tail[r] = -1;
      }
      this.inRing--;
    }
    this.count--;
    this.minSlot = -1;
    this.lastTime = this.slotTime[s]!;
    // later pushes are not earlier than this event: the window may start at its bucket
    if (b !== this.cb) this.advance(b);
    this.release(s);
    return s;
  }

  /** time of the earliest event (Infinity when empty) */
  peekTime(): number {
    if (this.count === 0) return Infinity;
    if (this.minSlot < 0) this.findMin();
    return this.slotTime[this.minSlot]!;
  }
  /** (priority, sequence) of the earliest event as one comparable number */
  peekTie(): number {
    if (this.minSlot < 0) this.findMin();
    const s = this.minSlot;
    return (this.key[s]! % PRIO_SLOTS) * SEQ_RANGE + this.seqOf[s]!;
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
  readonly queue: EventQueue | HeapEventQueue;
  now = 0;
  events = 0;
  private handlers: Handler[] = [];
  private fifos: NowFifo[] = Array.from({ length: NPRIO }, () => new NowFifo());
  private fifoCount = 0;
  readonly kindNames: string[] = [];

  /** `queue`: the calendar queue (default) or the plain binary heap (the same order; benchmarks). */
  constructor(queue: 'calendar' | 'heap' = 'calendar') {
    this.queue = queue === 'heap' ? new HeapEventQueue() : new EventQueue();
  }

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
