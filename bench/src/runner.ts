import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TusClient } from './client.js';
import type { Bed } from './beds/bed.js';
import { measure, type Sample, type Subject } from './measure.js';
import type { Payload } from './payload.js';
import { memory, processTree } from './procfs.js';
import { primingOf, warmupOf, type Scenario } from './scenarios.js';
import { startServer } from './server-process.js';
import type { Backend } from './servers/config.js';
import type { Role, Target } from './targets.js';
import { MiB } from './units.js';

/** The measured repetitions of one target in one scenario. */
export interface Row {
  targetId: string;
  label: string;
  role: Role;
  /** VmRSS of the server once it serves, before any request. */
  startRss: number;
  /** VmRSS of the server at rest after the priming upload ({@link primingOf}): the baseline of memory goals. */
  idleRss: number;
  samples: Sample[];
}

/** Every row of one scenario on one backend. */
export interface ScenarioResult {
  backend: Backend;
  scenario: Scenario;
  rows: Row[];
}

/** How the rounds run. */
export interface RoundOptions {
  reps: number;
  warmup: boolean;
  /** Targets whose servers run under `--cpu-prof`, and where profiles go. */
  profile: { targets: readonly string[]; directory: string };
  log: (line: string) => void;
}

/**
 * Starts one server child per target, then runs rounds: a discarded warm-up
 * round (the same shape, at most 256 MiB) and `reps` measured ones, each visiting every target once, the order
 * rotating from round to round so that no target always runs first or right
 * after the same neighbour. The servers are stopped at the end.
 *
 * @example
 * ```ts
 * const result = await runScenario(bed, targets, scenario, payload, { reps: 3, warmup: true, profile, log: console.error });
 * ```
 */
export async function runScenario(
  bed: Bed,
  targets: readonly Target[],
  scenario: Scenario,
  payload: Payload,
  options: RoundOptions,
): Promise<ScenarioResult> {
  const started = await Promise.allSettled(targets.map((target) => startSubject(bed, target, scenario, payload, options)));
  const subjects = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    for (const failed of started) if (failed.status === 'rejected') throw failed.reason;
    const rounds = options.reps + (options.warmup ? 1 : 0);
    for (let round = 0; round < rounds; round++) {
      const warmup = options.warmup && round === 0;
      for (const subject of rotate(subjects, round)) {
        const sample = await measure(subject, bed, warmup ? warmupOf(scenario, bed.backend) : scenario, payload);
        if (!warmup) subject.row.samples.push(sample);
        const label = warmup ? 'warm-up' : `rep ${round + (options.warmup ? 0 : 1)}/${options.reps}`;
        options.log(progressLine(bed.backend, scenario, label, subject.row, sample));
      }
    }
    return { backend: bed.backend, scenario, rows: subjects.map((s) => s.row) };
  } finally {
    for (const subject of subjects) {
      subject.client.close();
      await subject.server.stop();
    }
  }
}

async function startSubject(
  bed: Bed,
  target: Target,
  scenario: Scenario,
  payload: Payload,
  options: RoundOptions,
): Promise<Subject & { row: Row }> {
  const storage = await bed.prepare(target.id);
  const profileDir = options.profile.targets.includes(target.id)
    ? join(options.profile.directory, `${bed.backend}-${scenario.id}-${target.id}`)
    : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  const server = await startServer(await target.launch(storage, profileDir));
  const startRss = treeRss(server.pid);
  const subject = { server, client: new TusClient(server.endpoint), storage };
  try {
    await measure(subject, bed, primingOf(scenario, bed.backend), payload);
  } catch (error) {
    subject.client.close();
    await server.stop();
    throw error;
  }
  const row: Row = { targetId: target.id, label: target.label(bed.backend), role: target.role, startRss, idleRss: treeRss(server.pid), samples: [] };
  return { ...subject, row };
}

/**
 * The list rotated left by `by` places.
 *
 * @example
 * ```ts
 * rotate(['a', 'b', 'c'], 1); // ['b', 'c', 'a']
 * ```
 */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

function progressLine(backend: Backend, scenario: Scenario, round: string, row: Row, sample: Sample): string {
  const rate = (sample.bytes / MiB / sample.seconds).toFixed(0);
  return `[${backend} ${scenario.id}] ${round} ${row.targetId}: ${rate} MiB/s, ${sample.patches} PATCHes in ${sample.seconds.toFixed(2)} s, server CPU ${sample.cpuSeconds.toFixed(2)} s, peak RSS ${(sample.peakRss / MiB).toFixed(0)} MiB (idle ${(row.idleRss / MiB).toFixed(0)})`;
}

/** Resident memory of a server's whole process tree (all its workers). */
function treeRss(pid: number): number {
  return processTree(pid).reduce((sum, process) => sum + memory(process).rss, 0);
}
