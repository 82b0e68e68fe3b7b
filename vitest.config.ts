import { defineConfig } from 'vitest/config';

// One run over every package's own vitest config, so CI prints one summary.
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'examples/*',
      // The API tests again on PostgreSQL.
      'examples/server/vitest.postgres.config.ts',
      'bench',
      // Checks of the repository as a whole (its READMEs), not of one package.
      { test: { name: 'repository', include: ['test/**/*.test.ts'] } },
    ],
    // Most suites wait on sockets, disks and containers: two files at a time fit two cores.
    maxWorkers: 2,
  },
});
