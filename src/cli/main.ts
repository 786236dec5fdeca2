/**
 * The archsim command line. Commands register themselves on one commander program; errors are
 * mapped to exit codes here, once: 2 for bad input (InputError, unknown option, bad value),
 * 3 when this machine cannot do it correctly (EnvironmentError: a GPU, or native CPU kernels asked for,
 * that fail the self-check),
 * 1 for anything internal. No stack trace unless --debug.
 */
import { Command, CommanderError } from 'commander';
import { EnvironmentError, InputError } from '../errors.ts';
import { registerDoctor } from './doctor.ts';
import { registerEval } from './eval.ts';
import { registerValidate } from './validate.ts';
import { registerTrainCommand } from '../train/cli.ts';
import { registerTrace } from './trace.ts';
import { registerRun } from './run.ts';
import { registerSweep } from './sweep.ts';
import { VERSION } from '../version.ts';

export function buildProgram(): Command {
  const program = new Command('archsim')
    .description('Simulator of RRAM-based binary-neural-network accelerators: ADC read-out vs split networks with 1-bit sense amps')
    .version(VERSION, '-V, --version')
    .option('--debug', 'show stack traces and GPU driver messages')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerRun(program);
  registerDoctor(program);
  registerValidate(program);
  registerEval(program);
  registerTrainCommand(program);
  registerTrace(program);
  registerSweep(program);
  return program;
}

export function reportError(e: unknown, debug: boolean): number {
  if (e instanceof CommanderError) {
    // commander already printed its message
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return e.exitCode === 0 ? 0 : 2;
  }
  if (e instanceof InputError || e instanceof EnvironmentError) {
    process.stderr.write(`archsim: error: ${e.message}\n`);
    if (debug && e.stack) process.stderr.write(e.stack + '\n');
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`archsim: internal error: ${err?.message ?? String(e)}\n`);
  if (debug && err?.stack) process.stderr.write(err.stack + '\n');
  else process.stderr.write('(run again with --debug for the stack trace, and please report it)\n');
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(e, debug);
  }
}

