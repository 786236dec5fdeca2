/**
 * The results file of a sweep: JSON lines, one per point, appended as points finish.
 *
 * - Each line is written with one write(2) on a file opened for append, so a kill -9 leaves at
 *   most one partial last line; opening the file again repairs it (cuts the partial line) and
 *   reads the identities already present, so a rerun skips them (resume).
 * - Lines carry the point's `id` (a hash of the resolved architecture, the model digest, the
 *   image count and the seed) and its `index` in the full enumeration; `mergeResults` sorts by
 *   index and drops duplicates, so merged shards equal one unsharded run.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../util/fsx.ts';

/** Canonical JSON: object keys sorted, so equal values hash equally. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

export function pointIdentity(resolvedArch: unknown, modelDigest: string, images: number, seed: number): string {
  return createHash('sha256').update(canonicalJson({ arch: resolvedArch, model: modelDigest, images, seed })).digest('hex').slice(0, 32);
}

export interface ResultLine {
  id: string;
  index: number;
  [k: string]: unknown;
}

function parseLines(text: string, file: string): ResultLine[] {
  const out: ResultLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.trim()) continue;
    let o: ResultLine;
    try {
      o = JSON.parse(l);
    } catch {
      throw new InputError(`${file}: line ${i + 1} is not JSON (not a sweep results file, or damaged by hand)`);
    }
    if (typeof o.id !== 'string' || typeof o.index !== 'number') throw new InputError(`${file}: line ${i + 1} has no "id"/"index" (not a sweep results file)`);
    out.push(o);
  }
  return out;
}

/** Opens (creating if needed) a results file for appending; repairs a torn last line. */
export class ResultStore {
  private fd: number;
  readonly done = new Map<string, ResultLine>();
  /** bytes cut from a torn last line when the file was opened */
  readonly repairedBytes: number;

  constructor(readonly file: string) {
    let repaired = 0;
    if (existsSync(file)) {
      const fd = openSync(file, 'r+');
      const size = fstatSync(fd).size;
      if (size > 0) {
        const buf = Buffer.alloc(size);
        readSync(fd, buf, 0, size, 0);
        let text = buf.toString('utf8');
        if (!text.endsWith('\n')) {
          const cut = text.lastIndexOf('\n') + 1;
          repaired = Buffer.byteLength(text.slice(cut));
          ftruncateSync(fd, Buffer.byteLength(text.slice(0, cut)));
          text = text.slice(0, cut);
        }
        for (const l of parseLines(text, file)) this.done.set(l.id, l);
      }
      closeSync(fd);
    }
    this.repairedBytes = repaired;
    this.fd = openSync(file, 'a');
  }

  has(id: string): boolean {
    return this.done.has(id);
  }

  /** Appends one result as one line, in one write. */
  append(line: ResultLine): void {
    if (this.done.has(line.id)) return;
    const s = JSON.stringify(line) + '\n';
    writeSync(this.fd, s);
    this.done.set(line.id, line);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function readResults(file: string): ResultLine[] {
  if (!existsSync(file)) throw new InputError(`${file}: results file not found`);
  const text = readFileSync(file, 'utf8');
  // a torn last line (a shard killed mid-write) is ignored when reading
  const body = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
  return parseLines(body, file);
}

/** Merges shard files: union by id, ordered by index. Conflicting lines for one id are an error. */
export function mergeResults(files: string[], out: string): { points: number; duplicates: number } {
  const byId = new Map<string, { line: ResultLine; text: string; file: string }>();
  let duplicates = 0;
  for (const f of files) {
    for (const line of readResults(f)) {
      const text = canonicalJson(line);
      const prev = byId.get(line.id);
      if (prev) {
        duplicates++;
        if (prev.text !== text) throw new InputError(`${f}: point ${line.id} (index ${line.index}) differs from the one in ${prev.file}: the shards were not run with the same inputs`);
        continue;
      }
      byId.set(line.id, { line, text, file: f });
    }
  }
  const lines = [...byId.values()].map((v) => v.line).sort((a, b) => a.index - b.index);
  writeFileAtomic(out, lines.map((l) => JSON.stringify(l) + '\n').join(''));
  return { points: lines.length, duplicates };
}
