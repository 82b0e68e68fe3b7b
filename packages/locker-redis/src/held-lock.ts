import type { Lock } from '@tuskit/core';
import type { Redis } from 'ioredis';
import { extendLock, releaseLock } from './lua.js';

/** Renewals per lifetime: a holder survives two lost or slow renewals in a row. */
const RENEWALS_PER_TTL = 3;

/** What a {@link HeldLock} needs to renew and release its key. */
export interface HeldLockOptions {
  readonly client: Redis;
  readonly id: string;
  readonly key: string;
  readonly token: string;
  readonly ttlMs: number;
  /** Where the release script announces the release (the releases channel). */
  readonly releasesChannel: string;
  /** Called when a renewal finds the key gone or taken: the holder must stop at once. */
  readonly onLost: () => void;
  /** Called once, when {@link HeldLock.release} is first called. */
  readonly onRelease: () => void;
  readonly onError: (error: unknown) => void;
}

/**
 * A lock this process holds: renews its key's lifetime while held, and
 * deletes the key on release only if it still carries this holder's token.
 */
export class HeldLock implements Lock {
  readonly #options: HeldLockOptions;
  readonly #renewal: NodeJS.Timeout;
  #released: Promise<void> | undefined;

  constructor(options: HeldLockOptions) {
    this.#options = options;
    this.#renewal = setInterval(() => void this.#renew(), Math.max(1, Math.floor(options.ttlMs / RENEWALS_PER_TTL)));
    this.#renewal.unref();
  }

  /** Releases the lock; later calls return the first call's promise. */
  release(): Promise<void> {
    this.#released ??= this.#release();
    return this.#released;
  }

  async #release(): Promise<void> {
    clearInterval(this.#renewal);
    this.#options.onRelease();
    const { client, key, token, releasesChannel, id } = this.#options;
    await releaseLock(client, key, token, releasesChannel, id);
  }

  async #renew(): Promise<void> {
    const { client, key, token, ttlMs } = this.#options;
    try {
      const kept = await extendLock(client, key, token, ttlMs);
      if (kept || this.#released) return;
      clearInterval(this.#renewal);
      this.#options.onLost();
    } catch (error) {
      this.#options.onError(error);
    }
  }
}
