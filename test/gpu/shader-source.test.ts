import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shaderSource } from '../../src/gpu/program.ts';

describe('shader sources', () => {
  it('#include lines are replaced by the library file, each at most once per shader', () => {
    for (const f of ['binary_dots.wgsl', 'binary_reg.wgsl', 'binary_gather.wgsl']) {
      const s = shaderSource(f);
      expect(s).not.toMatch(/^\/\/ #include /m);
      expect(s.match(/^fn add64\(/gm)?.length).toBe(1);
      expect(s.match(/^fn addWg\(/gm)?.length).toBe(1);
    }
    expect(shaderSource('binary_gather.wgsl').match(/^fn fieldWord\(/gm)?.length).toBe(1);
    expect(shaderSource('binary_reg.wgsl')).not.toContain('fn fieldWord(');
  });
  it('every shader file reads (its includes exist)', () => {
    const files = readdirSync(new URL('../../shaders/', import.meta.url)).filter((f) => f.endsWith('.wgsl'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(shaderSource(f)).toMatch(/@compute/);
  });
});
