/**
 * The cost model: pure arithmetic over counts and the technology table.
 *
 * Energy per image = sum over components of actions x energy per action (data-dependent actions
 * from the functional pass's activity counts; traffic from the timing pass) + leakage power /
 * throughput (NUMERICS.md). Area = component counts x area per unit. Everything is broken down per
 * component kind and per layer; the parts sum to the totals (tested).
 *
 * Component kinds: array (cells), wordlineDriver, sampleHold, columnMux, adc, senseAmp, reference,
 * shiftAdd, majority, thresholdPool, tileBuffer, router, globalBuffer, offChip, digitalUnit, and the
 * arch file's per-tile extras by name.
 */
import type { ArchSpec } from '../arch/spec.ts';
import { CELL_ENCODINGS, READOUTS, THRESHOLD_REALISATIONS, INTERCONNECTS } from '../arch/roles/index.ts';
import type { LayerActivity } from '../func/types.ts';
import type { MappingOk, Design } from '../map/types.ts';
import type { TimingResult } from '../sim/types.ts';
import { TableLookup } from './table.ts';

export type Breakdown = Record<string, number>;

export interface LayerCost {
  layer: number;
  name: string;
  unit: 'crossbar' | 'digital' | 'shared';
  energyPj: number;
  energyBreakdownPj: Breakdown;
  /** binary ops per image of this layer (2 per bit-MAC; digital layers: 2 per MAC) */
  ops: number;
}

export interface CostResult {
  energyPj: number;
  dynamicPj: number;
  leakagePj: number;
  energyBreakdownPj: Breakdown;
  areaUm2: number;
  areaBreakdownUm2: Breakdown;
  layers: LayerCost[];
  adcCount: number;
  senseAmpCount: number;
  /** crossbar ops per image (2 per bit-MAC, NUMERICS.md) */
  crossbarOps: number;
  /** all ops per image incl. the digital unit's MACs */
  totalOps: number;
  leakageMw: number;
}

function add(b: Breakdown, k: string, v: number): void {
  if (v !== 0) b[k] = (b[k] ?? 0) + v;
}

/** Counts of each component kind on the chip for a design, with area per unit and leakage per unit. */
export interface ChipInventory {
  items: { kind: string; count: number; areaUm2: number; leakageMw: number }[];
}

export function inventory(arch: ArchSpec, mapping: MappingOk | null, design: Design, tab: TableLookup, adcBits: number): ChipInventory {
  const T = arch.tile;
  const A = T.array;
  const nArrays = arch.chip.tiles * T.arrays;
  // arrays whose read-out is an ADC: all in the ADC design; only the first/last layers placed on crossbars in the split design
  const adcArrays = design === 'adc' ? nArrays : (mapping?.layers.filter((l) => l.unit === 'crossbar' && l.readout === 'adc').reduce((s, l) => s + l.arrays, 0) ?? 0);
  const senseArrays = nArrays - adcArrays;
  const adcSpec = T.readout.adc;
  const adcPerArray = READOUTS[adcSpec.impl].unitsPerArray(A.cols, adcSpec.columnsPerAdc);
  const saPerArray = READOUTS['sense-amp'].unitsPerArray(A.cols, T.readout.sense.columnsPerSenseAmp);
  const thr = THRESHOLD_REALISATIONS[A.threshold.impl];
  const items: ChipInventory['items'] = [];
  const push = (kind: string, count: number, comp: string, areaOpt = false, leakComp = comp) => {
    if (count === 0) return;
    items.push({ kind, count, areaUm2: tab.get(comp, 'area', areaOpt), leakageMw: tab.get(leakComp, 'leakage', true) });
  };
  push('array', nArrays * A.physicalRows * A.physicalCols, 'cell');
  push('wordlineDriver', nArrays * A.physicalRows, 'wordlineDriver');
  if (adcArrays) {
    const f = tab.adc(adcSpec.model, adcSpec.impl, adcBits);
    items.push({ kind: 'adc', count: adcArrays * adcPerArray, areaUm2: f.areaUm2, leakageMw: f.leakageMw });
    if (adcSpec.sampleHold) push('sampleHold', adcArrays * A.cols, 'sampleHold');
    push('columnMux', adcArrays * adcPerArray, 'columnMux');
    push('shiftAdd', arch.chip.tiles * T.shiftAdd.lanes, 'shiftAdd');
  }
  if (senseArrays) {
    push('senseAmp', senseArrays * saPerArray, 'senseAmp');
    if (thr.referencePerColumn) push('reference', senseArrays * A.cols, 'reference');
    push('majority', arch.chip.tiles * T.majority.lanes, 'majority');
  }
  push('thresholdPool', arch.chip.tiles * T.thresholdPool.lanes, 'thresholdPool');
  push('tileBuffer', arch.chip.tiles * T.buffer.capacityBits, T.buffer.impl);
  const ic = arch.chip.interconnect;
  const topo = INTERCONNECTS[ic.impl]({ impl: ic.impl, width: ic.width, height: ic.height, tiles: arch.chip.tiles });
  push('router', ic.impl === 'mesh' ? arch.chip.tiles / T.router.sharedBy : topo.routers, 'router');
  push('globalBuffer', arch.chip.globalBuffer.capacityBits, arch.chip.globalBuffer.impl);
  push('digitalUnit', arch.chip.digitalUnit.macsPerCycle, 'digitalUnit');
  for (const e of T.extras) push(e.component, arch.chip.tiles * e.count, e.component);
  return { items };
}

/**
 * Energy and area of one design. `activity` covers `images` images (sums, as the functional pass
 * returns them); `timing` supplies traffic per image and the throughput for leakage.
 */
export function costDesign(arch: ArchSpec, mapping: MappingOk, activity: LayerActivity[], images: number, timing: TimingResult, tab: TableLookup, adcBits: number): CostResult {
  const T = arch.tile;
  const A = T.array;
  const enc = CELL_ENCODINGS[A.cellEncoding];
  const eOn = tab.get('cell', 'readOn');
  const eOff = tab.get('cell', 'readOff');
  const inv = inventory(arch, mapping, mapping.design, tab, adcBits);
  const byLayer = new Map(activity.map((a) => [a.layer, a]));
  const layers: LayerCost[] = [];
  const total: Breakdown = {};
  let crossbarOps = 0;
  let totalOps = 0;
  const adcSpec = T.readout.adc;
  const bias = mapping.design === 'split' ? A.threshold.rows : 0;
  const perImg = (x: number) => x / images;

  for (const pl of mapping.layers) {
    const act = byLayer.get(pl.layer);
    if (!act) throw new Error(`cost model: no activity counts for layer ${pl.layer} (${pl.name})`);
    const b: Breakdown = {};
    const ops = 2 * perImg(act.macs);
    if (pl.unit === 'digital') {
      add(b, 'digitalUnit', perImg(act.macs) * tab.get('digitalUnit', 'mac'));
      totalOps += ops;
    } else {
      const passes = pl.inputPasses;
      const N = pl.neurons;
      const vectors = perImg(act.vectors);
      const conversions = pl.role === 'binary' ? perImg(act.conversions) : vectors * pl.rowBlocks * N * passes;
      // cells: binary layers exact from matches (xnor-pair); raw pixels: half LRS assumed per bit-plane
      const driven = perImg(act.macs);
      const matches = pl.role === 'input' ? driven / 2 : perImg(act.matches);
      let cellPj = enc.cellEnergyPj(driven, matches, perImg(act.activeInputs), N, eOn, eOff) * passes;
      // bias rows: driven on every read, half their cells LRS
      const reads = vectors * pl.rowBlocks * pl.colBlocks * passes;
      cellPj += reads * bias * Math.min(A.cols, N) * 0.5 * (eOn + eOff);
      add(b, 'array', cellPj);
      add(b, 'wordlineDriver', (perImg(act.drivenRows) * pl.colBlocks * passes + reads * bias) * tab.get('wordlineDriver', 'drive'));
      if (pl.readout === 'adc') {
        const f = tab.adc(adcSpec.model, adcSpec.impl, pl.outBits);
        add(b, 'adc', conversions * f.energyPj);
        if (adcSpec.sampleHold) add(b, 'sampleHold', conversions * tab.get('sampleHold', 'sample'));
        add(b, 'columnMux', conversions * tab.get('columnMux', 'switch'));
        if (pl.rowBlocks > 1 || passes > 1) add(b, 'shiftAdd', conversions * tab.get('shiftAdd', 'add'));
        add(b, 'thresholdPool', vectors * N * tab.get('thresholdPool', 'compare'));
      } else {
        add(b, 'senseAmp', conversions * tab.get('senseAmp', 'sense'));
        add(b, 'majority', perImg(act.majorityOps) * tab.get('majority', 'merge'));
        // 1-bit OR/AND pooling per (group, neuron, pooled output); the threshold itself is in the sense amp
        if (pl.pool) add(b, 'thresholdPool', perImg(act.outputs) * pl.groups * tab.get('thresholdPool', 'pool1b'));
      }
      crossbarOps += pl.role === 'binary' ? ops : 0;
      totalOps += ops;
    }
    // traffic attributed to this layer (its input delivery, partial sums, buffer reads)
    const tr = timing.layerTraffic.find((t) => t.layer === pl.layer)!;
    add(b, 'tileBuffer', tr.bufferReadBits * tab.get(T.buffer.impl, 'readBit') + tr.bufferWriteBits * tab.get(T.buffer.impl, 'writeBit'));
    add(b, 'router', tr.flitHops * tab.get('router', 'flit'));
    add(b, 'globalBuffer', tr.globalBufferReadBits * tab.get(arch.chip.globalBuffer.impl, 'readBit') + tr.globalBufferWriteBits * tab.get(arch.chip.globalBuffer.impl, 'writeBit'));
    const e = Object.values(b).reduce((s, v) => s + v, 0);
    layers.push({ layer: pl.layer, name: pl.name, unit: pl.unit, energyPj: e, energyBreakdownPj: b, ops });
    for (const [k, v] of Object.entries(b)) add(total, k, v);
  }
  // shared: image load, off-chip, leakage, extras' active power (always on: an upper bound)
  const shared: Breakdown = {};
  const load = timing.layerTraffic.find((t) => t.layer === -1)!;
  add(shared, 'globalBuffer', load.globalBufferWriteBits * tab.get(arch.chip.globalBuffer.impl, 'writeBit') + load.globalBufferReadBits * tab.get(arch.chip.globalBuffer.impl, 'readBit'));
  add(shared, 'offChip', timing.traffic.offChipBits * tab.get('offChip', 'bit'));
  const secondsPerImageNs = 1e9 / timing.throughputIps; // ns per image in steady state
  let leakMw = 0;
  let leakagePj = 0;
  for (const it of inv.items) {
    const p = it.count * it.leakageMw;
    leakMw += p;
    add(shared, it.kind, p * secondsPerImageNs); // mW x ns = pJ
    leakagePj += p * secondsPerImageNs;
  }
  for (const e of T.extras) {
    const p = arch.chip.tiles * e.count * tab.get(e.component, 'active');
    add(shared, e.component, p * secondsPerImageNs);
  }
  const se = Object.values(shared).reduce((s, v) => s + v, 0);
  layers.push({ layer: -1, name: 'shared', unit: 'shared', energyPj: se, energyBreakdownPj: shared, ops: 0 });
  for (const [k, v] of Object.entries(shared)) add(total, k, v);

  const area: Breakdown = {};
  for (const it of inv.items) add(area, it.kind, it.count * it.areaUm2);
  const energyPj = layers.reduce((s, l) => s + l.energyPj, 0);
  const areaUm2 = Object.values(area).reduce((s, v) => s + v, 0);
  return {
    energyPj,
    dynamicPj: energyPj - leakagePj,
    leakagePj,
    energyBreakdownPj: total,
    areaUm2,
    areaBreakdownUm2: area,
    layers,
    adcCount: inv.items.find((i) => i.kind === 'adc')?.count ?? 0,
    senseAmpCount: inv.items.find((i) => i.kind === 'senseAmp')?.count ?? 0,
    crossbarOps,
    totalOps,
    leakageMw: leakMw,
  };
}

/**
 * Peak power of one tile at full activity (every unit performing its action at its maximum rate,
 * all cells conducting) plus leakage, and the tile's area, per component kind. This is how ISAAC
 * reports its tile (Table I); the ISAAC validation test compares against it.
 */
export function tilePeak(arch: ArchSpec, design: Design, tab: TableLookup): { powerMw: Breakdown; areaUm2: Breakdown; totalMw: number; totalUm2: number } {
  const T = arch.tile;
  const A = T.array;
  const n = T.arrays;
  const readsPerNs = 1 / (A.readLatencyPs / 1000);
  const clockGHz = 1000 / arch.cyclePs;
  const p: Breakdown = {};
  const a: Breakdown = {};
  const adcSpec = T.readout.adc;
  const bits = adcSpec.bits;
  // per-tile inventory: chip inventory / tiles (router, extras included)
  const inv = inventory(arch, null, design, tab, bits);
  for (const it of inv.items) {
    if (it.kind === 'globalBuffer' || it.kind === 'digitalUnit') continue;
    add(a, it.kind, (it.count * it.areaUm2) / arch.chip.tiles);
    add(p, it.kind, (it.count * it.leakageMw) / arch.chip.tiles);
  }
  const logicalRowsDriven = A.rows + (design === 'split' ? A.threshold.rows : 0);
  // cells: every physical cell of every array conducting once per read
  add(p, 'array', n * A.physicalRows * A.physicalCols * tab.get('cell', 'readOn') * readsPerNs);
  add(p, 'wordlineDriver', n * logicalRowsDriven * tab.get('wordlineDriver', 'drive') * readsPerNs);
  if (design === 'adc') {
    const f = tab.adc(adcSpec.model, adcSpec.impl, bits);
    const units = n * READOUTS[adcSpec.impl].unitsPerArray(A.cols, adcSpec.columnsPerAdc);
    add(p, 'adc', units * f.energyPj * f.rateGHz);
    if (adcSpec.sampleHold) add(p, 'sampleHold', n * A.cols * tab.get('sampleHold', 'sample') * readsPerNs);
    add(p, 'columnMux', units * tab.get('columnMux', 'switch') * f.rateGHz);
    add(p, 'shiftAdd', T.shiftAdd.lanes * tab.get('shiftAdd', 'add') * clockGHz);
  } else {
    add(p, 'senseAmp', n * A.cols * tab.get('senseAmp', 'sense') * readsPerNs);
    add(p, 'majority', T.majority.lanes * tab.get('majority', 'merge') * clockGHz);
  }
  add(p, 'thresholdPool', T.thresholdPool.lanes * tab.get('thresholdPool', 'compare') * clockGHz);
  add(p, 'tileBuffer', T.buffer.ports * T.buffer.portWidthBits * tab.get(T.buffer.impl, 'readBit') * clockGHz);
  add(p, 'router', (T.router.ports * tab.get('router', 'flit') * clockGHz) / T.router.sharedBy);
  for (const e of T.extras) add(p, e.component, e.count * tab.get(e.component, 'active'));
  const totalMw = Object.values(p).reduce((s, v) => s + v, 0);
  const totalUm2 = Object.values(a).reduce((s, v) => s + v, 0);
  return { powerMw: p, areaUm2: a, totalMw, totalUm2 };
}
