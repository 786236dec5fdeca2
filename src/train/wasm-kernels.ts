/**
 * Kernel fixes for tfjs-backend-wasm 4.22 used by training (found by profiling `archsim train`
 * with `node --cpu-prof`; figures in bench/RESULTS.md).
 *
 * Slice: the stock kernel starts with `backend.readSync(x)`, which copies the WHOLE input out of
 * the wasm heap before taking the slice, so cutting a (G, ., .) tensor into its G groups costs G
 * full copies (O(G^2) bytes; 250 ms for 16 slices of a 16x128x2048 tensor), and it slices 4-D
 * tensors in a JS loop per element (the conv nets' patch extraction). This override copies only
 * the slice inside the heap: in one copy when it is contiguous, else as runs of its innermost
 * contiguous block.
 * SplitV (the gradient of concat) calls the stock slice directly; it is rerouted through the same
 * copy.
 * Transpose: the stock kernel walks the output with strided reads (186 ms for a 102400 x 144
 * float matrix, the patch matrix of a 32 x 32 conv at batch 100); permutations that are batched
 * block transposes (all the trainer uses) are done in 32 x 32 tiles.
 * Identity: the stock kernel copies its input; tfjs calls it through Engine.clone for every
 * tensor a kernel saves for its backward pass. Tensors are immutable (a variable's assign swaps
 * its data id), so, as the wasm Reshape kernel already does, it shares the data and counts a
 * reference.
 */
import * as tf from '@tensorflow/tfjs';

let patched = false;

/** Copies x[begin : begin + size] into a new tensor inside the wasm heap. */
function sliceInHeap(backend: any, x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
  const n = tf.util.sizeFromShape(size);
  const out = backend.makeOutput(size, x.dtype);
  if (n === 0) return out;
  const bpe = tf.util.bytesPerElement(x.dtype);
  const heap = backend.wasm.HEAPU8 as Uint8Array;
  const base = backend.dataIdMap.get(x.dataId).memoryOffset as number;
  const dst = backend.dataIdMap.get(out.dataId).memoryOffset as number;
  const strides = tf.util.computeStrides(x.shape);
  if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
    const src = base + tf.slice_util.computeFlatOffset(begin, strides) * bpe;
    heap.copyWithin(dst, src, src + n * bpe);
    return out;
  }
  // innermost axis `inner` taken in part; the axes after it are taken whole
  const r = x.shape.length;
  let inner = r - 1;
  while (inner > 0 && size[inner] === x.shape[inner]) inner--;
  const run = tf.util.sizeFromShape(size.slice(inner)) * bpe;
  const outer = size.slice(0, inner);
  const count = tf.util.sizeFromShape(outer);
  const idx = new Array<number>(inner).fill(0);
  const innerOff = begin[inner]! * (inner < r - 1 ? strides[inner]! : 1);
  let d = dst;
  for (let i = 0; i < count; i++) {
    let off = innerOff;
    for (let a = 0; a < inner; a++) off += (begin[a]! + idx[a]!) * strides[a]!;
    const src = base + off * bpe;
    heap.copyWithin(d, src, src + run);
    d += run;
    for (let a = inner - 1; a >= 0; a--) {
      if (++idx[a]! < outer[a]!) break;
      idx[a] = 0;
    }
  }
  return out;
}

/**
 * perm as a batched block transpose, or null: axes [0, p) stay (batch B), the middle axes are
 * rotated as two runs (rows R, columns C), axes [q, r) stay (element block E):
 * out[b][c][r][e] = in[b][r][c][e].
 */
export function asBlockTranspose(shape: readonly number[], perm: readonly number[]): { B: number; R: number; C: number; E: number } | null {
  const r = shape.length;
  let p = 0;
  while (p < r && perm[p] === p) p++;
  let q = r;
  while (q > p && perm[q - 1] === q - 1) q--;
  if (q - p < 2) return null;
  // perm[p..q) must be [j, j+1, .., q-1, p, p+1, .., j-1]
  const j = perm[p]!;
  if (j <= p) return null;
  for (let i = 0; i < q - p; i++) {
    const want = i < q - j ? j + i : p + (i - (q - j));
    if (perm[p + i] !== want) return null;
  }
  const prod = (a: number, b: number) => shape.slice(a, b).reduce((x, y) => x * y, 1);
  return { B: prod(0, p), R: prod(p, j), C: prod(j, q), E: prod(q, r) };
}

/** out[b][c][r][e] = in[b][r][c][e] on float32/int32 views, in cache-sized tiles. */
export function blockTranspose(src: Float32Array | Int32Array, dst: Float32Array | Int32Array, t: { B: number; R: number; C: number; E: number }): void {
  const { B, R, C, E } = t;
  const T = E === 1 ? 32 : Math.max(1, Math.floor(32 / E));
  for (let b = 0; b < B; b++) {
    const so = b * R * C * E;
    for (let r0 = 0; r0 < R; r0 += T) {
      const r1 = Math.min(R, r0 + T);
      for (let c0 = 0; c0 < C; c0 += T) {
        const c1 = Math.min(C, c0 + T);
        if (E === 1) {
          for (let r = r0; r < r1; r++) {
            let si = so + r * C + c0;
            let di = so + c0 * R + r;
            for (let c = c0; c < c1; c++, si++, di += R) dst[di] = src[si]!;
          }
        } else {
          for (let r = r0; r < r1; r++)
            for (let c = c0; c < c1; c++) {
              const si = so + (r * C + c) * E;
              dst.set(src.subarray(si, si + E), so + (c * R + r) * E);
            }
        }
      }
    }
  }
}

function override(name: string, make: (stock: (args: any) => any) => (args: any) => any): void {
  const stock = tf.getKernel(name, 'wasm');
  if (!stock) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: make(stock.kernelFunc as (args: any) => any) as any });
}

export function patchWasmKernels(): void {
  if (patched || !tf.getKernel('Slice', 'wasm')) return;
  override('Slice', (stock) => (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x as any, attrs.begin, attrs.size);
    return sliceInHeap(backend, x, begin, size);
  });
  override('SplitV', (stock) => (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock(args);
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as any, attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s: number) => {
      const size = x.shape.slice();
      size[axis] = s;
      const part = sliceInHeap(backend, x, begin.slice(), size);
      begin[axis]! += s;
      return part;
    });
  });
  override('Identity', (stock) => (args) => {
    const { inputs, backend } = args;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stock(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  });
  override('Transpose', (stock) => (args) => {
    const { inputs, attrs, backend } = args;
    const x = inputs.x as tf.TensorInfo;
    const t = x.dtype === 'float32' || x.dtype === 'int32' ? asBlockTranspose(x.shape, attrs.perm) : null;
    if (!t) return stock(args);
    const outShape = (attrs.perm as number[]).map((a) => x.shape[a]!);
    const out = backend.makeOutput(outShape, x.dtype);
    if (t.B * t.R * t.C * t.E === 0) return out;
    const view = (info: tf.TensorInfo) => {
      const off = backend.dataIdMap.get(info.dataId).memoryOffset as number;
      const n = t.B * t.R * t.C * t.E;
      return x.dtype === 'float32' ? new Float32Array(backend.wasm.HEAPU8.buffer, off, n) : new Int32Array(backend.wasm.HEAPU8.buffer, off, n);
    };
    blockTranspose(view(x), view(out), t);
    return out;
  });
  patched = true;
}
