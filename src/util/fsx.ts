/** File writing that never leaves a half-written result: write to a temporary name, then rename. */
import { writeFileSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

function tmpName(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
}

/** Writes one file atomically (temp file + rename). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFilesAtomic([{ path, data }]);
}

/**
 * Writes several files: all temp files first, then the renames in order. If any write fails,
 * nothing is renamed and the temp files are removed.
 */
export function writeFilesAtomic(files: { path: string; data: string | Uint8Array }[]): void {
  const tmps: string[] = [];
  try {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      const t = tmpName(f.path);
      tmps.push(t);
      writeFileSync(t, f.data);
    }
  } catch (e) {
    for (const t of tmps) rmSync(t, { force: true });
    throw e;
  }
  files.forEach((f, i) => renameSync(tmps[i]!, f.path));
}
