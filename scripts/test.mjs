// `npm test`: install, build, then run every package's tests in one vitest run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, buildAll, ensureInstalled, pnpm, run } from './workspace.mjs';

ensureInstalled({ force: process.env.CI === 'true' });
buildAll();
const [command, prefix] = pnpm();
// Every temporary file of the run (tests, child servers, backends) lives under one directory, removed at the end
// whatever the outcome, so a test that forgets its own cleanup cannot fill the disk run after run.
const scratch = mkdtempSync(join(tmpdir(), 'tuskit-test-run-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
run(command, [...prefix, 'exec', 'vitest', 'run', ...process.argv.slice(2)], {
  cwd: ROOT,
  env: { ...process.env, TMPDIR: scratch },
});
