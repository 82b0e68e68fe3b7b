import { TusClient, type UploadTarget } from './client.js';
import type { Bed } from './beds/bed.js';
import type { Payload } from './payload.js';
import { cpuSeconds, memory, processTree, resetPeak } from './procfs.js';
import type { Scenario } from './scenarios.js';
import type { ServerProcess } from './server-process.js';
import type { Storage } from './servers/config.js';

/** What one timed run of a scenario against one server measured. */
export interface Sample {
  /** Wall time from the first PATCH sent to the last answer. */
  seconds: number;
  bytes: number;
  patches: number;
  /** Server CPU (user + system) spent in the timed phase. */
  cpuSeconds: number;
  /** Server VmHWM over the timed phase (over its whole life where the kernel cannot reset it). */
  peakRss: number;
  /** Per-PATCH latency, ms, for latency scenarios. */
  latencies?: number[];
}

/** A server under test together with the area it writes to. */
export interface Subject {
  server: ServerProcess;
  client: TusClient;
  storage: Storage;
}

/**
 * One run: creates the uploads, times their PATCHes while watching the
 * server's CPU and memory, then (untimed) checks the size and sha256 of every
 * stored upload and empties the area.
 *
 * @example
 * ```ts
 * const sample = await measure(subject, bed, scenario, payload);
 * ```
 */
export async function measure(subject: Subject, bed: Bed, scenario: Scenario, payload: Payload): Promise<Sample> {
  const { server, client } = subject;
  client.resetConnections();
  const uploads = await Promise.all(Array.from({ length: scenario.uploads }, () => client.create(scenario.uploadSize)));
  // The server's whole process tree: a server of several workers is all of them.
  const processes = processTree(server.pid);
  for (const pid of processes) resetPeak(pid);
  const cpuOf = () => processes.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const cpuBefore = cpuOf();
  const started = performance.now();
  const latencies = await Promise.all(uploads.map((upload) => client.upload(upload, payload, scenario.patchSize)));
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuOf() - cpuBefore;
  // Each process's own peak, added up: an upper bound of the tree's peak (their peaks need not coincide).
  const peak = processes.reduce((sum, pid) => sum + memory(pid).peak, 0);
  await verify(subject, bed, uploads, payload);
  await bed.clear(subject.storage);
  return {
    seconds,
    bytes: scenario.uploads * scenario.uploadSize,
    patches: latencies.reduce((n, l) => n + l.length, 0),
    cpuSeconds: cpu,
    peakRss: peak,
    ...(scenario.kind === 'latency' && { latencies: latencies.flat() }),
  };
}

/** Every upload must be stored whole and byte-exact; anything else aborts the benchmark. */
async function verify(subject: Subject, bed: Bed, uploads: readonly UploadTarget[], payload: Payload): Promise<void> {
  for (const upload of uploads) {
    const key = uploadId(upload.url);
    const stored = await bed.digest(subject.storage, key);
    const expected = payload.digest(upload.size);
    if (stored.size !== upload.size || stored.sha256 !== expected) {
      throw new Error(
        `${upload.url}: stored ${stored.size} bytes with sha256 ${stored.sha256}, expected ${upload.size} bytes with ${expected}`,
      );
    }
  }
}

/**
 * The upload id: the URL's last path segment (every server here keys storage by it).
 *
 * @example
 * ```ts
 * uploadId('http://127.0.0.1:1080/files/abc'); // 'abc'
 * ```
 */
export function uploadId(url: string): string {
  return new URL(url).pathname.split('/').filter(Boolean).pop() ?? '';
}
