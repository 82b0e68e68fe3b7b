import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Container start (image inspect, create, health polling) dominates; a
    // cold MinIO on 2 cores can take tens of seconds.
    hookTimeout: 180_000,
    testTimeout: 60_000,
    teardownTimeout: 60_000,
  },
});
