/**
 * Role: column read-out. `sense-amp` (1-bit latch, split design), `sar` and `flash` ADCs (ADC design).
 *
 * Contract: `unitsPerArray` read-out units serve the array's logical columns; a read of `cols`
 * columns keeps each unit busy for `busyPs` (columns sharing a unit convert one after another);
 * `techComponent` names the tech-table rows (sense amp) or the ADC model impl.
 */
export interface ReadoutImpl {
  readonly name: 'sense-amp' | 'sar' | 'flash';
  readonly kind: 'sense' | 'adc';
  readonly description: string;
  /** read-out units on one array with `cols` logical columns, `share` columns per unit */
  unitsPerArray(cols: number, share: number): number;
  /** time one unit is busy converting the columns it serves, given one conversion time */
  busyPs(colsUsed: number, share: number, conversionPs: number): number;
}

const serial = (colsUsed: number, share: number, conv: number) => Math.min(colsUsed, share) * conv;

export const READOUTS = {
  'sense-amp': {
    name: 'sense-amp',
    kind: 'sense',
    description: '1-bit voltage sense amplifier per column (or shared), latches in one cycle against the column threshold',
    unitsPerArray: (cols, share) => Math.ceil(cols / share),
    busyPs: serial,
  },
  sar: {
    name: 'sar',
    kind: 'adc',
    description: 'successive-approximation ADC shared by columnsPerAdc columns through the column mux; columns convert one after another',
    unitsPerArray: (cols, share) => Math.ceil(cols / share),
    busyPs: serial,
  },
  flash: {
    name: 'flash',
    kind: 'adc',
    description: 'flash ADC (2^b - 1 comparators) shared by columnsPerAdc columns; one conversion per sample period',
    unitsPerArray: (cols, share) => Math.ceil(cols / share),
    busyPs: serial,
  },
} as const satisfies Record<string, ReadoutImpl>;
export type ReadoutName = keyof typeof READOUTS;
