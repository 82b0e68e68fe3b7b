import type { UploadBody } from '../store.js';
import { BufferPool } from './buffer-pool.js';

/**
 * Options of {@link writeParts}.
 *
 * @example
 * ```ts
 * const options: WritePartsOptions = { partSize: 8 * 1024 ** 2, partsInFlight: 2, flush: (part) => upload(part) };
 * ```
 */
export interface WritePartsOptions {
  /** Bytes per part; the last part of a body may be shorter. */
  partSize: number;
  /** Parts uploading at once; the body is read further only while fewer are. */
  partsInFlight: number;
  /**
   * Stops reading the body without waiting for a stalled read, and drops the
   * part being filled: the upload is being removed.
   */
  signal?: AbortSignal | undefined;
  /**
   * Persists one part. Called in order, with at most `partsInFlight` pending;
   * each returned promise must settle only after those of the parts before
   * it, and reject if any of them did, so that no part counts before the ones
   * ahead of it. The part's buffer is reused once the promise settles.
   */
  flush: (part: Buffer) => Promise<void>;
}

/**
 * Streams a body into parts of `partSize` bytes: up to `partsInFlight` parts
 * upload while the next one fills, and the body is not read further until
 * the oldest upload has finished. Memory per write is `partsInFlight + 1`
 * part buffers whatever the body's size; each chunk is copied as it arrives
 * and handed to `body.free`, so chunks die young instead of piling up while
 * a part fills.
 *
 * When the body ends or fails, what was read is flushed before returning (or
 * rethrowing the body's error), so a dropped connection loses nothing that
 * reached the store. Nothing is left uploading when it settles. Resolves the
 * bytes flushed; a failed flush rejects with its error.
 *
 * @example
 * ```ts
 * import { writeParts } from '@tuskit/core/parts';
 *
 * const written = await writeParts(body, {
 *   partSize: 8 * 1024 ** 2,
 *   partsInFlight: 2,
 *   flush: (part) => chain.append(part),
 * });
 * ```
 */
export async function writeParts(body: UploadBody, options: WritePartsOptions): Promise<number> {
  const { partSize, partsInFlight } = options;
  const pool = new BufferPool(partSize, partsInFlight + 1);
  const inFlight: Promise<void>[] = [];
  let written = 0;
  let flushFailure: { error: unknown } | undefined;
  const send = (buffer: Buffer, length: number) => {
    const flushed = options.flush(buffer.subarray(0, length)).then(
      () => void (written += length),
      (error: unknown) => void (flushFailure ??= { error }),
    );
    inFlight.push(flushed.finally(() => pool.release(buffer)));
  };
  let buffer: Buffer | undefined;
  let filled = 0;
  let bodyFailure: { error: unknown } | undefined;
  try {
    for await (const chunk of untilAborted(body, options.signal)) {
      for (let at = 0; at < chunk.byteLength; ) {
        buffer ??= await pool.acquire();
        const length = Math.min(chunk.byteLength - at, partSize - filled);
        buffer.set(chunk.subarray(at, at + length), filled);
        filled += length;
        at += length;
        if (filled < partSize) continue;
        while (inFlight.length >= partsInFlight) await inFlight.shift();
        if (flushFailure) throw flushFailure.error;
        send(buffer, filled);
        buffer = undefined;
        filled = 0;
      }
      body.free?.(chunk);
    }
  } catch (error) {
    bodyFailure = { error };
  }
  await Promise.all(inFlight);
  if (buffer && filled > 0 && !flushFailure && !options.signal?.aborted) {
    send(buffer, filled);
    await inFlight.at(-1);
  } else if (buffer) {
    pool.release(buffer);
  }
  // A failed flush is the cause when there is one: the loop stopped reading because of it.
  const failure = flushFailure ?? bodyFailure;
  if (failure) throw failure.error;
  return written;
}

/**
 * Yields the body's chunks until it ends or `signal` aborts, without waiting
 * for a stalled body. Each read gets its own promise: racing every read
 * against one long-lived "aborted" promise would keep every chunk reachable
 * until the body ends.
 */
async function* untilAborted(body: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined): AsyncIterable<Uint8Array> {
  if (!signal) return yield* body;
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
