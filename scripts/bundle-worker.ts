/**
 * Worker-thread entry of the single-file bundles (scripts/device-bundle.sh): the fast CPU path's
 * workers and the sweep's workers start from `worker-boot.mjs` beside the module that creates them,
 * which in a bundle is one file beside the bundle for both. The CPU engine's workers are told
 * apart by their workerData (the kernels module, the shared memory and the kernel set); the
 * sweep's get none.
 */
import { workerData } from 'node:worker_threads';

if (workerData && typeof workerData === 'object' && 'kernelIsa' in workerData) await import('../src/func/cpu/worker.ts');
else await import('../src/sweep/worker.ts');
