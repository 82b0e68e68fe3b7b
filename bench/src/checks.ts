import type { S3Parts } from './beds/s3.js';
import type { Row, ScenarioResult } from './runner.js';
import type { Backend } from './servers/config.js';
import { headline, summarize, type Summary } from './summary.js';
import { MiB } from './units.js';

/** One goal applied to one tuskit row. */
export interface CheckResult {
  goal: string;
  row: string;
  measured: string;
  pass: boolean;
}

interface RatioGoal {
  backend: Backend;
  scenarios: readonly string[];
  against: string;
  atLeast: number;
}

/** The project's throughput goals, as ratios of medians measured in the same run. */
const RATIO_GOALS: readonly RatioGoal[] = [
  { backend: 'fs', scenarios: ['1m'], against: 'raw', atLeast: 0.9 },
  { backend: 'fs', scenarios: ['1m'], against: 'raw', atLeast: 1.0 },
  { backend: 'fs', scenarios: ['8m', '64m'], against: 'raw', atLeast: 0.95 },
  { backend: 'fs', scenarios: ['par8'], against: 'raw', atLeast: 0.9 },
  { backend: 'fs', scenarios: ['1m', 'par8'], against: 'tus-server', atLeast: 1.3 },
  { backend: 's3', scenarios: ['1m', '8m', '64m', 'single', 'par8', 'par64'], against: 'tus-server', atLeast: 1.0 },
  { backend: 's3', scenarios: ['1m', '8m', '64m', 'single', 'par8', 'par64'], against: 'raw', atLeast: 0.8 },
];

/** Headroom over idle RSS allowed under any fs load. */
const FS_MEMORY_HEADROOM = 16 * MiB;
/** S3: part buffers in flight (part size × part concurrency per upload) plus this. */
const S3_MEMORY_SLACK = 32 * MiB;
/** Scenarios whose peaks must stay flat as the PATCH size grows. */
const CHUNK_LADDER = ['1m', '8m', '64m', 'single'];
const FLATNESS = 8 * MiB;
/** The memory-floor row that runs in the same framework as a tuskit row (node:http unless named). */
const FLOOR_OF: Readonly<Record<string, string>> = { 'tuskit-express': 'raw-lean-express' };

/**
 * Every goal of the benchmark applied to every tuskit row it concerns. Goals
 * whose scenario did not run are left out.
 *
 * @example
 * ```ts
 * checkGoals(results, { partSize: 8 * MiB, queueSize: 4 }).filter((c) => !c.pass);
 * ```
 */
export function checkGoals(results: readonly ScenarioResult[], s3Parts: S3Parts): CheckResult[] {
  return [...ratioChecks(results), ...memoryChecks(results, s3Parts), ...flatnessChecks(results)];
}

function ratioChecks(results: readonly ScenarioResult[]): CheckResult[] {
  return RATIO_GOALS.flatMap((goal) =>
    results
      .filter((r) => r.backend === goal.backend && goal.scenarios.includes(r.scenario.id))
      .flatMap((result) => {
        const reference = result.rows.find((row) => row.targetId === goal.against);
        if (!reference) return [];
        const base = headline(summarize(reference), result.scenario.kind);
        return tuskitRows(result).map((row) => {
          const ratio = headline(summarize(row), result.scenario.kind) / base;
          return {
            goal: `${goal.backend} ${result.scenario.title}: ≥ ${goal.atLeast.toFixed(2)}× ${reference.label}`,
            row: row.label,
            measured: `${ratio.toFixed(2)}×`,
            pass: ratio >= goal.atLeast,
          };
        });
      }),
  );
}

function memoryChecks(results: readonly ScenarioResult[], s3Parts: S3Parts): CheckResult[] {
  return results.flatMap((result) => {
    const allowance = memoryAllowance(result.backend, result.scenario.uploads, s3Parts);
    if (allowance === undefined) return [];
    const raw = result.rows.find((row) => row.targetId === 'raw');
    // Against the raw server's peak, not its growth: its idle reading holds however many dead socket
    // buffers it had not yet collected, so its growth swings by tens of MiB (even below zero).
    const rawPeak = raw && summarize(raw).peakRss;
    return tuskitRows(result).flatMap((row) => {
      const summary = summarize(row);
      const { idleRss, peakRss } = summary;
      const growth = growthOf(summary);
      const floor = result.rows.find((r) => r.targetId === (FLOOR_OF[row.targetId] ?? 'raw-lean'));
      const floorGrowth = floor ? `; its memory floor ${signedMib(growthOf(summarize(floor)))}` : '';
      const absolute = {
        goal: `${result.backend} ${result.scenario.title}: peak RSS ≤ idle + ${allowance / MiB} MiB`,
        row: row.label,
        measured: `idle ${mib(idleRss)}, peak ${mib(peakRss)} (${signedMib(growth)})${floorGrowth}`,
        pass: growth <= allowance,
      };
      if (rawPeak === undefined) return [absolute];
      const relative = {
        goal: `${result.backend} ${result.scenario.title}: peak RSS ≤ the raw server's peak + ${allowance / MiB} MiB`,
        row: row.label,
        measured: `${mib(peakRss)} vs raw ${mib(rawPeak)}`,
        pass: peakRss - rawPeak <= allowance,
      };
      return [absolute, relative];
    });
  });
}

/** Peak RSS under load over idle RSS. */
function growthOf({ idleRss, peakRss }: Pick<Summary, 'idleRss' | 'peakRss'>): number {
  return peakRss - idleRss;
}

/** fs: a flat headroom. S3: the part buffers of every upload in flight, plus slack. */
function memoryAllowance(backend: Backend, uploads: number, s3Parts: S3Parts): number | undefined {
  if (backend === 'fs') return FS_MEMORY_HEADROOM;
  if (backend === 's3') return uploads * s3Parts.partSize * s3Parts.queueSize + S3_MEMORY_SLACK;
  return undefined;
}

function flatnessChecks(results: readonly ScenarioResult[]): CheckResult[] {
  const ladder = results.filter((r) => r.backend === 'fs' && CHUNK_LADDER.includes(r.scenario.id));
  if (ladder.length < 2) return [];
  const labels = new Map(ladder.flatMap((r) => tuskitRows(r).map((row) => [row.targetId, row.label] as const)));
  return [...labels].map(([targetId, label]) => {
    const peaks = ladder.flatMap((r) => r.rows.filter((row) => row.targetId === targetId).map((row) => summarize(row).peakRss));
    const range = Math.max(...peaks) - Math.min(...peaks);
    return {
      goal: `fs peak RSS flat as the PATCH size grows (${ladder.map((r) => r.scenario.id).join(', ')}): within ${FLATNESS / MiB} MiB`,
      row: label,
      measured: `${mib(Math.min(...peaks))} … ${mib(Math.max(...peaks))}`,
      pass: range <= FLATNESS,
    };
  });
}

function tuskitRows(result: ScenarioResult): Row[] {
  return result.rows.filter((row) => row.role === 'tuskit');
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** A change of memory with its sign: a peak can sit below the idle reading, which still held the priming's garbage. */
function signedMib(bytes: number): string {
  return bytes < 0 ? `−${mib(-bytes)}` : `+${mib(bytes)}`;
}
