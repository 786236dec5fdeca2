/**
 * Terminal conventions of every command: progress bars and colour only on a terminal and never
 * under CI (`CI` set) or NO_COLOR; otherwise plain text with no control characters.
 * Bars go to stderr; the launcher (bin/archsim.js) pipes stderr through its Dawn filter and
 * says in ARCHSIM_STDERR_TTY whether the user's stderr is a terminal.
 */
import cliProgress from 'cli-progress';
import type { Progress } from './job.ts';

export function interactive(): boolean {
  const errTty = process.stderr.isTTY || process.env.ARCHSIM_STDERR_TTY === '1';
  return !!(errTty && process.stdout.isTTY && !process.env.CI);
}

export function useColour(): boolean {
  return !!(process.stdout.isTTY && !process.env.CI && !process.env.NO_COLOR);
}

/** A cli-progress bar per stage on a terminal; nothing otherwise. */
export function makeProgress(): Progress {
  if (!interactive()) return { start() {}, update() {}, stop() {} };
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(label, total) {
      bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} images | {eta_formatted} left`, hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic);
      bar.start(total, 0);
    },
    update(done) {
      bar?.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
