import { parseArgs } from 'node:util';
import type { Backend } from './servers/config.js';

/** What `pnpm bench` was asked to do. */
export interface BenchOptions {
  /** Tiny sizes, one repetition, no warm-up: proves the harness end to end. */
  smoke: boolean;
  backends: Backend[];
  /** Scenario ids (`1m`, `8m`, `64m`, `single`, `par8`, `par64`, `small`); default: each backend's set. */
  scenarios: string[] | undefined;
  /** Target ids to keep (`raw`, `tuskit-node`, `tuskit-express`, `tus-server`, `tusd`); default: all. */
  targets: string[] | undefined;
  /** Measured repetitions per target and scenario, after a discarded warm-up round. */
  reps: number;
  warmup: boolean;
  /** Targets whose server children run under `node --cpu-prof`. */
  profile: string[];
  /** Where the Markdown report goes. */
  out: string | undefined;
  /** Scratch space (fs uploads, profiles, results.json); default `bench/.tmp`. */
  workDir: string | undefined;
  /** MiB of long-lived objects every Node server holds, standing in for its host application. */
  hostHeapMiB: number;
  /** Flags every Node server child starts with (e.g. `--max-semi-space-size=2`); tusd ignores them. */
  nodeFlags: string[];
}

/**
 * The host heap of every Node server unless `--host-heap` says otherwise:
 * none. V8's collection cost depends on the heap a server holds, and not the
 * same way for every server: with 16–64 MiB held, the Express row loses its
 * Mark-Compact cliff but the raw row's CPU per GiB doubles (it collects often,
 * and each full collection marks the whole heap). The raw limit is measured
 * at its best, on a bare server; `--host-heap` shows the other side.
 */
export const DEFAULT_HOST_HEAP_MIB = 0;

const BACKENDS: readonly Backend[] = ['fs', 's3', 'gcs', 'azure'];

/**
 * Parses the command line (`--smoke`, `--only fs,s3`, `--scenarios 1m,par8`,
 * `--targets`, `--reps`, `--no-warmup`, `--profile`, `--out`, `--work-dir`, `--host-heap`, `--node-flags`) and `BENCH_SMOKE=1`.
 *
 * @example
 * ```ts
 * parseOptions(['--only', 'fs', '--scenarios', '1m']).scenarios; // ['1m']
 * ```
 */
export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      scenarios: { type: 'string' },
      targets: { type: 'string' },
      reps: { type: 'string' },
      'no-warmup': { type: 'boolean', default: false },
      profile: { type: 'string' },
      out: { type: 'string' },
      'work-dir': { type: 'string' },
      'host-heap': { type: 'string' },
      'node-flags': { type: 'string' },
    },
    strict: true,
  });
  const smoke = values.smoke || env.BENCH_SMOKE === '1';
  const backends = list(values.only) ?? [...BACKENDS];
  const unknown = backends.filter((b) => !BACKENDS.includes(b as Backend));
  if (unknown.length > 0) throw new Error(`--only takes ${BACKENDS.join(', ')}; got ${unknown.join(', ')}`);
  const reps = Number(values.reps ?? (smoke ? 1 : 3));
  if (!Number.isInteger(reps) || reps < 1) throw new Error(`--reps must be a positive integer, got ${values.reps}`);
  const hostHeapMiB = Number(values['host-heap'] ?? DEFAULT_HOST_HEAP_MIB);
  if (!Number.isFinite(hostHeapMiB) || hostHeapMiB < 0) throw new Error(`--host-heap takes MiB, got ${values['host-heap']}`);
  const nodeFlags = values['node-flags']?.split(/\s+/).filter(Boolean) ?? [];
  const notFlag = nodeFlags.find((flag) => !flag.startsWith('--'));
  if (notFlag) throw new Error(`--node-flags takes Node flags like --max-semi-space-size=2, got ${notFlag}`);
  return {
    smoke,
    backends: backends as Backend[],
    scenarios: list(values.scenarios),
    targets: list(values.targets),
    reps,
    warmup: !smoke && !values['no-warmup'],
    profile: list(values.profile) ?? [],
    out: values.out,
    workDir: values['work-dir'],
    hostHeapMiB,
    nodeFlags,
  };
}

function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((s) => s.trim()).filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}
