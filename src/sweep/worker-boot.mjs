// Plain-JS entry of the sweep's worker threads: registers tsx's loader in this thread (a worker's
// execArgv --import does not apply to its entry module on Node 20), then loads the worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
