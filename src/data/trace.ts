/**
 * Input trace files (`archsim trace`, `--input FILE`): a versioned, checksummed msgpack map
 * holding the first N test images of a dataset as the engine consumes them (raw uint8 pixels in
 * (c, y, x) order: the first layer's integer dot takes them directly; see docs/numerics.md),
 * with their labels. A trace lets runs be repeated on exactly the same inputs without the
 * dataset installed, and lets users bring their own inputs.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { pack, unpack } from 'msgpackr';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../util/fsx.ts';
import type { DatasetName, MapShape } from '../model/types.ts';
import { DATASET_NAMES, DATASET_SHAPES, type Dataset } from './types.ts';

export const TRACE_FORMAT = 'archsim-trace';
export const TRACE_VERSION = 1;

function digest(pixels: Uint8Array, labels: Uint8Array): string {
  return createHash('sha256').update(pixels).update(labels).digest('hex');
}

export function writeTrace(path: string, ds: Dataset, meta: { source: string }): void {
  const doc = {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    dataset: ds.name,
    shape: ds.shape,
    classes: ds.classes,
    count: ds.count,
    source: meta.source,
    sha256: digest(ds.pixels, ds.labels),
    pixels: ds.pixels,
    labels: ds.labels,
  };
  writeFileAtomic(path, pack(doc));
}

export function readTrace(path: string): Dataset {
  if (!existsSync(path)) throw new InputError(`${path}: trace file not found (make one with: archsim trace --model FILE --images N --out ${path})`);
  let doc: Record<string, any>;
  try {
    doc = unpack(readFileSync(path));
  } catch (e) {
    throw new InputError(`${path}: not a msgpack trace file (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || doc.format !== TRACE_FORMAT) throw new InputError(`${path}: format: expected "${TRACE_FORMAT}"`);
  if (doc.version !== TRACE_VERSION) throw new InputError(`${path}: version: ${doc.version} is not supported (expected ${TRACE_VERSION})`);
  if (!DATASET_NAMES.includes(doc.dataset)) throw new InputError(`${path}: dataset: "${doc.dataset}" is not one of ${DATASET_NAMES.join(', ')}`);
  const name = doc.dataset as DatasetName;
  const shape = doc.shape as MapShape;
  const want = DATASET_SHAPES[name];
  if (!shape || shape.channels !== want.channels || shape.height !== want.height || shape.width !== want.width) {
    throw new InputError(`${path}: shape: does not match ${name} (${want.channels}x${want.height}x${want.width})`);
  }
  const count = doc.count;
  const size = shape.channels * shape.height * shape.width;
  if (!Number.isInteger(count) || count < 1) throw new InputError(`${path}: count: must be a positive integer`);
  if (!(doc.pixels instanceof Uint8Array) || doc.pixels.length !== count * size) throw new InputError(`${path}: pixels: expected ${count * size} bytes (truncated file?)`);
  if (!(doc.labels instanceof Uint8Array) || doc.labels.length !== count) throw new InputError(`${path}: labels: expected ${count} bytes (truncated file?)`);
  const sha = digest(doc.pixels, doc.labels);
  if (sha !== doc.sha256) throw new InputError(`${path}: sha256: content hashes to ${sha}, the file says ${doc.sha256} (corrupt trace)`);
  return { name, split: 'test', shape, classes: doc.classes, count, pixels: doc.pixels, labels: doc.labels };
}
