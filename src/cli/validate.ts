/**
 * `archsim validate FILE...`: checks model and architecture files without running anything.
 * The kind of file is told by its content (`"format": "archsim-model"` is a model; an
 * architecture file has `"kind": "archsim-arch"` or a top-level `chip`). Exit 0 when all are
 * valid, 2 (with every problem listed) otherwise.
 */
import { readFileSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { InputError } from '../errors.ts';
import { loadModel } from '../model/io.ts';

async function validateOne(file: string): Promise<string> {
  if (!existsSync(file)) throw new InputError(`${file}: file not found`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (json && typeof json === 'object' && json.format === 'archsim-model') {
    const m = loadModel(file);
    const binary = m.layers.filter((l) => l.type === 'binary').length;
    return `${file}: ok (model "${m.name}", ${m.dataset}, ${m.layers.length} layers, ${binary} binary, ${m.arraySize === null ? 'unsplit' : `split for ${m.arraySize}-row arrays`})`;
  }
  const arch = await import('../arch/index.ts').catch(() => null);
  if (!arch) throw new InputError(`${file}: not a model file ("format": "archsim-model"), and architecture files are not supported by this build`);
  const a = arch.loadArch(file);
  return `${file}: ok (architecture "${a.name}")`;
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check model and architecture files; exit 0 if all are valid, 2 otherwise')
    .argument('<files...>', 'model (.json with "format": "archsim-model") or architecture files')
    .action(async (files: string[]) => {
      const problems: string[] = [];
      for (const f of files) {
        try {
          process.stdout.write((await validateOne(f)) + '\n');
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          problems.push(e.message);
        }
      }
      if (problems.length) throw new InputError(problems.join('\n'));
    });
}
