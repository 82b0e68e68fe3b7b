import { isReadableStore, type DataStore } from '@tuskit/core';
import type { Logger } from './config.js';
import type { AssetChanges, Catalog, ClaimedAsset } from './db.js';
import { formatDuration } from './duration.js';
import { assetMediaFields } from './media-fields.js';
import { ObjectReadError } from './object-tokenizer.js';
import { probeMedia, type ProbeOutcome } from './probe.js';

/** Options of {@link ProcessingQueue}. */
export interface ProcessingOptions {
  catalog: Catalog;
  store: DataStore;
  logger: Logger;
  /** This instance's name on the leases it takes (unique among the instances sharing the catalog). */
  owner: string;
  /** How long a lease lasts without renewal: the time an asset waits after its instance dies. */
  leaseMs: number;
  /** How many assets are measured at once. Default 2. */
  concurrency?: number;
  /** Time a probe may spend parsing one file, in ms (`PROBE_TIME_LIMIT_MS`). Default 30 000. */
  probeTimeLimitMs?: number;
  /** Heap of a probe's worker, in MiB (`PROBE_MEMORY_LIMIT_MB`). Default 64. */
  probeMemoryLimitMb?: number;
  /** How often to look for assets no instance holds (a dead instance's). Default `leaseMs / 2`. */
  pollMs?: number;
  /** A fault-injection point for tests: runs once an asset is claimed, before it is measured. */
  afterClaim?: (id: string) => Promise<void>;
  /** A fault-injection point for tests: runs once an asset is measured, before the catalog says so. */
  beforeFinish?: (id: string) => void;
  /** Called once for each asset this instance moves to `failed`, with its error code. */
  onFailed?: (code: string) => void;
}

/**
 * Measures the assets whose upload is complete, in the background, each in a
 * worker thread ({@link probeMedia}), once across every instance sharing the
 * catalog: an instance first leases an asset in the catalog
 * ({@link Catalog.claimProcessing}), renews the lease while it reads, and
 * moves the asset from `processing` to `ready` with its duration and stream
 * details, or to `failed` with `duration_unavailable`, `probe_failed` or
 * `probe_timeout`, only while it still holds the lease. The lease of an
 * instance that died runs out, and another instance measures the asset then.
 *
 * An asset whose object could not be read (a store outage) keeps its lease
 * until it runs out, then is tried again; one left at shutdown is released
 * at once for the other instances.
 *
 * @example
 * ```ts
 * const processing = new ProcessingQueue({ catalog, store, logger, owner: 'api-1', leaseMs: 30_000 });
 * processing.wake(); // an upload completed, or the instance started
 * await processing.drain();
 * ```
 */
export class ProcessingQueue {
  readonly #options: ProcessingOptions;
  readonly #stop = new AbortController();
  readonly #poller: NodeJS.Timeout;
  #running = 0;
  #claiming = false;
  /** A wake came in while claiming: claim again before going idle. */
  #wokenWhileClaiming = false;
  readonly #whenIdle: Array<() => void> = [];

  constructor(options: ProcessingOptions) {
    this.#options = options;
    this.#poller = setInterval(() => this.wake(), options.pollMs ?? options.leaseMs / 2);
    this.#poller.unref();
  }

  /** There may be assets to measure (an upload completed, the instance started): claims what it can. */
  wake(): void {
    if (this.#stop.signal.aborted) return;
    void this.#claim();
  }

  /** Claims what it can now, and resolves once nothing is left to claim and nothing runs. */
  drain(): Promise<void> {
    const idle = new Promise<void>((resolve) => this.#whenIdle.push(resolve));
    this.wake();
    this.#settleIfIdle();
    return idle;
  }

  /** Stops claiming, aborts the running reads and waits for them to give their leases back. */
  close(): Promise<void> {
    this.#stop.abort();
    clearInterval(this.#poller);
    const idle = new Promise<void>((resolve) => this.#whenIdle.push(resolve));
    this.#settleIfIdle();
    return idle;
  }

  async #claim(): Promise<void> {
    if (this.#claiming) {
      this.#wokenWhileClaiming = true;
      return;
    }
    const { catalog, owner, leaseMs, logger } = this.#options;
    this.#claiming = true;
    try {
      do {
        this.#wokenWhileClaiming = false;
        while (this.#running < (this.#options.concurrency ?? 2) && !this.#stop.signal.aborted) {
          const asset = await catalog.claimProcessing(owner, leaseMs);
          if (!asset) break;
          this.#start(asset);
        }
      } while (this.#wokenWhileClaiming && !this.#stop.signal.aborted);
    } catch (error) {
      logger.error('could not claim assets to process', error);
    } finally {
      this.#claiming = false;
      this.#settleIfIdle();
    }
  }

  #start(asset: ClaimedAsset): void {
    this.#running++;
    void this.#process(asset)
      .catch((error: unknown) => this.#options.logger.error(`asset ${asset.id} could not be processed`, error))
      .finally(() => {
        this.#running--;
        if (this.#stop.signal.aborted) this.#settleIfIdle();
        else void this.#claim();
      });
  }

  #settleIfIdle(): void {
    if (this.#running > 0 || this.#claiming) return;
    for (const resolve of this.#whenIdle.splice(0)) resolve();
  }

  async #process(asset: ClaimedAsset): Promise<void> {
    const { catalog, owner, logger, afterClaim, beforeFinish } = this.#options;
    const { id } = asset;
    logger.info(`asset ${id} processing on ${owner}`);
    const lease = this.#keepLease(id);
    try {
      await afterClaim?.(id);
      const changes = await this.#measure(asset, lease.signal);
      beforeFinish?.(id);
      if (!(await catalog.finishClaim(id, owner, changes))) {
        logger.info(`asset ${id}: the lease ran out before it was measured; another instance measures it`);
        return;
      }
      const outcome = changes.state === 'ready' ? `ready: ${asset.content_type}, ${changes.duration_seconds} s` : `failed: ${changes.error_code}`;
      logger.info(`asset ${id} ${outcome}`);
      if (changes.state === 'failed') this.#options.onFailed?.(changes.error_code ?? 'unknown');
    } catch (error) {
      if (!(error instanceof ObjectReadError)) throw error;
      if (this.#stop.signal.aborted) await catalog.releaseClaim(id, owner);
      else if (!lease.signal.aborted) logger.error(`asset ${id} stays processing; measured again once its lease runs out`, error);
    } finally {
      lease.stop();
    }
  }

  /** The probe's outcome as the catalog change it makes: `ready` with the duration and details, or `failed`. */
  async #measure(asset: ClaimedAsset, signal: AbortSignal): Promise<AssetChanges> {
    const { store, probeTimeLimitMs, probeMemoryLimitMb } = this.#options;
    const outcome: ProbeOutcome = isReadableStore(store)
      ? await probeMedia(store, asset.id, {
          size: asset.upload_length,
          contentType: asset.content_type,
          signal,
          timeLimitMs: probeTimeLimitMs,
          memoryLimitMb: probeMemoryLimitMb,
        })
      : { ok: false, code: 'duration_unavailable', message: 'This store cannot be read back, so nothing is measured.' };
    if (!outcome.ok) return { state: 'failed', error_code: outcome.code, error_message: outcome.message };
    const duration = formatDuration(outcome.details.duration) as string;
    return { state: 'ready', duration_seconds: duration, ...assetMediaFields(outcome.details) };
  }

  /** Renews the lease of `id` every third of its length; `signal` aborts on shutdown or when it is lost. */
  #keepLease(id: string): { signal: AbortSignal; stop(): void } {
    const { catalog, owner, leaseMs, logger } = this.#options;
    const lost = new AbortController();
    const renewal = setInterval(() => {
      catalog.renewClaim(id, owner, leaseMs).then(
        (held) => held || lost.abort(),
        (error: unknown) => logger.error(`asset ${id}: could not renew its lease`, error),
      );
    }, leaseMs / 3);
    return { signal: AbortSignal.any([this.#stop.signal, lost.signal]), stop: () => clearInterval(renewal) };
  }
}
