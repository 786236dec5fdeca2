import { defineConfig } from 'vitest/config';

// Many tests run the real CLI in a child process (a second or more each on a 2-core machine),
// so the default 5 s per test is too tight; these limits only catch hangs.
export default defineConfig({
  test: {
    // One test file at a time: the tests spawn CLI processes and worker threads and drive Mesa's
    // software GPU (llvmpipe threads), so a second file in parallel only contends for the two
    // cores (the whole suite ran in 2.0 min this way vs 2.1 min with two forks), and two forks
    // driving Dawn/llvmpipe at once crashed a fork ("Worker exited unexpectedly") in 2 of 3 runs
    // on 2026-11-26 while each file passes alone; probably the collected-Dawn-instance crash fixed
    // later that day (src/gpu/runtime.ts, dawnInstance), not re-tested with two forks.
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
