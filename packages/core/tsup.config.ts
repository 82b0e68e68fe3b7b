import { packageBuild } from '../../tsup.base.mjs';

// `shims` gives the CommonJS chunks an `import.meta.url`; the test kit finds its fixtures with it.
export default packageBuild(
  { index: 'src/index.ts', node: 'src/node.ts', parts: 'src/parts/index.ts', testing: 'src/testing/index.ts' },
  { external: ['vitest'], shims: true },
);
