/**
 * Self-contained HTML reports: charts are Vega-Lite specs compiled and rendered to SVG in Node
 * (vega's headless View), inlined in the page, so the file opens offline with no scripts to
 * load. A small inline script makes tables sortable.
 */
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { RunReport } from './types.ts';
import { renderTable } from './table.ts';

export type VlSpec = Record<string, unknown>;

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';

/** Renders one Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: VlSpec): Promise<string> {
  const compiled = vl.compile({ config: { font: FONT, view: { stroke: null } }, ...spec } as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const PAGE_CSS = `
body{font-family:${FONT};margin:2rem auto;max-width:1100px;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
pre{background:#f6f6f8;padding:1rem;overflow-x:auto;font-size:.85rem;line-height:1.35}
table{border-collapse:collapse;font-size:.85rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #eee;text-align:right}
th{cursor:pointer;background:#fafafa;position:sticky;top:0}td:first-child,th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}.chart{flex:1 1 480px}.note{color:#666;font-size:.85rem}
`;

export const SORT_SCRIPT = `
document.querySelectorAll('table.sortable th').forEach((th, i) => th.addEventListener('click', () => {
  const tb = th.closest('table').tBodies[0];
  const dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  const key = (r) => { const t = r.cells[i].dataset.v ?? r.cells[i].textContent; const n = Number(t); return Number.isNaN(n) ? t : n; };
  [...tb.rows].sort((a, b) => { const x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * dir; }).forEach((r) => tb.appendChild(r));
}));
`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${PAGE_CSS}</style></head>
<body>
${body}
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}

export function htmlTable(columns: string[], rows: (string | number)[][], sortable = true): string {
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((v) => (typeof v === 'number' ? `<td data-v="${v}">${escapeHtml(fmtNum(v))}</td>` : `<td>${escapeHtml(v)}</td>`)).join('')}</tr>`)
    .join('\n');
  return `<table class="${sortable ? 'sortable' : ''}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function fmtNum(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return v.toPrecision(4);
}

function breakdownRows(r: RunReport, key: 'energyBreakdownPj' | 'areaBreakdownUm2', scale: number) {
  const rows: { design: string; component: string; value: number }[] = [];
  for (const d of [r.designs.adc, r.designs.split]) {
    if (!d || !d.ok) continue;
    for (const [component, v] of Object.entries(d[key])) rows.push({ design: d.design === 'adc' ? 'ADC design' : 'split design', component, value: v * scale });
  }
  return rows;
}

export async function runReportHtml(r: RunReport): Promise<string> {
  const charts: string[] = [];
  const energy = breakdownRows(r, 'energyBreakdownPj', 1e-3);
  const area = breakdownRows(r, 'areaBreakdownUm2', 1e-6);
  const stacked = (values: unknown[], title: string, unit: string): VlSpec => ({
    title,
    width: 380,
    height: 220,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'design', type: 'nominal', title: null, axis: { labelAngle: 0 } },
      y: { field: 'value', type: 'quantitative', title: unit, aggregate: 'sum' },
      color: { field: 'component', type: 'nominal', title: 'component', scale: { scheme: 'tableau20' } },
      tooltip: [{ field: 'component' }, { field: 'value', format: '.4g' }],
    },
  });
  charts.push(await renderSvg(stacked(energy, 'Energy per image by component', 'nJ per image')));
  charts.push(await renderSvg(stacked(area, 'Area by component', 'mm²')));
  const layerRows: { design: string; layer: string; latencyNs: number; energyNj: number; order: number }[] = [];
  for (const d of [r.designs.adc, r.designs.split]) {
    if (!d || !d.ok) continue;
    for (const l of d.layers) layerRows.push({ design: d.design === 'adc' ? 'ADC design' : 'split design', layer: `${l.index}: ${l.name}`, latencyNs: l.latencyNs, energyNj: l.energyPj * 1e-3, order: l.index });
  }
  const perLayer = (field: string, title: string, unit: string): VlSpec => ({
    title,
    width: 380,
    height: 220,
    data: { values: layerRows },
    mark: 'bar',
    encoding: {
      x: { field: 'layer', type: 'ordinal', title: null, sort: { field: 'order' }, axis: { labelAngle: -30 } },
      xOffset: { field: 'design' },
      y: { field, type: 'quantitative', title: unit },
      color: { field: 'design', type: 'nominal', title: null },
    },
  });
  charts.push(await renderSvg(perLayer('latencyNs', 'Latency per layer (one image)', 'ns')));
  charts.push(await renderSvg(perLayer('energyNj', 'Energy per layer (one image)', 'nJ')));

  const mapping: (string | number)[][] = [];
  for (const d of [r.designs.adc, r.designs.split]) {
    if (!d || !d.ok) continue;
    for (const l of d.layers)
      mapping.push([d.design, l.index, l.name, l.unit, l.groups, l.arrays, l.tiles, +(100 * l.rowUtilisation).toFixed(1), +(100 * l.columnUtilisation).toFixed(1), l.latencyNs, l.energyPj]);
  }
  const infeasible = [r.designs.adc, r.designs.split]
    .filter((d) => d && !d.ok)
    .map((d) => `<p><b>${d!.design} design does not fit:</b> ${escapeHtml(d!.reason ?? '')}</p>`)
    .join('');
  const body = `
<h1>archsim report — ${escapeHtml(r.model.name)} on ${escapeHtml(r.arch.name)}</h1>
<p class="note">${r.images} ${escapeHtml(r.model.dataset)} images (${escapeHtml(r.input)}), backend ${escapeHtml(r.backend)}, archsim ${escapeHtml(r.archsimVersion)}. Ratios are split ÷ ADC.</p>
<pre>${escapeHtml(renderTable(r))}</pre>
${infeasible}
<h2>Breakdowns</h2>
<div class="charts">${charts.map((c) => `<div class="chart">${c}</div>`).join('\n')}</div>
<h2>Mapping</h2>
${htmlTable(['design', 'layer', 'name', 'unit', 'groups', 'arrays', 'tiles', 'row util %', 'col util %', 'latency ns', 'energy pJ'], mapping)}
<h2>Technology table used</h2>
${htmlTable(
  r.techTable.length ? Object.keys(r.techTable[0]!) : [],
  r.techTable.map((row) => Object.values(row).map((v) => (typeof v === 'number' ? v : String(v ?? '')))),
)}
`;
  return page(`archsim — ${r.model.name}`, body);
}
