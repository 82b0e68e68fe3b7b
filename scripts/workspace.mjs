// Shared by `npm start` and `npm test`: makes a fresh clone runnable with only Node.js and npm.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).packageManager.split('@')[1];

/** Runs a command in the repository root, inheriting stdio; exits on failure. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The pnpm to use: the pinned version on PATH, else the same version through npx. */
export function pnpm() {
  const found = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim() === PNPM_VERSION) return ['pnpm', []];
  return ['npx', ['--yes', `pnpm@${PNPM_VERSION}`]];
}

/** Runs pnpm with arguments in the repository root. */
export function runPnpm(args) {
  const [command, prefix] = pnpm();
  run(command, [...prefix, ...args]);
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

/** Installs dependencies when node_modules is missing or older than the lockfile. */
export function ensureInstalled({ force = false } = {}) {
  const marker = join(ROOT, 'node_modules', '.modules.yaml');
  if (!force && mtime(marker) >= mtime(join(ROOT, 'pnpm-lock.yaml'))) return;
  runPnpm(['install', '--frozen-lockfile']);
}

/** Builds every package (tsup is incremental enough to rerun each time). */
export function buildAll() {
  runPnpm(['-r', '--workspace-concurrency=1', 'build']);
}
