// `npm start`: installs and builds what is missing or stale, then runs the reference upload API
// (examples/server) in the foreground, forwarding signals and its exit code.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, buildAll, ensureInstalled } from './workspace.mjs';

const SERVER = join(ROOT, 'examples', 'server', 'dist', 'main.js');
const WORKSPACE_DIRS = ['packages', 'examples'];
const BUILD_INPUTS = ['src', 'package.json', 'tsup.config.ts', 'tsconfig.json'];

/** Newest modification time under `path` (a file or a folder, recursively); 0 when missing. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Folders of the workspace packages that have a build script. */
function builtPackages() {
  return WORKSPACE_DIRS.flatMap((dir) =>
    existsSync(join(ROOT, dir)) ? readdirSync(join(ROOT, dir)).map((name) => join(ROOT, dir, name)) : [],
  ).filter((dir) => {
    const manifest = join(dir, 'package.json');
    return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).scripts?.build;
  });
}

/** True when a package has no dist yet, or a source newer than its dist. */
function isStale(dir) {
  const built = newest(join(dir, 'dist'));
  return built === 0 || BUILD_INPUTS.some((input) => newest(join(dir, input)) > built);
}

ensureInstalled({ label: '[start] ' });
// Only the server and the packages it depends on; bench and the test-only packages are not built here.
if (builtPackages().some(isStale)) buildAll({ filter: '@tuskit/example-server', label: '[start] ' });
console.error('[start] starting the reference server');

const server = spawn(process.execPath, [SERVER], { cwd: ROOT, stdio: 'inherit' });
const forward = (signal) => server.kill(signal);
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
for (const signal of signals) process.on(signal, forward);
server.on('exit', (code, signal) => {
  for (const name of signals) process.off(name, forward);
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
