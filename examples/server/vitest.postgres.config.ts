// A relative import: the config is bundled before the workspace's TypeScript packages can be loaded.
import { postgresAvailability } from '../../packages/testkit/src/postgres.js';
import { defineConfig } from 'vitest/config';

/**
 * The API tests again, on PostgreSQL (`DATABASE_URL`) instead of SQLite: one
 * throwaway server for the run (see test/support/postgres-setup.ts), a fresh
 * database per test server. Without PostgreSQL binaries only the catalog
 * test runs, which reports the skip (or fails where PostgreSQL is required).
 */
const API_TESTS = [
  'test/api.test.ts',
  'test/lifecycle.test.ts',
  'test/stalled-client.test.ts',
  'test/config.test.ts',
  'test/clients.test.ts',
  'test/tus-js-client.test.ts',
  'test/stores.test.ts',
  'test/backend-outage.test.ts',
  'test/completion-crash.test.ts',
];

const postgres = postgresAvailability();

export default defineConfig({
  test: {
    name: '@tuskit/example-server on PostgreSQL',
    include: postgres.available ? API_TESTS : ['test/catalog.test.ts'],
    env: { TEST_DATABASE: 'postgres' },
    globalSetup: postgres.available ? ['test/support/postgres-setup.ts'] : [],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
