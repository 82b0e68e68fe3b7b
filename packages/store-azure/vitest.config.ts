import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@tuskit/testkit/build-dist'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
