import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // End-to-end tests spawn the CLI; two cores.
    maxWorkers: 2,
    globalSetup: ['test/setup/tmpdir.ts'],
  },
});
