/**
 * A tiny WebAssembly binary emitter: just enough to write the fast CPU path's kernels in
 * TypeScript without a toolchain (no wabt/binaryen). Functions are built op by op with typed
 * helpers; the module imports one shared memory ("env", "mem") and exports every function.
 *
 * Only the opcodes the kernels use are here (core MVP + a few SIMD ops); see the WebAssembly
 * spec's binary format (https://webassembly.github.io/spec/core/binary/) for the numbers.
 */

export type ValType = 'i32' | 'i64' | 'v128';
const VT: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, v128: 0x7b };

function uleb(n: number, out: number[]): void {
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
}

function sleb(v: bigint, out: number[]): void {
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return;
  }
}

function name(s: string, out: number[]): void {
  const bytes = Buffer.from(s, 'utf8');
  uleb(bytes.length, out);
  for (const b of bytes) out.push(b);
}

/** Opcodes without immediates. */
const SIMPLE = {
  unreachable: 0x00, nop: 0x01, else: 0x05, end: 0x0b, return: 0x0f, drop: 0x1a, select: 0x1b,
  'i32.eqz': 0x45, 'i32.eq': 0x46, 'i32.ne': 0x47, 'i32.lt_s': 0x48, 'i32.lt_u': 0x49, 'i32.gt_s': 0x4a,
  'i32.gt_u': 0x4b, 'i32.le_s': 0x4c, 'i32.le_u': 0x4d, 'i32.ge_s': 0x4e, 'i32.ge_u': 0x4f,
  'i64.eqz': 0x50, 'i64.eq': 0x51, 'i64.ne': 0x52, 'i64.lt_s': 0x53, 'i64.gt_s': 0x55, 'i64.gt_u': 0x56,
  'i32.popcnt': 0x69, 'i32.add': 0x6a, 'i32.sub': 0x6b, 'i32.mul': 0x6c, 'i32.div_s': 0x6d, 'i32.div_u': 0x6e,
  'i32.rem_u': 0x70, 'i32.and': 0x71, 'i32.or': 0x72, 'i32.xor': 0x73, 'i32.shl': 0x74, 'i32.shr_s': 0x75,
  'i32.shr_u': 0x76,
  'i64.popcnt': 0x7b, 'i64.add': 0x7c, 'i64.sub': 0x7d, 'i64.mul': 0x7e, 'i64.and': 0x83, 'i64.or': 0x84,
  'i64.xor': 0x85, 'i64.shl': 0x86, 'i64.shr_s': 0x87, 'i64.shr_u': 0x88,
  'i32.wrap_i64': 0xa7, 'i64.extend_i32_s': 0xac, 'i64.extend_i32_u': 0xad,
} as const;

/** SIMD opcodes (prefix 0xfd) without immediates. */
const SIMD = {
  'i8x16.splat': 0x0f, 'i16x8.splat': 0x10, 'i32x4.splat': 0x11, 'i64x2.splat': 0x12,
  'v128.not': 0x4d, 'v128.and': 0x4e, 'v128.andnot': 0x4f, 'v128.or': 0x50, 'v128.xor': 0x51,
  'v128.any_true': 0x53,
  'i8x16.popcnt': 0x62, 'i8x16.add': 0x6e, 'i8x16.sub': 0x71,
  'i16x8.extadd_pairwise_i8x16_u': 0x7d, 'i32x4.extadd_pairwise_i16x8_u': 0x7f,
  'i16x8.add': 0x8e, 'i16x8.mul': 0x95,
  'i16x8.extend_low_i8x16_u': 0x89, 'i16x8.extend_high_i8x16_u': 0x8a,
  'i32x4.extend_low_i16x8_u': 0xa9, 'i32x4.extend_high_i16x8_u': 0xaa,
  'i32x4.add': 0xae, 'i32x4.sub': 0xb1, 'i32x4.mul': 0xb5, 'i32x4.dot_i16x8_s': 0xba,
  'i64x2.add': 0xce,
  'i8x16.swizzle': 0x0e, 'i16x8.shr_u': 0x8d,
  'i8x16.narrow_i16x8_s': 0x65, 'i16x8.narrow_i32x4_s': 0x85, 'i8x16.bitmask': 0x64,
  'i16x8.ge_u': 0x36, 'i32x4.gt_s': 0x3b, 'i32x4.ge_s': 0x3f, 'i32x4.shl': 0xab, 'i32x4.min_s': 0xb6,
  'f32x4.floor': 0x68, 'f32x4.div': 0xe7, 'i32x4.trunc_sat_f32x4_s': 0xf8, 'f32x4.convert_i32x4_s': 0xfa,
} as const;

const MEM = {
  'i32.load': [0x28, 2], 'i64.load': [0x29, 3], 'i32.load8_u': [0x2d, 0], 'i32.load8_s': [0x2c, 0],
  'i32.load16_u': [0x2f, 1], 'i32.load16_s': [0x2e, 1], 'i64.load32_u': [0x35, 2],
  'i32.store': [0x36, 2], 'i64.store': [0x37, 3], 'i32.store8': [0x3a, 0], 'i32.store16': [0x3b, 1],
} as const;

const SIMD_MEM = { 'v128.load': [0x00, 4], 'v128.store': [0x0b, 4], 'v128.load8x8_u': [0x02, 3], 'v128.load32_splat': [0x09, 2] } as const;

export type SimpleOp = keyof typeof SIMPLE | keyof typeof SIMD;
export type MemOp = keyof typeof MEM | keyof typeof SIMD_MEM;

/** One function under construction. Locals are allocated by `local(type)`. */
export class Fn {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];
  constructor(
    readonly name: string,
    readonly params: ValType[],
    readonly results: ValType[],
  ) {}

  /** index of parameter i */
  param(i: number): number {
    return i;
  }

  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  op(...ops: SimpleOp[]): this {
    for (const o of ops) {
      if (o in SIMPLE) this.code.push(SIMPLE[o as keyof typeof SIMPLE]);
      else {
        this.code.push(0xfd);
        uleb(SIMD[o as keyof typeof SIMD], this.code);
      }
    }
    return this;
  }

  mem(o: MemOp, offset = 0, align?: number): this {
    if (o in MEM) {
      const [code, nat] = MEM[o as keyof typeof MEM];
      this.code.push(code);
      uleb(align ?? nat, this.code);
    } else {
      const [code, nat] = SIMD_MEM[o as keyof typeof SIMD_MEM];
      this.code.push(0xfd);
      uleb(code, this.code);
      uleb(align ?? nat, this.code);
    }
    uleb(offset, this.code);
    return this;
  }

  get(i: number): this {
    this.code.push(0x20);
    uleb(i, this.code);
    return this;
  }
  set(i: number): this {
    this.code.push(0x21);
    uleb(i, this.code);
    return this;
  }
  tee(i: number): this {
    this.code.push(0x22);
    uleb(i, this.code);
    return this;
  }
  i32(v: number): this {
    this.code.push(0x41);
    sleb(BigInt(v | 0), this.code);
    return this;
  }
  i64(v: number | bigint): this {
    this.code.push(0x42);
    sleb(BigInt.asIntN(64, BigInt(v)), this.code);
    return this;
  }
  /** v128.const from 16 bytes */
  v128(bytes: number[]): this {
    this.code.push(0xfd);
    uleb(0x0c, this.code);
    for (let i = 0; i < 16; i++) this.code.push(bytes[i]! & 0xff);
    return this;
  }
  /** i8x16.shuffle with 16 lane indices */
  shuffle(lanes: number[]): this {
    this.code.push(0xfd);
    uleb(0x0d, this.code);
    for (let i = 0; i < 16; i++) this.code.push(lanes[i]!);
    return this;
  }
  extractLane(o: 'i32x4.extract_lane' | 'i64x2.extract_lane', lane: number): this {
    this.code.push(0xfd);
    uleb(o === 'i32x4.extract_lane' ? 0x1b : 0x1d, this.code);
    this.code.push(lane);
    return this;
  }
  block(): this {
    this.code.push(0x02, 0x40);
    return this;
  }
  loop(): this {
    this.code.push(0x03, 0x40);
    return this;
  }
  if_(): this {
    this.code.push(0x04, 0x40);
    return this;
  }
  end(): this {
    this.code.push(0x0b);
    return this;
  }
  br(depth: number): this {
    this.code.push(0x0c);
    uleb(depth, this.code);
    return this;
  }
  brIf(depth: number): this {
    this.code.push(0x0d);
    uleb(depth, this.code);
    return this;
  }

  /**
   * `for (i = start; i < limit; i += step) body()`, with start/limit/step given as emitters.
   * Skips the body when start >= limit. Inside body, depth 0 is the loop, 1 the block.
   */
  for_(i: number, start: () => void, limit: () => void, step: number, body: () => void): this {
    start();
    this.set(i);
    this.block();
    this.get(i);
    limit();
    this.op('i32.ge_s').brIf(0);
    this.loop();
    body();
    this.get(i).i32(step).op('i32.add').tee(i);
    limit();
    this.op('i32.lt_s').brIf(0);
    this.end();
    this.end();
    return this;
  }

  /** body bytes (locals declaration + code + end) */
  encode(): number[] {
    const out: number[] = [];
    // run-length encode locals
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(groups.length, out);
    for (const [n, t] of groups) {
      uleb(n, out);
      out.push(VT[t]);
    }
    out.push(...this.code, 0x0b);
    return out;
  }
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  for (const b of body) out.push(b);
}

/** A module importing env.mem (shared, `maxPages` pages) and exporting every function by name. */
export function assemble(fns: Fn[], maxPages: number): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // types: one per function (simple; duplicates are allowed)
  const types: number[] = [];
  uleb(fns.length, types);
  for (const f of fns) {
    types.push(0x60);
    uleb(f.params.length, types);
    for (const p of f.params) types.push(VT[p]);
    uleb(f.results.length, types);
    for (const r of f.results) types.push(VT[r]);
  }
  section(1, types, out);
  // import: env.mem, shared memory limits flag 0x03 (min, max)
  const imports: number[] = [];
  uleb(1, imports);
  name('env', imports);
  name('mem', imports);
  imports.push(0x02, 0x03);
  uleb(1, imports);
  uleb(maxPages, imports);
  section(2, imports, out);
  const funcs: number[] = [];
  uleb(fns.length, funcs);
  fns.forEach((_, i) => uleb(i, funcs));
  section(3, funcs, out);
  const exports: number[] = [];
  uleb(fns.length, exports);
  fns.forEach((f, i) => {
    name(f.name, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports, out);
  const code: number[] = [];
  uleb(fns.length, code);
  for (const f of fns) {
    const body = f.encode();
    uleb(body.length, code);
    for (const b of body) code.push(b);
  }
  section(10, code, out);
  return Uint8Array.from(out);
}
