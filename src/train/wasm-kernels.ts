/**
 * Kernel fixes for tfjs-backend-wasm 4.22 used by training.
 *
 * Slice: the stock kernel starts with `backend.readSync(x)`, which copies the WHOLE input out of
 * the wasm heap before taking the slice, so cutting a (G, ., .) tensor into its G groups costs G
 * full copies (O(G^2) bytes; 250 ms for 16 slices of a 16x128x2048 tensor). The split layers cut
 * weights, activations and gradients into groups every step. This override copies only the slice
 * inside the heap when it is contiguous, and hands every other case to the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';

let patched = false;

export function patchWasmKernels(): void {
  if (patched) return;
  const stock = tf.getKernel('Slice', 'wasm');
  if (!stock) return;
  const stockFunc = stock.kernelFunc;
  const kernelFunc = (args: any) => {
    const { inputs, attrs, backend } = args;
    const x = inputs.x as tf.TensorInfo;
    if (x.dtype === 'string') return stockFunc(args);
    const [begin, size] = tf.slice_util.parseSliceParams(x as any, attrs.begin, attrs.size);
    if (!tf.slice_util.isSliceContinous(x.shape, begin, size)) return stockFunc(args);
    const offset = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    const n = tf.util.sizeFromShape(size);
    const out = backend.makeOutput(size, x.dtype);
    const bpe = tf.util.bytesPerElement(x.dtype);
    const src = backend.dataIdMap.get(x.dataId).memoryOffset + offset * bpe;
    const dst = backend.dataIdMap.get(out.dataId).memoryOffset;
    (backend.wasm.HEAPU8 as Uint8Array).copyWithin(dst, src, src + n * bpe);
    return out;
  };
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
  patched = true;
}
