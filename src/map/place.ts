/**
 * Mapping: places every layer of a model on the chip for one design.
 *
 * - ADC design: group inputs (K/G, G = 1 for a baseline) are cut into ceil((K/G)/R) row blocks of R
 *   logical rows; neurons onto columns in ceil(N/C) column blocks; every (row block, column block)
 *   is one array. Partial sums are read by ADCs and accumulated by shift-add.
 * - Split design: every group must fit one array's usable rows (R minus bias rows); each
 *   (group, column block) is one array read by sense amps; groups merge by majority.
 * - First/last layer: on the digital unit (default) or on crossbars with ADC read-out
 *   (chip.placement). Raw pixels on a crossbar are applied as 8 bit-planes.
 * - Arrays are packed in layer order, column block outer, row block inner (so the row blocks that
 *   sum together share tiles), across tiles in index order. Optional replication ("balance") gives
 *   spare arrays to the layers with the most vectors per image per replica.
 * Not fitting is a result ({ok: false, reason}); a split group larger than the array is bad input.
 */
import { inputError } from '../errors.ts';
import type { ArchSpec } from '../arch/spec.ts';
import { chipArrays, usableRows } from '../arch/spec.ts';
import type { BinaryLayer, ClassifierLayer, InputLayer, Model } from '../model/types.ts';
import type { Design, LayerPlacement, Mapping, PartPlacement, ReplicaPlacement } from './types.ts';

interface Draft {
  layer: number;
  name: string;
  role: 'input' | 'binary' | 'classifier';
  kind: 'dense' | 'conv';
  unit: 'crossbar' | 'digital';
  readout: 'adc' | 'sense' | 'none';
  l: InputLayer | BinaryLayer | ClassifierLayer;
  fanIn: number;
  groups: number;
  neurons: number;
  inputPasses: number;
  rowBlocksPerGroup: number;
  colBlocks: number;
  arraysPerReplica: number;
  replicas: number;
  vectorsPerImage: number;
}

function prePoolPositions(l: InputLayer | BinaryLayer): number {
  if (l.kind === 'dense') return 1;
  const h = Math.floor((l.inShape.height + 2 * l.padding - l.kernel) / l.stride) + 1;
  const w = Math.floor((l.inShape.width + 2 * l.padding - l.kernel) / l.stride) + 1;
  return h * w;
}

function layerNames(model: Model): string[] {
  let conv = 0,
    fc = 0;
  return model.layers.map((l) => {
    if (l.type === 'classifier') return 'classifier';
    if (l.kind === 'conv') return `conv${++conv}`;
    return `fc${++fc}`;
  });
}

/**
 * Places `model` on `arch` for `design`. `adcBits` overrides the arch file's ADC resolution.
 * Throws InputError when a split group exceeds the array's usable rows.
 */
export function mapModel(arch: ArchSpec, model: Model, design: Design, opts: { adcBits?: number } = {}): Mapping {
  const R = usableRows(arch, design);
  const C = arch.tile.array.cols;
  const names = layerNames(model);
  const adcBits = opts.adcBits ?? arch.tile.readout.adc.bits;
  const drafts: Draft[] = model.layers.map((l, i) => {
    const first = i === 0;
    const last = i === model.layers.length - 1;
    const onDigital = (first && arch.chip.placement.first === 'digital') || (last && arch.chip.placement.last === 'digital');
    const kind = l.type === 'classifier' ? 'dense' : l.kind;
    const neurons = l.type === 'classifier' ? l.classes : l.outShape.channels;
    const G = l.type === 'binary' ? l.groups : 1;
    const per = l.fanIn / G;
    const base = {
      layer: i, name: names[i]!, role: l.type, kind, l, fanIn: l.fanIn, groups: G, neurons,
      vectorsPerImage: l.type === 'classifier' ? 1 : prePoolPositions(l), replicas: 1,
    } as const;
    if (onDigital) {
      return { ...base, unit: 'digital', readout: 'none', inputPasses: 1, rowBlocksPerGroup: 0, colBlocks: 0, arraysPerReplica: 0 };
    }
    // crossbar: binary layers use the design's read-out; first/last on crossbars always use ADCs
    const readout = l.type === 'binary' ? (design === 'adc' ? 'adc' : 'sense') : 'adc';
    const rows = readout === 'sense' ? R : arch.tile.array.rows;
    if (readout === 'sense' && per > R) {
      const bias = arch.tile.array.threshold.rows;
      throw inputError(
        model.file ?? model.name,
        `layers[${i}].groups`,
        `layer ${i} (${names[i]}) has groups of ${per} inputs, but ${arch.name}'s arrays have ${R} usable logical rows` +
          (bias ? ` (${arch.tile.array.rows} rows minus ${bias} bias rows)` : '') +
          (G === 1 ? ': an unsplit layer cannot be read by 1-bit sense amps; use a model split for this array size' : ': use a model split for arrays of at most ' + R + ' rows or a chip with larger arrays'),
      );
    }
    const rowBlocksPerGroup = Math.ceil(per / rows);
    const colBlocks = Math.ceil(neurons / C);
    return {
      ...base,
      unit: 'crossbar',
      readout,
      inputPasses: l.type === 'input' ? 8 : 1,
      rowBlocksPerGroup,
      colBlocks,
      arraysPerReplica: G * rowBlocksPerGroup * colBlocks,
    };
  });

  const total = chipArrays(arch);
  const need = drafts.reduce((s, d) => s + d.arraysPerReplica, 0);
  const A = arch.tile.array;
  if (need > total) {
    return {
      ok: false,
      design,
      arch: arch.name,
      reason: `needs ${need} arrays of ${A.rows}x${A.cols}, chip has ${total}`,
      arraysNeeded: need,
      arraysTotal: total,
    };
  }
  if (arch.chip.placement.replication === 'balance') {
    let spare = total - need;
    for (;;) {
      let best: Draft | null = null;
      for (const d of drafts) {
        if (d.unit !== 'crossbar' || d.arraysPerReplica > spare) continue;
        if (!best || d.vectorsPerImage / d.replicas > best.vectorsPerImage / best.replicas) best = d;
      }
      // stop when the slowest layer cannot be replicated (replicating others does not raise throughput)
      const slowest = drafts.filter((d) => d.unit === 'crossbar').reduce((a, b) => (b.vectorsPerImage / b.replicas > a.vectorsPerImage / a.replicas ? b : a), drafts.find((d) => d.unit === 'crossbar') ?? drafts[0]!);
      if (!best || best !== slowest || best.vectorsPerImage / best.replicas <= 1) break;
      best.replicas++;
      spare -= best.arraysPerReplica;
    }
  }

  // pack arrays across tiles in layer order
  let cursor = 0;
  const APT = arch.tile.arrays;
  const layers: LayerPlacement[] = drafts.map((d) => {
    const reps: ReplicaPlacement[] = [];
    const tiles = new Set<number>();
    for (let r = 0; r < d.replicas; r++) {
      const parts = new Map<number, { arrays: number; byCol: Map<number, number>; rows: Set<number> }>();
      for (let c = 0; c < d.colBlocks; c++) {
        for (let b = 0; b < d.groups * d.rowBlocksPerGroup; b++) {
          const tile = Math.floor(cursor / APT);
          cursor++;
          let p = parts.get(tile);
          if (!p) parts.set(tile, (p = { arrays: 0, byCol: new Map(), rows: new Set() }));
          p.arrays++;
          p.rows.add(b);
          p.byCol.set(c, (p.byCol.get(c) ?? 0) + 1);
          tiles.add(tile);
        }
      }
      const partList: PartPlacement[] = [...parts.entries()].map(([tile, p]) => ({ tile, arrays: p.arrays, rowBlocksByColBlock: p.byCol, distinctRowBlocks: p.rows.size }));
      if (partList.length) reps.push({ home: partList[0]!.tile, parts: partList });
    }
    const arrays = d.arraysPerReplica * d.replicas;
    const l = d.l;
    const rowsAvail = arrays * A.rows;
    const rowsUsed = d.unit === 'crossbar' ? d.fanIn * d.colBlocks * d.replicas : 0;
    const colsUsed = d.unit === 'crossbar' ? d.neurons * d.groups * d.rowBlocksPerGroup * d.replicas : 0;
    return {
      layer: d.layer,
      name: d.name,
      role: d.role,
      kind: d.kind,
      unit: d.unit,
      readout: d.readout,
      inShape: l.inShape,
      outShape: l.type === 'classifier' ? { channels: l.classes, height: 1, width: 1 } : l.outShape,
      kernel: l.type === 'classifier' ? 0 : l.kernel,
      stride: l.type === 'classifier' ? 0 : l.stride,
      padding: l.type === 'classifier' ? 0 : l.padding,
      pool: l.type === 'classifier' ? null : l.pool,
      fanIn: d.fanIn,
      groups: d.groups,
      neurons: d.neurons,
      inputPasses: d.inputPasses,
      rowBlocksPerGroup: d.rowBlocksPerGroup,
      rowBlocks: d.groups * d.rowBlocksPerGroup,
      colBlocks: d.colBlocks,
      arraysPerReplica: d.arraysPerReplica,
      replicas: d.replicas,
      arrays,
      tiles: [...tiles].sort((a, b) => a - b),
      replicaPlacements: reps,
      rowUtilisation: arrays ? rowsUsed / rowsAvail : 0,
      colUtilisation: arrays ? colsUsed / (arrays * A.cols) : 0,
      vectorsPerImage: d.vectorsPerImage,
      outBits: d.readout === 'adc' ? adcBits : 1,
    };
  });
  const tilesUsed = new Set(layers.flatMap((l) => l.tiles)).size;
  return { ok: true, design, arch: arch.name, layers, arraysUsed: cursor, arraysTotal: total, tilesUsed, tilesTotal: arch.chip.tiles, rowsPerArray: R };
}

/** A plain-object mapping report (arrays and tiles per layer, row/column utilisation). */
export function mappingReport(m: Mapping): Record<string, unknown> {
  if (!m.ok) return { ok: false, design: m.design, reason: m.reason, arraysNeeded: m.arraysNeeded, arraysTotal: m.arraysTotal };
  return {
    ok: true,
    design: m.design,
    arraysUsed: m.arraysUsed,
    arraysTotal: m.arraysTotal,
    tilesUsed: m.tilesUsed,
    tilesTotal: m.tilesTotal,
    layers: m.layers.map((l) => ({
      layer: l.layer,
      name: l.name,
      unit: l.unit,
      readout: l.readout,
      groups: l.groups,
      rowBlocks: l.rowBlocks,
      colBlocks: l.colBlocks,
      replicas: l.replicas,
      arrays: l.arrays,
      tiles: l.tiles.length,
      firstTile: l.tiles[0] ?? null,
      rowUtilisation: l.rowUtilisation,
      colUtilisation: l.colUtilisation,
    })),
  };
}
