import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real databases, real processes, real Chromium: give them room, and run files one at a
    // time per core so that two PGlite initdbs do not fight over 2 cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    globalSetup: ['test/support/global-setup.ts', 'test/support/database-template.ts'],
    // Tests never reach for the internet: no embedding model is downloaded unless a test serves one.
    env: { KEEL_NO_MODEL_DOWNLOAD: '1' },
  },
  esbuild: { jsx: 'automatic' },
});
