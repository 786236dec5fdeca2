/**
 * Standalone entry for training (`node --import tsx src/train/main.ts train ...`), for headless
 * runs before/independently of the main CLI. Same command as `archsim train`.
 */
import { Command, CommanderError } from 'commander';
import { InputError } from '../errors.ts';
import { registerTrainCommand } from './cli.ts';

const program = new Command('archsim').exitOverride();
registerTrainCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof InputError) {
    process.stderr.write(`archsim: error: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
