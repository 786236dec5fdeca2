/**
 * The public entry of the chip model: evaluate one design (ADC or split) of a model on a chip.
 * Maps the model, runs the timing simulation (an isolated image for latency and the per-layer
 * critical path, then a stream of images for steady-state throughput, utilisation and traffic), and
 * the cost model over the functional pass's activity counts. Returns one typed result object per
 * design; a model that does not fit is `{ok: false, reason}`.
 */
import type { ArchSpec } from '../arch/spec.ts';
import { loadArchFromJson, setByPath } from '../arch/load.ts';
import type { ResolvedTechEntry } from '../arch/tech.ts';
import type { LayerActivity, Readout } from '../func/types.ts';
import type { Model } from '../model/types.ts';
import { mapModel, mappingReport } from '../map/place.ts';
import type { Design } from '../map/types.ts';
import { costDesign, tilePeak, type Breakdown } from '../cost/model.ts';
import { TableLookup } from '../cost/table.ts';
import { simulateChip } from './chip.ts';
import type { ComponentTiming, LayerTiming, TimingOptions, TrafficPerImage } from './types.ts';

export interface EvaluateInput {
  arch: ArchSpec;
  model: Model;
  design: Design;
  /** activity counts of the functional pass with `readoutFor(arch, design)`, summed over `images` images */
  activity: LayerActivity[];
  /** images the activity counts cover */
  images: number;
  /** override the arch file's ADC resolution or ADC model (tech-table name) */
  adc?: { bits?: number; model?: string };
  /** timing stream options (images in the stream, default 8) */
  timing?: Omit<TimingOptions, 'trace'>;
  /** attach a Chrome/Perfetto trace (traceEvents) of the stream run */
  trace?: boolean;
}

export interface DesignLayerRow {
  layer: number;
  name: string;
  unit: 'crossbar' | 'digital' | 'shared';
  readout: 'adc' | 'sense' | 'none';
  groups: number;
  rowBlocks: number;
  colBlocks: number;
  replicas: number;
  arrays: number;
  tiles: number;
  rowUtilisation: number;
  colUtilisation: number;
  energyPj: number;
  energyBreakdownPj: Breakdown;
  opsPerImage: number;
  /** isolated image: first input, first issue, last done (ns) and the bottleneck stage per image */
  timing: LayerTiming | null;
}

interface DesignCommon {
  design: Design;
  arch: string;
  model: string;
  /** the read-out the functional pass must use for this design */
  readout: Readout;
}

export interface DesignFail extends DesignCommon {
  ok: false;
  reason: string;
  mapping: Record<string, unknown>;
}

export interface DesignOk extends DesignCommon {
  ok: true;
  mapping: Record<string, unknown>;
  /** isolated image, injection to result */
  latencyNs: number;
  /** mean over the stream (includes queueing behind earlier images) */
  meanLatencyNs: number;
  throughputIps: number;
  /** per image in steady state: dynamic + leakage / throughput */
  energyPj: number;
  dynamicEnergyPj: number;
  leakageEnergyPj: number;
  energyBreakdownPj: Breakdown;
  areaUm2: number;
  areaMm2: number;
  areaBreakdownUm2: Breakdown;
  adcCount: number;
  adcBits: number | null;
  adcModel: string | null;
  adcEnergyShare: number;
  adcAreaShare: number;
  senseAmpCount: number;
  /** what replaced the ADCs (split design): sense amps + references + majority units */
  replacement: { kinds: string[]; energyPj: number; areaUm2: number; energyShare: number; areaShare: number } | null;
  /** ops per image: 2 per bit-MAC on crossbars (+ 2 per MAC on the digital unit) */
  opsPerImage: number;
  crossbarOpsPerImage: number;
  topsPerW: number;
  topsPerMm2: number;
  /** totals without the digital first/last-layer unit (its energy and area removed; crossbar ops only) */
  withoutDigital: { energyPj: number; areaUm2: number; topsPerW: number; topsPerMm2: number };
  /** full-activity tile power and tile area (ISAAC-style), mW and um^2 */
  tilePeakMw: number;
  tileAreaUm2: number;
  layers: DesignLayerRow[];
  timing: { images: number; events: number; makespanNs: number; bottleneck: string; bottleneckBusyNsPerImage: number; measuredThroughputIps: number; components: ComponentTiming[]; traffic: TrafficPerImage; peakBufferBits: number; peakGlobalBufferBits: number };
  techTable: ResolvedTechEntry[];
  trace?: { traceEvents: Record<string, unknown>[]; displayTimeUnit: 'ns' };
}

export type DesignResult = DesignOk | DesignFail;

/** The functional pass's read-out for a design on this chip (so both agree on R and b). */
export function readoutFor(arch: ArchSpec, design: Design, adcBits?: number): Readout {
  if (design === 'split') return { kind: 'sense' };
  return { kind: 'adc', rows: arch.tile.array.rows, bits: adcBits ?? arch.tile.readout.adc.bits };
}

function withAdc(arch: ArchSpec, adc: EvaluateInput['adc']): ArchSpec {
  if (!adc || (adc.bits === undefined && adc.model === undefined)) return arch;
  const j = structuredClone(arch.json) as Record<string, unknown>;
  if (adc.bits !== undefined) setByPath(j, 'tile.readout.adc.bits', adc.bits);
  if (adc.model !== undefined) setByPath(j, 'tile.readout.adc.model', adc.model);
  return loadArchFromJson(j, arch.file, { tech: arch.tech });
}

export function evaluateDesign(input: EvaluateInput): DesignResult {
  const arch = withAdc(input.arch, input.adc);
  const { model, design } = input;
  const adcBits = arch.tile.readout.adc.bits;
  const readout = readoutFor(arch, design, adcBits);
  const mapping = mapModel(arch, model, design, { adcBits });
  const common = { design, arch: arch.name, model: model.name, readout };
  if (!mapping.ok) return { ...common, ok: false, reason: mapping.reason, mapping: mappingReport(mapping) };
  // the activity must come from the same read-out
  for (const pl of mapping.layers) {
    const a = input.activity.find((x) => x.layer === pl.layer);
    if (!a) throw new Error(`evaluateDesign: activity has no entry for layer ${pl.layer}`);
    if (pl.role === 'binary' && a.vectors > 0 && a.blocksPerVector !== pl.rowBlocks) {
      throw new Error(`evaluateDesign: layer ${pl.layer} activity has ${a.blocksPerVector} blocks per vector, the ${design} mapping has ${pl.rowBlocks}: run the functional pass with readoutFor(arch, '${design}')`);
    }
  }
  const single = simulateChip(arch, mapping, { ...input.timing, images: 1 });
  const stream = simulateChip(arch, mapping, { images: 8, ...input.timing, trace: input.trace });
  const tab = new TableLookup(arch.tech);
  const cost = costDesign(arch, mapping, input.activity, input.images, stream, tab, adcBits);
  const peak = tilePeak(arch, design, tab);
  const E = cost.energyPj;
  const Aum = cost.areaUm2;
  const digE = cost.energyBreakdownPj.digitalUnit ?? 0;
  const digA = cost.areaBreakdownUm2.digitalUnit ?? 0;
  const tput = stream.throughputIps;
  const repl = ['senseAmp', 'reference', 'majority'];
  const replE = repl.reduce((s, k) => s + (cost.energyBreakdownPj[k] ?? 0), 0);
  const replA = repl.reduce((s, k) => s + (cost.areaBreakdownUm2[k] ?? 0), 0);
  const layers: DesignLayerRow[] = cost.layers.map((lc) => {
    const pl = mapping.layers.find((l) => l.layer === lc.layer);
    return {
      layer: lc.layer,
      name: lc.name,
      unit: lc.unit,
      readout: pl?.readout ?? 'none',
      groups: pl?.groups ?? 0,
      rowBlocks: pl?.rowBlocks ?? 0,
      colBlocks: pl?.colBlocks ?? 0,
      replicas: pl?.replicas ?? 0,
      arrays: pl?.arrays ?? 0,
      tiles: pl?.tiles.length ?? 0,
      rowUtilisation: pl?.rowUtilisation ?? 0,
      colUtilisation: pl?.colUtilisation ?? 0,
      energyPj: lc.energyPj,
      energyBreakdownPj: lc.energyBreakdownPj,
      opsPerImage: lc.ops,
      timing: single.layers.find((t) => t.layer === lc.layer) ?? null,
    };
  });
  const res: DesignOk = {
    ...common,
    ok: true,
    mapping: mappingReport(mapping),
    latencyNs: single.latencyNs,
    meanLatencyNs: stream.meanLatencyNs,
    throughputIps: tput,
    energyPj: E,
    dynamicEnergyPj: cost.dynamicPj,
    leakageEnergyPj: cost.leakagePj,
    energyBreakdownPj: cost.energyBreakdownPj,
    areaUm2: Aum,
    areaMm2: Aum / 1e6,
    areaBreakdownUm2: cost.areaBreakdownUm2,
    adcCount: cost.adcCount,
    adcBits: cost.adcCount ? adcBits : null,
    adcModel: cost.adcCount ? arch.tile.readout.adc.model : null,
    adcEnergyShare: E > 0 ? (cost.energyBreakdownPj.adc ?? 0) / E : 0,
    adcAreaShare: Aum > 0 ? (cost.areaBreakdownUm2.adc ?? 0) / Aum : 0,
    senseAmpCount: cost.senseAmpCount,
    replacement: design === 'split' ? { kinds: repl, energyPj: replE, areaUm2: replA, energyShare: replE / E, areaShare: replA / Aum } : null,
    opsPerImage: cost.totalOps,
    crossbarOpsPerImage: cost.crossbarOps,
    topsPerW: cost.totalOps / E,
    topsPerMm2: (cost.totalOps * tput) / 1e12 / (Aum / 1e6),
    withoutDigital: {
      energyPj: E - digE,
      areaUm2: Aum - digA,
      topsPerW: cost.crossbarOps / (E - digE),
      topsPerMm2: (cost.crossbarOps * tput) / 1e12 / ((Aum - digA) / 1e6),
    },
    tilePeakMw: peak.totalMw,
    tileAreaUm2: peak.totalUm2,
    layers,
    timing: { images: stream.images, events: stream.events + single.events, makespanNs: stream.makespanNs, bottleneck: stream.bottleneck, bottleneckBusyNsPerImage: stream.bottleneckBusyNsPerImage, measuredThroughputIps: stream.measuredThroughputIps, components: stream.components, traffic: stream.traffic, peakBufferBits: stream.peakBufferBits, peakGlobalBufferBits: stream.peakGlobalBufferBits },
    techTable: tab.entries(),
  };
  if (stream.trace) res.trace = stream.trace;
  return res;
}
