/**
 * The terminal table: ADC design, split design and split ÷ ADC side by side, then a one-line
 * verdict. Plain text with no control characters unless colour is asked for (a TTY without CI).
 */
import type { DesignReport, RunReport } from './types.ts';

const PREFIXES: [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1, ''],
  [1e-3, 'm'],
  [1e-6, 'µ'],
  [1e-9, 'n'],
  [1e-12, 'p'],
  [1e-15, 'f'],
];

/** 3 significant digits with an SI prefix: si(1.234e-6, 's') = "1.23 µs" */
export function si(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '—';
  if (v === 0) return `0 ${unit}`;
  const a = Math.abs(v);
  for (const [scale, p] of PREFIXES) {
    if (a >= scale * 0.9995) return `${(v / scale).toPrecision(3)} ${p}${unit}`;
  }
  return `${v.toExponential(2)} ${unit}`;
}

/** area in mm² with 3 significant digits (areas are read in mm², never with a prefix) */
export function mm2(um2: number): string {
  const v = um2 * 1e-6;
  return `${v >= 1000 ? v.toFixed(0) : v.toPrecision(3)} mm²`;
}

export function pct(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(100 * v).toFixed(digits)} %`;
}

export function ratio(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v >= 100 ? `${v.toFixed(0)}x` : v >= 10 ? `${v.toFixed(1)}x` : `${v.toFixed(2)}x`;
}

interface Row {
  label: string;
  adc: string;
  split: string;
  ratio: string;
}

function cell(d: DesignReport | undefined, f: (d: DesignReport) => string): string {
  if (!d) return '';
  if (!d.ok) return 'does not fit';
  return f(d);
}

export function reportRows(r: RunReport): Row[] {
  const { adc, split } = r.designs;
  const both = adc?.ok && split?.ok;
  const acc = (d: DesignReport) => pct(d.accuracy);
  const rows: Row[] = [
    {
      label: 'accuracy',
      adc: cell(adc, acc),
      split: cell(split, acc),
      ratio: both && r.ratios.accuracyDelta !== null ? `${r.ratios.accuracyDelta >= 0 ? '+' : ''}${(100 * r.ratios.accuracyDelta).toFixed(2)} pt` : '',
    },
    { label: 'latency / image', adc: cell(adc, (d) => si(d.latencyNs * 1e-9, 's')), split: cell(split, (d) => si(d.latencyNs * 1e-9, 's')), ratio: both ? ratio(r.ratios.latency) : '' },
    { label: 'throughput', adc: cell(adc, (d) => si(d.throughputIps, 'img/s')), split: cell(split, (d) => si(d.throughputIps, 'img/s')), ratio: both ? ratio(r.ratios.throughput) : '' },
    { label: 'energy / image', adc: cell(adc, (d) => si(d.energyPj * 1e-12, 'J')), split: cell(split, (d) => si(d.energyPj * 1e-12, 'J')), ratio: both ? ratio(r.ratios.energy) : '' },
    { label: '  ADC share', adc: cell(adc, (d) => pct(d.adcEnergyShare, 1)), split: cell(split, (d) => pct(d.adcEnergyShare, 1)), ratio: '' },
    {
      label: '  w/o digital unit',
      adc: cell(adc, (d) => si(d.energyWithoutDigitalPj * 1e-12, 'J')),
      split: cell(split, (d) => si(d.energyWithoutDigitalPj * 1e-12, 'J')),
      ratio: both ? ratio(split!.energyWithoutDigitalPj / adc!.energyWithoutDigitalPj) : '',
    },
    { label: 'area', adc: cell(adc, (d) => mm2(d.areaUm2)), split: cell(split, (d) => mm2(d.areaUm2)), ratio: both ? ratio(r.ratios.area) : '' },
    { label: '  ADC share', adc: cell(adc, (d) => pct(d.adcAreaShare, 1)), split: cell(split, (d) => pct(d.adcAreaShare, 1)), ratio: '' },
    {
      label: '  w/o digital unit',
      adc: cell(adc, (d) => mm2(d.areaWithoutDigitalUm2)),
      split: cell(split, (d) => mm2(d.areaWithoutDigitalUm2)),
      ratio: both ? ratio(split!.areaWithoutDigitalUm2 / adc!.areaWithoutDigitalUm2) : '',
    },
    { label: 'TOPS/W', adc: cell(adc, (d) => d.topsPerW.toPrecision(3)), split: cell(split, (d) => d.topsPerW.toPrecision(3)), ratio: both ? ratio(split!.topsPerW / adc!.topsPerW) : '' },
    { label: 'ADCs', adc: cell(adc, (d) => String(d.adcCount)), split: cell(split, (d) => String(d.adcCount)), ratio: '' },
  ];
  return rows;
}

export function verdict(r: RunReport): string {
  const { adc, split } = r.designs;
  if (adc && split && adc.ok && split.ok) {
    const dAcc = r.ratios.accuracyDelta;
    const accText = dAcc === null ? '' : ` at ${dAcc >= 0 ? '+' : ''}${(100 * dAcc).toFixed(2)} pt accuracy`;
    return `verdict: without ADCs the chip uses ${ratio(r.ratios.energy)} the energy per image, ${ratio(r.ratios.area)} the area and ${ratio(r.ratios.latency)} the latency${accText}`;
  }
  const bad = [adc, split].filter((d) => d && !d.ok) as DesignReport[];
  return bad.map((d) => `${d.design} design: does not fit: ${d.reason}`).join('\n');
}

export function renderTable(r: RunReport): string {
  const rows = reportRows(r);
  const showAdc = !!r.designs.adc;
  const showSplit = !!r.designs.split;
  const head: Row = { label: '', adc: 'ADC design', split: 'split design', ratio: 'split ÷ ADC' };
  const all = [head, ...rows];
  const w = (k: keyof Row) => Math.max(...all.map((x) => [...x[k]].length));
  const wl = w('label');
  const wa = w('adc');
  const ws = w('split');
  const pad = (s: string, n: number, left = false) => (left ? s + ' '.repeat(n - [...s].length) : ' '.repeat(n - [...s].length) + s);
  const line = (x: Row) => {
    let s = pad(x.label, wl, true);
    if (showAdc) s += '   ' + pad(x.adc, wa);
    if (showSplit) s += '   ' + pad(x.split, ws);
    if (showAdc && showSplit) s += '   ' + pad(x.ratio, w('ratio'));
    return s.trimEnd();
  };
  const out: string[] = [];
  const m = r.model;
  out.push(`archsim ${r.archsimVersion} — ${r.arch.name} — ${m.name}${m.baseline ? ` (baseline ${m.baseline})` : ''} — ${r.images} ${m.dataset} images`);
  out.push('');
  for (const x of all) out.push(line(x));
  out.push('');
  out.push(verdict(r));
  out.push(`backend: ${r.backend}; wall time ${(r.wallMs / 1000).toFixed(2)} s`);
  return out.join('\n') + '\n';
}
