import { packageBuild } from '../../tsup.base.mjs';

/** p-queue and the packages it imports: ESM-only or ESM-first. */
const QUEUE_PACKAGES = ['p-queue', 'p-timeout', 'eventemitter3'];

export default packageBuild(
  { index: 'src/index.ts' },
  {
    // p-queue is ESM-only. `require(esm)` would hand the CJS build a namespace
    // that esbuild's interop wraps once more (`default` is then no
    // constructor), so the CJS build carries it inline; the ESM build imports it.
    noExternal: QUEUE_PACKAGES,
    esbuildOptions(options, { format }) {
      if (format === 'esm') options.external = [...(options.external ?? []), ...QUEUE_PACKAGES];
    },
  },
);
