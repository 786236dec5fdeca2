/**
 * Datasets as archsim uses them: raw uint8 pixels in channel-major (c, y, x) order per image
 * and uint8 labels, i.e. the functional engine's `InputBatch` (src/func/types.ts) plus the shape.
 */
import type { InputBatch } from '../func/types.ts';
import type { DatasetName, MapShape } from '../model/types.ts';

export type Split = 'train' | 'test';

export interface Dataset extends InputBatch {
  name: DatasetName;
  split: Split;
  /** per-image shape, channel-major */
  shape: MapShape;
  classes: number;
  labels: Uint8Array;
}

export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'fashion-mnist', 'cifar10'];

export const DATASET_SHAPES: Record<DatasetName, MapShape> = {
  mnist: { channels: 1, height: 28, width: 28 },
  'fashion-mnist': { channels: 1, height: 28, width: 28 },
  cifar10: { channels: 3, height: 32, width: 32 },
};

/** The first `n` images of a dataset (file order), sharing its buffers. */
export function takeFirst(ds: Dataset, n: number): Dataset {
  const count = Math.min(n, ds.count);
  const size = ds.shape.channels * ds.shape.height * ds.shape.width;
  return { ...ds, count, pixels: ds.pixels.subarray(0, count * size), labels: ds.labels.subarray(0, count) };
}
