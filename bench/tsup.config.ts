import { defineConfig } from 'tsup';

export default defineConfig({
  // run.js is the load generator and orchestrator; server.js is every Node server child.
  entry: { run: 'src/run.ts', server: 'src/server.ts', 'profile-summary': 'src/profile-summary.ts', promotion: 'src/promotion.ts' },
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The testkit is TypeScript source for vitest; bundle it so plain node can run the harness.
  noExternal: ['@tuskit/testkit'],
});
