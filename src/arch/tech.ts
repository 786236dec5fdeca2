/**
 * Technology tables (arch-configs/tech/*.json): one row per (component, action) with value, unit,
 * node and source citation, plus ADC models whose figures depend on resolution.
 *
 * Rows are parsed once into base units (src/arch/units.ts). Every lookup records the row it used,
 * so a result carries the resolved table it was computed from (as Accelergy writes its ERT/ART).
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, inputError } from '../errors.ts';
import { compileSchema, schemaErrorsToInputError } from '../util/schema.ts';
import techSchema from '../../schemas/tech.schema.json' with { type: 'json' };
import { baseUnit, dimensionOf, parseQuantity, type Dimension } from './units.ts';

const runtimeSchema = structuredClone(techSchema) as { $defs: { quantity: Record<string, unknown> } };
delete runtimeSchema.$defs.quantity.pattern;
const validate = compileSchema(runtimeSchema as object);

export interface TechRow {
  readonly component: string;
  readonly action: string;
  /** value in the file's unit */
  readonly value: number;
  readonly unit: string;
  readonly node: string;
  readonly source: string;
  readonly note?: string;
  /** value in archsim's base unit of its dimension */
  readonly base: number;
  readonly dimension: Dimension;
}

export interface AdcPoint {
  readonly bits: number;
  readonly energyPj: number;
  readonly areaUm2: number;
  readonly rateGHz: number;
  readonly leakageMw: number;
  readonly text: { energy: string; area: string; rate: string; leakage: string };
  readonly note?: string;
}

export interface AdcModel {
  readonly name: string;
  readonly impl: readonly ('sar' | 'flash')[];
  readonly node: string;
  readonly source: string;
  readonly note?: string;
  readonly scaling: { readonly energy: 'exp2' | 'linear'; readonly area: 'exp2' | 'linear'; readonly rate: 'inverse-bits' | 'constant' };
  readonly points: readonly AdcPoint[];
}

export interface TechTable {
  readonly name: string;
  readonly file: string;
  readonly node: string;
  readonly description: string;
  readonly rows: readonly TechRow[];
  readonly adcDefault: string;
  readonly adcWhy: string;
  readonly adcModels: Readonly<Record<string, AdcModel>>;
}

/** A resolved entry as written out with every result (component, action, value, unit, source). */
export interface ResolvedTechEntry {
  component: string;
  action: string;
  value: number;
  unit: string;
  node: string;
  source: string;
  note?: string;
}

/** Expected dimension of an action's value. Anything else is an energy per action. */
export function actionDimension(action: string): Dimension {
  switch (action) {
    case 'area':
      return 'area';
    case 'leakage':
    case 'active':
      return 'power';
    case 'latency':
      return 'time';
    case 'rate':
      return 'frequency';
    default:
      return 'energy';
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

export function buildTechTable(json: unknown, file: string): TechTable {
  if (!validate(json)) throw schemaErrorsToInputError(file, validate.errors ?? []);
  const j = json as Record<string, any>;
  const rows: TechRow[] = [];
  const seen = new Set<string>();
  (j.rows as any[]).forEach((r, i) => {
    const p = `rows[${i}]`;
    const dim = actionDimension(r.action);
    const d = dimensionOf(r.unit);
    if (d === null) throw inputError(file, `${p}.unit`, `unknown unit "${r.unit}" (expected a ${dim} unit such as ${baseUnit(dim)})`);
    if (d !== dim) throw inputError(file, `${p}.unit`, `"${r.unit}" is a ${d} unit, but action "${r.action}" needs a ${dim} unit such as ${baseUnit(dim)}`);
    const key = `${r.component}/${r.action}`;
    if (seen.has(key)) throw inputError(file, `${p}`, `duplicate row for component "${r.component}" action "${r.action}" (keep one)`);
    seen.add(key);
    const q = parseQuantity(`${r.value}${r.unit}`, dim);
    if (typeof q === 'string') throw inputError(file, `${p}.value`, q);
    rows.push({ component: r.component, action: r.action, value: r.value, unit: r.unit, node: r.node, source: r.source, note: r.note, base: q.value, dimension: dim });
  });
  const models: Record<string, AdcModel> = {};
  for (const [name, m] of Object.entries(j.adc.models as Record<string, any>)) {
    const points: AdcPoint[] = [];
    const bitsSeen = new Set<number>();
    (m.points as any[]).forEach((pt, i) => {
      const p = `adc.models.${name}.points[${i}]`;
      if (bitsSeen.has(pt.bits)) throw inputError(file, `${p}.bits`, `duplicate point for ${pt.bits} bits`);
      bitsSeen.add(pt.bits);
      const get = (k: string, dim: Dimension): number => {
        const v = parseQuantity(pt[k], dim);
        if (typeof v === 'string') throw inputError(file, `${p}.${k}`, v);
        if (v.value < 0) throw inputError(file, `${p}.${k}`, `must not be negative, found "${pt[k]}"`);
        return v.value;
      };
      const rate = get('rate', 'frequency');
      if (rate <= 0) throw inputError(file, `${p}.rate`, 'must be positive');
      points.push({
        bits: pt.bits,
        energyPj: get('energy', 'energy'),
        areaUm2: get('area', 'area'),
        rateGHz: rate,
        leakageMw: get('leakage', 'power'),
        text: { energy: pt.energy, area: pt.area, rate: pt.rate, leakage: pt.leakage },
        note: pt.note,
      });
    });
    points.sort((a, b) => a.bits - b.bits);
    models[name] = { name, impl: m.impl, node: m.node, source: m.source, note: m.note, scaling: m.scaling, points };
  }
  if (!models[j.adc.default]) throw inputError(file, 'adc.default', `"${j.adc.default}" is not one of the models (${Object.keys(models).join(', ')})`);
  return deepFreeze({
    name: j.name,
    file,
    node: j.node,
    description: j.description ?? '',
    rows,
    adcDefault: j.adc.default,
    adcWhy: j.adc.why,
    adcModels: models,
  });
}

export function loadTechTable(path: string): TechTable {
  const file = resolve(path);
  if (!existsSync(file)) throw new InputError(`${path}: technology table not found`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return buildTechTable(json, file);
}

/** Figures of one ADC model at a resolution, with the rule used to get them. */
export interface AdcFigures {
  model: string;
  bits: number;
  energyPj: number;
  areaUm2: number;
  rateGHz: number;
  leakageMw: number;
  /** how the figures were obtained from the listed points */
  derivation: string;
  source: string;
  node: string;
}

function scale(v0: number, b0: number, b: number, rule: 'exp2' | 'linear'): number {
  return rule === 'exp2' ? v0 * 2 ** (b - b0) : (v0 * b) / b0;
}

/**
 * ADC figures at `bits`: the listed point when there is one; between two listed points a geometric
 * interpolation; outside, the model's scaling rule applied from the nearest point.
 */
export function adcFigures(t: TechTable, modelName: string, bits: number): AdcFigures {
  const m = t.adcModels[modelName];
  if (!m) throw new InputError(`${t.file}: adc.models: no ADC model "${modelName}" (have ${Object.keys(t.adcModels).join(', ')})`);
  const pts = m.points;
  const exact = pts.find((p) => p.bits === bits);
  const base = { model: modelName, bits, source: m.source, node: m.node };
  if (exact) return { ...base, energyPj: exact.energyPj, areaUm2: exact.areaUm2, rateGHz: exact.rateGHz, leakageMw: exact.leakageMw, derivation: `listed point at ${bits} bits` };
  const lo = [...pts].reverse().find((p) => p.bits < bits);
  const hi = pts.find((p) => p.bits > bits);
  if (lo && hi) {
    const f = (bits - lo.bits) / (hi.bits - lo.bits);
    const geo = (a: number, b: number) => (a > 0 && b > 0 ? a * (b / a) ** f : a + (b - a) * f);
    return {
      ...base,
      energyPj: geo(lo.energyPj, hi.energyPj),
      areaUm2: geo(lo.areaUm2, hi.areaUm2),
      rateGHz: geo(lo.rateGHz, hi.rateGHz),
      leakageMw: geo(lo.leakageMw, hi.leakageMw),
      derivation: `geometric interpolation between the ${lo.bits}-bit and ${hi.bits}-bit points`,
    };
  }
  const p = (lo ?? hi)!;
  return {
    ...base,
    energyPj: scale(p.energyPj, p.bits, bits, m.scaling.energy),
    areaUm2: scale(p.areaUm2, p.bits, bits, m.scaling.area),
    rateGHz: m.scaling.rate === 'inverse-bits' ? (p.rateGHz * p.bits) / bits : p.rateGHz,
    leakageMw: scale(p.leakageMw, p.bits, bits, m.scaling.energy),
    derivation: `scaled from the ${p.bits}-bit point: energy ${m.scaling.energy}, area ${m.scaling.area}, rate ${m.scaling.rate}`,
  };
}
