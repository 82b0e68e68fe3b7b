import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // The smoke runs start servers and, with Docker, MinIO and fake-gcs-server.
    hookTimeout: 180_000,
    testTimeout: 180_000,
  },
});
