import { defineConfig } from 'tsup';

export default defineConfig({
  // The probe's worker is loaded by its file name (probe.ts), next to the entries that use it.
  entry: { index: 'src/index.ts', main: 'src/main.ts', 'probe-worker': 'src/probe-worker.ts', cluster: 'src/cluster-locks.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', cluster: 'src/cluster-locks.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
