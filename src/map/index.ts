export { mapModel, mappingReport } from './place.ts';
export type { Design, Mapping, MappingOk, MappingFail, LayerPlacement, ReplicaPlacement, PartPlacement } from './types.ts';
