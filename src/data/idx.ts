/**
 * IDX file parsing (the MNIST / Fashion-MNIST container format): a big-endian header
 * (magic 0x00000803 for uint8 images, 0x00000801 for uint8 labels) followed by raw bytes.
 */
import { gunzipSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an uncompressed IDX buffer of unsigned bytes. `file` names it in errors. */
export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  if (buf.length < 4) throw new InputError(`${file}: too short to be an IDX file (${buf.length} bytes); the file is truncated or corrupt`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, false);
  const type = (magic >>> 8) & 0xff;
  const ndim = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08 || ndim < 1 || ndim > 4) {
    throw new InputError(`${file}: not an IDX file of unsigned bytes (magic 0x${magic.toString(16).padStart(8, '0')}); the file is corrupt or of another format`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) dims.push(dv.getUint32(4 + 4 * i, false));
  const off = 4 + 4 * ndim;
  const n = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== off + n) {
    throw new InputError(`${file}: header says ${dims.join('x')} = ${n} bytes of data, the file holds ${buf.length - off}; the file is truncated or corrupt`);
  }
  return { dims, data: buf.subarray(off, off + n) };
}

/** Reads an IDX file, gunzipping it when its name ends in .gz. */
export function readIdx(path: string, howToGet: string): IdxArray {
  if (!existsSync(path)) throw new InputError(`${path}: not found. ${howToGet}`);
  let buf: Uint8Array = new Uint8Array(readFileSync(path));
  if (path.endsWith('.gz')) {
    try {
      buf = new Uint8Array(gunzipSync(buf));
    } catch (e) {
      throw new InputError(`${path}: cannot be decompressed (${(e as Error).message}); the file is corrupt. ${howToGet}`);
    }
  }
  return parseIdx(buf, path);
}
