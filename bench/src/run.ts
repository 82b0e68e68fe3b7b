// `pnpm bench`: runs the benchmark and writes RESULTS.md. See bench/README.md.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bed } from './beds/bed.js';
import { fsBed } from './beds/fs.js';
import { azureBed } from './beds/azure.js';
import { gcsBed } from './beds/gcs.js';
import { s3Bed, type S3Parts } from './beds/s3.js';
import { checkGoals } from './checks.js';
import { parseOptions, type BenchOptions } from './cli.js';
import { describeEnvironment, loadAverage } from './machine.js';
import { Payload } from './payload.js';
import { extractNotes, renderReport, type SkippedTarget } from './report.js';
import { runScenario, type ScenarioResult } from './runner.js';
import { largestUpload, scenariosFor } from './scenarios.js';
import type { Backend } from './servers/config.js';
import { HOST_HEAP_ENV } from './servers/host-heap.js';
import { NODE_FLAGS_ENV, TARGETS, TUSD_VERSION, tusdBinary, type Target } from './targets.js';
import { MiB } from './units.js';

export { parseOptions };

const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * tuskit's S3 part size and part concurrency (its defaults), given to
 * lib-storage too; @tus/s3-store takes the part size and keeps its own
 * concurrency (it stages parts on disk).
 */
const S3_PARTS: S3Parts = { partSize: 8 * MiB, queueSize: 2 };

/**
 * Runs the whole benchmark as `options` asks and returns the path of the report.
 *
 * @example
 * ```ts
 * await runBenchmark(parseOptions(['--smoke', '--out', '/tmp/smoke.md']));
 * ```
 */
export async function runBenchmark(options: BenchOptions): Promise<string> {
  const startedAt = new Date();
  // Inherited by every server child.
  process.env[HOST_HEAP_ENV] = String(options.hostHeapMiB);
  process.env[NODE_FLAGS_ENV] = options.nodeFlags.join(' ');
  const workDir = options.workDir ?? join(BENCH_ROOT, '.tmp');
  const loadAtStart = loadAverage();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const plan = options.backends.map((backend) => ({ backend, scenarios: scenariosFor(options.smoke, backend, options.scenarios) }));
  const largest = Math.max(0, ...plan.map((p) => largestUpload(p.scenarios, p.backend)));
  const payload = Payload.create(largest);
  const results: ScenarioResult[] = [];
  const skipped: SkippedTarget[] = [];
  const beds: Partial<Record<Backend, string>> = {};
  for (const { backend, scenarios } of plan) {
    if (scenarios.length === 0) continue;
    const targets = selectTargets(backend, options, skipped);
    const bed = await openBed(backend, workDir);
    beds[backend] = bed.description;
    try {
      for (const scenario of scenarios) {
        results.push(await runScenario(bed, targets, scenario, payload, roundOptions(options, workDir, log)));
      }
    } finally {
      await bed.close();
    }
  }
  const out = options.out ?? join(BENCH_ROOT, options.smoke ? '.tmp/RESULTS.smoke.md' : 'RESULTS.md');
  await mkdir(join(out, '..'), { recursive: true });
  await mkdir(workDir, { recursive: true });
  await writeFile(join(workDir, 'results.json'), JSON.stringify(results, null, 1));
  const report = renderReport({
    startedAt,
    minutes: (Date.now() - startedAt.getTime()) / 60_000,
    smoke: options.smoke,
    reps: options.reps,
    warmup: options.warmup,
    hostHeapMiB: options.hostHeapMiB,
    nodeFlags: options.nodeFlags,
    load: { start: loadAtStart, end: loadAverage() },
    beds,
    results,
    checks: checkGoals(results, S3_PARTS),
    skipped,
    environment: describeEnvironment(BENCH_ROOT),
    extraVersions: extraVersions(),
    notes: existsSync(out) ? extractNotes(await readFile(out, 'utf8')) : undefined,
  });
  await writeFile(out, report);
  return out;
}

function selectTargets(backend: Backend, options: BenchOptions, skipped: SkippedTarget[]): Target[] {
  return TARGETS.filter((target) => {
    const named = options.targets?.includes(target.id) ?? !target.optIn;
    if (!target.backends.includes(backend) || !named) return false;
    const reason = target.unavailable(backend);
    if (reason) skipped.push({ backend, label: target.label(backend), reason });
    return reason === undefined;
  });
}

async function openBed(backend: Backend, workDir: string): Promise<Bed> {
  switch (backend) {
    case 'fs':
      return fsBed(join(workDir, 'data'));
    case 's3':
      return s3Bed(S3_PARTS);
    case 'gcs':
      return gcsBed();
    case 'azure':
      return azureBed();
  }
}

function roundOptions(options: BenchOptions, workDir: string, log: (line: string) => void) {
  return {
    reps: options.reps,
    warmup: options.warmup,
    profile: { targets: options.profile, directory: join(workDir, 'profiles') },
    log,
  };
}

function extraVersions(): Record<string, string> {
  return {
    tusd: existsSync(tusdBinary()) ? TUSD_VERSION : 'not built',
    'MinIO image': process.env.TUSKIT_MINIO_IMAGE ?? 'minio/minio',
    'fake-gcs-server image': process.env.TUSKIT_FAKE_GCS_IMAGE ?? 'fsouza/fake-gcs-server',
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = await runBenchmark(parseOptions(process.argv.slice(2)));
  process.stderr.write(`wrote ${out}\n`);
}
