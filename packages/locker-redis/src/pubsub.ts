import { once } from 'node:events';
import type { Redis } from 'ioredis';

/** The two shared channels every locker of one prefix listens on. */
export interface LockChannels {
  /** Messages `["<id>","<token of the asker>"]`: the holder of `id` should let go. */
  readonly requests: string;
  /** Messages `<id>`: the lock of `id` was just released (published by the release script). */
  readonly releases: string;
}

/** Per-upload listeners of one kind of message. */
class Listeners<T> {
  readonly #byId = new Map<string, Set<(value: T) => void>>();

  add(id: string, listener: (value: T) => void): () => void {
    const set = this.#byId.get(id) ?? new Set();
    this.#byId.set(id, set.add(listener));
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#byId.get(id) === set) this.#byId.delete(id);
    };
  }

  emit(id: string, value: T): void {
    for (const listener of [...(this.#byId.get(id) ?? [])]) listener(value);
  }
}

/**
 * Release requests and release notices between lockers, over one subscriber
 * connection. Every locker subscribes to the two shared channels once, so
 * taking a lock costs no SUBSCRIBE round trip, and a listener registered
 * before an attempt cannot miss a message that follows it.
 */
export class LockSignals {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #channels: LockChannels;
  readonly #onError: (error: unknown) => void;
  readonly #requests = new Listeners<string>();
  readonly #releases = new Listeners<void>();
  #subscribed: Promise<void> | undefined;

  constructor(publisher: Redis, subscriber: Redis, channels: LockChannels, onError: (error: unknown) => void) {
    this.#publisher = publisher;
    this.#subscriber = subscriber;
    this.#channels = channels;
    this.#onError = onError;
    subscriber.on('message', this.#dispatch);
  }

  /** Resolves once both channels are subscribed; a failed attempt is retried by the next call. */
  ready(): Promise<void> {
    // Subscribing before the connection is ready lets ioredis send its own connect-time commands
    // on a connection already in subscriber mode, which fails and reconnects without the subscription.
    this.#subscribed ??= connectionReady(this.#subscriber)
      .then(() => this.#subscriber.subscribe(this.#channels.requests, this.#channels.releases))
      .then(() => undefined)
      .catch((error: unknown) => {
        this.#subscribed = undefined;
        throw error;
      });
    return this.#subscribed;
  }

  /** Calls `listener` with the asker's token whenever someone asks the holder of `id` to let go. */
  onReleaseRequested(id: string, listener: (askedBy: string) => void): () => void {
    return this.#requests.add(id, listener);
  }

  /** Calls `listener` whenever the lock of `id` is released anywhere. */
  onReleased(id: string, listener: () => void): () => void {
    return this.#releases.add(id, listener);
  }

  /** Asks whoever holds `id`, in any process, to let go. */
  async requestRelease(id: string, askedBy: string): Promise<void> {
    await this.#publisher.publish(this.#channels.requests, JSON.stringify([id, askedBy]));
  }

  /** Stops listening; the subscriber connection itself belongs to the caller. */
  close(): void {
    this.#subscriber.off('message', this.#dispatch);
  }

  readonly #dispatch = (channel: string, message: string): void => {
    try {
      if (channel === this.#channels.releases) this.#releases.emit(message, undefined);
      if (channel === this.#channels.requests) {
        const [id, askedBy] = JSON.parse(message) as [string, string];
        this.#requests.emit(id, askedBy);
      }
    } catch (error) {
      this.#onError(error);
    }
  };
}

/** How long a new connection may take before locking reports the lock service unavailable. */
const CONNECT_TIMEOUT_MS = 10_000;

async function connectionReady(connection: Redis): Promise<void> {
  if (connection.status === 'ready') return;
  await once(connection, 'ready', { signal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) });
}
