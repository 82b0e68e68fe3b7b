import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // The suites mostly wait on MinIO (each file runs its own), so two files at once fit two cores.
    maxWorkers: 2,
  },
});
