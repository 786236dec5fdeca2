/**
 * Role: how a column's BN threshold is realised in the split design (sense-amp read-out).
 * Contract: `rowsUsed` rows of every array are not available for inputs; `referencePerColumn`
 * says whether each column needs its own reference (area per column).
 * In the ADC design the threshold is applied digitally after accumulation (thresholdPool unit).
 */
export interface ThresholdRealisation {
  readonly name: string;
  readonly description: string;
  rowsUsed(spec: { rows?: number }): number;
  readonly referencePerColumn: boolean;
}

const reference: ThresholdRealisation = {
  name: 'reference',
  description: 'per-column reference level in the sense amp; no array rows used',
  rowsUsed: () => 0,
  referencePerColumn: true,
};

const biasRows: ThresholdRealisation = {
  name: 'bias-rows',
  description: 'threshold programmed as bias cells on extra rows driven every read; fewer inputs per array',
  rowsUsed: (s) => s.rows ?? 0,
  referencePerColumn: false,
};

export const THRESHOLD_REALISATIONS = { reference, 'bias-rows': biasRows } as const satisfies Record<string, ThresholdRealisation>;
export type ThresholdName = keyof typeof THRESHOLD_REALISATIONS;
