/**
 * JSON Schema validation (ajv) with errors turned into one InputError that names the file and
 * the JSON path in the dotted/bracketed form users see in their editor (`layers[3].groups`).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { InputError } from '../errors.ts';

const ajv = new (Ajv as unknown as typeof Ajv.default)({ allErrors: true, strict: false, discriminator: true });

export function compileSchema(schema: object): ValidateFunction {
  return ajv.compile(schema);
}

/** `/layers/3/groups` -> `layers[3].groups` */
export function pointerToPath(ptr: string): string {
  if (!ptr) return '';
  let out = '';
  for (const raw of ptr.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown key "${String(p.additionalProperty)}" (check its spelling; the schema lists the allowed keys)`;
    case 'required':
      return `missing required key "${String(p.missingProperty)}"`;
    case 'type':
      return `must be ${String(p.type)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * Picks the most useful errors (deepest paths first; drops the generic oneOf/anyOf summaries
 * when a more specific error exists) and joins them into one message.
 */
export function schemaErrorsToInputError(file: string, errors: ErrorObject[]): InputError {
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const pool = specific.length ? specific : errors;
  pool.sort((a, b) => b.instancePath.split('/').length - a.instancePath.split('/').length);
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const e of pool) {
    let path = pointerToPath(e.instancePath);
    if (e.keyword === 'additionalProperties') path = path ? `${path}.${String(e.params.additionalProperty)}` : String(e.params.additionalProperty);
    if (e.keyword === 'required') path = path ? `${path}.${String(e.params.missingProperty)}` : String(e.params.missingProperty);
    const line = `${file}: ${path || '(top level)'}: ${describe(e)}`;
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
    if (lines.length >= 5) break;
  }
  return new InputError(lines.join('\n'));
}
