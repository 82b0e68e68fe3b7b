// No package's source imports itself back: an import cycle makes a module graph order-dependent (a class used
// before its module finished evaluating) and hard to read. Type-only imports count too.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sources = ['packages', 'examples']
  .flatMap((dir) => readdirSync(join(ROOT, dir)).map((name) => join(dir, name, 'src')))
  .filter((src) => existsSync(join(ROOT, src)));

it('finds no import cycle in any package source', async () => {
  const { output } = await cruise(
    sources,
    {
      baseDir: ROOT,
      tsPreCompilationDeps: true,
      doNotFollow: { path: 'node_modules' },
      ruleSet: { forbidden: [{ name: 'no-circular', severity: 'error', from: {}, to: { circular: true } }] },
      validate: true,
    },
    { extensions: ['.ts', '.mts', '.js', '.mjs'], extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'] } },
  );
  const { summary } = output as ICruiseResult;
  expect(summary.totalCruised).toBeGreaterThan(100);
  const cycles = summary.violations.map((v) => [v.from, ...(v.cycle ?? []).map((step) => step.name)].join(' → '));
  expect(cycles).toEqual([]);
}, 60_000);
