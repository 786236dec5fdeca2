/**
 * Error classes with their exit codes. `InputError` is bad input (exit 2): its message names the
 * file, the JSON path or option, and what would fix it. Anything else is internal (exit 1).
 */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** `file: path: message` */
export function inputError(file: string | undefined, path: string, message: string): InputError {
  const where = [file, path].filter((s) => s && s.length > 0).join(': ');
  return new InputError(where ? `${where}: ${message}` : message);
}

/**
 * This machine cannot do what was asked correctly (exit 3): a GPU, or native CPU kernels asked for by
 * ARCHSIM_CPU_KERNELS, whose results differ from the reference engine's in the self-check
 * (src/func/selfcheck.ts). Not bad input, not an archsim
 * bug that a stack trace would locate; the message says what to use instead.
 */
export class EnvironmentError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}
