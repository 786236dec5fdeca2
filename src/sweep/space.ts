/**
 * The declared design space of a sweep: `--vary KEY=V1,V2,...` or `--vary KEY=A..B` (inclusive,
 * step 1), KEY a dotted path into the architecture file (e.g. `tile.array.rows`). Points are
 * the cross product in a fixed order: models outermost, then each --vary in command-line order
 * (the last varies fastest). Shards take every N-th point.
 */
import { InputError } from '../errors.ts';
import { parseCliValue } from '../arch/load.ts';

export type VaryValue = number | string | boolean;

export interface Vary {
  key: string;
  values: VaryValue[];
}


export function parseVary(spec: string): Vary {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new InputError(`--vary ${spec}: expected KEY=V1,V2,... or KEY=A..B (e.g. tile.array.rows=128,256,512)`);
  const key = spec.slice(0, eq).trim();
  const rhs = spec.slice(eq + 1).trim();
  if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\])*$/.test(key)) throw new InputError(`--vary ${spec}: "${key}" is not a dotted JSON path (e.g. tile.array.rows)`);
  const range = /^(-?\d+)\.\.(-?\d+)$/.exec(rhs);
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (b < a) throw new InputError(`--vary ${spec}: range ${a}..${b} is empty (write the smaller bound first)`);
    if (b - a > 100000) throw new InputError(`--vary ${spec}: range ${a}..${b} has more than 100000 values`);
    return { key, values: Array.from({ length: b - a + 1 }, (_, i) => a + i) };
  }
  const parts = rhs.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new InputError(`--vary ${spec}: empty value in the list`);
  const values = parts.map((p) => parseCliValue(p) as VaryValue);
  if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) throw new InputError(`--vary ${spec}: a value appears twice`);
  return { key, values };
}

export interface PointSpec {
  /** position in the full (unsharded) enumeration */
  index: number;
  model: string;
  /** key -> value, in --vary order */
  params: Record<string, VaryValue>;
}

export function enumeratePoints(models: string[], varies: Vary[]): PointSpec[] {
  const keys = new Set<string>();
  for (const v of varies) {
    if (keys.has(v.key)) throw new InputError(`--vary ${v.key}: given twice; list all its values in one --vary`);
    keys.add(v.key);
  }
  const out: PointSpec[] = [];
  for (const model of models) {
    const rec = (i: number, params: Record<string, VaryValue>) => {
      if (i === varies.length) {
        out.push({ index: out.length, model, params: { ...params } });
        return;
      }
      for (const val of varies[i]!.values) {
        params[varies[i]!.key] = val;
        rec(i + 1, params);
      }
      delete params[varies[i]!.key];
    };
    rec(0, {});
  }
  return out;
}

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(s: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(s);
  if (!m) throw new InputError(`--shard ${s}: expected I/N with I from 0 to N-1 (e.g. --shard 0/4, as SLURM_ARRAY_TASK_ID with --array=0-3)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new InputError(`--shard ${s}: N must be at least 1`);
  if (index >= count) throw new InputError(`--shard ${s}: I must be from 0 to ${count - 1} (shards are numbered from 0)`);
  return { index, count };
}

/** The points of one shard: every count-th point starting at index (round robin balances cost). */
export function shardPoints(points: PointSpec[], shard: Shard | null): PointSpec[] {
  if (!shard) return points;
  return points.filter((p) => p.index % shard.count === shard.index);
}
