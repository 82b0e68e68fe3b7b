import { packageBuild } from '../../tsup.base.mjs';

export default packageBuild(
  { index: 'src/index.ts', node: 'src/node.ts', testing: 'src/testing/index.ts' },
  { external: ['vitest'] },
);
