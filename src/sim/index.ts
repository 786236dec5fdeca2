/**
 * Public entry of the chip model (issue 4): `evaluateDesign` (map + timing + cost for one design)
 * and `readoutFor` (the functional pass's read-out for a design). Lower layers are exported for
 * tests, benchmarks and tools.
 */
export { evaluateDesign, readoutFor, type EvaluateInput, type DesignResult, type DesignOk, type DesignFail, type DesignLayerRow } from './evaluate.ts';
export { simulateChip } from './chip.ts';
export { Engine, EventQueue, HeapEventQueue, Priority } from './engine.ts';
export { Resources } from './resources.ts';
export type { TimingResult, TimingOptions, LayerTiming, ComponentTiming, TrafficPerImage } from './types.ts';
