import { defineConfig } from 'vitest/config';

// One run over every package's own vitest config, so CI prints one summary.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'examples/server/vitest.postgres.config.ts', 'bench'],
    // Most suites wait on sockets, disks and containers: two files at a time fit two cores.
    maxWorkers: 2,
  },
});
