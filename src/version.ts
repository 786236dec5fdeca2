import { readFileSync } from 'node:fs';

/** The package version (package.json), reported in every result. */
export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
