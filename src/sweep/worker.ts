/** A sweep worker thread: timing and cost of one design of one point per message. */
import { parentPort } from 'node:worker_threads';
import { InputError } from '../errors.ts';
import type { Model } from '../model/types.ts';
import { evaluateTask } from './run.ts';

const models = new Map<string, Model>();
parentPort!.on('message', (task) => {
  try {
    const result = evaluateTask(task, models);
    parentPort!.postMessage({ ok: true, result });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: (e as Error).message, input: e instanceof InputError });
  }
});
