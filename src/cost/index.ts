export { costDesign, tilePeak, inventory, type CostResult, type LayerCost, type Breakdown, type ChipInventory } from './model.ts';
export { TableLookup } from './table.ts';
