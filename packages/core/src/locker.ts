import { TusError } from './errors.js';

/** Options of {@link Locker.lock}. */
export interface LockOptions {
  /** How long to wait for the current holder to let go before giving up with 423. */
  timeoutMs: number;
  /** Called on the holder when a newer request wants the lock: stop, persist, release. */
  onReleaseRequested: () => void;
  /** Ask the current holder to let go (default true); the reaper passes false to skip busy uploads. */
  takeover?: boolean;
}

/** A held lock; release it exactly once. */
export interface Lock {
  release(): Promise<void>;
}

/**
 * Serializes requests per upload. Implementations must give the lock to at
 * most one holder at a time across every process that shares the store,
 * call the holder's `onReleaseRequested` when another request waits, and
 * throw `TusError('locked')` when the holder does not let go in time.
 *
 * @example
 * ```ts
 * const lock = await locker.lock(id, { timeoutMs: 3000, onReleaseRequested: () => ctl.abort() });
 * try { ... } finally { await lock.release(); }
 * ```
 */
export interface Locker {
  lock(id: string, options: LockOptions): Promise<Lock>;
}

interface Holder {
  requestRelease: () => void;
  released: Promise<void>;
  markReleased: () => void;
}

/**
 * The default in-process locker. Enough for one process; use a distributed
 * locker when several processes share a store.
 *
 * @example
 * ```ts
 * const tus = createTus({ store, locker: new MemoryLocker() });
 * ```
 */
export class MemoryLocker implements Locker {
  readonly #holders = new Map<string, Holder>();

  async lock(id: string, options: LockOptions): Promise<Lock> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const holder = this.#holders.get(id);
      if (!holder) return this.#acquire(id, options.onReleaseRequested);
      if (options.takeover !== false) holder.requestRelease();
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await settlesWithin(holder.released, remaining))) {
        throw new TusError('locked');
      }
    }
  }

  #acquire(id: string, requestRelease: () => void): Lock {
    let markReleased!: () => void;
    const released = new Promise<void>((resolve) => (markReleased = resolve));
    const holder: Holder = { requestRelease, released, markReleased };
    this.#holders.set(id, holder);
    return {
      release: async () => {
        if (this.#holders.get(id) === holder) this.#holders.delete(id);
        holder.markReleased();
      },
    };
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise (the timer is cleared either way). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
