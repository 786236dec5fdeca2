/**
 * The parsed, immutable architecture spec. Produced once by `loadArchFromJson` (src/arch/load.ts);
 * every quantity is in base units: times as integer picoseconds (ticks), data in bits, frequency
 * in GHz. Nothing downstream reads the raw JSON except to hash it.
 */
import type { TechTable } from './tech.ts';
import type { CellEncodingName, ThresholdName, InterconnectName, ReadoutName } from './roles/index.ts';

export const ARCH_VERSION = 1;

/** picoseconds per tick: all simulation time is integer ticks of 1 ps */
export const PS_PER_NS = 1000;

export interface ArraySpec {
  readonly impl: 'rram-1t1r';
  /** logical rows (inputs) and columns (neurons) */
  readonly rows: number;
  readonly cols: number;
  readonly cellEncoding: CellEncodingName;
  readonly physicalRows: number;
  readonly physicalCols: number;
  readonly readLatencyPs: number;
  readonly threshold: { readonly impl: ThresholdName; readonly rows: number };
}

export interface AdcReadoutSpec {
  readonly impl: Extract<ReadoutName, 'sar' | 'flash'>;
  /** as written: a number or "exact" */
  readonly bitsSetting: number | 'exact';
  /** resolved resolution: "exact" = ceil(log2(rows + 1)) */
  readonly bits: number;
  readonly columnsPerAdc: number;
  /** ADC model in the tech table */
  readonly model: string;
  readonly sampleHold: boolean;
}

export interface SenseReadoutSpec {
  readonly impl: 'sense-amp';
  readonly columnsPerSenseAmp: number;
}

export interface UnitSpec {
  readonly impl: string;
  readonly lanes: number;
  readonly latencyPs: number;
}

export interface BufferSpec {
  readonly impl: 'sram' | 'edram';
  readonly capacityBits: number;
  readonly ports: number;
  readonly portWidthBits: number;
  readonly latencyPs: number;
}

export interface ArchSpec {
  readonly version: 1;
  readonly name: string;
  readonly description: string;
  /** absolute path, or a label when built from JSON in memory */
  readonly file: string;
  readonly clockGHz: number;
  /** clock period in ticks (ps), rounded to a whole picosecond */
  readonly cyclePs: number;
  readonly tech: TechTable;
  readonly chip: {
    readonly tiles: number;
    readonly interconnect: {
      readonly impl: InterconnectName;
      readonly width: number;
      readonly height: number;
      readonly linkWidthBits: number;
      readonly hopLatencyPs: number;
    };
    readonly globalBuffer: BufferSpec;
    readonly offChip: { readonly impl: 'dram'; readonly bitsPerNs: number; readonly latencyPs: number };
    readonly digitalUnit: { readonly impl: 'mac-array'; readonly macsPerCycle: number; readonly latencyPs: number };
    readonly placement: { readonly first: 'digital' | 'crossbar'; readonly last: 'digital' | 'crossbar'; readonly replication: 'none' | 'balance' };
  };
  readonly tile: {
    readonly arrays: number;
    readonly array: ArraySpec;
    readonly wordlineDriver: { readonly impl: '1bit-dac' };
    readonly columnMux: { readonly impl: 'transmission-gate' };
    readonly readout: { readonly adc: AdcReadoutSpec; readonly sense: SenseReadoutSpec };
    readonly shiftAdd: UnitSpec;
    readonly majority: UnitSpec;
    readonly thresholdPool: UnitSpec;
    readonly buffer: BufferSpec;
    readonly router: { readonly impl: 'wormhole'; readonly ports: number; readonly flitWidthBits: number; readonly sharedBy: number };
    readonly extras: readonly { readonly component: string; readonly count: number }[];
  };
  /** the validated JSON as given (deep-frozen), for identity hashes and dotted-path edits of a copy */
  readonly json: unknown;
}

/** Total crossbar arrays on the chip. */
export function chipArrays(a: ArchSpec): number {
  return a.chip.tiles * a.tile.arrays;
}

/** Logical input rows usable per array in a design (bias rows are taken from inputs only in the split design). */
export function usableRows(a: ArchSpec, design: 'adc' | 'split'): number {
  return design === 'split' ? a.tile.array.rows - a.tile.array.threshold.rows : a.tile.array.rows;
}

/** ceil(log2(R + 1)): ADC bits for an exact popcount of R rows (NUMERICS.md). */
export function exactAdcBits(rows: number): number {
  return Math.ceil(Math.log2(rows + 1));
}
