/**
 * Quantities with units, parsed once into archsim's base units.
 *
 * Base units (chosen so that the common products need no conversion factor):
 *   time       ns      (1 mW x 1 ns = 1 pJ)
 *   energy     pJ
 *   power      mW
 *   area       um^2
 *   data       bit
 *   frequency  GHz     (1 / ns)
 *   bandwidth  bit/ns  (= Gbit/s)
 *   resistance ohm,  voltage V
 *
 * Accepted spellings: "1GHz", "1.2 GHz", "100ns", "2cycles" (time relative to the chip clock,
 * resolved by the caller), "64KB" (1 KB = 1024 B = 8192 bit; "Kb" is kilobit, lower-case b is
 * bit), "2mW", "1200um^2" (also "um2"), "0.372mm^2", "1.56pJ", "25.6GB/s", "128b" (bits).
 */

export type Dimension = 'time' | 'energy' | 'power' | 'area' | 'data' | 'frequency' | 'bandwidth' | 'resistance' | 'voltage';

const SI: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3, u: 1e-6, µ: 1e-6, n: 1e-9, p: 1e-12, f: 1e-15 };

/** factor to the base unit, per dimension and unit spelling */
const UNITS: Record<Dimension, Record<string, number>> = {
  time: { s: 1e9, ms: 1e6, us: 1e3, µs: 1e3, ns: 1, ps: 1e-3, fs: 1e-6 },
  energy: { J: 1e12, mJ: 1e9, uJ: 1e6, µJ: 1e6, nJ: 1e3, pJ: 1, fJ: 1e-3, aJ: 1e-6 },
  power: { W: 1e3, mW: 1, uW: 1e-3, µW: 1e-3, nW: 1e-6, pW: 1e-9 },
  area: { 'm^2': 1e12, 'mm^2': 1e6, 'um^2': 1, 'µm^2': 1, 'nm^2': 1e-6, mm2: 1e6, um2: 1, nm2: 1e-6 },
  data: { b: 1, bit: 1, bits: 1, B: 8, Kb: 1024, Mb: 1024 ** 2, Gb: 1024 ** 3, KB: 8192, KiB: 8192, MB: 8 * 1024 ** 2, MiB: 8 * 1024 ** 2, GB: 8 * 1024 ** 3, GiB: 8 * 1024 ** 3 },
  frequency: { Hz: 1e-9, kHz: 1e-6, MHz: 1e-3, GHz: 1, 'S/s': 1e-9, 'kS/s': 1e-6, 'MS/s': 1e-3, 'GS/s': 1 },
  // bandwidth in bit/ns; decimal prefixes for rates (25.6 GB/s = 25.6e9 B/s)
  bandwidth: { 'b/s': 1e-9, 'bit/s': 1e-9, 'Kb/s': 1e-6, 'Mb/s': 1e-3, 'Gb/s': 1, 'Tb/s': 1e3, 'B/s': 8e-9, 'KB/s': 8e-6, 'MB/s': 8e-3, 'GB/s': 8, 'TB/s': 8e3 },
  resistance: { ohm: 1, kohm: 1e3, Mohm: 1e6, 'Ω': 1, 'kΩ': 1e3, 'MΩ': 1e6 },
  voltage: { V: 1, mV: 1e-3 },
};
void SI;

const BASE: Record<Dimension, string> = {
  time: 'ns',
  energy: 'pJ',
  power: 'mW',
  area: 'um^2',
  data: 'bit',
  frequency: 'GHz',
  bandwidth: 'bit/ns',
  resistance: 'ohm',
  voltage: 'V',
};

export function baseUnit(d: Dimension): string {
  return BASE[d];
}

const NUM = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\s\d].*?)?\s*$/;

export interface ParsedQuantity {
  /** value in the base unit of its dimension; for 'cycles' the number of cycles */
  value: number;
  /** true when the time was given in clock cycles ("2cycles") */
  cycles: boolean;
}

/**
 * Parses "<number><unit>" for a dimension. Returns an error string (what was expected) instead of
 * throwing so the caller can attach the file and JSON path.
 */
export function parseQuantity(text: unknown, dim: Dimension, opts: { allowCycles?: boolean } = {}): ParsedQuantity | string {
  if (typeof text !== 'string') return `must be a string with a ${dim} unit, e.g. ${example(dim)}`;
  const m = NUM.exec(text);
  if (!m) return `"${text}" is not a number followed by a ${dim} unit (e.g. ${example(dim)})`;
  const v = Number(m[1]);
  const unit = (m[2] ?? '').trim();
  if (!unit) return `"${text}" has no unit; write it with a ${dim} unit, e.g. ${example(dim)}`;
  if (dim === 'time' && (unit === 'cycle' || unit === 'cycles')) {
    if (!opts.allowCycles) return `"${text}": clock cycles are not allowed here; give a time such as "10ns"`;
    return { value: v, cycles: true };
  }
  const f = UNITS[dim][unit];
  if (f === undefined) {
    return `"${text}": unknown ${dim} unit "${unit}" (allowed: ${Object.keys(UNITS[dim]).join(', ')}${dim === 'time' && opts.allowCycles ? ', cycles' : ''})`;
  }
  return { value: v * f, cycles: false };
}

function example(dim: Dimension): string {
  return { time: '"10ns"', energy: '"1.56pJ"', power: '"2mW"', area: '"1200um^2"', data: '"64KB"', frequency: '"1GHz"', bandwidth: '"25.6GB/s"', resistance: '"100kohm"', voltage: '"0.5V"' }[dim];
}

/** Converts a value given in `unit` (a table row's unit) to the base unit of `dim`, or null when unknown. */
export function toBase(value: number, unit: string, dim: Dimension): number | null {
  const f = UNITS[dim][unit];
  return f === undefined ? null : value * f;
}

/** Which dimension a unit string belongs to (first match), or null. */
export function dimensionOf(unit: string): Dimension | null {
  for (const d of Object.keys(UNITS) as Dimension[]) if (UNITS[d][unit] !== undefined) return d;
  return null;
}

/** Regex used in the JSON Schema so editors flag a quantity without a unit. */
export const QUANTITY_PATTERN = '^\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*[^\\s\\d].*$';
