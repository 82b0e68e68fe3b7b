import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The tests run the built harness (servers are child processes), so build it first. */
export default function setup(): void {
  const tsup = createRequire(import.meta.url).resolve('tsup/dist/cli-default.js');
  const built = spawnSync(process.execPath, [tsup, '--silent'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('building the bench harness failed');
}
