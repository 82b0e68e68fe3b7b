import { TusError, type UploadBody } from '@tuskit/core';
import { BufferPool, type SpareBuffers } from '@tuskit/core/parts';
import PQueue from 'p-queue';
import { deleteKeys, putObject, type Bucket } from './bucket.js';
import { isMissing } from './errors.js';
import { infoUnchanged, replaceInfo } from './info.js';
import { abortMultipart, startMultipart, uploadPart } from './multipart.js';
import { MAX_PARTS, mayCutShortPart } from './part-size.js';
import type { UploadState } from './state.js';
import { StreamedPart } from './streamed-part.js';
import { readTailInto, type TailSegment } from './tail.js';

/**
 * A tail longer than this is rewritten as one segment, so that listing an
 * upload stays cheap however many small PATCHes it took.
 */
export const MAX_TAIL_SEGMENTS = 16;

/** How a write buffers and uploads parts. */
export interface PartWriterOptions {
  /** Never cut a part shorter than the part size before the last one. */
  equalParts: boolean;
  /** Stream a part to S3 while it fills. */
  streamParts: boolean;
  /** Part buffers one write may hold, the one being filled included. */
  maxBufferedParts: number;
  /** Parts uploaded at once. */
  partConcurrency: number;
  /** The store's buffers kept between writes. */
  spares?: SpareBuffers;
}

/** A full (or final) part on its way to S3. */
interface PendingPart {
  buffer: Buffer;
  length: number;
  partNumber: number;
  uploadId: string;
  /** Tail segments holding the front of the part, read back before upload. */
  tail: TailSegment[];
}

/**
 * One `write` of the S3 store. Bytes are copied into part-sized buffers from
 * a {@link BufferPool}; each full buffer becomes the next part and uploads in
 * the background (at most `partConcurrency` at once) while the body goes on.
 * A part that begins empty while an upload slot is free is also streamed to
 * S3 as it fills ({@link StreamedPart}), so receiving and uploading it
 * overlap; its buffer stays the fallback: if the body ends first the stream
 * is cut (S3 records nothing) and the bytes go the usual way, and if the
 * streamed request fails the full part is uploaded again from the buffer.
 * When the body ends, the bytes of an unfinished part become one tail
 * segment. After each object it adds, the write checks that the upload's
 * record is unchanged; if the upload was removed meanwhile it undoes its own
 * objects and fails with `not_found`.
 */
export class PartWriter {
  readonly #bucket: Bucket;
  readonly #state: UploadState;
  readonly #options: PartWriterOptions;
  readonly #partSize: number;
  readonly #pool: BufferPool;
  readonly #queue: PQueue;
  #etag: string;
  #uploadId: string | undefined;
  #position: number;
  #partNumber: number;
  /** Segments in S3 that begin the current part (only the first part of a write has them). */
  #tail: TailSegment[];
  /** Bytes of the current part that are already in S3 (the tail). */
  #durable: number;
  /** Bytes of the current part so far, tail included. */
  #fill: number;
  #buffer: Buffer | undefined;
  /** The current part on its way to S3 while it fills, when it began empty and a part upload was free. */
  #streamed: StreamedPart | undefined;
  #cutAny = false;
  #compacted = false;
  #gone = false;
  #failure: unknown;
  readonly #writtenTail: string[] = [];

  constructor(bucket: Bucket, state: UploadState, options: PartWriterOptions) {
    this.#bucket = bucket;
    this.#state = state;
    this.#options = options;
    this.#partSize = state.record.partSize;
    this.#pool = new BufferPool(this.#partSize, options.maxBufferedParts, options.spares);
    this.#queue = new PQueue({ concurrency: options.partConcurrency });
    this.#etag = state.etag;
    this.#uploadId = state.multipartLive ? state.record.uploadId : undefined;
    this.#position = state.offset;
    this.#partNumber = state.parts.length + 1;
    this.#tail = state.tail;
    this.#durable = state.offset - state.parts.reduce((total, part) => total + part.size, 0);
    this.#fill = this.#durable;
  }

  /** Consumes `body`, persists every byte it took, and resolves the new offset. */
  async write(body: UploadBody): Promise<number> {
    const bodyFailure = await this.#consume(body);
    if (!this.#stopped) await this.#flush();
    await this.#releaseBuffer();
    await this.#queue.onIdle();
    this.#pool.close();
    if (this.#gone) {
      await this.#undo();
      throw new TusError('not_found');
    }
    if (this.#failure !== undefined) throw this.#failure;
    await this.#dropStaleTail();
    if (bodyFailure) throw bodyFailure.error;
    return this.#position;
  }

  get #stopped(): boolean {
    return this.#gone || this.#failure !== undefined;
  }

  /** Reads the body until it ends, fails, or the write must stop; returns the body's own error. */
  async #consume(body: UploadBody): Promise<{ error: unknown } | undefined> {
    const iterator = body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        return { error };
      }
      if (next.done) return undefined;
      const room = this.#end - this.#position;
      await this.#append(next.value.byteLength > room ? next.value.subarray(0, room) : next.value);
      // Copied into the part buffer: the chunk itself is no longer needed.
      body.free?.(next.value);
      if (next.value.byteLength > room) return { error: new TusError('length_exceeded') };
      if (this.#stopped) {
        await iterator.return?.();
        return undefined;
      }
    }
  }

  async #append(chunk: Uint8Array): Promise<void> {
    let at = 0;
    while (at < chunk.byteLength && !this.#stopped) {
      if (!this.#buffer) {
        this.#buffer = await this.#pool.acquire();
        await this.#startStreaming();
      }
      const length = Math.min(chunk.byteLength - at, this.#partSize - this.#fill);
      this.#buffer.set(chunk.subarray(at, at + length), this.#fill);
      this.#streamed?.push(this.#buffer.subarray(this.#fill, this.#fill + length));
      this.#fill += length;
      this.#position += length;
      at += length;
      if (this.#fill === this.#partSize) await this.#cutPart();
    }
  }

  /**
   * Streams the part that just began, when it starts empty (no tail to read
   * back first) and a part upload is free, so that streaming never adds to
   * `partConcurrency` requests at once.
   */
  async #startStreaming(): Promise<void> {
    if (!this.#options.streamParts || this.#fill !== 0 || this.#queue.size + this.#queue.pending >= this.#options.partConcurrency) return;
    let uploadId: string | undefined;
    try {
      uploadId = await this.#multipart();
    } catch (error) {
      this.#failure ??= error;
    }
    if (uploadId === undefined) return;
    const length = Math.min(this.#partSize, this.#end - this.#position);
    const target = { key: this.#state.keys.object, uploadId, partNumber: this.#partNumber, length };
    this.#streamed = new StreamedPart(this.#bucket, target);
  }

  /** Cuts the stream of a part that will not be whole, before its buffer is reused or cut short. */
  async #dropStreamed(): Promise<void> {
    const streamed = this.#streamed;
    this.#streamed = undefined;
    await streamed?.abort();
  }

  /**
   * Where the upload ends: its length, or while the length is deferred, the
   * most its parts can hold (so no short part is cut before the last).
   */
  get #end(): number {
    return this.#state.record.size ?? this.#partSize * MAX_PARTS;
  }

  /** The body ended: the last part, a short part, or a tail segment. */
  async #flush(): Promise<void> {
    if (!this.#streamed?.complete) await this.#dropStreamed();
    const remaining = this.#end - this.#position;
    if (remaining === 0 && this.#fill > 0) {
      // A length declared after the last bytes: the tail they left becomes the last part.
      this.#buffer ??= await this.#pool.acquire();
      return this.#cutPart();
    }
    if (this.#fill === this.#durable) return;
    const shortPart = { partNumber: this.#partNumber, length: this.#fill, remaining, partSize: this.#partSize };
    if (!this.#options.equalParts && mayCutShortPart(shortPart)) await this.#cutPart();
    else await this.#saveTail();
  }

  /** Hands the current buffer to the upload queue as the next part. */
  async #cutPart(): Promise<void> {
    const buffer = this.#buffer;
    if (!buffer) return;
    const part = { buffer, length: this.#fill, partNumber: this.#partNumber, tail: this.#tail };
    const streamed = this.#streamed;
    this.#streamed = undefined;
    this.#buffer = undefined;
    this.#partNumber += 1;
    this.#tail = [];
    this.#fill = this.#durable = 0;
    this.#cutAny = true;
    let uploadId: string | undefined;
    try {
      uploadId = await this.#multipart();
    } catch (error) {
      this.#failure ??= error;
    }
    if (uploadId === undefined) {
      await streamed?.abort();
      this.#pool.release(buffer);
      return;
    }
    void this.#queue.add(() => this.#uploadPart({ ...part, uploadId }, streamed));
  }

  /** Uploads a part from its buffer, unless its stream (if any) already stored it. */
  async #uploadPart(part: PendingPart, streamed?: StreamedPart): Promise<void> {
    try {
      if (!streamed || (await streamed.settled) !== undefined) await this.#sendPart(part);
      await this.#stillThere();
    } catch (error) {
      await this.#recordFailure(error);
    } finally {
      this.#pool.release(part.buffer);
    }
  }

  async #sendPart(part: PendingPart): Promise<void> {
    if (part.tail.length > 0) await readTailInto(this.#bucket, part.tail, part.buffer);
    const bytes = part.buffer.subarray(0, part.length);
    await uploadPart(this.#bucket, this.#state.keys.object, part.uploadId, part.partNumber, bytes);
  }

  /** Stores the bytes of the unfinished part as a new segment, or the whole tail as one. */
  async #saveTail(): Promise<void> {
    const buffer = this.#buffer;
    if (!buffer) return;
    const compact = this.#tail.length >= MAX_TAIL_SEGMENTS;
    const start = compact ? 0 : this.#durable;
    const key = this.#state.keys.tail(this.#partNumber, start);
    try {
      if (compact) await readTailInto(this.#bucket, this.#tail, buffer);
      await putObject(this.#bucket, key, buffer.subarray(start, this.#fill));
      this.#writtenTail.push(key);
      this.#compacted = compact;
      await this.#stillThere();
    } catch (error) {
      await this.#recordFailure(error);
    }
  }

  /** The multipart upload to add parts to, started on the first part. */
  async #multipart(): Promise<string | undefined> {
    if (this.#uploadId !== undefined || this.#gone) return this.#uploadId;
    const bucket = this.#bucket;
    const { keys, record } = this.#state;
    const uploadId = await startMultipart(bucket, keys.object, record.media?.mime);
    const etag = await replaceInfo(bucket, keys.info, { ...record, uploadId }, this.#etag);
    if (etag === undefined) {
      this.#gone = true;
      await abortMultipart(bucket, keys.object, uploadId);
      return undefined;
    }
    this.#etag = etag;
    this.#uploadId = uploadId;
    return uploadId;
  }

  /** False (and the write stops) once the upload's record was removed or replaced. */
  async #stillThere(): Promise<boolean> {
    if (!this.#gone && !(await infoUnchanged(this.#bucket, this.#state.keys.info, this.#etag))) this.#gone = true;
    return !this.#gone;
  }

  /** A missing multipart upload or segment usually means the upload was removed: check before failing. */
  async #recordFailure(error: unknown): Promise<void> {
    const removed = isMissing(error) && !(await this.#stillThere().catch(() => true));
    if (!removed) this.#failure ??= error;
  }

  /** Removes what this write added to an upload that was removed meanwhile. */
  async #undo(): Promise<void> {
    const { keys } = this.#state;
    await deleteKeys(this.#bucket, this.#writtenTail);
    if (this.#uploadId !== undefined) await abortMultipart(this.#bucket, keys.object, this.#uploadId);
  }

  /** Tail segments now inside a part or a compacted segment, and leftovers of interrupted writes. */
  async #dropStaleTail(): Promise<void> {
    const replaced = this.#cutAny || this.#compacted ? this.#state.tail : [];
    const stale = [...replaced, ...this.#state.staleTail]
      .map((segment) => segment.key)
      .filter((key) => !this.#writtenTail.includes(key));
    if (stale.length > 0) await deleteKeys(this.#bucket, stale);
  }

  async #releaseBuffer(): Promise<void> {
    await this.#dropStreamed();
    if (this.#buffer) this.#pool.release(this.#buffer);
    this.#buffer = undefined;
  }
}
