/** A process that used the GPU (engine or probe) exits by itself: dawn.node must not keep it alive. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireGpu } from './gpu-env.ts';

const script = fileURLToPath(new URL('./fixtures/use-engine.ts', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));

function runChild(args: string[], timeoutMs: number, nodeFlags: string[] = []): Promise<{ code: number | null; timedOut: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
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

  // dawn.node's event callbacks point at their instance: before the instances were kept for the
  // process, a collected one aborted (or deadlocked) the next acquisition
  it('devices created and destroyed repeatedly, with a garbage collection between, then an engine: runs and exits', async (ctx) => {
    const r = await runChild(['churn'], 80_000, ['--expose-gc']);
    expect(r.timedOut, `child did not finish within 80 s; stderr: ${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    const line = JSON.parse(r.stdout.trim().split('\n').pop()!);
    if (!line.adapter) {
      if (requireGpu) throw new Error('no WebGPU adapter in the child process and ARCHSIM_REQUIRE_GPU=1');
      return ctx.skip();
    }
    expect(line.digest).toMatch(/^[0-9a-f]{64}$/);
  }, 90_000);
});
