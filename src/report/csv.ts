/** CSV output: one row per design x layer x energy component (RFC 4180 quoting). */
import type { RunReport } from './types.ts';

export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

export function layersCsv(r: RunReport): string {
  const rows: unknown[][] = [];
  for (const d of [r.designs.adc, r.designs.split]) {
    if (!d || !d.ok) continue;
    for (const l of d.layers) {
      for (const [component, e] of Object.entries(l.energyBreakdownPj)) {
        rows.push([d.design, l.index, l.name, l.kind, l.unit, l.groups, l.arrays, l.tiles, l.rowUtilisation, l.columnUtilisation, l.latencyNs, component, e]);
      }
    }
  }
  return toCsv(['design', 'layer', 'name', 'kind', 'unit', 'groups', 'arrays', 'tiles', 'row_utilisation', 'column_utilisation', 'layer_latency_ns', 'component', 'energy_pj_per_image'], rows);
}
