/**
 * Lookups into the technology table that record what they used: the resolved energy/area table
 * (component, action, value, unit, source) that accompanies every result, as Accelergy's ERT/ART.
 */
import { InputError } from '../errors.ts';
import { adcFigures, type AdcFigures, type ResolvedTechEntry, type TechTable } from '../arch/tech.ts';

export class TableLookup {
  readonly used = new Map<string, ResolvedTechEntry>();
  constructor(readonly tech: TechTable) {}

  /** value in base units (pJ, um^2, mW, ns) of (component, action); `optional` gives 0 when absent */
  get(component: string, action: string, optional = false): number {
    const row = this.tech.rows.find((r) => r.component === component && r.action === action);
    if (!row) {
      if (optional) return 0;
      throw new InputError(`${this.tech.file}: rows: no row for component "${component}" action "${action}" (add it with its value, unit, node and source)`);
    }
    const e: ResolvedTechEntry = { component, action, value: row.value, unit: row.unit, node: row.node, source: row.source };
    if (row.note) e.note = row.note;
    this.used.set(`${component}/${action}`, e);
    return row.base;
  }

  has(component: string, action: string): boolean {
    return this.tech.rows.some((r) => r.component === component && r.action === action);
  }

  /** ADC figures at a resolution, recorded as rows "adc.<impl>" convert/area/rate/leakage */
  adc(model: string, impl: string, bits: number): AdcFigures {
    const f = adcFigures(this.tech, model, bits);
    const note = `model "${model}" at ${bits} bits: ${f.derivation}`;
    const add = (action: string, value: number, unit: string) => this.used.set(`adc.${impl}/${action}`, { component: `adc.${impl}`, action, value, unit, node: f.node, source: f.source, note });
    add('convert', f.energyPj, 'pJ');
    add('area', f.areaUm2, 'um^2');
    add('rate', f.rateGHz, 'GHz');
    add('leakage', f.leakageMw, 'mW');
    return f;
  }

  entries(): ResolvedTechEntry[] {
    return [...this.used.values()].sort((a, b) => (a.component + a.action < b.component + b.action ? -1 : 1));
  }
}
