import type { Backend } from './servers/config.js';
import { GiB, KiB, MiB, formatBytes } from './units.js';

/**
 * One load shape: `uploads` uploads of `uploadSize` bytes run in parallel,
 * each sent sequentially in PATCHes of `patchSize`. `latency` scenarios
 * report requests/s and p50/p99 instead of MiB/s.
 */
export interface Scenario {
  id: string;
  title: string;
  uploads: number;
  uploadSize: number;
  patchSize: number;
  kind: 'throughput' | 'latency';
}

/**
 * Every shape, moving `total` bytes (the 64 KiB one always sends 2,000 PATCHes).
 *
 * @example
 * ```ts
 * scenarioSet(GiB).map((s) => s.id); // ['1m', '8m', '64m', 'single', 'par8', 'par64', 'small']
 * ```
 */
export function scenarioSet(total: number): Scenario[] {
  return [
    sequential('1m', total, MiB),
    sequential('8m', total, 8 * MiB),
    sequential('64m', total, 64 * MiB),
    { id: 'single', title: `one ${formatBytes(total)} PATCH`, uploads: 1, uploadSize: total, patchSize: total, kind: 'throughput' },
    parallel('par8', 8, total, 8 * MiB),
    parallel('par64', 64, total, Math.min(8 * MiB, total / 64)),
    { id: 'small', title: '2,000 PATCHes of 64 KiB', uploads: 1, uploadSize: 2000 * 64 * KiB, patchSize: 64 * KiB, kind: 'latency' },
  ];
}

/**
 * What a full run moves per scenario: 1 GiB on disk; 256 MiB through MinIO
 * and fake-gcs-server, which share the 2 cores with everything else and run
 * an order of magnitude slower.
 */
export const FULL_BYTES: Record<Backend, number> = { fs: GiB, s3: 256 * MiB, gcs: 256 * MiB, azure: 256 * MiB };

/**
 * The shapes a full run measures unless `--scenarios` says otherwise, to keep
 * the whole run near 15 minutes on 2 cores. On S3 and GCS the 1 MiB and
 * 64 KiB shapes (below the 5 MiB part minimum, they measure each store's
 * small-part workaround) and 64 parallel uploads are left out; on GCS so are
 * 8 MiB PATCHes: @tus/gcs-store composes the whole object again on every
 * PATCH, which fake-gcs-server does by copying it, so that row alone takes
 * minutes (run it with `--only gcs --scenarios 8m`). On Azure one 256 MiB
 * PATCH is left out: @tus/azure-store appends a request's chunks to an append
 * blob and fails there (Azurite: 413, the block is too large).
 */
export const DEFAULT_SCENARIOS: Record<Backend, readonly string[]> = {
  fs: ['1m', '8m', '64m', 'single', 'par8', 'par64', 'small'],
  s3: ['8m', 'single', 'par8'],
  gcs: ['64m', 'single', 'par8'],
  azure: ['8m', 'par8'],
};

/**
 * The same shapes at a few MiB, for CI: proves the harness works end to end.
 *
 * @example
 * ```ts
 * SMOKE_SCENARIOS.every((s) => s.uploads * s.uploadSize <= 2 * MiB); // true
 * ```
 */
export const SMOKE_SCENARIOS: readonly Scenario[] = [
  sequential('1m', 2 * MiB, 256 * KiB),
  { id: 'single', title: 'one 2 MiB PATCH', uploads: 1, uploadSize: 2 * MiB, patchSize: 2 * MiB, kind: 'throughput' },
  parallel('par8', 4, 2 * MiB, 256 * KiB),
  { id: 'small', title: '20 PATCHes of 64 KiB', uploads: 1, uploadSize: 20 * 64 * KiB, patchSize: 64 * KiB, kind: 'latency' },
];

/**
 * The scenarios a backend runs: those named by `wanted` (ids from
 * `--scenarios`), else every smoke scenario or the backend's full defaults.
 *
 * @example
 * ```ts
 * scenariosFor(false, 's3', ['1m']).map((s) => s.title); // ['256 MiB in 1 MiB PATCHes']
 * ```
 */
export function scenariosFor(smoke: boolean, backend: Backend, wanted?: readonly string[]): Scenario[] {
  const all = smoke ? SMOKE_SCENARIOS : scenarioSet(FULL_BYTES[backend]);
  const ids = wanted ?? (smoke ? all.map((s) => s.id) : DEFAULT_SCENARIOS[backend]);
  return all.filter((s) => ids.includes(s.id));
}

/** Bytes a warm-up round sends at most: enough to warm the JIT and the connections. */
export const WARMUP_BYTES = 256 * MiB;

/**
 * The discarded warm-up round's version of a scenario: the same shape (number
 * of uploads, PATCH size up to the upload size), at most {@link WARMUP_BYTES}
 * (a quarter of that on S3 and GCS).
 *
 * @example
 * ```ts
 * warmupOf(scenarioSet(GiB)[3]!, 'fs').patchSize; // 256 MiB: one PATCH, like the scenario
 * ```
 */
export function warmupOf(scenario: Scenario, backend: Backend): Scenario {
  const budget = backend === 'fs' ? WARMUP_BYTES : WARMUP_BYTES / 4;
  const uploadSize = Math.min(scenario.uploadSize, Math.floor(budget / scenario.uploads));
  return { ...scenario, id: `${scenario.id}-warmup`, uploadSize, patchSize: Math.min(scenario.patchSize, uploadSize) };
}

/** Bytes of the priming upload, per backend, before a server's idle RSS is read. */
export const PRIMING_BYTES: Record<Backend, number> = { fs: 64 * MiB, s3: 16 * MiB, gcs: 16 * MiB, azure: 16 * MiB };

/**
 * The priming upload every server gets before its idle RSS is read, whatever
 * the scenario: one upload in small PATCHes (1 MiB on fs, 8 MiB on S3 and
 * GCS), enough to load every module, warm the JIT and bring Node's socket
 * buffers and heap to their steady size, too small to hide memory that grows
 * with the PATCH size. Never larger than the scenario itself.
 *
 * @example
 * ```ts
 * primingOf(scenarioSet(GiB)[3]!, 'fs').patchSize; // 1 MiB, although the scenario sends one 1 GiB PATCH
 * ```
 */
export function primingOf(scenario: Scenario, backend: Backend): Scenario {
  const uploadSize = Math.min(PRIMING_BYTES[backend], scenario.uploads * scenario.uploadSize);
  const patchSize = Math.min(backend === 'fs' ? MiB : 8 * MiB, uploadSize);
  return { id: `${scenario.id}-priming`, title: 'priming', uploads: 1, uploadSize, patchSize, kind: 'throughput' };
}

/**
 * The longest upload a run sends on a backend, priming included: the payload
 * every PATCH is cut from must hold it. A 64-way scenario's uploads are
 * smaller than its 64 MiB priming upload.
 *
 * @example
 * ```ts
 * largestUpload(scenariosFor(false, 'fs', ['par64']), 'fs'); // 64 MiB, the priming upload
 * ```
 */
export function largestUpload(scenarios: readonly Scenario[], backend: Backend): number {
  return Math.max(0, ...scenarios.map((s) => Math.max(s.uploadSize, primingOf(s, backend).uploadSize)));
}

function sequential(id: string, size: number, patchSize: number): Scenario {
  return { id, title: `${formatBytes(size)} in ${formatBytes(patchSize)} PATCHes`, uploads: 1, uploadSize: size, patchSize, kind: 'throughput' };
}

function parallel(id: string, uploads: number, total: number, patchSize: number): Scenario {
  const title = `${uploads} parallel uploads of ${formatBytes(total / uploads)} (${formatBytes(patchSize)} PATCHes)`;
  return { id, title, uploads, uploadSize: total / uploads, patchSize, kind: 'throughput' };
}
