/**
 * Loading and validating architecture files (format version 1).
 *
 * Two layers of checks, both naming the file and the JSON path:
 *  1. the JSON Schema (schemas/arch.schema.json): unknown keys, missing keys, types, enums, bounds;
 *  2. semantics: every quantity's unit (parsed once into base units), positive values, the mesh
 *     holding all tiles, bias rows leaving input rows, the ADC model existing in the tech table.
 * The tech table is loaded relative to the arch file (cached per path and modification time).
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { InputError, inputError } from '../errors.ts';
import { compileSchema, schemaErrorsToInputError } from '../util/schema.ts';
import archSchema from '../../schemas/arch.schema.json' with { type: 'json' };
import { parseQuantity, type Dimension } from './units.ts';
import { loadTechTable, type TechTable } from './tech.ts';
import { CELL_ENCODINGS, THRESHOLD_REALISATIONS } from './roles/index.ts';
import { exactAdcBits, PS_PER_NS, type ArchSpec, type BufferSpec, type UnitSpec } from './spec.ts';

// The published schema carries a pattern on quantities so editors flag a missing unit; at load time
// the unit parser gives the precise message ("has no unit", "unknown time unit"), so the pattern is
// dropped from the copy used for validation.
const runtimeSchema = structuredClone(archSchema) as { $defs: { quantity: Record<string, unknown> } };
delete runtimeSchema.$defs.quantity.pattern;
const validate = compileSchema(runtimeSchema as object);

const techCache = new Map<string, { mtimeMs: number; table: TechTable }>();

function techFor(file: string, rel: string): TechTable {
  const path = resolve(dirname(file), rel);
  if (!existsSync(path)) throw inputError(file, 'tech', `technology table ${path} not found (path is relative to the arch file)`);
  const m = statSync(path).mtimeMs;
  const c = techCache.get(path);
  if (c && c.mtimeMs === m) return c.table;
  const table = loadTechTable(path);
  techCache.set(path, { mtimeMs: m, table });
  return table;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Loads and validates an arch file. Throws InputError (exit 2) naming file and JSON path. */
export function loadArch(path: string, opts: { tech?: TechTable } = {}): ArchSpec {
  const file = resolve(path);
  if (!existsSync(file)) throw new InputError(`${path}: architecture file not found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return loadArchFromJson(json, file, opts);
}

/** Validates without keeping the result (for `archsim validate`). */
export function validateArchFile(path: string): { ok: true; name: string } {
  const a = loadArch(path);
  return { ok: true, name: a.name };
}

/**
 * Builds the spec from parsed JSON. `file` is used in messages and to find the tech table (relative
 * paths resolve against its folder). The JSON is deep-cloned, so callers may keep editing theirs.
 */
export function loadArchFromJson(json: unknown, file: string, opts: { tech?: TechTable } = {}): ArchSpec {
  if (!validate(json)) throw schemaErrorsToInputError(file, validate.errors ?? []);
  const j = structuredClone(json) as Record<string, any>;
  const tech = opts.tech ?? techFor(file, j.tech);

  const clock = q(file, 'clock', j.clock, 'frequency');
  if (clock <= 0) throw inputError(file, 'clock', 'must be positive');
  const cyclePs = Math.max(1, Math.round(PS_PER_NS / clock));
  const time = (path: string, v: unknown, allowZero = true): number => {
    const r = parseQuantity(v, 'time', { allowCycles: true });
    if (typeof r === 'string') throw inputError(file, path, r);
    if (r.value < 0 || (!allowZero && r.value === 0)) throw inputError(file, path, `must be ${allowZero ? 'zero or positive' : 'positive'}, found "${String(v)}"`);
    return r.cycles ? Math.round(r.value * cyclePs) : Math.round(r.value * PS_PER_NS);
  };
  const pos = (path: string, v: unknown, dim: Dimension): number => {
    const x = q(file, path, v, dim);
    if (!(x > 0)) throw inputError(file, path, `must be positive, found "${String(v)}"`);
    return x;
  };

  const c = j.chip;
  const ic = c.interconnect;
  let width = 1,
    height = 1;
  if (ic.impl === 'mesh') {
    width = ic.width;
    height = ic.height;
    if (width * height < c.tiles) throw inputError(file, 'chip.interconnect', `a ${width}x${height} mesh has ${width * height} nodes, fewer than chip.tiles = ${c.tiles} (enlarge the mesh or use fewer tiles)`);
  }
  const buffer = (p: string, b: any): BufferSpec => ({
    impl: b.impl,
    capacityBits: pos(`${p}.capacity`, b.capacity, 'data'),
    ports: b.ports,
    portWidthBits: pos(`${p}.portWidth`, b.portWidth, 'data'),
    latencyPs: time(`${p}.latency`, b.latency),
  });
  const unit = (p: string, u: any): UnitSpec => ({ impl: u.impl, lanes: u.lanes, latencyPs: time(`${p}.latency`, u.latency) });

  const t = j.tile;
  const a = t.array;
  const enc = CELL_ENCODINGS[a.cellEncoding as keyof typeof CELL_ENCODINGS];
  const thr = THRESHOLD_REALISATIONS[a.threshold.impl as keyof typeof THRESHOLD_REALISATIONS];
  const biasRows = thr.rowsUsed(a.threshold);
  if (biasRows >= a.rows) throw inputError(file, 'tile.array.threshold.rows', `${biasRows} bias rows leave no input rows in an array of ${a.rows} rows`);
  const physicalRows = enc.physicalRows(a.rows + biasRows);
  const adcJ = t.readout.adc;
  const bits = adcJ.bits === 'exact' ? exactAdcBits(a.rows) : adcJ.bits;
  const model = adcJ.model && adcJ.model.length ? adcJ.model : tech.adcDefault;
  const m = tech.adcModels[model];
  if (!m) throw inputError(file, 'tile.readout.adc.model', `"${model}" is not an ADC model of ${tech.file} (have ${Object.keys(tech.adcModels).join(', ')})`);
  if (!m.impl.includes(adcJ.impl)) throw inputError(file, 'tile.readout.adc.model', `ADC model "${model}" describes ${m.impl.join('/')} ADCs, not "${adcJ.impl}" (pick a matching model or impl)`);
  if (adcJ.columnsPerAdc > a.cols) throw inputError(file, 'tile.readout.adc.columnsPerAdc', `${adcJ.columnsPerAdc} exceeds the array's ${a.cols} columns`);
  if (t.readout.sense.columnsPerSenseAmp > a.cols) throw inputError(file, 'tile.readout.sense.columnsPerSenseAmp', `${t.readout.sense.columnsPerSenseAmp} exceeds the array's ${a.cols} columns`);
  const extras = (t.extras ?? []) as { component: string; count: number }[];
  extras.forEach((e, i) => {
    if (!tech.rows.some((r) => r.component === e.component)) throw inputError(file, `tile.extras[${i}].component`, `"${e.component}" has no row in ${tech.file} (add its area/active/leakage rows there)`);
  });

  const spec: ArchSpec = {
    version: 1,
    name: j.name,
    description: j.description ?? '',
    file,
    clockGHz: clock,
    cyclePs,
    tech,
    chip: {
      tiles: c.tiles,
      interconnect: { impl: ic.impl, width, height, linkWidthBits: pos('chip.interconnect.linkWidth', ic.linkWidth, 'data'), hopLatencyPs: time('chip.interconnect.hopLatency', ic.hopLatency) },
      globalBuffer: buffer('chip.globalBuffer', c.globalBuffer),
      offChip: { impl: c.offChip.impl, bitsPerNs: pos('chip.offChip.bandwidth', c.offChip.bandwidth, 'bandwidth'), latencyPs: time('chip.offChip.latency', c.offChip.latency) },
      digitalUnit: { impl: c.digitalUnit.impl, macsPerCycle: c.digitalUnit.macsPerCycle, latencyPs: time('chip.digitalUnit.latency', c.digitalUnit.latency) },
      placement: { ...c.placement },
    },
    tile: {
      arrays: t.arrays,
      array: {
        impl: a.impl,
        rows: a.rows,
        cols: a.cols,
        cellEncoding: a.cellEncoding,
        physicalRows,
        physicalCols: enc.physicalCols(a.cols),
        readLatencyPs: time('tile.array.readLatency', a.readLatency, false),
        threshold: { impl: a.threshold.impl, rows: biasRows },
      },
      wordlineDriver: { ...t.wordlineDriver },
      columnMux: { ...t.columnMux },
      readout: {
        adc: { impl: adcJ.impl, bitsSetting: adcJ.bits, bits, columnsPerAdc: adcJ.columnsPerAdc, model, sampleHold: adcJ.sampleHold ?? true },
        sense: { impl: 'sense-amp', columnsPerSenseAmp: t.readout.sense.columnsPerSenseAmp },
      },
      shiftAdd: unit('tile.shiftAdd', t.shiftAdd),
      majority: unit('tile.majority', t.majority),
      thresholdPool: unit('tile.thresholdPool', t.thresholdPool),
      buffer: buffer('tile.buffer', t.buffer),
      router: { impl: t.router.impl, ports: t.router.ports, flitWidthBits: pos('tile.router.flitWidth', t.router.flitWidth, 'data'), sharedBy: t.router.sharedBy },
      extras: extras.map((e) => ({ ...e })),
    },
    json: j,
  };
  return deepFreeze(spec);
}

function q(file: string, path: string, v: unknown, dim: Dimension): number {
  const r = parseQuantity(v, dim);
  if (typeof r === 'string') throw inputError(file, path, r);
  return r.value;
}

/**
 * Sets a dotted path (`tile.array.rows`, `chip.extras[0].count`) on raw arch JSON, in place.
 * The parent must exist (a typo is an InputError naming the missing segment); the last key may be new,
 * since the schema check that follows rejects unknown keys anyway.
 */
export function setByPath(json: unknown, path: string, value: unknown): void {
  const segs: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new InputError(`--vary ${path}: "${part}" is not a key (use dotted keys such as tile.array.rows)`);
    segs.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) segs.push(Number(idx[1]));
  }
  let o: any = json;
  for (let i = 0; i < segs.length - 1; i++) {
    const s = segs[i]!;
    if (o === null || typeof o !== 'object' || !(s in o)) {
      throw new InputError(`--vary ${path}: the architecture has no "${segs.slice(0, i + 1).join('.')}" (check the key against schemas/arch.schema.json)`);
    }
    o = o[s];
  }
  if (o === null || typeof o !== 'object') throw new InputError(`--vary ${path}: "${segs.slice(0, -1).join('.')}" is not an object`);
  o[segs[segs.length - 1]!] = value;
}

/** Reads a dotted path from raw JSON (undefined when absent). */
export function getByPath(json: unknown, path: string): unknown {
  let o: any = json;
  for (const s of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (o === null || typeof o !== 'object') return undefined;
    o = o[s];
  }
  return o;
}

/** A command-line value: a JSON number/boolean/null when it parses as one, else the string ("1GHz"). */
export function parseCliValue(s: string): unknown {
  if (/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s)) return Number(s);
  if (s === 'true' || s === 'false') return s === 'true';
  return s;
}
