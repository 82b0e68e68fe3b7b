import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times. */
const TICKS_PER_SECOND = (() => {
  const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(answer.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/**
 * CPU time (user + system, all threads) a process has used, in seconds.
 *
 * @example
 * ```ts
 * const before = cpuSeconds(pid); await work(); const used = cpuSeconds(pid) - before;
 * ```
 */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count from its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/**
 * A process and its descendants (a server's workers), from
 * `/proc/<pid>/task/<tid>/children`.
 *
 * @example
 * ```ts
 * const cpu = processTree(pid).reduce((sum, p) => sum + cpuSeconds(p), 0);
 * ```
 */
export function processTree(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = tasks.flatMap((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
  return [pid, ...children.flatMap(processTree)];
}

/** Resident memory of a process, in bytes. */
export interface Memory {
  /** VmRSS: resident now. */
  rss: number;
  /** VmHWM: the peak since start or since the last {@link resetPeak}. */
  peak: number;
}

/**
 * Reads VmRSS and VmHWM from /proc/<pid>/status.
 *
 * @example
 * ```ts
 * memory(server.pid).peak / MiB;
 * ```
 */
export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/**
 * Resets a process's VmHWM to its current RSS (`clear_refs` 5, Linux ≥ 4.0),
 * so the next reading is the peak of what follows. Returns false where the
 * kernel refuses, and peaks then cover the process's whole life.
 *
 * @example
 * ```ts
 * resetPeak(pid); await load(); memory(pid).peak; // the peak under this load
 * ```
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
