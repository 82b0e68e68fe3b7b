// `npm test`: install, build, then run every package's tests in one vitest run.
import { ROOT, buildAll, ensureInstalled, pnpm, run } from './workspace.mjs';

ensureInstalled({ force: process.env.CI === 'true' });
buildAll();
const [command, prefix] = pnpm();
run(command, [...prefix, 'exec', 'vitest', 'run', ...process.argv.slice(2)], { cwd: ROOT });
