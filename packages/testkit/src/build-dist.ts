import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * Vitest global setup of a package whose child-process servers import its
 * built `dist`: rebuilds the package (the project's root) when `dist` is
 * missing or older than `src` — otherwise the crash and memory tests would
 * silently run yesterday's code.
 *
 * @example
 * defineConfig({ test: { globalSetup: ['@tuskit/testkit/build-dist'] } });
 */
export default function buildDist(project: TestProject): void {
  const root = project.config.root;
  const built = join(root, 'dist', 'index.js');
  const sources = readdirSync(join(root, 'src')).map((name) => statSync(join(root, 'src', name)).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources)) return;
  execFileSync(join(root, 'node_modules', '.bin', 'tsup'), { cwd: root, stdio: 'inherit' });
}
