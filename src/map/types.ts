/** Placement of a model on a chip for one design (weight-stationary, one layer per array group). */
import type { MapShape, PoolSpec } from '../model/types.ts';

export type Design = 'adc' | 'split';

/** One tile's share of a layer replica: how many arrays, and how many row blocks of each column block. */
export interface PartPlacement {
  readonly tile: number;
  readonly arrays: number;
  /** per column block index: row blocks (arrays) of that column block on this tile */
  readonly rowBlocksByColBlock: ReadonlyMap<number, number>;
  /** distinct row blocks (input slices) on this tile: the part of the layer's input it needs */
  readonly distinctRowBlocks: number;
}

export interface ReplicaPlacement {
  /** tile that merges the parts (shift-add or majority) and sends the outputs */
  readonly home: number;
  readonly parts: readonly PartPlacement[];
}

export interface LayerPlacement {
  /** index into model.layers */
  readonly layer: number;
  readonly name: string;
  readonly role: 'input' | 'binary' | 'classifier';
  readonly kind: 'dense' | 'conv';
  readonly unit: 'crossbar' | 'digital';
  /** read-out of this layer's arrays (digital: none) */
  readonly readout: 'adc' | 'sense' | 'none';
  readonly inShape: MapShape;
  readonly outShape: MapShape;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  readonly pool: PoolSpec | null;
  /** K */
  readonly fanIn: number;
  /** G */
  readonly groups: number;
  /** neurons (output channels or classes) */
  readonly neurons: number;
  /** input bit-planes applied per vector (8 for raw pixels on a crossbar, else 1) */
  readonly inputPasses: number;
  readonly rowBlocksPerGroup: number;
  /** B = G x rowBlocksPerGroup */
  readonly rowBlocks: number;
  readonly colBlocks: number;
  readonly arraysPerReplica: number;
  readonly replicas: number;
  readonly arrays: number;
  readonly tiles: readonly number[];
  readonly replicaPlacements: readonly ReplicaPlacement[];
  /** valid input rows actually programmed / rows available on the layer's arrays */
  readonly rowUtilisation: number;
  /** neuron columns programmed / columns available on the layer's arrays */
  readonly colUtilisation: number;
  /** pre-pool output positions per image (dense: 1) */
  readonly vectorsPerImage: number;
  /** ADC resolution (adc read-out) or 1 */
  readonly outBits: number;
}

export interface MappingOk {
  readonly ok: true;
  readonly design: Design;
  readonly arch: string;
  readonly layers: readonly LayerPlacement[];
  readonly arraysUsed: number;
  readonly arraysTotal: number;
  readonly tilesUsed: number;
  readonly tilesTotal: number;
  /** logical rows usable for inputs per array in this design */
  readonly rowsPerArray: number;
}

export interface MappingFail {
  readonly ok: false;
  readonly design: Design;
  readonly arch: string;
  readonly reason: string;
  readonly arraysNeeded: number;
  readonly arraysTotal: number;
}

export type Mapping = MappingOk | MappingFail;
