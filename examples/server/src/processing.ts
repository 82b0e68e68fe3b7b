import { isReadableStore, type DataStore } from '@tuskit/core';
import type { Logger } from './config.js';
import type { Catalog } from './db.js';
import { formatDuration } from './duration.js';
import { assetMediaFields } from './media-fields.js';
import { ObjectReadError } from './object-tokenizer.js';
import { probeMedia, type ProbeOutcome } from './probe.js';

/** Options of {@link ProcessingQueue}. */
export interface ProcessingOptions {
  catalog: Catalog;
  store: DataStore;
  logger: Logger;
  /** How many assets are measured at once. Default 2. */
  concurrency?: number;
  /** Time a probe may spend parsing one file, in ms (`PROBE_TIME_LIMIT_MS`). Default 30 000. */
  probeTimeLimitMs?: number;
  /** Heap of a probe's worker, in MiB (`PROBE_MEMORY_LIMIT_MB`). Default 64. */
  probeMemoryLimitMb?: number;
}

/**
 * Measures the assets whose upload is complete, in the background, each in a
 * worker thread ({@link probeMedia}): an asset goes from `processing` to
 * `ready` with its duration and stream details, or to `failed` with
 * `duration_unavailable`, `probe_failed` or `probe_timeout`. An asset whose object could not be read (a
 * store outage, a shutdown) stays `processing` and is measured again at the
 * next start.
 *
 * @example
 * ```ts
 * const processing = new ProcessingQueue({ catalog, store, logger });
 * processing.push(assetId);
 * await processing.drain();
 * ```
 */
export class ProcessingQueue {
  readonly #options: ProcessingOptions;
  readonly #queue: string[] = [];
  readonly #stop = new AbortController();
  #running = 0;
  readonly #whenIdle: Array<() => void> = [];

  constructor(options: ProcessingOptions) {
    this.#options = options;
  }

  /** Queues an asset (in state `processing`). */
  push(id: string): void {
    if (this.#stop.signal.aborted) return;
    this.#queue.push(id);
    this.#next();
  }

  /** Resolves once every queued asset has been processed. */
  drain(): Promise<void> {
    if (this.#running === 0 && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenIdle.push(resolve));
  }

  /** Stops reading, drops the queue and waits for running jobs to give up. */
  close(): Promise<void> {
    this.#stop.abort();
    this.#queue.length = 0;
    return this.drain();
  }

  #next(): void {
    while (this.#running < (this.#options.concurrency ?? 2) && this.#queue.length > 0) {
      const id = this.#queue.shift() as string;
      this.#running++;
      void this.#process(id)
        .catch((error: unknown) => this.#options.logger.error(`asset ${id} could not be processed`, error))
        .finally(() => {
          this.#running--;
          this.#next();
          if (this.#running === 0 && this.#queue.length === 0) this.#settle();
        });
    }
  }

  #settle(): void {
    for (const resolve of this.#whenIdle.splice(0)) resolve();
  }

  async #process(id: string): Promise<void> {
    const { catalog, store, logger } = this.#options;
    const asset = catalog.findAsset(id);
    if (asset?.state !== 'processing') return;
    try {
      const outcome: ProbeOutcome = isReadableStore(store)
        ? await probeMedia(store, id, {
            size: asset.upload_length,
            contentType: asset.content_type,
            signal: this.#stop.signal,
            timeLimitMs: this.#options.probeTimeLimitMs,
            memoryLimitMb: this.#options.probeMemoryLimitMb,
          })
        : { ok: false, code: 'duration_unavailable', message: 'This store cannot be read back, so nothing is measured.' };
      if (outcome.ok) {
        const duration = formatDuration(outcome.details.duration) as string;
        catalog.transition(id, 'processing', { state: 'ready', duration_seconds: duration, ...assetMediaFields(outcome.details) });
        logger.info(`asset ${id} ready: ${asset.content_type}, ${duration} s`);
        return;
      }
      catalog.transition(id, 'processing', { state: 'failed', error_code: outcome.code, error_message: outcome.message });
      logger.info(`asset ${id} failed: ${outcome.code}`);
    } catch (error) {
      if (!(error instanceof ObjectReadError)) throw error;
      if (!this.#stop.signal.aborted) logger.error(`asset ${id} stays processing until the next start`, error);
    }
  }
}
