/** Options of {@link writeParts}. */
export interface PartWriterOptions {
  /** Bytes per part; the last part of a body may be shorter. */
  partSize: number;
  /** Stops reading the body, dropping what is buffered (the upload is being removed). */
  signal: AbortSignal;
  /**
   * Persists one part; called in order, never twice at once. The buffer is
   * reused once the returned promise settles, so it must not be kept.
   */
  flush: (part: Buffer) => Promise<void>;
}

/**
 * Streams a body into parts of `partSize` bytes through two alternating
 * buffers: one part uploads while the next one fills, and the body is not
 * read further until the upload before it has finished. Memory per write is
 * two parts, whatever the body's size; chunks are copied as they arrive, so
 * they die young instead of piling up as old garbage while a part fills.
 *
 * When the body ends or fails, what was read is flushed before returning (or
 * rethrowing the body's error), so a dropped connection loses nothing that
 * reached the store.
 *
 * @example
 * ```ts
 * const written = await writeParts(body, { partSize: 8 << 20, signal, flush: (part) => chain.append(part) });
 * ```
 */
export async function writeParts(body: AsyncIterable<Uint8Array>, options: PartWriterOptions): Promise<number> {
  const buffers = new DoubleBuffer(options.partSize);
  let persisted = 0;
  let inFlight: Promise<void> = Promise.resolve();
  const send = async (part: Buffer) => {
    await options.flush(part);
    persisted += part.length;
  };
  let bodyFailed = false;
  let bodyError: unknown;
  try {
    for await (const chunk of untilAborted(body, options.signal)) {
      for (let rest = chunk; rest.byteLength > 0; ) {
        rest = buffers.fill(rest);
        if (!buffers.full) continue;
        await inFlight;
        inFlight = send(buffers.swap());
        // Observed by the next `await inFlight`; this keeps it from counting as unhandled meanwhile.
        inFlight.catch(() => {});
      }
    }
  } catch (error) {
    // The body failed, or an upload did (awaited in the loop); the latter is rethrown just below instead.
    bodyFailed = true;
    bodyError = error;
  }
  await inFlight;
  if (!options.signal.aborted && buffers.filled > 0) await send(buffers.swap());
  if (bodyFailed) throw bodyError;
  return persisted;
}

/**
 * Yields the body's chunks until it ends or `signal` aborts, without waiting
 * for a stalled body. Each read gets its own promise: racing every read
 * against one long-lived "aborted" promise would keep every chunk reachable
 * until the body ends.
 */
async function* untilAborted(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncIterable<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  let wake: (() => void) | undefined;
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!signal.aborted) {
      const result = await new Promise<IteratorResult<Uint8Array> | undefined>((resolve, reject) => {
        wake = () => resolve(undefined);
        // A body abandoned on abort may still fail later: this promise is settled by then, so that is ignored.
        iterator.next().then(resolve, reject);
      });
      wake = undefined;
      if (!result || result.done) return;
      yield result.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Two part-sized buffers, allocated on first use: one filling, the other free or uploading. */
class DoubleBuffer {
  readonly #buffers: Buffer[] = [];
  #current = 0;
  filled = 0;

  constructor(readonly partSize: number) {}

  get full(): boolean {
    return this.filled === this.partSize;
  }

  /** Copies as much of `chunk` as fits; returns the rest. */
  fill(chunk: Uint8Array): Uint8Array {
    const room = this.partSize - this.filled;
    const taken = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    this.#buffers[this.#current] ??= Buffer.allocUnsafe(this.partSize);
    this.#buffers[this.#current]!.set(taken, this.filled);
    this.filled += taken.byteLength;
    return chunk.subarray(taken.byteLength);
  }

  /** The filled bytes; filling continues in the other buffer. */
  swap(): Buffer {
    const part = this.#buffers[this.#current]!.subarray(0, this.filled);
    this.#current = 1 - this.#current;
    this.filled = 0;
    return part;
  }
}
