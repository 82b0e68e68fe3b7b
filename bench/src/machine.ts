import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { GiB } from './units.js';

/** Where and with what a run happened. */
export interface Environment {
  cpu: string;
  cores: number;
  memory: string;
  kernel: string;
  node: string;
  /** The repository commit, with a note when the work tree differs from it. */
  commit: string;
  /** Package name → installed version. */
  versions: Record<string, string>;
}

const MEASURED_PACKAGES = [
  '@tuskit/core',
  '@tuskit/store-fs',
  '@tuskit/express',
  '@tuskit/store-s3',
  '@tuskit/store-gcs',
  '@tuskit/store-azure',
  'express',
  '@tus/server',
  '@tus/file-store',
  '@tus/s3-store',
  '@tus/gcs-store',
  '@tus/azure-store',
  '@aws-sdk/client-s3',
  '@aws-sdk/lib-storage',
  '@google-cloud/storage',
  '@azure/storage-blob',
];

/**
 * The machine, Node.js, the commit and every measured package's version.
 *
 * @example
 * ```ts
 * describeEnvironment(join(repositoryRoot, 'bench')).versions['@tus/server']; // '2.4.5'
 * ```
 */
export function describeEnvironment(benchRoot: string): Environment {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory: `${(totalmem() / GiB).toFixed(1)} GiB`,
    kernel: release(),
    node: process.version,
    commit: commitOf(benchRoot),
    versions: Object.fromEntries(MEASURED_PACKAGES.map((name) => [name, versionOf(benchRoot, name)])),
  };
}

/**
 * The 1-minute load average, to tell a quiet machine from a busy one.
 *
 * @example
 * ```ts
 * const before = loadAverage();
 * ```
 */
export function loadAverage(): number {
  return loadavg()[0] ?? 0;
}

function versionOf(benchRoot: string, name: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(benchRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? '?';
  } catch {
    return 'not installed';
  }
}

function commitOf(benchRoot: string): string {
  const git = (...args: string[]) => spawnSync('git', ['--no-optional-locks', ...args], { cwd: benchRoot, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD').stdout?.trim();
  if (!head) return 'unknown';
  const changed = git('status', '--porcelain', '--', '../packages', '.').stdout?.trim();
  return changed ? `${head} + uncommitted changes` : head;
}
