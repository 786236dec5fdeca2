/** Option parsers shared by the commands (one definition each). */
import { InvalidArgumentError, Option } from 'commander';

export function intOption(name: string, min = 1): (v: string) => number {
  return (v: string) => {
    if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be an integer, found "${v}"`);
    const n = Number(v);
    if (n < min) throw new InvalidArgumentError(`${name} must be at least ${min}, found ${n}`);
    return n;
  };
}

export function backendOption(): Option {
  return new Option('--backend <name>', 'where the functional pass runs: auto takes a hardware GPU, else the fast CPU path')
    .choices(['auto', 'gpu', 'cpu', 'reference'])
    .default('auto');
}

