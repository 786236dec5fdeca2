/**
 * Work sharing in the fast CPU path (runner.ts `share`): whatever order threads claim pieces in,
 * every image is evaluated exactly once, and the dots and summed activity equal one thread's
 * evaluation of the whole batch. The threads are played one after another here, so each order
 * (including one thread stealing a whole shard) is exercised deterministically.
 */
import { describe, expect, it } from 'vitest';
import { kernelBytes, type Kernels } from '../../src/func/cpu/kernels.ts';
import { resolveKernels, withNativeGemms } from '../../src/func/cpu/native.ts';
import { Arena, planModel } from '../../src/func/cpu/plan.ts';
import { runShard, scratchLayout, type ShardJob } from '../../src/func/cpu/runner.ts';
import { addActivity, emptyActivity } from '../../src/func/common.ts';
import { randomModel, randomPixels, type RandomModelSpec } from '../../src/model/random.ts';

const spec: RandomModelSpec = {
  input: { channels: 3, height: 8, width: 8 },
  first: { kind: 'conv', out: 16, kernel: 3, stride: 1, padding: 1, pool: { size: 2, stride: 2 } },
  hidden: [
    { kind: 'conv', out: 20, kernel: 3, stride: 1, padding: 1, groups: 3, pool: null },
    { kind: 'dense', out: 24, groups: 2 },
  ],
  classes: 7,
  seed: 21,
};

describe('work sharing between threads', () => {
  const model = randomModel(spec);
  const arena = new Arena();
  const kernels: Kernels = withNativeGemms(new WebAssembly.Instance(new WebAssembly.Module(kernelBytes()), { env: { mem: arena.memory } }).exports as unknown as Kernels, arena.memory, resolveKernels('auto'));
  const plan = planModel(arena, model, null);
  const count = 37;
  const chunk = 4;
  const pixels = randomPixels(5, count, plan.inSize);
  const pixAddr = arena.alloc(pixels.length);
  arena.u8().set(pixels, pixAddr);
  const lay = scratchLayout(plan, chunk);
  const adc = model.layers.map(() => ({ s: 0, L1: 0 }));
  const job = (dotsAddr: number, scratchAddr: number): ShardJob => ({ plan, adc, pixAddr, first: 0, count, dotsAddr, scratchAddr, chunk });
  const dotsBytes = count * plan.classes * 4;

  const wholeDots = arena.alloc(dotsBytes);
  const whole = runShard(kernels, arena.memory, job(wholeDots, arena.alloc(lay.bytes)));
  const want = Array.from(new Int32Array(arena.memory.buffer, wholeDots, count * plan.classes));

  const shards = [
    { first: 0, count: 19 },
    { first: 19, count: 18 },
  ];
  const orders: { name: string; run: number[]; pre?: number[] }[] = [
    { name: 'thread 1 first: it steals all of shard 0', run: [1, 0] },
    { name: 'thread 0 first: it steals all of shard 1', run: [0, 1] },
    { name: 'some pieces of each shard already taken by the other thread', run: [0, 1], pre: [2, 3] },
  ];
  for (const o of orders) {
    it(o.name, () => {
      const dotsAddr = arena.alloc(dotsBytes);
      new Int32Array(arena.memory.buffer, dotsAddr, count * plan.classes).fill(-7);
      const counters = arena.alloc(8);
      const c = new Int32Array(arena.memory.buffer, counters, 2);
      c.fill(0);
      const piece = 5;
      const act = model.layers.map((_, i) => emptyActivity(i));
      let images = 0;
      // pieces claimed beforehand (by "another thread" that evaluates them now)
      if (o.pre) {
        for (let s = 0; s < 2; s++) {
          for (let p = 0; p < o.pre[s]!; p++) {
            c[s]!++;
            const f = shards[s]!.first + p * piece;
            const n = Math.min(piece, shards[s]!.first + shards[s]!.count - f);
            const r = runShard(kernels, arena.memory, { ...job(dotsAddr, arena.alloc(lay.bytes)), first: f, count: n });
            r.activity.forEach((a, i) => addActivity(act[i]!, a));
            images += r.images;
          }
        }
      }
      const per: number[] = [];
      for (const self of o.run) {
        const r = runShard(kernels, arena.memory, { ...job(dotsAddr, arena.alloc(lay.bytes)), share: { counters, piece, shards, self } });
        r.activity.forEach((a, i) => addActivity(act[i]!, a));
        images += r.images;
        per.push(r.images);
      }
      expect(images).toBe(count);
      // the thread that ran first took everything left; the second found nothing
      expect(per[0]).toBe(count - (o.pre ? o.pre.reduce((x, y) => x + y, 0) * piece : 0));
      expect(per[1]).toBe(0);
      expect(Array.from(new Int32Array(arena.memory.buffer, dotsAddr, count * plan.classes))).toEqual(want);
      expect(act).toEqual(whole.activity);
    });
  }
});
