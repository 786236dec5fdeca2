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
  it('function-scope vars without an initializer are declared only at a function\'s top level', () => {
    // On NVIDIA's Vulkan driver an array declared without an initializer inside a loop body kept
    // the previous iteration's values (binary_reg.wgsl's per-block counts, found by
    // scripts/gpu-verify.ts on an H200); WGSL says each execution of a declaration zeroes it.
    // Such declarations must sit at the top level of a function, and loops clear by explicit stores.
    const files = readdirSync(new URL('../../shaders/', import.meta.url)).filter((f) => f.endsWith('.wgsl'));
    expect(nestedBareVars('fn f() {\n  var a: u32;\n  for (;;) {\n    var b: array<u32, 4>;\n    var c = 0u;\n  }\n}')).toEqual(['x.wgsl:4 var b: array<u32, 4>;']);
    const found: string[] = [];
    for (const f of files) found.push(...nestedBareVars(shaderSource(f), f));
    expect(found).toEqual([]);
  });
});

/** `var name: T;` declarations (no initializer) at brace depth > 1 inside a function body. */
function nestedBareVars(src: string, file = 'x.wgsl'): string[] {
  const out: string[] = [];
  let depth = 0;
  let inFn = false;
  src.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\/\/.*$/, '');
    if (/^\s*fn\s/.test(line)) inFn = true;
    if (inFn && depth > 1 && /^\s*var\s+\w+\s*:[^=]*;\s*$/.test(line)) out.push(`${file}:${i + 1} ${line.trim()}`);
    for (const ch of line) {
      if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth === 0) inFn = false;
      }
    }
  });
  return out;
}
