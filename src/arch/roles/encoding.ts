/**
 * Role: cell encoding of +-1 weights and inputs. Sets how many physical rows and columns a logical
 * array (rows = inputs, cols = neurons) occupies and how a driven cell's energy depends on the match.
 *
 * Contract: `physicalRows(r)`, `physicalCols(c)` give the crossbar size; `cellEnergyPj` gives the
 * cell energy of one read from the activity counts (matches m over driven cells n = rows x neurons).
 */
export interface CellEncoding {
  readonly name: string;
  readonly description: string;
  physicalRows(logicalRows: number): number;
  physicalCols(logicalCols: number): number;
  /** energy of the cells for `driven` driven logical (row, neuron) cells of which `matches` match */
  cellEnergyPj(driven: number, matches: number, activeInputs: number, neurons: number, eOn: number, eOff: number): number;
}

/** Two cells per weight on two rows (x, not x): exactly one cell of a pair is driven; it is in the low-resistance state iff x == w. Exact from the match count. */
const xnorPair: CellEncoding = {
  name: 'xnor-pair',
  description: 'two cells per weight in two rows (input and its complement); a driven cell conducts (LRS) iff input and weight match',
  physicalRows: (r) => 2 * r,
  physicalCols: (c) => c,
  cellEnergyPj: (driven, matches, _a, _n, eOn, eOff) => matches * eOn + (driven - matches) * eOff,
};

/** Two columns per weight (G+, G-): every driven row has one LRS and one HRS cell per neuron. */
const differential: CellEncoding = {
  name: 'differential',
  description: 'two columns per weight (G+ and G-); each driven row puts one LRS and one HRS cell on every neuron',
  physicalRows: (r) => r,
  physicalCols: (c) => 2 * c,
  cellEnergyPj: (driven, _m, _a, _n, eOn, eOff) => driven * (eOn + eOff),
};

/** One cell per weight; only +1 inputs are driven; half the weights assumed LRS (activity has no per-weight count). */
const single: CellEncoding = {
  name: 'single',
  description: 'one cell per weight; only +1 inputs drive their row; energy assumes half of the driven cells are LRS (approximation)',
  physicalRows: (r) => r,
  physicalCols: (c) => c,
  cellEnergyPj: (_d, _m, activeInputs, neurons, eOn, eOff) => activeInputs * neurons * 0.5 * (eOn + eOff),
};

export const CELL_ENCODINGS = { 'xnor-pair': xnorPair, differential, single } as const satisfies Record<string, CellEncoding>;
export type CellEncodingName = keyof typeof CELL_ENCODINGS;
