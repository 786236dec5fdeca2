#!/usr/bin/env node
// archsim launcher. Runs the TypeScript CLI (src/cli/bin.ts) under tsx in a child process whose
// stderr passes through a filter: Dawn (the WebGPU implementation) prints start-up warnings from
// native code (a Vulkan driver it rejected, limits it reduced) that a user should not see unless
// they ask with --debug. Everything else on stderr, and all of stdout, passes through unchanged.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// tsx's ESM loader only: its CommonJS hooks (the plain `tsx` entry) detach an ArrayBuffer while
// loading CommonJS packages, which turns on V8's detached-buffer check at every typed-array access
// in the process (about a tenth of the event engine's instructions)
const tsx = require.resolve('tsx/esm');
const args = process.argv.slice(2);
const debug = args.includes('--debug');

const env = { ...process.env, EGL_PLATFORM: process.env.EGL_PLATFORM ?? 'surfaceless' };
if (process.stderr.isTTY) {
  env.ARCHSIM_STDERR_TTY = '1';
  if (process.stderr.columns) env.ARCHSIM_STDERR_COLUMNS = String(process.stderr.columns);
}
const child = spawn(process.execPath, ['--import', tsx, join(root, 'src/cli/bin.ts'), ...args], {
  stdio: ['inherit', 'inherit', debug ? 'inherit' : 'pipe'],
  env,
});

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));

if (!debug) {
  // Dawn's warning blocks: "Warning: ..." then indented "at ..." lines and a blank line. Complete
  // lines are filtered; a partial line is written at once (progress bars redraw with \r) unless
  // it could still become a warning line.
  let inBlock = false;
  let pending = '';
  const keep = (line) => {
    if (/^Warning: /.test(line)) {
      inBlock = true;
      return false;
    }
    // Mesa's Vulkan WSI complains while Dawn probes a software Vulkan driver it then rejects
    if (/^error: XDG_RUNTIME_DIR is invalid or not set/.test(line)) return false;
    if (inBlock && (/^\s+at /.test(line) || /^ - While /.test(line) || line.trim() === '')) return false;
    inBlock = false;
    return true;
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop();
    let out = '';
    for (const line of parts) if (keep(line)) out += line + '\n';
    const maybeNoise = 'Warning: '.startsWith(pending.slice(0, 9)) || 'error: XDG_RUNTIME_DIR'.startsWith(pending.slice(0, 22));
    if (pending && !maybeNoise && !(inBlock && /^\s/.test(pending))) {
      out += pending;
      pending = '';
      inBlock = false;
    }
    if (out) process.stderr.write(out);
  });
  child.stderr.on('end', () => {
    if (pending && keep(pending)) process.stderr.write(pending);
  });
}

child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exitCode = code ?? 1;
});
