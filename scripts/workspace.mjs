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

/**
 * Runs a step with its output held back: one progress line before it, the whole output only when it fails
 * (a native module compiling from source prints hundreds of lines).
 */
export function step(label, command, args) {
  console.error(label);
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw result.error;
  if (result.status === 0) return;
  process.stderr.write(result.stdout + result.stderr);
  console.error(`failed: ${[command, ...args].join(' ')} (exit code ${result.status})`);
  process.exit(result.status ?? 1);
}

/** The pnpm to use: the pinned version on PATH, else the same version through npx. */
export function pnpm() {
  const found = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (found.status === 0 && found.stdout.trim() === PNPM_VERSION) return ['pnpm', []];
  return ['npx', ['--yes', `pnpm@${PNPM_VERSION}`]];
}

/** Runs pnpm with arguments in the repository root as a quiet {@link step}. */
export function pnpmStep(label, args) {
  const [command, prefix] = pnpm();
  step(label, command, [...prefix, ...args]);
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

/** Installs dependencies when node_modules is missing or older than the lockfile. */
export function ensureInstalled({ force = false, label = '' } = {}) {
  const marker = join(ROOT, 'node_modules', '.modules.yaml');
  if (!force && mtime(marker) >= mtime(join(ROOT, 'pnpm-lock.yaml'))) return;
  pnpmStep(`${label}installing dependencies (pnpm install --frozen-lockfile)`, ['install', '--frozen-lockfile']);
}

/** Builds every package, or only `filter` and what it depends on (tsup is incremental enough to rerun). */
export function buildAll({ filter, label = '' } = {}) {
  const scope = filter ? ['--filter', `${filter}...`] : ['-r'];
  pnpmStep(`${label}building ${filter ? `${filter} and its dependencies` : 'every package'}`, [
    ...scope,
    '--workspace-concurrency=1',
    'build',
  ]);
}
