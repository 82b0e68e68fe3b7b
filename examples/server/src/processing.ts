import { isReadableStore, type DataStore } from '@tuskit/core';
import type { Logger } from './config.js';
import type { Catalog } from './db.js';
import { measureDuration } from './duration.js';
import { ObjectReadError } from './object-tokenizer.js';

/** Options of {@link ProcessingQueue}. */
export interface ProcessingOptions {
  catalog: Catalog;
  store: DataStore;
  logger: Logger;
  /** How many assets are measured at once. Default 2. */
  concurrency?: number;
}

/**
 * Measures the assets whose upload is complete, in the background: each
 * asset goes from `processing` to `ready` with its duration, or to `failed`
 * with `duration_unavailable`. An asset whose object could not be read (a
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
      const duration = isReadableStore(store)
        ? await measureDuration(store, id, {
            size: asset.upload_length,
            contentType: asset.content_type,
            signal: this.#stop.signal,
          })
        : undefined;
      if (duration !== undefined) {
        catalog.transition(id, 'processing', { state: 'ready', duration_seconds: duration });
        logger.info(`asset ${id} ready: ${asset.content_type}, ${duration} s`);
        return;
      }
      const message = `Could not measure the duration of this ${asset.content_type ?? 'media'} file.`;
      catalog.transition(id, 'processing', { state: 'failed', error_code: 'duration_unavailable', error_message: message });
      logger.info(`asset ${id} failed: duration_unavailable`);
    } catch (error) {
      if (!(error instanceof ObjectReadError)) throw error;
      if (!this.#stop.signal.aborted) logger.error(`asset ${id} stays processing until the next start`, error);
    }
  }
}
