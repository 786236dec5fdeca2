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

/**
 * The stream bars are drawn on: stderr itself when it is a terminal; under the launcher, whose
 * stderr pipe ends in the user's terminal, a stand-in that says so (cli-progress draws nothing on
 * a stream without isTTY; its cursor moves are plain ANSI sequences that pass through the pipe).
 */
export function barStream(): NodeJS.WritableStream {
  if (process.stderr.isTTY) return process.stderr;
  const columns = Number(process.env.ARCHSIM_STDERR_COLUMNS) || 80;
  return {
    isTTY: true,
    columns,
    write: (chunk: string | Uint8Array, a?: unknown, b?: unknown) => process.stderr.write(chunk as string, a as BufferEncoding, b as () => void),
  } as unknown as NodeJS.WritableStream;
}

/** A cli-progress bar per stage on a terminal; nothing otherwise. */
export function makeProgress(): Progress {
  if (!interactive()) return { start() {}, update() {}, stop() {} };
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(label, total) {
      bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} images | {eta_formatted} left`, hideCursor: true, stream: barStream() }, cliProgress.Presets.shades_classic);
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
