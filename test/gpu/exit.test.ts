/** A process that used the GPU (engine or probe) exits by itself: dawn.node must not keep it alive. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireGpu } from './gpu-env.ts';

const script = fileURLToPath(new URL('./fixtures/use-engine.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

function runChild(args: string[], timeoutMs: number): Promise<{ code: number | null; timedOut: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut, stdout, stderr });
    });
  });
}

describe('process exit', () => {
  for (const mode of ['engine', 'probe']) {
    it(`a process that used the ${mode} exits by itself`, async (ctx) => {
      const r = await runChild([mode], 60_000);
      expect(r.timedOut, `child did not exit within 60 s; stderr: ${r.stderr}`).toBe(false);
      expect(r.code, r.stderr).toBe(0);
      const line = JSON.parse(r.stdout.trim().split('\n').pop()!);
      if (!line.adapter) {
        if (requireGpu) throw new Error('no WebGPU adapter in the child process and ARCHSIM_REQUIRE_GPU=1');
        return ctx.skip();
      }
      if (mode === 'engine') expect(line.digest).toMatch(/^[0-9a-f]{64}$/);
    }, 90_000);
  }
});
