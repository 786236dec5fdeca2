/** File writing that never leaves a half-written result: write to a temporary name, then rename. */
import { writeFileSync, renameSync, mkdirSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { InputError } from '../errors.ts';

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

/**
 * Writes a folder of files atomically: builds it under a temporary name beside the target, then
 * renames it into place. An existing non-empty target is replaced only with `force`.
 */
export function writeDirAtomic(dir: string, files: Record<string, string | Uint8Array>, opts: { force?: boolean; option?: string } = {}): string[] {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0 && !opts.force) {
    throw new InputError(`${opts.option ?? '--out'} ${dir}: folder exists and is not empty (choose another, or add --force to replace it)`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    for (const [name, data] of Object.entries(files)) writeFileSync(join(tmp, name), data);
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return Object.keys(files).map((f) => join(dir, f));
}
