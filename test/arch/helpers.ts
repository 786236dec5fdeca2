/** Shared helpers for the chip-model tests: shipped configs as editable JSON. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { loadArchFromJson, setByPath } from '../../src/arch/index.ts';
import type { ArchSpec } from '../../src/arch/index.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CONFIGS = join(ROOT, 'arch-configs');

export function configJson(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(CONFIGS, `${name}.json`), 'utf8'));
}

/** Loads a shipped config with dotted-path edits applied. */
export function archWith(name: string, edits: Record<string, unknown> = {}): ArchSpec {
  const j = configJson(name);
  for (const [k, v] of Object.entries(edits)) setByPath(j, k, v);
  return loadArchFromJson(j, join(CONFIGS, `${name}.json`));
}
