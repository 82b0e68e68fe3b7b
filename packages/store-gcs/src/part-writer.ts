import type { UploadBody } from '@tuskit/core';

/** Options of {@link writeParts}. */
export interface PartWriterOptions {
  /** Bytes per part; the last part of a body may be shorter. */
  partSize: number;
  /** Parts uploading at once; the body is read further only while fewer are. */
  partsInFlight: number;
  /** Stops reading the body, dropping what is buffered (the upload is being removed). */
  signal: AbortSignal;
  /**
   * Persists one part. Called in order, with at most `partsInFlight` pending;
   * each returned promise must settle only after those of the parts before
   * it, and reject if any of them did, so that no part counts before the ones
   * ahead of it. The buffer is reused once the promise settles.
   */
  flush: (part: Buffer) => Promise<void>;
}

/**
 * Streams a body into parts of `partSize` bytes: up to `partsInFlight` parts
 * upload while the next one fills, and the body is not read further until
 * the oldest upload has finished. Memory per write is `partsInFlight + 1`
 * parts, whatever the body's size; chunks are copied as they arrive, so they
 * die young instead of piling up as old garbage while a part fills.
 *
 * When the body ends or fails, what was read is flushed before returning (or
 * rethrowing the body's error), so a dropped connection loses nothing that
 * reached the store. Nothing is left uploading when it returns.
 *
 * @example
 * ```ts
 * const written = await writeParts(body, { partSize: 8 << 20, partsInFlight: 2, signal, flush: (part) => chain.append(part) });
 * ```
 */
export async function writeParts(body: UploadBody, options: PartWriterOptions): Promise<number> {
  const buffers = new PartBuffers(options.partSize);
  const inFlight: Promise<void>[] = [];
  let persisted = 0;
  let flushFailure: { error: unknown } | undefined;
  const send = (part: Buffer) => {
    const flushed = options.flush(part).then(
      () => {
        persisted += part.length;
        buffers.release(part);
      },
      (error: unknown) => {
        buffers.release(part);
        flushFailure ??= { error };
      },
    );
    inFlight.push(flushed);
  };
  let bodyFailure: { error: unknown } | undefined;
  const release = releaseOf(body);
  try {
    for await (const chunk of untilAborted(body, options.signal)) {
      for (let rest = chunk; rest.byteLength > 0; ) {
        rest = buffers.fill(rest);
        if (!buffers.full) continue;
        while (inFlight.length >= options.partsInFlight) await inFlight.shift();
        if (flushFailure) throw flushFailure.error;
        send(buffers.take());
      }
      release?.(chunk);
    }
  } catch (error) {
    bodyFailure = { error };
  }
  await Promise.all(inFlight);
  if (!flushFailure && !options.signal.aborted && buffers.filled > 0) {
    send(buffers.take());
    await inFlight.at(-1);
  }
  // A failed upload is the cause when there is one: the loop stopped reading because of it.
  const failure = flushFailure ?? bodyFailure;
  if (failure) throw failure.error;
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

/** Part-sized buffers, allocated on first use: one filling, the others free or uploading. */
class PartBuffers {
  readonly #free: Buffer[] = [];
  #current: Buffer | undefined;
  filled = 0;

  constructor(readonly partSize: number) {}

  get full(): boolean {
    return this.filled === this.partSize;
  }

  /** Copies as much of `chunk` as fits; returns the rest. */
  fill(chunk: Uint8Array): Uint8Array {
    const room = this.partSize - this.filled;
    const taken = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    this.#current ??= this.#free.pop() ?? Buffer.allocUnsafe(this.partSize);
    this.#current.set(taken, this.filled);
    this.filled += taken.byteLength;
    return chunk.subarray(taken.byteLength);
  }

  /** The filled bytes, to upload; filling continues in another buffer. */
  take(): Buffer {
    const part = this.#current!.subarray(0, this.filled);
    this.#current = undefined;
    this.filled = 0;
    return part;
  }

  /** Takes back a part's buffer once its upload settled. */
  release(part: Buffer): void {
    this.#free.push(Buffer.from(part.buffer, part.byteOffset, this.partSize));
  }
}

/**
 * The core offers this repository's stores a chunk release on bodies only it
 * holds; not part of the published API (why: docs/design.md, "Chunk freeing").
 */
const RELEASE_CHUNK = Symbol.for('tuskit.releaseChunk');

function releaseOf(body: UploadBody): ((chunk: Uint8Array) => void) | undefined {
  return (body as { [RELEASE_CHUNK]?: (chunk: Uint8Array) => void })[RELEASE_CHUNK];
}
