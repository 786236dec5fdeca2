import { mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enumeratePoints, parseShard, parseVary, shardPoints } from '../../src/sweep/space.ts';
import { mergeResults, pointIdentity, readResults, ResultStore } from '../../src/sweep/store.ts';

describe('--vary and the point order', () => {
  it('parses lists and inclusive ranges', () => {
    expect(parseVary('tile.array.rows=128,256,512')).toEqual({ key: 'tile.array.rows', values: [128, 256, 512] });
    expect(parseVary('adc.bits=4..7').values).toEqual([4, 5, 6, 7]);
    expect(parseVary('clock=1GHz,2GHz').values).toEqual(['1GHz', '2GHz']);
  });
  it('rejects malformed specs with the option named', () => {
    expect(() => parseVary('rows')).toThrow(/--vary rows: expected KEY=V1,V2/);
    expect(() => parseVary('a=5..4')).toThrow(/range 5\.\.4 is empty/);
    expect(() => parseVary('a=1,,2')).toThrow(/empty value/);
    expect(() => parseVary('a=1,1')).toThrow(/appears twice/);
  });
  it('models outermost, then each --vary in order, the last fastest', () => {
    const pts = enumeratePoints(['m1', 'm2'], [parseVary('a=1,2'), parseVary('b=x,y,z')]);
    expect(pts.length).toBe(12);
    expect(pts.slice(0, 4).map((p) => [p.model, p.params.a, p.params.b])).toEqual([
      ['m1', 1, 'x'],
      ['m1', 1, 'y'],
      ['m1', 1, 'z'],
      ['m1', 2, 'x'],
    ]);
    expect(pts[6]!.model).toBe('m2');
    expect(pts.map((p) => p.index)).toEqual([...Array(12).keys()]);
  });
  it('shards partition the points, numbered from 0', () => {
    const pts = enumeratePoints(['m'], [parseVary('a=0..9')]);
    const parts = [0, 1, 2].map((i) => shardPoints(pts, parseShard(`${i}/3`)).map((p) => p.index));
    expect(parts.flat().sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
    expect(() => parseShard('3/3')).toThrow(/from 0 to 2/);
    expect(() => parseShard('1-3')).toThrow(/expected I\/N/);
  });
});

describe('results store', () => {
  it('identity depends on every input and not on key order', () => {
    const a = pointIdentity({ x: 1, y: { z: 2 } }, 'd', 100, 1);
    expect(pointIdentity({ y: { z: 2 }, x: 1 }, 'd', 100, 1)).toBe(a);
    expect(pointIdentity({ x: 2, y: { z: 2 } }, 'd', 100, 1)).not.toBe(a);
    expect(pointIdentity({ x: 1, y: { z: 2 } }, 'e', 100, 1)).not.toBe(a);
    expect(pointIdentity({ x: 1, y: { z: 2 } }, 'd', 101, 1)).not.toBe(a);
    expect(pointIdentity({ x: 1, y: { z: 2 } }, 'd', 100, 2)).not.toBe(a);
  });
  it('repairs a torn last line and resumes without duplicates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archsim-store-'));
    const f = join(dir, 'r.jsonl');
    const s = new ResultStore(f);
    s.append({ id: 'a', index: 0, v: 1 });
    s.append({ id: 'b', index: 1, v: 2 });
    s.append({ id: 'b', index: 1, v: 2 });
    s.close();
    appendFileSync(f, '{"id":"c","index":2,"v"');
    const s2 = new ResultStore(f);
    expect(s2.repairedBytes).toBeGreaterThan(0);
    expect([...s2.done.keys()]).toEqual(['a', 'b']);
    s2.append({ id: 'c', index: 2, v: 3 });
    s2.close();
    expect(readFileSync(f, 'utf8').trim().split('\n').length).toBe(3);
  });
  it('merge orders by index, drops identical duplicates, rejects conflicts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'archsim-merge-'));
    writeFileSync(join(dir, '0.jsonl'), '{"id":"b","index":1}\n{"id":"a","index":0}\n');
    writeFileSync(join(dir, '1.jsonl'), '{"id":"c","index":2}\n{"id":"a","index":0}\n');
    const r = mergeResults([join(dir, '0.jsonl'), join(dir, '1.jsonl')], join(dir, 'all.jsonl'));
    expect(r).toEqual({ points: 3, duplicates: 1 });
    expect(readResults(join(dir, 'all.jsonl')).map((l) => l.id)).toEqual(['a', 'b', 'c']);
    writeFileSync(join(dir, '2.jsonl'), '{"id":"a","index":0,"v":9}\n');
    expect(() => mergeResults([join(dir, '0.jsonl'), join(dir, '2.jsonl')], join(dir, 'x.jsonl'))).toThrow(/differs from the one in/);
  });
});
