import { isTusError } from '@tuskit/core';
import type { Logger } from './config.js';
import type { Catalog } from './db.js';

/** Options of {@link CompletionRecovery}. */
export interface CompletionRecoveryOptions {
  catalog: Catalog;
  /** The engine: finalizes an upload whose bytes are all stored, if need be, and calls `onComplete`. */
  tus: { finishUpload(id: string): Promise<boolean> };
  logger: Logger;
  /** This instance's name on the sweep's lease. */
  owner: string;
  /** How often one of the instances sharing the catalog sweeps. */
  intervalMs: number;
}

/** The name of the sweep's lease in the catalog. */
const SWEEP_LEASE = 'completion-sweep';

/**
 * Makes completion at-least-once across crashes: a process killed between
 * an upload's last byte and its asset becoming `processing` leaves the asset
 * `pending_upload` with every byte stored, and no client comes back for it.
 * A sweep hands each such asset to the engine again (`tus.finishUpload`),
 * whose `onComplete` moves it on (and changes nothing for an asset already
 * past `pending_upload`). Every instance sweeps at start (it may be the one
 * that was killed); then, every `intervalMs`, the one instance that takes the
 * sweep's lease in the catalog does, for instances gone for good.
 *
 * @example
 * ```ts
 * const recovery = new CompletionRecovery({ catalog, tus, logger, owner: 'api-1', intervalMs: 60_000 });
 * await recovery.sweep(); // at start
 * recovery.start();
 * ```
 */
export class CompletionRecovery {
  readonly #options: CompletionRecoveryOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<string[]> | undefined;
  #stopped = false;

  constructor(options: CompletionRecoveryOptions) {
    this.#options = options;
  }

  /** Sweeps every `intervalMs` while this instance takes the sweep's lease. */
  start(): void {
    const { catalog, owner, intervalMs, logger } = this.#options;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      catalog.claimLease(SWEEP_LEASE, owner, intervalMs).then(
        (held) => {
          if (held) void this.sweep();
        },
        (error: unknown) => logger.error('could not take the completion sweep lease', error),
      );
    }, intervalMs);
    this.#timer.unref();
  }

  /** Delivers again the completion of every `pending_upload` asset whose bytes are all stored; returns their ids. */
  sweep(): Promise<string[]> {
    this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Stops sweeping; resolves once a running sweep has stopped at its next asset. */
  async close(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  async #sweep(): Promise<string[]> {
    const { catalog, tus, logger } = this.#options;
    const recovered: string[] = [];
    const waiting = await catalog.idsInState('pending_upload').catch((error: unknown) => {
      logger.error('could not list the assets waiting for their upload', error);
      return [];
    });
    for (const id of waiting) {
      if (this.#stopped) break;
      try {
        if (!(await tus.finishUpload(id))) continue;
        recovered.push(id);
        logger.info(`asset ${id}: completion delivered again (its bytes were all stored)`);
      } catch (error) {
        // A request holds the upload (its own completion, most likely): the next sweep looks again.
        if (isTusError(error, 'locked')) continue;
        logger.error(`asset ${id}: its completion could not be delivered again`, error);
      }
    }
    return recovered;
  }
}
