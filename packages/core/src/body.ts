/** Why reading a request body stopped before its end. */
export type InterruptReason = 'aborted' | 'takeover' | 'idle' | 'shutdown' | 'error';

/** Options of {@link RequestBody}. */
export interface RequestBodyOptions {
  /** Bytes the upload can still take; more is an overflow and is never yielded. */
  limit: number;
  /** Aborts reading; its `reason` (an {@link InterruptReason}) is recorded. */
  signal: AbortSignal;
  /** Ends reading when no byte arrives for this long. */
  idleTimeoutMs: number;
  /** Called after every chunk with the bytes read so far. */
  onChunk?: (bytesRead: number) => void;
}

/**
 * A request body as the store sees it: every interruption (a dropped
 * connection, a takeover by a newer request, an idle client, a shutdown) is a
 * normal end of iteration, so the store persists exactly what arrived; bytes
 * beyond `limit` are cut off and flagged as an overflow.
 *
 * The source is never `return()`ed: closing a Node request stream would tear
 * down the socket before the response is written.
 */
export class RequestBody implements AsyncIterable<Uint8Array> {
  bytesRead = 0;
  /** The source reached its end. */
  complete = false;
  overflowed = false;
  interrupted: InterruptReason | undefined;
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #options: RequestBodyOptions;
  /** Ends the pending read, if any. One field rather than a race per chunk: racing every read
   * against a long-lived promise would keep every chunk reachable until the body ends. */
  #wake: (() => void) | undefined;

  constructor(source: AsyncIterable<Uint8Array>, options: RequestBodyOptions) {
    this.#source = source[Symbol.asyncIterator]();
    this.#options = options;
    const { signal } = options;
    if (signal.aborted) this.#stopWith((signal.reason as InterruptReason | undefined) ?? 'aborted');
    signal.addEventListener('abort', () => this.#stopWith((signal.reason as InterruptReason | undefined) ?? 'aborted'), {
      once: true,
    });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const { limit } = this.#options;
    // The idle clock only runs while waiting on the client, not while the store applies backpressure.
    const idle = setTimeout(() => (this.#wake ? this.#stopWith('idle') : idle.refresh()), this.#options.idleTimeoutMs);
    try {
      while (!this.interrupted) {
        idle.refresh();
        const next = await this.#next();
        if (!next) return;
        if (next.done) {
          this.complete = true;
          return;
        }
        const room = limit - this.bytesRead;
        const chunk = next.value.byteLength > room ? next.value.subarray(0, room) : next.value;
        if (chunk !== next.value) this.overflowed = true;
        if (chunk.byteLength > 0) {
          this.bytesRead += chunk.byteLength;
          this.#options.onChunk?.(this.bytesRead);
          yield chunk;
        }
        if (this.overflowed) return;
      }
    } finally {
      clearTimeout(idle);
    }
  }

  /** The next chunk, or `undefined` once interrupted (a failing source counts as a dropped client). */
  #next(): Promise<IteratorResult<Uint8Array> | undefined> {
    if (this.interrupted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const settle = (result: IteratorResult<Uint8Array> | undefined) => {
        this.#wake = undefined;
        resolve(result);
      };
      this.#wake = () => settle(undefined);
      this.#source.next().then(settle, () => {
        this.interrupted ??= 'aborted';
        settle(undefined);
      });
    });
  }

  #stopWith(reason: InterruptReason): void {
    this.interrupted ??= reason;
    this.#wake?.();
  }
}

/**
 * Reads at least `min` and at most about `max` bytes from the front of an
 * iterator (whole chunks; never more than one chunk past `min`), for format
 * detection. Returns the chunks read, to be replayed before the rest.
 *
 * @example
 * ```ts
 * const { chunks, head } = await readHead(iterator, 4100);
 * ```
 */
export async function readHead(
  iterator: AsyncIterator<Uint8Array>,
  max: number,
): Promise<{ chunks: Uint8Array[]; head: Buffer }> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < max) {
    const next = await iterator.next();
    if (next.done) break;
    chunks.push(next.value);
    length += next.value.byteLength;
  }
  const head = Buffer.concat(chunks);
  return { chunks, head: head.subarray(0, max) };
}

/**
 * Yields `first` and then the rest of `iterator`.
 *
 * @example
 * ```ts
 * await store.write(id, 0, replay(chunks, iterator));
 * ```
 */
export async function* replay(
  first: readonly Uint8Array[],
  iterator: AsyncIterator<Uint8Array>,
): AsyncIterable<Uint8Array> {
  yield* first;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}

/**
 * A body of bytes already in memory, as the async iterable stores consume.
 *
 * @example
 * ```ts
 * await store.write(id, 0, bodyOf([head, rest]));
 * ```
 */
export async function* bodyOf(chunks: Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* chunks;
}
