import type { Worker } from 'node:cluster';
import { MemoryLocker, TusError, type Lock, type Locker, type LockOptions } from '@tuskit/core';

/** The messages between a worker's {@link ClusterLocker} and the primary's {@link ClusterLockAuthority}. */
type LockMessage =
  | { tuskitLock: 'acquire'; request: number; id: string; timeoutMs: number; takeover: boolean }
  | { tuskitLock: 'release'; request: number }
  | { tuskitLock: 'granted'; request: number }
  | { tuskitLock: 'refused'; request: number }
  | { tuskitLock: 'release-requested'; request: number };

/** The IPC channel of a worker process: `process` in a cluster worker. */
export interface LockChannel {
  send?(message: LockMessage): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

function isLockMessage(message: unknown): message is LockMessage {
  return typeof message === 'object' && message !== null && 'tuskitLock' in message;
}

/**
 * The upload locks of the workers of one machine, held in the primary
 * process: a {@link MemoryLocker} there decides, so the locks keep its
 * semantics exactly (one holder at a time, a newer request asks the holder
 * to let go, 423 when it does not in time). The locks of a worker that
 * exits are released.
 *
 * @example
 * ```ts
 * const authority = new ClusterLockAuthority();
 * cluster.on('fork', (worker) => authority.serve(worker));
 * ```
 */
export class ClusterLockAuthority {
  readonly #locker = new MemoryLocker();

  /** Answers `worker`'s lock requests until it exits. */
  serve(worker: Worker): void {
    const held = new Map<number, Promise<Lock | undefined>>();
    worker.on('message', (message: unknown) => {
      if (!isLockMessage(message)) return;
      if (message.tuskitLock === 'acquire') {
        const acquiring = this.#acquire(worker, message);
        held.set(message.request, acquiring);
        void acquiring.then((lock) => lock ?? held.delete(message.request));
      } else if (message.tuskitLock === 'release') {
        void held.get(message.request)?.then((lock) => lock?.release());
        held.delete(message.request);
      }
    });
    worker.once('exit', () => {
      for (const lock of held.values()) void lock.then((granted) => granted?.release());
      held.clear();
    });
  }

  async #acquire(worker: Worker, message: Extract<LockMessage, { tuskitLock: 'acquire' }>): Promise<Lock | undefined> {
    const { request, id, timeoutMs, takeover } = message;
    const answer = (reply: LockMessage) => {
      if (worker.isConnected()) worker.send(reply);
    };
    try {
      const lock = await this.#locker.lock(id, {
        timeoutMs,
        takeover,
        onReleaseRequested: () => answer({ tuskitLock: 'release-requested', request }),
      });
      if (worker.isDead() || !worker.isConnected()) {
        await lock.release();
        return undefined;
      }
      answer({ tuskitLock: 'granted', request });
      return lock;
    } catch {
      answer({ tuskitLock: 'refused', request });
      return undefined;
    }
  }
}

/**
 * A {@link Locker} for the workers of one machine (`WORKERS=N`): it asks
 * the primary's {@link ClusterLockAuthority} over the cluster's IPC
 * channel, so a PATCH on one worker and a HEAD or PATCH of the same upload
 * on another are serialised as they are in one process.
 *
 * @example
 * ```ts
 * const tus = createTus({ store, locker: new ClusterLocker(process) });
 * ```
 */
export class ClusterLocker implements Locker {
  readonly #channel: LockChannel;
  #requests = 0;
  readonly #pending = new Map<number, { resolve: (granted: boolean) => void; onReleaseRequested: () => void }>();

  constructor(channel: LockChannel) {
    if (!channel.send) throw new Error('ClusterLocker needs an IPC channel: run it in a cluster worker');
    this.#channel = channel;
    channel.on('message', (message) => {
      if (!isLockMessage(message)) return;
      const pending = this.#pending.get(message.request);
      if (message.tuskitLock === 'release-requested') pending?.onReleaseRequested();
      else if (message.tuskitLock === 'granted' || message.tuskitLock === 'refused') pending?.resolve(message.tuskitLock === 'granted');
    });
  }

  async lock(id: string, options: LockOptions): Promise<Lock> {
    const request = ++this.#requests;
    const granted = await new Promise<boolean>((resolve) => {
      this.#pending.set(request, { resolve, onReleaseRequested: options.onReleaseRequested });
      this.#channel.send?.({ tuskitLock: 'acquire', request, id, timeoutMs: options.timeoutMs, takeover: options.takeover !== false });
    });
    if (!granted) {
      this.#pending.delete(request);
      throw new TusError('locked');
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        this.#pending.delete(request);
        this.#channel.send?.({ tuskitLock: 'release', request });
      },
    };
  }
}
