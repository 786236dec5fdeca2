/** Public surface of the architecture module. */
export { loadArch, loadArchFromJson, validateArchFile, setByPath, getByPath, parseCliValue } from './load.ts';
export { loadTechTable, buildTechTable, adcFigures, type TechTable, type TechRow, type AdcFigures, type ResolvedTechEntry } from './tech.ts';
export { type ArchSpec, chipArrays, usableRows, exactAdcBits, PS_PER_NS } from './spec.ts';
export { parseQuantity, baseUnit, type Dimension } from './units.ts';
export * from './roles/index.ts';
