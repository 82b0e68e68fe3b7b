import { defineConfig, type Options } from 'tsup';

/**
 * The build every published package shares: ESM + CJS + type declarations
 * for Node 20, one entry per public subpath.
 *
 * @example
 * ```ts
 * export default packageBuild({ index: 'src/index.ts' });
 * ```
 */
export function packageBuild(entry: Record<string, string>, extra: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    // `@internal` members (e.g. the engine behind `Tus`) stay out of the published types.
    dts: { compilerOptions: { stripInternal: true } },
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...extra,
  });
}
