import type { Locker } from '@tuskit/core';
import { RedisLocker } from '@tuskit/locker-redis';
import type { ResolvedServerOptions } from './config.js';

/** The engine's upload locks, and how to let go of them at shutdown. */
export interface UploadLocks {
  /** `undefined`: the engine's in-process locks (one instance). */
  readonly locker: Locker | undefined;
  /** Releases what is still held and closes the lock service's connections. */
  close(): Promise<void>;
}

/**
 * A {@link RedisLocker} on `REDIS_URL` when it is set, so that every instance
 * sharing the store and the catalog takes the same upload locks (and a
 * request on one instance takes over a PATCH running on another); otherwise
 * the given `locker` (the workers' shared locks), else the engine's
 * in-process locks.
 *
 * @example
 * ```ts
 * const locks = createUploadLocks(resolveOptions({ redisUrl: 'redis://127.0.0.1:6379' }));
 * const tus = createTus({ store, locker: locks.locker });
 * // at shutdown, after tus.close():
 * await locks.close();
 * ```
 */
export function createUploadLocks(
  config: Pick<ResolvedServerOptions, 'redisUrl' | 'redisLockPrefix' | 'redisLockTtlSeconds' | 'logger' | 'locker'>,
): UploadLocks {
  if (config.redisUrl === undefined) return { locker: config.locker, close: async () => {} };
  const locker = new RedisLocker({
    redis: config.redisUrl,
    lockTtlMs: config.redisLockTtlSeconds * 1000,
    prefix: config.redisLockPrefix,
    onError: (error) => config.logger.error('lock service error', error),
  });
  return { locker, close: () => locker.close() };
}
