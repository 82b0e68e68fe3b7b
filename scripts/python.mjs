// tuspy for the end-to-end tests without root: a virtualenv under node_modules/.cache when python3 lacks it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './workspace.mjs';

const VENV = join(ROOT, 'node_modules', '.cache', 'tuskit', 'python');
const VENV_PYTHON = join(VENV, 'bin', 'python3');
const REQUIREMENTS = join(ROOT, 'examples', 'server', 'requirements-e2e.txt');

const quietly = (command, args) => spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const hasTuspy = (python) => quietly(python, ['-c', 'import tusclient']).status === 0;

/**
 * The python3 to drive tuspy with: undefined when the system's has it (or there is no python3 at all, and the
 * tests say so), else a virtualenv of the repository's cache with the pinned tuspy, created on first use.
 */
export function provideTuspy() {
  if (quietly('python3', ['--version']).status !== 0 || hasTuspy('python3')) return undefined;
  if (existsSync(VENV_PYTHON) && hasTuspy(VENV_PYTHON)) return VENV_PYTHON;
  console.error(`[test] installing tuspy into ${VENV} (once)`);
  for (const [command, args] of [
    ['python3', ['-m', 'venv', '--clear', VENV]],
    [VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS]],
  ]) {
    const step = quietly(command, args);
    if (step.status !== 0) {
      const why = (step.stderr || step.error?.message || '').trim().split('\n').at(-1);
      console.error(`[test] could not install tuspy (${command} ${args.join(' ')}: ${why}); its tests will say so`);
      return undefined;
    }
  }
  return VENV_PYTHON;
}
