/** The typed registries of hardware roles; an `impl` name in an arch file selects one entry. */
export { CELL_ENCODINGS, type CellEncoding, type CellEncodingName } from './encoding.ts';
export { THRESHOLD_REALISATIONS, type ThresholdRealisation, type ThresholdName } from './threshold.ts';
export { READOUTS, type ReadoutImpl, type ReadoutName } from './readout.ts';
export { INTERCONNECTS, type Topology, type InterconnectName } from './interconnect.ts';
