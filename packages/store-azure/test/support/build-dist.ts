import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Vitest global setup: the child-process servers import the built package,
 * so rebuild it when `dist` is missing or older than `src` — otherwise the
 * crash and memory tests would silently run yesterday's code.
 */
export default function buildDist(): void {
  const built = join(ROOT, 'dist', 'index.js');
  const sources = readdirSync(join(ROOT, 'src')).map((name) => statSync(join(ROOT, 'src', name)).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources)) return;
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsup'), { cwd: ROOT, stdio: 'inherit' });
}
