/**
 * Worker thread of the fast CPU path: instantiates the kernels on the shared memory it was
 * given and evaluates the image ranges (or shares of a batch) the main thread sends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Kernels } from './kernels.ts';
import { withNativeGemms, type CpuKernelIsa } from './native.ts';
import { runShard, type ShardJob } from './runner.ts';

const { module, memory, kernelIsa } = workerData as { module: WebAssembly.Module; memory: WebAssembly.Memory; kernelIsa: CpuKernelIsa };
const instance = new WebAssembly.Instance(module, { env: { mem: memory } });
const kernels = withNativeGemms(instance.exports as unknown as Kernels, memory, kernelIsa);

parentPort!.on('message', (job: ShardJob) => {
  try {
    parentPort!.postMessage({ ok: true, result: runShard(kernels, memory, job) });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
