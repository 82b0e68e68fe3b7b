import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', main: 'src/main.ts', cluster: 'src/cluster-locks.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts', cluster: 'src/cluster-locks.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
