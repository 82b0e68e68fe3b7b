import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@tuskit/testkit';
import type { LaunchSpec } from './server-process.js';
import { SERVER_CONFIG_ENV, type Backend, type RawServerConfig, type ServerConfig, type Storage } from './servers/config.js';

export const BASE_PATH = '/files';
/** Flags (space-separated) every Node server child starts with: what `--node-flags` sets. */
export const NODE_FLAGS_ENV = 'BENCH_NODE_FLAGS';
export const TUSD_VERSION = 'v2.9.1';
/** Workers of the `tuskit-workers` row: one per core, as the reference server's default `WORKERS`. */
const WORKERS = availableParallelism();

/**
 * `raw` rows are the baselines every row is compared to; `peer` rows are the
 * other TUS servers; a `floor` row shows the least memory a Node server needs
 * for the same load, and is no ratio column.
 */
export type Role = 'raw' | 'tuskit' | 'peer' | 'floor';

/** One server implementation the benchmark can run against a backend. */
export interface Target {
  id: string;
  role: Role;
  backends: readonly Backend[];
  /** Runs only when `--targets` names it. */
  optIn?: boolean;
  label(backend: Backend): string;
  /** Why the target cannot run on this machine, or undefined when it can. */
  unavailable(backend: Backend): string | undefined;
  /** How to start its server child over `storage`; `profileDir` turns on `--cpu-prof`. */
  launch(storage: Storage, profileDir?: string): Promise<LaunchSpec>;
}

const SERVER_ENTRY = fileURLToPath(new URL('./server.js', import.meta.url));

/**
 * Every target, in report order.
 *
 * @example
 * ```ts
 * TARGETS.filter((t) => t.backends.includes('s3')).map((t) => t.id); // ['raw', 'tuskit-node', 'tus-server']
 * ```
 */
export const TARGETS: readonly Target[] = [
  {
    id: 'raw',
    role: 'raw',
    backends: ['fs', 's3', 'gcs', 'azure'],
    label: (backend) =>
      ({
        fs: 'raw: node:http pipe → file',
        s3: 'raw: lib-storage multipart',
        gcs: 'raw: resumable write stream',
        azure: 'raw: block blob uploadStream',
      })[backend],
    unavailable: () => undefined,
    launch: async (storage, profileDir) => nodeServer({ kind: 'raw', basePath: BASE_PATH, storage }, profileDir),
  },
  rawFsVariant('raw-fsync', 'raw', 'raw + fsync at completion', { fsyncOnComplete: true }),
  rawFsVariant('raw-lean', 'floor', 'memory floor: write each chunk, then free it', { freeChunks: true }),
  rawFsVariant('raw-lean-express', 'floor', 'memory floor behind Express 5', { freeChunks: true, behindExpress: true }),
  {
    id: 'tuskit-node',
    role: 'tuskit',
    backends: ['fs', 's3', 'gcs', 'azure'],
    label: (backend) => `tuskit + ${STORE_PACKAGE[backend]} (node:http)`,
    unavailable: (backend) => missingPackage(STORE_PACKAGE[backend]),
    launch: async (storage, profileDir) =>
      nodeServer({ kind: 'tuskit', framework: 'node', basePath: BASE_PATH, storage }, profileDir),
  },
  {
    id: 'tuskit-express',
    role: 'tuskit',
    backends: ['fs'],
    label: (backend) => `tuskit + ${STORE_PACKAGE[backend]} (Express 5)`,
    unavailable: (backend) => missingPackage('@tuskit/express') ?? missingPackage(STORE_PACKAGE[backend]),
    launch: async (storage, profileDir) =>
      nodeServer({ kind: 'tuskit', framework: 'express', basePath: BASE_PATH, storage }, profileDir),
  },
  {
    id: 'tuskit-workers',
    role: 'tuskit',
    backends: ['fs'],
    label: (backend) => `tuskit + ${STORE_PACKAGE[backend]} (node:http, ${WORKERS} cluster workers)`,
    unavailable: (backend) => missingPackage('@tuskit/example-server/cluster') ?? missingPackage(STORE_PACKAGE[backend]),
    launch: async (storage, profileDir) =>
      nodeServer({ kind: 'tuskit', framework: 'node', basePath: BASE_PATH, storage, workers: WORKERS }, profileDir),
  },
  diagnosticsVariant('tuskit-diag-subscribed', 'tuskit (node:http), a listener on every diagnostics channel', 'subscribed'),
  diagnosticsVariant('tuskit-diag-absent', 'tuskit (node:http), diagnostics checks a constant false (no channel code path)', 'absent'),
  ...baselineTargets(),
  {
    id: 'tus-server',
    role: 'peer',
    backends: ['fs', 's3', 'gcs', 'azure'],
    label: (backend) =>
      `@tus/server + ${({ fs: '@tus/file-store', s3: '@tus/s3-store', gcs: '@tus/gcs-store', azure: '@tus/azure-store' })[backend]}`,
    unavailable: () => undefined,
    launch: async (storage, profileDir) => nodeServer({ kind: 'tus-server', basePath: BASE_PATH, storage }, profileDir),
  },
  {
    id: 'tusd',
    role: 'peer',
    backends: ['fs'],
    label: () => `tusd ${TUSD_VERSION} (filestore)`,
    unavailable: () => (existsSync(tusdBinary()) ? undefined : `no tusd binary at ${tusdBinary()}: run bench/prepare-tusd.sh`),
    launch: async (storage) => tusdServer(storage),
  },
];

/**
 * `tuskit-node` with the diagnostics channels listened to, or with their code
 * path gone: the cost of the channels nobody subscribes to, as the ratio of
 * `tuskit-node` to these rows. Not in the default run (`--targets` names them).
 */
function diagnosticsVariant(id: string, label: string, diagnostics: 'subscribed' | 'absent'): Target {
  return {
    id,
    role: 'peer',
    backends: ['fs'],
    optIn: true,
    label: () => label,
    unavailable: () => undefined,
    launch: async (storage, profileDir) =>
      nodeServer({ kind: 'tuskit', framework: 'node', basePath: BASE_PATH, storage, diagnostics }, profileDir),
  };
}

type RawOptions = Omit<RawServerConfig, 'kind' | 'basePath' | 'storage'>;

/** The fs raw server with some of its options on: a row of its own. */
function rawFsVariant(id: string, role: Role, label: string, options: RawOptions): Target {
  return {
    id,
    role,
    backends: ['fs'],
    label: () => label,
    unavailable: () => undefined,
    launch: async (storage, profileDir) => nodeServer({ kind: 'raw', basePath: BASE_PATH, storage, ...options }, profileDir),
  };
}

/**
 * The `tuskit-baseline` row, present when `TUSKIT_BENCH_BASELINE` names
 * another checkout of tuskit with built packages (e.g. a `git worktree` of
 * main): before/after figures of a change, from the same run.
 */
function baselineTargets(env: NodeJS.ProcessEnv = process.env): Target[] {
  const checkout = env.TUSKIT_BENCH_BASELINE && resolve(env.TUSKIT_BENCH_BASELINE);
  if (!checkout) return [];
  const packagesDir = join(checkout, 'packages');
  const revision = gitRevision(checkout);
  return [
    {
      id: 'tuskit-baseline',
      role: 'peer',
      backends: ['fs', 's3', 'gcs', 'azure'],
      label: (backend) => `tuskit baseline ${revision} + ${STORE_PACKAGE[backend]} (node:http)`,
      unavailable: (backend) => {
        const missing = ['core', STORE_DIRECTORY[backend]].find((p) => !existsSync(join(packagesDir, p, 'dist', 'index.js')));
        return missing && `no built packages/${missing} in ${checkout}`;
      },
      launch: async (storage, profileDir) =>
        nodeServer({ kind: 'tuskit', framework: 'node', basePath: BASE_PATH, storage, packagesDir }, profileDir),
    },
  ];
}

function gitRevision(checkout: string): string {
  try {
    return execFileSync('git', ['-C', checkout, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return checkout;
  }
}

const STORE_DIRECTORY: Record<Backend, string> = { fs: 'store-fs', s3: 'store-s3', gcs: 'store-gcs', azure: 'store-azure' };

const STORE_PACKAGE: Record<Backend, string> = {
  fs: '@tuskit/store-fs',
  s3: '@tuskit/store-s3',
  gcs: '@tuskit/store-gcs',
  azure: '@tuskit/store-azure',
};

/**
 * Where tusd is cached: `TUSKIT_TUSD_BIN`, else `${TUSKIT_CACHE_DIR:-/var/cache/tuskit}/bin/tusd-v2.9.1`
 * (what bench/prepare-tusd.sh builds).
 *
 * @example
 * ```ts
 * existsSync(tusdBinary());
 * ```
 */
export function tusdBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.TUSKIT_TUSD_BIN ?? join(env.TUSKIT_CACHE_DIR ?? '/var/cache/tuskit', 'bin', `tusd-${TUSD_VERSION}`);
}

function nodeServer(config: ServerConfig, profileDir: string | undefined): LaunchSpec {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const flags = process.env[NODE_FLAGS_ENV]?.split(' ').filter(Boolean) ?? [];
  return {
    command: process.execPath,
    args: [...flags, ...profile, SERVER_ENTRY],
    env: { [SERVER_CONFIG_ENV]: JSON.stringify(config) },
    basePath: config.basePath,
    ready: 'announce',
  };
}

async function tusdServer(storage: Storage): Promise<LaunchSpec> {
  if (storage.backend !== 'fs') throw new Error('tusd runs on fs only here');
  const port = await freePort();
  const args = ['-host', '127.0.0.1', '-port', String(port), '-base-path', `${BASE_PATH}/`, '-upload-dir', storage.directory];
  const quiet = ['-verbose=false', '-show-startup-logs=false', '-expose-metrics=false'];
  return { command: tusdBinary(), args: [...args, ...quiet], basePath: `${BASE_PATH}/`, ready: { port } };
}

/** Why a workspace package cannot be loaded (not built yet), or undefined. */
function missingPackage(name: string): string | undefined {
  try {
    const entry = fileURLToPath(import.meta.resolve(name));
    return existsSync(entry) ? undefined : `${name} is not built`;
  } catch {
    return `${name} is not built or not installed`;
  }
}
