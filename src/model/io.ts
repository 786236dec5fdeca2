/**
 * Reading and writing model files (format `archsim-model`, version 1).
 *
 * Loading is strict: the JSON schema (schemas/model.schema.json) checks the structure, then
 * `buildModel` derives every layer's shape and checks the arithmetic (group divisibility, blob
 * lengths, padding bits, threshold directions). Every error names the file and the JSON path.
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, basename } from 'node:path';
import { pack, unpack } from 'msgpackr';
import { inputError, InputError } from '../errors.ts';
import { compileSchema, schemaErrorsToInputError } from '../util/schema.ts';
import { writeFilesAtomic } from '../util/fsx.ts';
import modelSchema from '../../schemas/model.schema.json' with { type: 'json' };
import {
  MODEL_FORMAT,
  MODEL_VERSION,
  type BinaryLayer,
  type ClassifierLayer,
  type DatasetName,
  type InputLayer,
  type Layer,
  type MapShape,
  type Model,
  type PoolSpec,
  type Thresholds,
  wordsFor,
  mapSize,
} from './types.ts';

type Dtype = 'u32' | 'i32' | 'i8';
type TypedArray = Uint32Array | Int32Array | Int8Array;

interface BlobJson {
  dtype: Dtype;
  length: number;
  base64?: string;
  ref?: string;
}

const validateSchema = compileSchema(modelSchema as object);

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function bytesOf(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function decodeBlob(
  file: string,
  path: string,
  blob: BlobJson,
  expectDtype: Dtype,
  sidecar: Map<string, Uint8Array> | null,
): TypedArray {
  if (blob.dtype !== expectDtype) {
    throw inputError(file, `${path}.dtype`, `expected "${expectDtype}", found "${blob.dtype}"`);
  }
  let bytes: Uint8Array;
  if (blob.base64 !== undefined) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(blob.base64)) {
      throw inputError(file, `${path}.base64`, 'is not valid base64');
    }
    bytes = new Uint8Array(Buffer.from(blob.base64, 'base64'));
  } else {
    if (!sidecar) {
      throw inputError(file, `${path}.ref`, 'refers to a sidecar but the model has no "sidecar" entry');
    }
    const b = sidecar.get(blob.ref!);
    if (!b) throw inputError(file, `${path}.ref`, `key "${blob.ref}" is not in the sidecar file`);
    bytes = b;
  }
  const width = expectDtype === 'i8' ? 1 : 4;
  if (bytes.byteLength !== blob.length * width) {
    throw inputError(
      file,
      path,
      `holds ${bytes.byteLength} bytes, but length ${blob.length} of ${expectDtype} needs ${blob.length * width} bytes (truncated or corrupt file)`,
    );
  }
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  if (expectDtype === 'u32') return new Uint32Array(copy.buffer);
  if (expectDtype === 'i32') return new Int32Array(copy.buffer);
  return new Int8Array(copy.buffer);
}

function convOut(file: string, path: string, size: number, kernel: number, stride: number, padding: number): number {
  const o = Math.floor((size + 2 * padding - kernel) / stride) + 1;
  if (o < 1) throw inputError(file, path, `kernel ${kernel} with padding ${padding} does not fit an input of ${size}`);
  return o;
}

function poolOut(file: string, path: string, size: number, pool: PoolSpec): number {
  const o = Math.floor((size - pool.size) / pool.stride) + 1;
  if (o < 1) throw inputError(file, path, `pool of ${pool.size} does not fit a map of ${size}`);
  return o;
}

function checkRowPadding(file: string, path: string, weights: Uint32Array, rows: number, bitsPerRow: number): void {
  const wpr = wordsFor(bitsPerRow);
  const tail = bitsPerRow & 31;
  if (tail === 0) return;
  const mask = ~((1 << tail) - 1) >>> 0;
  for (let r = 0; r < rows; r++) {
    if ((weights[r * wpr + wpr - 1]! & mask) !== 0) {
      throw inputError(file, path, `row ${r} has bits set beyond its ${bitsPerRow} inputs (padding bits must be 0)`);
    }
  }
}

function checkThresholds(file: string, path: string, t: Int32Array, d: Int8Array, n: number): Thresholds {
  if (t.length !== n) throw inputError(file, `${path}.t`, `length ${t.length}, expected ${n} (one per neuron and group)`);
  if (d.length !== n) throw inputError(file, `${path}.d`, `length ${d.length}, expected ${n} (one per neuron and group)`);
  for (let i = 0; i < n; i++) {
    const di = d[i]!;
    if (di !== 1 && di !== -1 && di !== 0) throw inputError(file, `${path}.d[${i}]`, `${di} is not a direction (+1, -1 or 0 for a constant)`);
    if (di === 0 && t[i] !== 0 && t[i] !== 1) throw inputError(file, `${path}.t[${i}]`, `constant neuron (d = 0) must have t 0 or 1, found ${t[i]}`);
  }
  return { t, d };
}

/** Validates parsed JSON and builds the model. `file` is used in messages and to find the sidecar. */
export function buildModel(json: unknown, file: string, sidecarBytes?: Uint8Array): Model {
  if (!validateSchema(json)) throw schemaErrorsToInputError(file, validateSchema.errors ?? []);
  const j = json as Record<string, any>;
  let sidecar: Map<string, Uint8Array> | null = null;
  if (j.sidecar) {
    let bytes = sidecarBytes;
    const scPath = resolve(dirname(file), j.sidecar.file);
    if (!bytes) {
      if (!existsSync(scPath)) throw inputError(file, 'sidecar.file', `${scPath} does not exist (it holds the weights; copy it next to the model file)`);
      bytes = new Uint8Array(readFileSync(scPath));
    }
    const h = sha256Hex(bytes);
    if (h !== j.sidecar.sha256) throw inputError(file, 'sidecar.sha256', `${basename(scPath)} has sha256 ${h}, the model expects ${j.sidecar.sha256} (corrupt or mismatched sidecar)`);
    let obj: unknown;
    try {
      obj = unpack(bytes);
    } catch (e) {
      throw inputError(file, 'sidecar.file', `${basename(scPath)} is not a msgpack file: ${(e as Error).message}`);
    }
    if (typeof obj !== 'object' || obj === null) throw inputError(file, 'sidecar.file', 'sidecar is not a msgpack map');
    sidecar = new Map();
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      if (!(v instanceof Uint8Array)) throw inputError(file, 'sidecar.file', `sidecar entry "${k}" is not binary`);
      sidecar.set(k, v);
    }
  }

  const layersJ = j.layers as Record<string, any>[];
  let shape: MapShape = { ...j.input };
  const layers: Layer[] = [];
  for (let i = 0; i < layersJ.length; i++) {
    const L = layersJ[i]!;
    const p = `layers[${i}]`;
    if (L.type === 'input' && i !== 0) throw inputError(file, `${p}.type`, 'an "input" layer may only be the first layer');
    if (i === 0 && L.type !== 'input') throw inputError(file, `${p}.type`, `the first layer must be "input" (binary weights over raw pixels), found "${L.type}"`);
    if (L.type === 'classifier' && i !== layersJ.length - 1) throw inputError(file, `${p}.type`, 'the classifier must be the last layer');
    if (i === layersJ.length - 1 && L.type !== 'classifier') throw inputError(file, `${p}.type`, `the last layer must be "classifier", found "${L.type}"`);

    if (L.type === 'classifier') {
      const K = mapSize(shape);
      const C = L.out as number;
      const weights = decodeBlob(file, `${p}.weights`, L.weights, 'u32', sidecar) as Uint32Array;
      const need = C * wordsFor(K);
      if (weights.length !== need) throw inputError(file, `${p}.weights.length`, `${weights.length} words, expected ${need} (${C} classes x ceil(${K}/32))`);
      checkRowPadding(file, `${p}.weights`, weights, C, K);
      const arr = (name: string): Float64Array => {
        const a = L[name] as number[];
        if (a.length !== C) throw inputError(file, `${p}.${name}`, `length ${a.length}, expected ${C} (one per class)`);
        return Float64Array.from(a);
      };
      const c: ClassifierLayer = {
        type: 'classifier',
        inShape: shape,
        fanIn: K,
        classes: C,
        weights,
        bias: arr('bias'),
        gamma: arr('gamma'),
        beta: arr('beta'),
        mean: arr('mean'),
        variance: arr('variance'),
        epsilon: L.epsilon,
      };
      layers.push(c);
      continue;
    }

    const kind = L.kind as 'dense' | 'conv';
    const pool: PoolSpec | null = L.pool ?? null;
    let fanIn: number;
    let outShape: MapShape;
    let kernel = 0,
      stride = 0,
      padding = 0;
    if (kind === 'conv') {
      if (L.kernel === undefined) throw inputError(file, `${p}.kernel`, 'required for a conv layer');
      kernel = L.kernel;
      stride = L.stride ?? 1;
      padding = L.padding ?? 0;
      if (padding >= kernel) throw inputError(file, `${p}.padding`, `${padding} must be smaller than the kernel (${kernel})`);
      const oh = convOut(file, `${p}.kernel`, shape.height, kernel, stride, padding);
      const ow = convOut(file, `${p}.kernel`, shape.width, kernel, stride, padding);
      fanIn = shape.channels * kernel * kernel;
      outShape = { channels: L.out, height: oh, width: ow };
    } else {
      for (const k of ['kernel', 'stride', 'padding'] as const) {
        if (L[k] !== undefined) throw inputError(file, `${p}.${k}`, 'only allowed on conv layers');
      }
      fanIn = mapSize(shape);
      outShape = { channels: L.out, height: 1, width: 1 };
    }
    if (pool) {
      if (kind !== 'conv') throw inputError(file, `${p}.pool`, 'pooling needs a conv layer');
      outShape = { channels: outShape.channels, height: poolOut(file, `${p}.pool`, outShape.height, pool), width: poolOut(file, `${p}.pool`, outShape.width, pool) };
    }
    const G = L.type === 'binary' ? (L.groups as number) : 1;
    if (fanIn % G !== 0) throw inputError(file, `${p}.groups`, `${G} does not divide ${fanIn} (the layer's inputs per neuron)`);
    const per = fanIn / G;
    const rows = L.out * G;
    const weights = decodeBlob(file, `${p}.weights`, L.weights, 'u32', sidecar) as Uint32Array;
    const need = rows * wordsFor(per);
    if (weights.length !== need) {
      throw inputError(file, `${p}.weights.length`, `${weights.length} words, expected ${need} (${L.out} neurons x ${G} groups x ceil(${per}/32))`);
    }
    checkRowPadding(file, `${p}.weights`, weights, rows, per);
    const thresholds = checkThresholds(
      file,
      `${p}.thresholds`,
      decodeBlob(file, `${p}.thresholds.t`, L.thresholds.t, 'i32', sidecar) as Int32Array,
      decodeBlob(file, `${p}.thresholds.d`, L.thresholds.d, 'i8', sidecar) as Int8Array,
      rows,
    );
    if (L.type === 'input') {
      const l: InputLayer = { type: 'input', kind, inShape: shape, outShape, kernel, stride, padding, pool, fanIn, weights, thresholds };
      layers.push(l);
    } else {
      const grouping = (L.grouping ?? 'intra') as 'intra' | 'channel';
      if (grouping === 'channel' && kind === 'conv' && per % (kernel * kernel) !== 0) {
        throw inputError(file, `${p}.grouping`, `"channel" needs groups of whole channels: ${per} inputs per group is not a multiple of ${kernel * kernel}`);
      }
      const l: BinaryLayer = {
        type: 'binary',
        kind,
        inShape: shape,
        outShape,
        kernel,
        stride,
        padding,
        pool,
        fanIn,
        groups: G,
        grouping,
        outChannels: L.out,
        weights,
        thresholds,
      };
      layers.push(l);
    }
    shape = outShape;
  }
  if (j.preprocess.mean !== null && j.preprocess.mean.length !== j.input.channels) {
    throw inputError(file, 'preprocess.mean', `length ${j.preprocess.mean.length}, expected ${j.input.channels} (one per input channel)`);
  }
  const hasSplit = layers.some((l) => l.type === 'binary' && l.groups > 1);
  if (j.arraySize === null && hasSplit) throw inputError(file, 'arraySize', 'null (unsplit), but some layers have groups > 1: set the array size the split was made for');
  if (j.arraySize !== null && (j.baseline === undefined || j.baseline === null)) {
    throw inputError(file, 'baseline', 'a split model (arraySize set) must name its unsplit baseline model file');
  }
  return {
    name: j.name,
    dataset: j.dataset as DatasetName,
    arraySize: j.arraySize,
    baseline: j.baseline ?? null,
    preprocess: { scale: j.preprocess.scale, mean: j.preprocess.mean },
    layers,
    metrics: j.metrics,
    training: j.training ?? null,
  };
}

/** Loads and validates a model file. Throws InputError (exit 2) on any problem. */
export function loadModel(path: string): Model {
  const file = resolve(path);
  if (!existsSync(file)) throw new InputError(`${path}: model file not found`);
  const bytes = readFileSync(file);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const m = buildModel(json, file);
  m.file = file;
  m.digest = sha256Hex(bytes);
  return m;
}

// ---------------------------------------------------------------- writing

export interface SaveOptions {
  /** store blobs in a msgpack sidecar `<name>.weights.msgpack` next to the JSON (default true) */
  sidecar?: boolean;
}

/** Serialises a model to its JSON document (and sidecar bytes). Pure: writes nothing. */
export function serializeModel(model: Model, jsonName: string, opts: SaveOptions = {}): { json: string; sidecar: { name: string; bytes: Uint8Array } | null } {
  const useSidecar = opts.sidecar ?? true;
  const blobs: Record<string, Uint8Array> = {};
  const blob = (key: string, a: TypedArray, dtype: Dtype): BlobJson => {
    const bytes = bytesOf(a);
    if (useSidecar) {
      blobs[key] = new Uint8Array(bytes);
      return { dtype, length: a.length, ref: key };
    }
    return { dtype, length: a.length, base64: Buffer.from(bytes).toString('base64') };
  };
  const first = model.layers[0]!;
  const input = first.inShape;
  const layers = model.layers.map((l, i) => {
    const k = `layers.${i}`;
    if (l.type === 'classifier') {
      return {
        type: 'classifier',
        out: l.classes,
        weights: blob(`${k}.weights`, l.weights, 'u32'),
        bias: Array.from(l.bias),
        gamma: Array.from(l.gamma),
        beta: Array.from(l.beta),
        mean: Array.from(l.mean),
        variance: Array.from(l.variance),
        epsilon: l.epsilon,
      };
    }
    const o: Record<string, unknown> = { type: l.type, kind: l.kind, out: l.outShape.channels };
    if (l.type === 'binary') {
      o.groups = l.groups;
      o.grouping = l.grouping;
    }
    if (l.kind === 'conv') {
      o.kernel = l.kernel;
      o.stride = l.stride;
      o.padding = l.padding;
    }
    o.pool = l.pool;
    o.weights = blob(`${k}.weights`, l.weights, 'u32');
    o.thresholds = { t: blob(`${k}.thresholds.t`, l.thresholds.t, 'i32'), d: blob(`${k}.thresholds.d`, l.thresholds.d, 'i8') };
    return o;
  });
  let sidecar: { name: string; bytes: Uint8Array } | null = null;
  const doc: Record<string, unknown> = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    name: model.name,
    dataset: model.dataset,
    arraySize: model.arraySize,
    baseline: model.baseline,
    input,
    preprocess: model.preprocess,
    metrics: model.metrics,
    training: model.training,
  };
  if (useSidecar) {
    const name = jsonName.replace(/\.json$/, '') + '.weights.msgpack';
    const bytes = new Uint8Array(pack(blobs));
    sidecar = { name, bytes };
    doc.sidecar = { file: name, sha256: sha256Hex(bytes) };
  }
  doc.layers = layers;
  return { json: JSON.stringify(doc, null, 1) + '\n', sidecar };
}

/** Writes a model file (and its sidecar) atomically: both appear, or neither. */
export function saveModel(model: Model, path: string, opts: SaveOptions = {}): void {
  const abs = resolve(path);
  const { json, sidecar } = serializeModel(model, basename(abs), opts);
  const files: { path: string; data: string | Uint8Array }[] = [{ path: abs, data: json }];
  if (sidecar) files.unshift({ path: resolve(dirname(abs), sidecar.name), data: sidecar.bytes });
  writeFilesAtomic(files);
}
