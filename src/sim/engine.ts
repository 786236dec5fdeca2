/**
 * The discrete-event engine: integer time in ticks (1 tick = 1 ps), events ordered by
 * (time, named priority, insertion sequence), so identical inputs always give identical runs.
 * Idle time is skipped (time jumps to the next event).
 *
 * Events live in recycled slots of typed storage (no object per event): the ordering key
 * time * 4 + priority in a Float64Array (an exact integer below 2^53, so time < 2^51 ticks), the
 * kind and three Int32 payload words side by side in one Int32Array. The storage is laid out so that
 * V8 touches as few arrays as possible per event: a push writes two arrays and links the slot into
 * its bucket; a pop reads them back.
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

const PRIO_SLOTS = 4; // key = time * PRIO_SLOTS + priority (exact below 2^53: time < 2^51 ps)

const grown = <T extends Float64Array | Int32Array>(a: T, n: number): T => {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
};

/**
 * The plain binary heap: the calendar queue's oracle in the tests and its baseline in
 * bench/events.ts. Any push order is allowed. Events live in recycled slots: the key
 * (time * 4 + priority) per slot, and kind and payload words a, b, c at ev[4s .. 4s + 3], recycled
 * through a free list; the heap orders the slots.
 */
export class HeapEventQueue {
  private keyOf: Float64Array;
  private ev: Int32Array;
  private free: Int32Array;
  private freeTop: number;
  private cap: number;
  // heap-ordered keys (time*4 + priority, insertion sequence) and the payload slot of each entry
  private hKey: Float64Array;
  private hSeq: Float64Array;
  private hSlot: Int32Array;
  private size = 0;
  private seq = 0;

  constructor(initial = 1024) {
    this.cap = initial;
    this.keyOf = new Float64Array(initial);
    this.ev = new Int32Array(4 * initial);
    this.free = new Int32Array(initial);
    for (let i = 0; i < initial; i++) this.free[i] = initial - 1 - i;
    this.freeTop = initial;
    this.hKey = new Float64Array(initial);
    this.hSeq = new Float64Array(initial);
    this.hSlot = new Int32Array(initial);
  }

  get length(): number {
    return this.size;
  }

  private grow(): void {
    const n = this.cap * 2;
    this.keyOf = grown(this.keyOf, n);
    this.ev = grown(this.ev, 4 * n);
    this.hKey = grown(this.hKey, n);
    this.hSeq = grown(this.hSeq, n);
    this.hSlot = grown(this.hSlot, n);
    const f = new Int32Array(n);
    for (let i = n - 1; i >= this.cap; i--) f[this.freeTop++] = i;
    this.free = f;
    this.cap = n;
  }

  /** A free slot holding the event's key and payload. */
  private alloc(key: number, kind: number, a: number, b: number, c: number): number {
    if (this.freeTop === 0) this.grow();
    const s = this.free[--this.freeTop]!;
    this.keyOf[s] = key;
    const ev = this.ev;
    const i = s << 2;
    ev[i] = kind;
    ev[i + 1] = a;
    ev[i + 2] = b;
    ev[i + 3] = c;
    return s;
  }

  private release(s: number): void {
    this.free[this.freeTop++] = s;
  }

  timeOf(s: number): number {
    // key / 4 is exact (a power of two), its floor the time
    return Math.floor(this.keyOf[s]! * 0.25);
  }
  kindOf(s: number): number {
    return this.ev[s << 2]!;
  }
  a(s: number): number {
    return this.ev[(s << 2) + 1]!;
  }
  b(s: number): number {
    return this.ev[(s << 2) + 2]!;
  }
  c(s: number): number {
    return this.ev[(s << 2) + 3]!;
  }

  /** Schedules an event; `time` must be an integer tick count. */
  push(time: number, priority: number, kind: number, a: number, b: number, c: number): void {
    // primary key: time and priority in one exact integer; insertion sequence breaks equal keys
    const key = time * PRIO_SLOTS + priority;
    const s = this.alloc(key, kind, a, b, c);
    const seq = this.seq++;
    const HT = this.hKey;
    const HK = this.hSeq;
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
    const HT = this.hKey;
    const HK = this.hSeq;
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
    return this.size ? Math.floor(this.hKey[0]! * 0.25) : Infinity;
  }
  /** key (time * 4 + priority) of the earliest event (Infinity when empty) */
  peekKey(): number {
    return this.size ? this.hKey[0]! : Infinity;
  }
}

/**
 * Calendar queue (R. Brown, "Calendar queues", CACM 31(10), 1988), the engine's event queue: a ring
 * of NB buckets of w = 2^k ticks each, covering the next NB * w ticks from the current bucket, each
 * bucket a list sorted by key (time, priority) with a tail pointer. Events further ahead wait in a
 * binary heap (ordered by key and insertion sequence) and move into the ring as the window reaches
 * them. A bitmap of non-empty buckets finds the next one 32 buckets at a time. The width adapts: when
 * inserts walk long lists it shrinks, when many events land beyond the window it grows, each time
 * re-bucketing everything to about three mean event separations near the head (Brown's rule).
 * Pushes and pops are then O(1) on average instead of O(log n) for a heap over thousands of pending
 * events, and the order is exactly the heap's (`HeapEventQueue`, the oracle in the tests), whatever
 * the width.
 *
 * Equal keys need no sequence numbers in the ring: every event in the window is in the ring (the
 * window moves only in `advance`, which brings in every far event it now covers, in heap order), so
 * an event joining a bucket is younger than every event there with its key and goes after them: the
 * common push (later than everything in its bucket) is an append at the tail.
 *
 * Contract (the engine's): a push's time is never earlier than the last popped event's time.
 */
const NB = 4096;
const RESIZE_CHECK = 4096; // pushes between width checks
const NB_MASK = NB - 1;
// the calendar's Int32 storage: bucket heads, bucket tails, the non-empty bitmap, then per slot the
// next slot in its bucket, then the free-slot stack, then per slot kind, a, b, c
const HEAD = 0;
const TAIL = NB;
const BITS = 2 * NB;
const NEXT = 2 * NB + NB / 32;

export class EventQueue {
  /**
   * All Int32 state in one array (V8 checks each typed array it touches, so a push or pop that
   * touches one array instead of six is cheaper): [HEAD, HEAD + NB) bucket heads and [TAIL, TAIL +
   * NB) tails (-1 empty), [BITS, BITS + NB / 32) the non-empty bitmap, [NEXT, NEXT + cap) each slot's
   * next slot in its bucket (-1 last), [freeOff, freeOff + cap) the free-slot stack, and from evOff
   * kind, a, b, c of each slot. Keys (time * 4 + priority) per slot in `key`.
   */
  private I: Int32Array;
  private key: Float64Array;
  private cap: number;
  private freeOff: number;
  private evOff: number;
  private freeTop: number;
  // far future: binary heap of slots by (key, insertion sequence)
  private far: Int32Array;
  private seqOf: Float64Array;
  private seq = 0;
  private farN = 0;
  // current bucket number, events in the ring
  private cb = 0;
  private inRing = 0;
  // the earliest event's slot and bucket number, or -1 when not known (found lazily)
  private minSlot = -1;
  private minBucket = 0;
  // bucket width (ticks, a power of two) and 1 / (4 w) (keys are 4 * time + priority, so the floor of
  // key / (4 w), exact since 4 w is a power of two, is the bucket number); the last popped key, and
  // the width check's counters
  private w = 1024;
  private invKW = 1 / (PRIO_SLOTS * 1024);
  private lastKey = 0;
  private pushes = 0;
  private walked = 0;
  private farPushes = 0;

  constructor(initial = 1024) {
    this.cap = initial;
    this.freeOff = NEXT + initial;
    this.evOff = NEXT + 2 * initial;
    this.I = new Int32Array(this.evOff + 4 * initial);
    this.I.fill(-1, HEAD, BITS);
    for (let i = 0; i < initial; i++) this.I[this.freeOff + i] = initial - 1 - i;
    this.freeTop = initial;
    this.key = new Float64Array(initial);
    this.far = new Int32Array(initial);
    this.seqOf = new Float64Array(initial);
  }

  get length(): number {
    return this.inRing + this.farN;
  }

  /** the current bucket width in ticks (adapts to the pending events' spacing) */
  get bucketWidth(): number {
    return this.w;
  }

  /** Doubles the slot capacity (every slot is in use). */
  private grow(): void {
    const cap = this.cap;
    const n = 2 * cap;
    const I = new Int32Array(NEXT + 2 * n + 4 * n);
    const old = this.I;
    I.set(old.subarray(0, NEXT + cap));
    // the free stack is empty: the new slots cap .. n - 1 go on it, lowest on top
    const freeOff = NEXT + n;
    for (let i = 0; i < cap; i++) I[freeOff + i] = n - 1 - i;
    I.set(old.subarray(this.evOff, this.evOff + 4 * cap), NEXT + 2 * n);
    this.I = I;
    this.freeOff = freeOff;
    this.evOff = NEXT + 2 * n;
    this.freeTop = cap;
    this.cap = n;
    this.key = grown(this.key, n);
    this.far = grown(this.far, n);
    this.seqOf = grown(this.seqOf, n);
  }

  timeOf(s: number): number {
    // key / 4 is exact (a power of two), its floor the time
    return Math.floor(this.key[s]! * 0.25);
  }
  kindOf(s: number): number {
    return this.I[this.evOff + (s << 2)]!;
  }
  a(s: number): number {
    return this.I[this.evOff + (s << 2) + 1]!;
  }
  b(s: number): number {
    return this.I[this.evOff + (s << 2) + 2]!;
  }
  c(s: number): number {
    return this.I[this.evOff + (s << 2) + 3]!;
  }

  /** Schedules an event; `time` must be an integer tick count, not before the last popped one. */
  push(time: number, priority: number, kind: number, a: number, b: number, c: number): void {
    if (this.freeTop === 0) this.grow();
    const I = this.I;
    const s = I[this.freeOff + --this.freeTop]!;
    const e = this.evOff + (s << 2);
    // `| 0`: the payloads are small integers; V8 then takes them as such instead of converting
    // a general number
    I[e] = kind | 0;
    I[e + 1] = a | 0;
    I[e + 2] = b | 0;
    I[e + 3] = c | 0;
    const key = time * PRIO_SLOTS + priority;
    this.key[s] = key;
    const bucket = Math.floor(key * this.invKW);
    if (bucket - this.cb < NB) this.ringInsert(s, bucket, key);
    else {
      this.seqOf[s] = this.seq++;
      this.farPush(s);
      this.farPushes++;
    }
    // a known minimum stays valid unless this event comes first (equal keys: the older one first)
    if (this.minSlot >= 0 && key < this.key[this.minSlot]!) this.minSlot = -1;
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
   * Slots are re-inserted in order (ring buckets first, in bucket order, each list in its order,
   * then the far heap's by key and sequence), so each goes to its bucket's tail.
   */
  private rebuild(dir: -1 | 1): void {
    const cur = Math.log2(this.w);
    if ((dir < 0 && cur === 0) || (dir > 0 && cur === 40)) return;
    const I = this.I;
    const slots: number[] = [];
    for (let b = this.cb; b < this.cb + NB; b++) for (let q = I[HEAD + (b & NB_MASK)]!; q >= 0; q = I[NEXT + q]!) slots.push(q);
    const farSlots: number[] = [];
    while (this.farN > 0) farSlots.push(this.farPop());
    slots.push(...farSlots);
    I.fill(-1, HEAD, BITS);
    I.fill(0, BITS, NEXT);
    this.inRing = 0;
    const K = this.key;
    const m = Math.min(slots.length, 256);
    const sep = m > 1 ? (K[slots[m - 1]!]! - K[slots[0]!]!) / PRIO_SLOTS / (m - 1) : this.w;
    let shift = Math.max(0, Math.min(40, Math.round(Math.log2(Math.max(1, 3 * sep)))));
    if (dir < 0) shift = Math.min(shift, cur - 1);
    else shift = Math.max(shift, cur + 1);
    this.w = 2 ** Math.max(0, Math.min(40, shift));
    this.invKW = 1 / (PRIO_SLOTS * this.w);
    this.cb = Math.floor(this.lastKey * this.invKW);
    for (let i = 0; i < slots.length; i++) {
      const q = slots[i]!;
      const b = Math.floor(K[q]! * this.invKW);
      if (b - this.cb < NB) this.ringInsert(q, b, K[q]!);
      else {
        this.seqOf[q] = this.seq++;
        this.farPush(q);
      }
    }
    this.minSlot = -1;
  }

  /** Links slot s (key k) into ring bucket `bucket`, after every event there with a key <= k. */
  private ringInsert(s: number, bucket: number, k: number): void {
    const r = bucket & NB_MASK;
    const I = this.I;
    const t = I[TAIL + r]!;
    I[NEXT + s] = -1;
    this.inRing++;
    if (t < 0) {
      I[HEAD + r] = s;
      I[TAIL + r] = s;
      I[BITS + (r >> 5)]! |= 1 << (r & 31);
      return;
    }
    const K = this.key;
    if (K[t]! <= k) {
      I[NEXT + t] = s;
      I[TAIL + r] = s;
      return;
    }
    let p = I[HEAD + r]!;
    if (K[p]! > k) {
      I[NEXT + s] = p;
      I[HEAD + r] = s;
      return;
    }
    // strictly inside the list: it ends before the tail
    let q = I[NEXT + p]!;
    let walk = 1;
    while (K[q]! <= k) {
      p = q;
      q = I[NEXT + q]!;
      walk++;
    }
    this.walked += walk;
    I[NEXT + s] = q;
    I[NEXT + p] = s;
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
      const k = this.key[s]!;
      const b = Math.floor(k * this.invKW);
      if (b - bucket >= NB) break;
      this.farPop();
      this.ringInsert(s, b, k);
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
    const I = this.I;
    for (;;) {
      const r = b & NB_MASK;
      const word = I[BITS + (r >> 5)]! >>> (r & 31);
      if (word !== 0) {
        b += 31 - Math.clz32(word & -word);
        break;
      }
      b += 32 - (r & 31);
    }
    this.minSlot = I[HEAD + (b & NB_MASK)]!;
    this.minBucket = b;
  }

  /** Removes the earliest event; returns its slot (valid until the next push), or -1 when empty. */
  pop(): number {
    if (this.minSlot < 0) {
      if (this.inRing === 0 && this.farN === 0) return -1;
      this.findMin();
    }
    const s = this.minSlot;
    let b = this.minBucket;
    if (b < 0) {
      // the window was empty: the far heap's top is next
      this.farPop();
      b = Math.floor(this.key[s]! * this.invKW);
    } else {
      const I = this.I;
      const r = b & NB_MASK;
      const nx = I[NEXT + s]!;
      I[HEAD + r] = nx;
      if (nx < 0) {
        I[BITS + (r >> 5)]! &= ~(1 << (r & 31));
        I[TAIL + r] = -1;
      }
      this.inRing--;
    }
    this.minSlot = -1;
    this.lastKey = this.key[s]!;
    // later pushes are not earlier than this event: the window may start at its bucket
    if (b !== this.cb) this.advance(b);
    this.I[this.freeOff + this.freeTop++] = s;
    return s;
  }

  /** time of the earliest event (Infinity when empty) */
  peekTime(): number {
    if (this.minSlot < 0) {
      if (this.inRing === 0 && this.farN === 0) return Infinity;
      this.findMin();
    }
    return Math.floor(this.key[this.minSlot]! * 0.25);
  }
  /** key (time * 4 + priority) of the earliest event (Infinity when empty) */
  peekKey(): number {
    if (this.minSlot < 0) {
      if (this.inRing === 0 && this.farN === 0) return Infinity;
      this.findMin();
    }
    return this.key[this.minSlot]!;
  }
}

export type Handler = (a: number, b: number, c: number) => void;

/** FIFO of events at the current time for one priority: kind, a, b, c per entry (ring buffer, grows by doubling). */
class NowFifo {
  ev = new Int32Array(4 * 256);
  head = 0;
  count = 0;
  mask = 255;
  push(kind: number, a: number, b: number, c: number): void {
    if (this.count > this.mask) this.grow();
    const i = ((this.head + this.count++) & this.mask) << 2;
    const ev = this.ev;
    ev[i] = kind | 0;
    ev[i + 1] = a | 0;
    ev[i + 2] = b | 0;
    ev[i + 3] = c | 0;
  }
  private grow(): void {
    const n = (this.mask + 1) * 2;
    const y = new Int32Array(4 * n);
    for (let k = 0; k < this.count; k++) y.set(this.ev.subarray(((this.head + k) & this.mask) << 2, (((this.head + k) & this.mask) << 2) + 4), k << 2);
    this.ev = y;
    this.head = 0;
    this.mask = n - 1;
  }
}

const NPRIO = Object.keys(Priority).length;

/**
 * Runs handlers by event kind in (time, priority, sequence) order. Events scheduled for the current
 * time skip the queue: they go to one FIFO per priority (a bit per priority marks the non-empty
 * ones). A queued event at the current time was scheduled before every FIFO entry (at an earlier
 * time), so it runs first when its priority is not lower: each step takes the queue's first event
 * unless the first non-empty FIFO's key is smaller.
 */
export class Engine {
  readonly queue: EventQueue | HeapEventQueue;
  now = 0;
  events = 0;
  private handlers: Handler[] = [];
  private fifos: NowFifo[] = Array.from({ length: NPRIO }, () => new NowFifo());
  /** bit p set: the FIFO of priority p holds events */
  private fifoBits = 0;
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
  at(time: number, priority: number, kind: number, a: number, b: number, c: number): void {
    if (time === this.now) {
      this.fifos[priority]!.push(kind, a, b, c);
      this.fifoBits |= 1 << priority;
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
      const bits = this.fifoBits;
      if (bits !== 0) {
        // the lowest non-empty priority's head, unless the queue's first event comes before it
        const p = 31 - Math.clz32(bits & -bits);
        if (q.peekKey() > this.now * PRIO_SLOTS + p) {
          const f = fifos[p]!;
          const i = f.head << 2;
          const ev = f.ev;
          const k = ev[i]!;
          const a = ev[i + 1]!;
          const b = ev[i + 2]!;
          const c = ev[i + 3]!;
          f.head = (f.head + 1) & f.mask;
          if (--f.count === 0) this.fifoBits = bits & ~(1 << p);
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
