/**
 * The sweep report (`archsim report results.jsonl --out DIR`): Pareto fronts (energy per image
 * vs accuracy; area vs latency), ADC design vs split design along each varied key, and a
 * sortable table of every point. One self-contained HTML file with inline SVG charts.
 */
import { readResults, type ResultLine } from '../sweep/store.ts';
import { writeDirAtomic } from '../util/fsx.ts';
import { toCsv } from './csv.ts';
import { escapeHtml, htmlTable, page, renderSvg, type VlSpec } from './html.ts';

interface Row {
  index: number;
  model: string;
  design: string;
  params: string;
  accuracy: number | null;
  energyNj: number;
  areaMm2: number;
  latencyNs: number;
  throughputIps: number;
  adcCount: number;
  pareto: boolean;
  [k: string]: unknown;
}

/** Points not dominated in (minimise x, maximise y) — or minimise both when yMin. */
export function paretoFlags(pts: { x: number; y: number }[], yMin: boolean): boolean[] {
  return pts.map((p, i) =>
    !pts.some((q, j) => {
      if (j === i) return false;
      const yBetterEq = yMin ? q.y <= p.y : q.y >= p.y;
      const yBetter = yMin ? q.y < p.y : q.y > p.y;
      return q.x <= p.x && yBetterEq && (q.x < p.x || yBetter);
    }),
  );
}

/** Vega reads dots in field names as nested paths: params become flat keys. */
export function safeKey(k: string): string {
  return `p_${k.replace(/[^\w]/g, '_')}`;
}

export function sweepRows(lines: ResultLine[]): Row[] {
  const rows: Row[] = [];
  for (const l of lines) {
    const designs = (l.designs ?? {}) as Record<string, Record<string, any>>;
    for (const [design, d] of Object.entries(designs)) {
      if (!d.ok) continue;
      const params = l.params as Record<string, unknown>;
      const row: Row = {
        index: l.index,
        model: String(l.model),
        design: design === 'adc' ? 'ADC design' : 'split design',
        params: Object.entries(params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
        accuracy: d.accuracy,
        energyNj: d.energyPj * 1e-3,
        areaMm2: d.areaUm2 * 1e-6,
        latencyNs: d.latencyNs,
        throughputIps: d.throughputIps,
        adcCount: d.adcCount,
        pareto: false,
      };
      for (const [k, v] of Object.entries(params)) row[safeKey(k)] = v;
      rows.push(row);
    }
  }
  return rows;
}

export async function sweepReportHtml(file: string, lines: ResultLine[]): Promise<string> {
  const rows = sweepRows(lines);
  const withAcc = rows.filter((r) => r.accuracy !== null);
  const pe = paretoFlags(withAcc.map((r) => ({ x: r.energyNj, y: r.accuracy! })), false);
  const pa = paretoFlags(rows.map((r) => ({ x: r.areaMm2, y: r.latencyNs })), true);
  const energyAcc = withAcc.map((r, i) => ({ ...r, pareto: pe[i] }));
  const areaLat = rows.map((r, i) => ({ ...r, pareto: pa[i] }));
  const scatter = (values: Row[], x: string, y: string, xt: string, yt: string, title: string): VlSpec => ({
    title,
    width: 420,
    height: 280,
    data: { values },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 60, opacity: 0.75 },
        encoding: {
          x: { field: x, type: 'quantitative', title: xt, scale: { zero: false } },
          y: { field: y, type: 'quantitative', title: yt, scale: { zero: false } },
          color: { field: 'design', type: 'nominal', title: null },
          shape: { field: 'pareto', type: 'nominal', title: 'Pareto' },
          tooltip: [{ field: 'params' }, { field: 'model' }, { field: x }, { field: y }],
        },
      },
      {
        transform: [{ filter: 'datum.pareto' }],
        mark: { type: 'line', strokeDash: [4, 3], color: '#444' },
        encoding: { x: { field: x, type: 'quantitative' }, y: { field: y, type: 'quantitative' }, order: { field: x } },
      },
    ],
  });
  const charts: string[] = [];
  if (energyAcc.length) charts.push(await renderSvg(scatter(energyAcc, 'energyNj', 'accuracy', 'energy per image (nJ)', 'accuracy', 'Energy per image vs accuracy')));
  if (areaLat.length) charts.push(await renderSvg(scatter(areaLat, 'areaMm2', 'latencyNs', 'area (mm²)', 'latency per image (ns)', 'Area vs latency')));
  const keys = [...new Set(lines.flatMap((l) => Object.keys((l.params ?? {}) as object)))];
  for (const k of keys) {
    const f = safeKey(k);
    const numeric = rows.every((r) => typeof r[f] === 'number');
    if (!numeric) continue;
    for (const [field, title] of [
      ['energyNj', 'energy per image (nJ)'],
      ['areaMm2', 'area (mm²)'],
    ] as const) {
      charts.push(
        await renderSvg({
          title: `ADC vs split design: ${title.split(' (')[0]} by ${k}`,
          width: 420,
          height: 240,
          data: { values: rows },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: f, type: 'quantitative', title: k, scale: { zero: false } },
            y: { field, type: 'quantitative', title, aggregate: 'min' },
            color: { field: 'design', type: 'nominal', title: null },
          },
        }),
      );
    }
  }
  const infeasible = lines.filter((l) => !l.ok).length;
  const table = htmlTable(
    ['#', 'model', 'design', 'parameters', 'accuracy %', 'energy nJ', 'area mm²', 'latency ns', 'img/s', 'ADCs'],
    rows.map((r) => [r.index, r.model, r.design, r.params, r.accuracy === null ? '' : +(100 * r.accuracy).toFixed(2), r.energyNj, r.areaMm2, r.latencyNs, r.throughputIps, r.adcCount]),
  );
  const body = `
<h1>archsim sweep — ${escapeHtml(file)}</h1>
<p class="note">${lines.length} points (${infeasible} infeasible), ${rows.length} feasible designs. Click a column to sort.</p>
<div class="charts">${charts.map((c) => `<div class="chart">${c}</div>`).join('\n')}</div>
<h2>All points</h2>
${table}
`;
  return page(`archsim sweep — ${file}`, body);
}

export async function writeSweepReport(results: string, dir: string, opts: { force?: boolean } = {}): Promise<string[]> {
  const lines = readResults(results);
  const rows = sweepRows(lines);
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return writeDirAtomic(dir, { 'report.html': await sweepReportHtml(results, lines), 'points.csv': toCsv(keys, rows.map((r) => keys.map((k) => r[k]))) }, { force: opts.force });
}
