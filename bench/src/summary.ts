import type { Row } from './runner.js';
import { percentile, spread, type Spread } from './stats.js';
import { GiB, MiB } from './units.js';

/** The figures one row is reported with, over its measured repetitions. */
export interface Summary {
  /** MiB/s. */
  rate: Spread;
  requestsPerSecond: Spread;
  /** Server CPU-seconds per GiB received. */
  cpuPerGiB: Spread;
  /** Server CPU-milliseconds per PATCH. */
  cpuPerPatch: Spread;
  startRss: number;
  idleRss: number;
  /** The highest VmHWM of any repetition. */
  peakRss: number;
  /** Median over repetitions of each repetition's p50 / p99 latency, ms (latency scenarios). */
  p50?: number;
  p99?: number;
}

/**
 * Summarises a row's samples.
 *
 * @example
 * ```ts
 * summarize(row).rate.median; // MiB/s
 * ```
 */
export function summarize(row: Row): Summary {
  const { samples } = row;
  const latencies = samples.flatMap((s) => (s.latencies ? [s.latencies] : []));
  return {
    rate: spread(samples.map((s) => s.bytes / MiB / s.seconds)),
    requestsPerSecond: spread(samples.map((s) => s.patches / s.seconds)),
    cpuPerGiB: spread(samples.map((s) => s.cpuSeconds / (s.bytes / GiB))),
    cpuPerPatch: spread(samples.map((s) => (s.cpuSeconds * 1000) / s.patches)),
    startRss: row.startRss,
    idleRss: row.idleRss,
    peakRss: Math.max(...samples.map((s) => s.peakRss)),
    ...(latencies.length > 0 && {
      p50: spread(latencies.map((l) => percentile(l, 50))).median,
      p99: spread(latencies.map((l) => percentile(l, 99))).median,
    }),
  };
}

/**
 * The figure rows are compared by: requests/s for latency scenarios, MiB/s otherwise.
 *
 * @example
 * ```ts
 * headline(summary, 'latency'); // summary.requestsPerSecond.median
 * ```
 */
export function headline(summary: Summary, kind: 'throughput' | 'latency'): number {
  return kind === 'latency' ? summary.requestsPerSecond.median : summary.rate.median;
}
