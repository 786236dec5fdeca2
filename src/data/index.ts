/** Dataset loading by name. Every loader returns raw uint8 pixels in (c, y, x) order + labels. */
import { InputError } from '../errors.ts';
import type { DatasetName } from '../model/types.ts';
import { loadCifar10 } from './cifar10.ts';
import { loadFashionMnist, loadMnist } from './mnist.ts';
import { DATASET_NAMES, type Dataset, type Split } from './types.ts';

export * from './types.ts';

export function parseDatasetName(s: string, option = '--dataset'): DatasetName {
  if ((DATASET_NAMES as readonly string[]).includes(s)) return s as DatasetName;
  throw new InputError(`${option}: unknown dataset "${s}"; expected one of ${DATASET_NAMES.join(', ')}`);
}

export function loadDataset(name: DatasetName, split: Split): Dataset {
  switch (name) {
    case 'mnist':
      return loadMnist(split);
    case 'fashion-mnist':
      return loadFashionMnist(split);
    case 'cifar10':
      return loadCifar10(split);
  }
}
