import { Worker } from 'node:worker_threads';
import type { ReadableStore } from '@tuskit/core';
import type { MediaDetails } from './media-analysis.js';
import { ObjectCursor, ObjectReadError } from './object-tokenizer.js';
import type { FromWorker, ToWorker } from './probe-messages.js';

/** Why a probe gave no duration; the asset's `error_code`. */
export type ProbeErrorCode = 'duration_unavailable' | 'probe_failed' | 'probe_timeout';

/** A measured file (its duration is known), or why not. */
export type ProbeOutcome =
  | { ok: true; details: MediaDetails & { duration: number } }
  | { ok: false; code: ProbeErrorCode; message: string };

/** Options of {@link probeMedia}. */
export interface ProbeOptions {
  /** Size of the stored object in bytes. */
  size: number;
  /** The MIME type detected on the first chunk. */
  contentType: string | null;
  /** Stops the probe (it then throws an {@link ObjectReadError}). */
  signal?: AbortSignal;
  /** Time the probe may spend parsing (waiting for the store does not count), in ms. Default 30 000. */
  timeLimitMs?: number;
  /**
   * Heap of the probe's worker, in MiB: at least {@link MIN_PROBE_MEMORY_MB}. Default 64.
   */
  memoryLimitMb?: number;
}

/**
 * The smallest heap a probe's worker may get: below ~4 MiB Node 24 cannot
 * even deserialize a new worker's heap, and ends the whole process instead of
 * the worker.
 */
export const MIN_PROBE_MEMORY_MB = 5;

/** A fresh worker per probe: nothing a hostile file did survives it. */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../dist/probe-worker.js', import.meta.url) // the source under test: the built worker
  : new URL('./probe-worker.js', import.meta.url);

/**
 * Measures a stored audio or video object in a worker thread with a time and
 * heap limit: a hostile or truncated file ends as `probe_failed` or
 * `probe_timeout`, never stalls the event loop. The main thread reads the
 * store for the worker, only the byte ranges the parser asks for. Throws an
 * {@link ObjectReadError} when the object cannot be read (store failure or
 * `signal`), so the caller can measure it again later.
 *
 * @example
 * ```ts
 * const outcome = await probeMedia(store, id, { size: 2_000_000, contentType: 'video/mp4' });
 * if (outcome.ok) outcome.details.duration; // 3.0
 * ```
 */
export function probeMedia(store: ReadableStore, id: string, options: ProbeOptions): Promise<ProbeOutcome> {
  if ((options.memoryLimitMb ?? Infinity) < MIN_PROBE_MEMORY_MB) {
    throw new RangeError(`memoryLimitMb must be at least ${MIN_PROBE_MEMORY_MB}, not ${options.memoryLimitMb}.`);
  }
  return new Promise((resolve, reject) => new Probe(store, id, options, resolve, reject).start());
}

class Probe {
  readonly #cursor: ObjectCursor;
  readonly #options: ProbeOptions;
  readonly #resolve: (outcome: ProbeOutcome) => void;
  readonly #reject: (error: unknown) => void;
  #worker: Worker | undefined;
  #budgetMs: number;
  #clock: { timer: NodeJS.Timeout; since: number } | undefined;
  #settled = false;

  constructor(
    store: ReadableStore,
    id: string,
    options: ProbeOptions,
    resolve: (outcome: ProbeOutcome) => void,
    reject: (error: unknown) => void,
  ) {
    this.#cursor = new ObjectCursor(store, id, options.size, options.signal);
    this.#options = options;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#budgetMs = options.timeLimitMs ?? 30_000;
  }

  start(): void {
    const { signal, size, contentType, memoryLimitMb = 64 } = this.#options;
    if (signal?.aborted) return this.#fail(new ObjectReadError('The probe was stopped.', { cause: signal.reason }));
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    const worker = new Worker(WORKER_URL, {
      workerData: { size, contentType },
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    this.#worker = worker;
    worker.on('message', (message: FromWorker) => this.#onMessage(message));
    worker.on('error', (error) => this.#finish({ ok: false, code: 'probe_failed', message: `The probe failed: ${error.message}` }));
    worker.on('exit', () => this.#finish({ ok: false, code: 'probe_failed', message: 'The probe stopped without an answer.' }));
    this.#resume();
  }

  #onMessage(message: FromWorker): void {
    if (message.type === 'read') return void this.#read(message.position, message.length);
    if (message.type === 'failed') return this.#finish({ ok: false, code: 'probe_failed', message: `The probe failed: ${message.message}` });
    const { details } = message;
    if (details.duration === undefined) {
      const message = `Could not measure the duration of this ${this.#options.contentType ?? 'media'} file.`;
      return this.#finish({ ok: false, code: 'duration_unavailable', message });
    }
    this.#finish({ ok: true, details: { ...details, duration: details.duration } });
  }

  /** Reading the store does not count against the time limit: a slow store is not a hostile file. */
  async #read(position: number, length: number): Promise<void> {
    this.#pause();
    try {
      const target = new Uint8Array(length);
      const filled = await this.#cursor.read(target, position);
      if (this.#settled) return;
      const bytes = target.buffer.slice(0, filled);
      this.#worker?.postMessage({ bytes } satisfies ToWorker, [bytes]);
      this.#resume();
    } catch (error) {
      this.#fail(error);
    }
  }

  #resume(): void {
    const timer = setTimeout(() => {
      const message = `The probe took longer than ${this.#options.timeLimitMs ?? 30_000} ms.`;
      this.#finish({ ok: false, code: 'probe_timeout', message });
    }, this.#budgetMs);
    this.#clock = { timer, since: performance.now() };
  }

  #pause(): void {
    if (!this.#clock) return;
    clearTimeout(this.#clock.timer);
    this.#budgetMs = Math.max(0, this.#budgetMs - (performance.now() - this.#clock.since));
    this.#clock = undefined;
  }

  readonly #onAbort = (): void => {
    this.#fail(new ObjectReadError('The probe was stopped.', { cause: this.#options.signal?.reason }));
  };

  #finish(outcome: ProbeOutcome): void {
    if (this.#end()) this.#resolve(outcome);
  }

  #fail(error: unknown): void {
    if (this.#end()) this.#reject(error);
  }

  /** Stops the worker and the reads; false when already ended. */
  #end(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#pause();
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#cursor.close();
    void this.#worker?.terminate();
    return true;
  }
}
