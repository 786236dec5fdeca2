/**
 * The run report: the one JSON document a run produces (`--json`, `report.json`). The terminal
 * table, the CSV and the HTML report are drawn from it and nothing else.
 */

export const REPORT_FORMAT = 'archsim-report';
export const REPORT_VERSION = 1;

export interface LayerReport {
  index: number;
  name: string;
  kind: string;
  /** where it runs: 'crossbar' or 'digital' */
  unit: string;
  groups: number;
  arrays: number;
  tiles: number;
  rowUtilisation: number;
  columnUtilisation: number;
  latencyNs: number;
  energyPj: number;
  energyBreakdownPj: Record<string, number>;
}

export interface DesignReport {
  design: 'adc' | 'split';
  ok: boolean;
  reason?: string;
  model: { file: string; name: string };
  readout: Record<string, unknown>;
  accuracy: number | null;
  predictionsDigest: string;
  latencyNs: number;
  throughputIps: number;
  /** energy per image in steady state, pJ */
  energyPj: number;
  areaUm2: number;
  adcCount: number;
  adcEnergyShare: number;
  adcAreaShare: number;
  topsPerW: number;
  topsPerMm2: number;
  energyBreakdownPj: Record<string, number>;
  areaBreakdownUm2: Record<string, number>;
  /** totals without the digital unit running the first and last layers */
  energyWithoutDigitalPj: number;
  areaWithoutDigitalUm2: number;
  layers: LayerReport[];
  [k: string]: unknown;
}

export interface RunReport {
  format: typeof REPORT_FORMAT;
  version: typeof REPORT_VERSION;
  archsimVersion: string;
  arch: { name: string; file: string };
  model: { file: string; name: string; dataset: string; arraySize: number | null; baseline: string | null };
  images: number;
  input: string;
  seed: number;
  backend: string;
  wallMs: number;
  /** split / ADC */
  ratios: { energy: number | null; latency: number | null; throughput: number | null; area: number | null; accuracyDelta: number | null };
  designs: { adc?: DesignReport; split?: DesignReport };
  /** the resolved energy/area table: one row per component and action, with its source */
  techTable: Record<string, unknown>[];
}
