import { defineConfig } from 'vitest/config';

// Many tests run the real CLI in a child process (a second or more each on a 2-core machine),
// so the default 5 s per test is too tight; these limits only catch hangs.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
