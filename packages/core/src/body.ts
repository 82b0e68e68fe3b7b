import { RELEASE_CHUNK, type Releasing } from './chunk-release.js';
import { type ChunkSource, chunkSourceOf } from './chunk-source.js';
import type { UploadBody } from './store.js';

/** Why reading a request body stopped before its end. */
export type InterruptReason = 'aborted' | 'takeover' | 'idle' | 'shutdown' | 'stopped' | 'error';

/** Options of {@link RequestBody}. */
export interface RequestBodyOptions {
  /** Bytes the upload can still take; more is an overflow and is never yielded. */
  limit: number;
  /** Ends reading when no byte arrives for this long. */
  idleTimeoutMs: number;
  /** Called after every chunk with the bytes read so far. */
  onChunk?: (bytesRead: number) => void;
  /** Offered to stores as the body's {@link RELEASE_CHUNK}: set only when nothing but the core holds the chunks. */
  release?: ((chunk: Uint8Array) => void) | undefined;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * A request body as the store sees it: every interruption (a dropped
 * connection, a takeover by a newer request, an idle client, a shutdown) is a
 * normal end of iteration, so the store persists exactly what arrived; bytes
 * beyond `limit` are cut off and flagged as an overflow.
 *
 * The source is never `return()`ed: closing a Node request stream would tear
 * down the socket before the response is written. The iterator is written out
 * by hand rather than as an async generator: it runs once per socket chunk,
 * and every object it allocates there is garbage the host's GC must chase.
 */
export class RequestBody implements UploadBody, Releasing {
  bytesRead = 0;
  [RELEASE_CHUNK]: ((chunk: Uint8Array) => void) | undefined;
  /** The source reached its end. */
  complete = false;
  overflowed = false;
  interrupted: InterruptReason | undefined;
  readonly #source: ChunkSource;
  readonly #options: RequestBodyOptions;
  /** Settles the pending read, if any: an interruption settles it at once. */
  #resolve: ((result: IteratorResult<Uint8Array>) => void) | undefined;
  #finished = false;
  #idle: NodeJS.Timeout | undefined;

  constructor(source: AsyncIterable<Uint8Array>, options: RequestBodyOptions) {
    this.#source = chunkSourceOf(source, { chunk: this.#onChunk, end: this.#onEnd, fail: this.#onError });
    this.#options = options;
    this[RELEASE_CHUNK] = options.release;
  }

  /** Stops reading and records why (the first reason wins); a pending read ends at once. */
  interrupt(reason: InterruptReason): void {
    this.interrupted ??= reason;
    if (this.#resolve) this.#settle(DONE);
    else this.#finish();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return { next: () => this.#next(), return: () => this.#end() };
  }

  #next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#finished || this.interrupted || this.overflowed) return this.#end();
    this.#armIdleTimer();
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#read();
    });
  }

  #read(): void {
    this.#source.request();
  }

  readonly #onEnd = (): void => {
    // Settled already by an interruption: what arrives after it is not part of the body.
    if (!this.#resolve) return;
    this.complete = true;
    this.#settle(DONE);
  };

  readonly #onChunk = (value: Uint8Array): void => {
    if (!this.#resolve) return;
    const room = this.#options.limit - this.bytesRead;
    const chunk = value.byteLength > room ? value.subarray(0, room) : value;
    if (chunk !== value) this.overflowed = true;
    if (chunk.byteLength === 0) {
      if (this.overflowed) this.#settle(DONE);
      else this.#read();
      return;
    }
    this.bytesRead += chunk.byteLength;
    this.#options.onChunk?.(this.bytesRead);
    this.#settle({ value: chunk, done: false });
  };

  /** A failing source counts as a dropped client. */
  readonly #onError = (): void => {
    if (!this.#resolve) return;
    this.interrupted ??= 'aborted';
    this.#settle(DONE);
  };

  #settle(result: IteratorResult<Uint8Array>): void {
    const resolve = this.#resolve;
    this.#resolve = undefined;
    if (result.done) this.#finish();
    resolve?.(result);
  }

  /** The idle clock only runs while waiting on the client, not while the store applies backpressure. */
  #armIdleTimer(): void {
    if (this.#idle) {
      this.#idle.refresh();
      return;
    }
    this.#idle = setTimeout(() => {
      if (this.#resolve) this.interrupt('idle');
      else this.#idle?.refresh();
    }, this.#options.idleTimeoutMs);
  }

  #end(): Promise<IteratorResult<Uint8Array>> {
    this.#finish();
    return Promise.resolve(DONE);
  }

  #finish(): void {
    this.#finished = true;
    clearTimeout(this.#idle);
  }
}

/**
 * Reads whole chunks from the front of an iterator until they hold `max`
 * bytes or it ends, for format detection. Returns the chunks read, to be
 * replayed before the rest, and their first `max` bytes as `head`: a view of
 * the first chunk when it holds them all (use it before the chunks are freed).
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
  // Copying whole chunks would hold a second socket read per upload through detection and its metadata write.
  const first = chunks[0];
  const headLength = Math.min(length, max);
  const head =
    chunks.length === 1 && first
      ? Buffer.from(first.buffer, first.byteOffset, headLength)
      : copyHead(chunks, headLength);
  return { chunks, head };
}

/** The first `length` bytes of `chunks` in a buffer of their own, outside Node's shared pool (docs/design.md). */
function copyHead(chunks: readonly Uint8Array[], length: number): Buffer {
  const head = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const chunk of chunks) {
    const take = Math.min(chunk.byteLength, length - at);
    if (take <= 0) break;
    head.set(chunk.subarray(0, take), at);
    at += take;
  }
  return head;
}

/**
 * Yields `first` and then the rest of `iterator`, offering the same chunk
 * release as the body they came from. Once `first` is spent, each `next()`
 * goes straight to the iterator: no generator sits between the store and
 * every later chunk.
 *
 * @example
 * ```ts
 * await upload.write(0, replay(chunks, iterator, body[RELEASE_CHUNK]));
 * ```
 */
export function replay(
  first: readonly Uint8Array[],
  iterator: AsyncIterator<Uint8Array>,
  release?: (chunk: Uint8Array) => void,
): UploadBody & Releasing {
  return { [Symbol.asyncIterator]: () => replayIterator(first, iterator), [RELEASE_CHUNK]: release };
}

function replayIterator(first: readonly Uint8Array[], iterator: AsyncIterator<Uint8Array>): AsyncIterator<Uint8Array> {
  let index = 0;
  return {
    next: () =>
      index < first.length
        ? Promise.resolve({ value: first[index++] as Uint8Array, done: false })
        : iterator.next(),
    return: () => iterator.return?.() ?? Promise.resolve({ value: undefined, done: true }),
  };
}

/**
 * A body of bytes already in memory, as the async iterable stores consume.
 *
 * @example
 * ```ts
 * await upload.write(0, bodyOf([head, rest]));
 * ```
 */
export async function* bodyOf(chunks: Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  yield* chunks;
}
