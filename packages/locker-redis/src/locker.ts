import { randomUUID } from 'node:crypto';
import { TusError, isTusError, type Lock, type LockOptions, type Locker } from '@tuskit/core';
import { Redis } from 'ioredis';
import { HeldLock } from './held-lock.js';
import { acquireLock } from './lua.js';
import { LockSignals, type LockChannels } from './pubsub.js';

const DEFAULT_PREFIX = 'tuskit:lock:';
const DEFAULT_LOCK_TTL_MS = 10_000;
const DEFAULT_RECHECK_INTERVAL_MS = 1_000;

/** Options of {@link RedisLocker}. */
export interface RedisLockerOptions {
  /**
   * An ioredis client, or a `redis://` URL. A client stays yours (`close()`
   * leaves it open) and is duplicated once for the subscriber connection;
   * from a URL the locker opens and closes both connections itself.
   */
  redis: Redis | string;
  /** Prefix of the lock keys (`<prefix><id>`) and the channels (`<prefix>release-requests`, `<prefix>releases`). Default `tuskit:lock:`. */
  prefix?: string;
  /**
   * How long a lock outlives a holder that stopped renewing it (a killed
   * process). Holders renew every third of it. Default 10 s.
   */
  lockTtlMs?: number;
  /**
   * Longest wait between two attempts of a waiting request when no release
   * notice arrives (a lost message, a dead holder's expiry). Default 1 s.
   */
  recheckIntervalMs?: number;
  /** Receives background errors: failed renewals, a throwing `onReleaseRequested`, connection errors. */
  onError?: (error: unknown) => void;
}

/**
 * A {@link Locker} shared by every tuskit server on one Redis: at most one
 * request per upload holds the lock across all processes, a newer request
 * asks the holder (wherever it runs) to let go over pub/sub, and a holder
 * that dies loses its lock after `lockTtlMs`. Call `close()` after the
 * engine's `close()`.
 *
 * @example
 * ```ts
 * const locker = new RedisLocker({ redis: new Redis(process.env.REDIS_URL!) });
 * const tus = createTus({ store, locker });
 * process.on('SIGTERM', async () => { await tus.close(); await locker.close(); });
 * ```
 */
export class RedisLocker implements Locker {
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #recheckMs: number;
  readonly #channels: LockChannels;
  readonly #signals: LockSignals;
  readonly #onError: (error: unknown) => void;
  readonly #held = new Set<HeldLock>();

  constructor(options: RedisLockerOptions) {
    this.#ownsClient = typeof options.redis === 'string';
    this.#client = typeof options.redis === 'string' ? new Redis(options.redis) : options.redis;
    this.#subscriber = this.#client.duplicate();
    this.#prefix = options.prefix ?? DEFAULT_PREFIX;
    this.#ttlMs = positive(options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS, 'lockTtlMs');
    this.#recheckMs = positive(options.recheckIntervalMs ?? DEFAULT_RECHECK_INTERVAL_MS, 'recheckIntervalMs');
    this.#onError = options.onError ?? (() => {});
    this.#channels = { requests: `${this.#prefix}release-requests`, releases: `${this.#prefix}releases` };
    this.#signals = new LockSignals(this.#client, this.#subscriber, this.#channels, this.#onError);
    if (options.onError) this.#subscriber.on('error', options.onError);
    if (options.onError && this.#ownsClient) this.#client.on('error', options.onError);
  }

  /**
   * Takes the lock of `id`. While it is held elsewhere, asks the holder to
   * let go (unless `takeover: false`) and retries whenever a release is
   * announced, giving up with `TusError('locked')` after `timeoutMs`.
   * Redis failures become `TusError('store_unavailable')` (503).
   *
   * @example
   * ```ts
   * const lock = await locker.lock(id, { timeoutMs: 3000, onReleaseRequested: () => ctl.abort() });
   * try { ... } finally { await lock.release(); }
   * ```
   */
  async lock(id: string, options: LockOptions): Promise<Lock> {
    try {
      await this.#signals.ready();
      return await this.#acquire(id, options);
    } catch (error) {
      if (isTusError(error)) throw error;
      throw new TusError('store_unavailable', 'The lock service is unavailable; retry later.', { cause: error });
    }
  }

  /**
   * Releases the locks still held (so other servers need not wait for their
   * expiry) and closes the connections the locker opened.
   *
   * @example
   * ```ts
   * await tus.close();
   * await locker.close();
   * ```
   */
  async close(): Promise<void> {
    const releases = await Promise.allSettled([...this.#held].map((held) => held.release()));
    for (const result of releases) if (result.status === 'rejected') this.#onError(result.reason);
    this.#signals.close();
    await quietly(this.#subscriber);
    if (this.#ownsClient) await quietly(this.#client);
  }

  async #acquire(id: string, options: LockOptions): Promise<Lock> {
    const deadline = Date.now() + options.timeoutMs;
    const token = randomUUID();
    const key = `${this.#prefix}${id}`;
    for (;;) {
      const release = nextRelease(this.#signals, id);
      try {
        const holderTtl = await acquireLock(this.#client, key, token, this.#ttlMs);
        if (holderTtl === undefined) return this.#hold(id, key, token, options.onReleaseRequested);
        if (options.takeover !== false) await this.#signals.requestRelease(id, token);
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new TusError('locked');
        // A dead holder's key vanishes at its expiry without any notice: retry then at the latest.
        const untilExpiry = holderTtl >= 0 ? holderTtl + 1 : Infinity;
        await release.within(Math.min(remaining, this.#recheckMs, untilExpiry));
      } finally {
        release.cancel();
      }
    }
  }

  #hold(id: string, key: string, token: string, onReleaseRequested: () => void): Lock {
    const letGo = () => {
      try {
        onReleaseRequested();
      } catch (error) {
        this.#onError(error);
      }
    };
    // A request published by this very attempt may arrive after it succeeded: ignore it.
    const stopListening = this.#signals.onReleaseRequested(id, (askedBy) => askedBy !== token && letGo());
    const held: HeldLock = new HeldLock({
      client: this.#client,
      id,
      key,
      token,
      ttlMs: this.#ttlMs,
      releasesChannel: this.#channels.releases,
      onLost: letGo,
      onRelease: () => {
        stopListening();
        this.#held.delete(held);
      },
      onError: this.#onError,
    });
    this.#held.add(held);
    return held;
  }
}

/**
 * A wait for the next release notice of `id`, listening from now on so that a
 * release racing with the following attempt is not missed.
 */
function nextRelease(signals: LockSignals, id: string): { within(ms: number): Promise<void>; cancel(): void } {
  let wake!: () => void;
  const released = new Promise<void>((resolve) => (wake = resolve));
  const stopListening = signals.onReleased(id, () => wake());
  let timer: NodeJS.Timeout | undefined;
  return {
    within: (ms) => Promise.race([released, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]),
    cancel: () => {
      clearTimeout(timer);
      stopListening();
    },
  };
}

function positive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`RedisLocker: ${name} must be a positive number`);
  return value;
}

/** QUIT, or drop the connection when it cannot be sent (already closed, never connected). */
async function quietly(connection: Redis): Promise<void> {
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}
